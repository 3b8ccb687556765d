"""Home visits (*kunjungan rumah*) with their geotag, and the thresholds of the visit checks."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Household


class CaseworkSettings(models.Model):
    """The thresholds of the visit checks, as data: one row, edited in the admin."""

    far_visit_metres = models.PositiveIntegerField(
        _("flag visits farther from home than (metres)"), default=1000, validators=[MinValueValidator(50)]
    )
    late_entry_hours = models.PositiveIntegerField(_("flag visits entered later than (hours)"), default=24)
    backdate_reason_days = models.PositiveIntegerField(
        _("a reason is needed for visits older than (days)"), default=7
    )
    home_position_accuracy_metres = models.PositiveIntegerField(
        _("a visit may set the home position when its accuracy is within (metres)"), default=100
    )
    day_not_visited_days = models.PositiveIntegerField(
        _("the day page lists families not visited for (days)"), default=60
    )

    class Meta:
        verbose_name = _("casework settings")
        verbose_name_plural = _("casework settings")

    def __str__(self):
        return str(_("Casework settings"))

    @classmethod
    def current(cls) -> "CaseworkSettings":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class HomeVisit(models.Model):
    """A facilitator's visit to a household (*kunjungan rumah*), with where and when it was recorded."""

    class Purpose(models.TextChoices):
        COMMITMENT = "commitment", _("Commitment follow-up")
        DATA = "data", _("Data verification")
        MEDIATION = "mediation", _("Mediation")
        BUSINESS = "business", _("Business monitoring")
        GRADUATION = "graduation", _("Graduation assessment")
        P2K2 = "p2k2", _("P2K2 follow-up")
        POST_GRADUATION = "post_graduation", _("Follow-up after graduation")
        OTHER = "other", _("Other")

    class Met(models.TextChoices):
        PENGURUS = "pengurus", _("The family recipient (pengurus)")
        MEMBER = "member", _("Another family member")
        NEIGHBOUR = "neighbour", _("A neighbour or RT/RW official")
        NOBODY = "nobody", _("Nobody was home")

    class Geo(models.TextChoices):
        OK = "ok", _("Position recorded")
        DENIED = "denied", _("Location permission denied")
        UNAVAILABLE = "unavailable", _("Position unavailable")
        TIMEOUT = "timeout", _("No position in time")
        UNSUPPORTED = "unsupported", _("Browser cannot give a position")
        NOT_SENT = "not_sent", _("No position sent")

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="visits")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("visited by"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_at = models.DateTimeField(_("visit date and time"), db_index=True)
    received_at = models.DateTimeField(_("received by the server"), default=timezone.now)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    met = models.CharField(_("who was met"), max_length=12, choices=Met.choices)
    met_name = models.CharField(_("name of the person met"), max_length=150, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=255, blank=True)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    backdate_reason = models.CharField(_("reason for late entry"), max_length=255, blank=True)
    geo_status = models.CharField(_("geotag"), max_length=12, choices=Geo.choices, default=Geo.NOT_SENT)
    geo_error = models.CharField(_("geotag problem"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    distance_m = models.FloatField(_("distance from home (m)"), null=True, blank=True)
    # The checks as they stood when the visit arrived (the thresholds may change later).
    flag_far = models.BooleanField(_("far from home"), default=False)
    flag_no_geotag = models.BooleanField(_("without geotag"), default=False)
    flag_late = models.BooleanField(_("entered late"), default=False)
    set_home_position = models.BooleanField(_("set the home position"), default=False)
    # A random key from the form: a form sent twice on a flaky connection makes one visit.
    submission_key = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(fields=["household", "-visited_at"]),
            models.Index(fields=["facilitator", "-visited_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["facilitator", "submission_key"], condition=~models.Q(submission_key=""), name="one_visit_per_submission"
            )
        ]

    def __str__(self):
        return f"{self.household} {timezone.localtime(self.visited_at):%Y-%m-%d %H:%M}"

    @property
    def has_geotag(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def flagged(self) -> bool:
        return self.flag_far or self.flag_no_geotag or self.flag_late
