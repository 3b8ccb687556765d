"""P2K2 (*Pertemuan Peningkatan Kemampuan Keluarga*): the monthly family-development group sessions.

The module/session catalogue, the time-of-day buckets and the rules (edit lock, group size) are
data, edited by administrators. Groups (*kelompok*) belong to a facilitator in one kelurahan; a
household is in at most one active group at a time (a database constraint), with its history kept.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Household
from org.models import Region


class P2K2Settings(models.Model):
    """The P2K2 rules, as data: one row, edited in the admin (seeded by migration 0002)."""

    edit_lock_days = models.PositiveSmallIntegerField(
        _("meetings are locked this many days after their date"), default=7,
        help_text=_("After this, only the coordinator can change a meeting or its attendance, giving a reason."),
    )
    group_min_households = models.PositiveSmallIntegerField(_("usual smallest group (households)"), default=10)
    group_max_households = models.PositiveSmallIntegerField(_("usual largest group (households)"), default=30)
    day_horizon_days = models.PositiveSmallIntegerField(
        _("the day page lists meetings of the next (days)"), default=7, validators=[MinValueValidator(1)]
    )
    schedule_ahead_days = models.PositiveSmallIntegerField(
        _("meetings may be scheduled at most this many days ahead"), default=366, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("P2K2 settings")
        verbose_name_plural = _("P2K2 settings")
        constraints = [
            models.CheckConstraint(condition=Q(group_min_households__lte=models.F("group_max_households")),
                                   name="p2k2_group_size_range_in_order"),
        ]

    def __str__(self):
        return str(_("P2K2 settings"))

    @classmethod
    def current(cls) -> "P2K2Settings":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class TimeBucket(models.Model):
    """A time of day for the attendance analysis (*pagi*, *siang*, *sore*, *malam*).

    A bucket runs from its start until the next bucket's start; a meeting starting before the
    first bucket belongs to the last one (the evening runs past midnight).
    """

    name = models.CharField(_("name"), max_length=60)
    starts_at = models.TimeField(_("starts at"), unique=True)

    class Meta:
        verbose_name = _("time of day")
        verbose_name_plural = _("times of day")
        ordering = ["starts_at"]

    def __str__(self):
        return f"{self.name} ({self.starts_at:%H:%M})"


class Module(models.Model):
    """A P2K2 module (e.g. 1 *Pengasuhan dan Pendidikan Anak*), grouping catalogue sessions."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True, validators=[MinValueValidator(1)])
    title = models.CharField(_("title (Indonesian)"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("P2K2 module")
        verbose_name_plural = _("P2K2 modules")
        ordering = ["number"]

    def __str__(self):
        return _("Module %(number)s: %(title)s") % {"number": self.number, "title": self.title}


class ModuleSession(models.Model):
    """A catalogue session (*sesi*) of a module; sessions are numbered continuously across modules."""

    module = models.ForeignKey(Module, verbose_name=_("module"), on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("session number"), unique=True, validators=[MinValueValidator(1)])
    title = models.CharField(_("title (Indonesian)"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("P2K2 catalogue session")
        verbose_name_plural = _("P2K2 catalogue sessions")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Group(models.Model):
    """A P2K2 group (*kelompok*): families of one facilitator's caseload in one kelurahan.

    The leader (*ketua kelompok*) is a member household; its pengurus leads the group.
    A closed group keeps its history; its memberships end on the closing date.
    """

    name = models.CharField(_("group name"), max_length=120)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitator"), on_delete=models.PROTECT, related_name="p2k2_groups",
        limit_choices_to={"role": "facilitator"},
    )
    kelurahan = models.ForeignKey(
        Region, verbose_name=_("kelurahan / desa"), on_delete=models.PROTECT, related_name="p2k2_groups",
        limit_choices_to={"level": Region.Level.VILLAGE},
    )
    leader = models.ForeignKey(
        Household, verbose_name=_("group leader (ketua kelompok)"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="p2k2_led_groups",
    )
    usual_place = models.CharField(_("usual meeting place"), max_length=200, blank=True)
    formed_on = models.DateField(_("formed on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("reason for closing"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("P2K2 group")
        verbose_name_plural = _("P2K2 groups")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["facilitator", "closed_on"]), models.Index(fields=["kelurahan", "closed_on"])]
        constraints = [
            models.UniqueConstraint(fields=["facilitator", "name"], condition=Q(closed_on__isnull=True),
                                    name="p2k2_group_name_unique_per_facilitator"),
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("formed_on")),
                                   name="p2k2_group_closed_after_formed"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.closed_on is None

    @property
    def city_code(self) -> str:
        return self.kelurahan_id[:5]


class GroupMembership(models.Model):
    """A period during which a household belonged to a group (the open one is current)."""

    group = models.ForeignKey(Group, verbose_name=_("group"), on_delete=models.PROTECT, related_name="memberships")
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="p2k2_memberships"
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=255, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("removed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("P2K2 group membership")
        verbose_name_plural = _("P2K2 group memberships")
        ordering = ["-joined_on", "-id"]
        indexes = [models.Index(fields=["group", "left_on"])]
        constraints = [
            # The rule of the issue: a household is in at most one active group.
            models.UniqueConstraint(fields=["household"], condition=Q(left_on__isnull=True),
                                    name="p2k2_one_active_group_per_household"),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                                   name="p2k2_membership_left_after_joined"),
        ]

    def __str__(self):
        return f"{self.household} → {self.group}"

    @property
    def is_current(self) -> bool:
        return self.left_on is None


class Meeting(models.Model):
    """One P2K2 meeting of a group: scheduled, then held (attendance recorded) or cancelled."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey(Group, verbose_name=_("group"), on_delete=models.PROTECT, related_name="meetings")
    module_session = models.ForeignKey(
        ModuleSession, verbose_name=_("catalogue session"), on_delete=models.PROTECT, related_name="meetings"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    place = models.CharField(_("place"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    attendance_recorded_at = models.DateTimeField(_("attendance recorded"), null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("attendance recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("scheduled by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("P2K2 meeting")
        verbose_name_plural = _("P2K2 meetings")
        ordering = ["-date", "-start_time", "-id"]
        indexes = [models.Index(fields=["group", "date"]), models.Index(fields=["status", "date"])]
        constraints = [
            models.UniqueConstraint(fields=["group", "date", "start_time"], condition=~Q(status="cancelled"),
                                    name="p2k2_one_meeting_per_group_and_time"),
        ]

    def __str__(self):
        return f"{self.group} {self.date:%Y-%m-%d} {self.start_time:%H:%M}"


class Attendance(models.Model):
    """Whether a household came to a held meeting: present, absent, or excused (with the reason)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendance")
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="p2k2_attendance"
    )
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices, default=Status.PRESENT)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("P2K2 attendance")
        verbose_name_plural = _("P2K2 attendance")
        ordering = ["meeting", "household"]
        indexes = [models.Index(fields=["household", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "household"], name="p2k2_one_attendance_per_household"),
            models.CheckConstraint(condition=~Q(status="excused") | ~Q(reason=""), name="p2k2_excused_needs_reason"),
        ]

    def __str__(self):
        return f"{self.household} {self.status}"
