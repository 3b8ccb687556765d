"""The facilitator activity audit: one row per facilitator, city and month, computed from the records
(visits, P2K2 meetings, cases, graduation proposals, bank flags), and the thresholds that classify it."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Region


class ActivityClass(models.TextChoices):
    ACTIVE = "active", _("Active")
    LOW = "low", _("Low activity")
    INACTIVE = "inactive", _("Inactive")


class ActivitySettings(models.Model):
    """The thresholds of the activity class and what counts as working hours, as data: one row, edited in
    the admin. A month's thresholds for visits are prorated by the days counted (the current month is live).

    The class (oversight.compute.classify), with share = days counted ÷ days in the month:
    inactive = no visit, held P2K2 meeting or case step for `inactive_idle_days` days up to the day counted
    (or never), or at most `inactive_max_activities` × share of them in the month; active = not inactive, at
    least `active_min_visits` × share visits and `active_min_visited_share_90` % of the caseload visited in
    the last 90 days; low = the rest. Off hours = before `working_day_start`, from `working_day_end`, or on
    Saturday/Sunday (Asia/Jakarta)."""

    active_min_visits = models.PositiveIntegerField(_("active: at least this many visits a month"), default=40)
    active_min_visited_share_90 = models.PositiveSmallIntegerField(
        _("active: at least this share of the caseload visited in the last 90 days (%)"), default=50,
        validators=[MaxValueValidator(100)],
    )
    inactive_max_activities = models.PositiveIntegerField(
        _("inactive: at most this many visits, sessions and case steps a month"), default=5,
    )
    inactive_idle_days = models.PositiveIntegerField(
        _("inactive: no activity for at least this many days"), default=14,
    )
    working_day_start = models.PositiveSmallIntegerField(
        _("working hours start (hour)"), default=7, validators=[MaxValueValidator(23)],
    )
    working_day_end = models.PositiveSmallIntegerField(
        _("working hours end (hour)"), default=18, validators=[MaxValueValidator(24)],
    )
    repeated_coordinate_households = models.PositiveSmallIntegerField(
        _("flag a coordinate shared by visits to at least this many households"), default=3,
    )

    class Meta:
        verbose_name = _("activity audit settings")
        verbose_name_plural = _("activity audit settings")

    def __str__(self):
        return str(_("Activity audit settings"))

    @classmethod
    def current(cls) -> "ActivitySettings":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class FacilitatorMonth(models.Model):
    """What one facilitator did in one month in one city, counted from the records.

    Each figure has a drill-down listing the records it counts (oversight.figures). Past months are
    computed once a month by Celery; the current month is recomputed on demand and is live on the
    facilitator's page. `as_of` is the last day counted (the month's last day, or today).
    """

    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("facilitator"),
                                    on_delete=models.CASCADE, related_name="activity_months")
    city = models.ForeignKey(Region, verbose_name=_("regency/city"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))  # the first day of the month
    as_of = models.DateField(_("counted up to"))
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    # caseload
    caseload = models.PositiveIntegerField(_("active families"), default=0)
    norm_maximum = models.PositiveIntegerField(_("caseload norm (maximum)"), default=0)
    households_visited = models.PositiveIntegerField(_("families visited"), default=0)
    visits = models.PositiveIntegerField(_("visits logged"), default=0)
    visited_30d = models.PositiveIntegerField(_("families visited in the last 30 days"), default=0)
    visited_90d = models.PositiveIntegerField(_("families visited in the last 90 days"), default=0)
    never_visited = models.PositiveIntegerField(_("families never visited"), default=0)
    # quality of the visit records
    visits_geotagged = models.PositiveIntegerField(_("visits with a geotag"), default=0)
    visits_far = models.PositiveIntegerField(_("visits far from home"), default=0)
    visits_late = models.PositiveIntegerField(_("visits entered late"), default=0)
    repeated_coordinate_visits = models.PositiveIntegerField(_("visits at a coordinate shared by several families"), default=0)
    repeated_coordinate_households = models.PositiveIntegerField(_("families with a shared coordinate"), default=0)
    # when the work happens
    visits_off_hours = models.PositiveIntegerField(_("visits in the evening or at the weekend"), default=0)
    sessions_off_hours = models.PositiveIntegerField(_("sessions in the evening or at the weekend"), default=0)
    work_hours = models.JSONField(_("work by weekday and hour"), default=dict, blank=True)
    last_activity_on = models.DateField(_("last activity"), null=True, blank=True)
    days_since_activity = models.PositiveIntegerField(_("days since the last activity"), null=True, blank=True)
    idle_days = models.PositiveIntegerField(_("days without any activity"), default=0)
    # P2K2
    sessions_expected = models.PositiveIntegerField(_("P2K2 sessions expected"), default=0)
    sessions_held = models.PositiveIntegerField(_("P2K2 sessions held"), default=0)
    attendance_present = models.PositiveIntegerField(_("attendances present"), default=0)
    attendance_recorded = models.PositiveIntegerField(_("attendances recorded"), default=0)
    # mediation
    cases_opened = models.PositiveIntegerField(_("cases opened"), default=0)
    cases_resolved = models.PositiveIntegerField(_("cases resolved"), default=0)
    cases_overdue = models.PositiveIntegerField(_("cases overdue"), default=0)
    median_days_to_resolve = models.FloatField(_("median days to resolve"), null=True, blank=True)
    # graduation
    proposed_alamiah = models.PositiveIntegerField(_("natural graduations proposed"), default=0)
    proposed_mandiri = models.PositiveIntegerField(_("independent graduations proposed"), default=0)
    approved_alamiah = models.PositiveIntegerField(_("natural graduations approved"), default=0)
    approved_mandiri = models.PositiveIntegerField(_("independent graduations approved"), default=0)
    # transaction monitoring and KKS cards
    flags = models.PositiveIntegerField(_("transaction flags"), default=0)
    flags_with_case = models.PositiveIntegerField(_("transaction flags with a case"), default=0)
    kks_outside = models.PositiveIntegerField(_("KKS cards held outside the family"), default=0)

    activity_class = models.CharField(_("activity"), max_length=10, choices=ActivityClass.choices)
    job = models.ForeignKey("core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")

    class Meta:
        verbose_name = _("facilitator month")
        verbose_name_plural = _("facilitator months")
        ordering = ["city", "-month", "facilitator"]
        constraints = [
            models.UniqueConstraint(fields=["facilitator", "city", "month"], name="one_activity_row_per_month"),
        ]
        indexes = [models.Index(fields=["city", "month"])]

    def __str__(self):
        return f"{self.facilitator} {self.month:%Y-%m} ({self.city_id})"

    @staticmethod
    def _share(part, whole):
        return part / whole if whole else None

    @property
    def ratio(self):
        return self._share(self.caseload, self.norm_maximum)

    @property
    def over_norm(self) -> bool:
        return bool(self.norm_maximum) and self.caseload > self.norm_maximum

    @property
    def visited_30d_share(self):
        return self._share(self.visited_30d, self.caseload)

    @property
    def visited_90d_share(self):
        return self._share(self.visited_90d, self.caseload)

    @property
    def geotagged_share(self):
        return self._share(self.visits_geotagged, self.visits)

    @property
    def far_share(self):
        return self._share(self.visits_far, self.visits_geotagged)

    @property
    def late_share(self):
        return self._share(self.visits_late, self.visits)

    @property
    def off_hours_share(self):
        return self._share(self.visits_off_hours + self.sessions_off_hours, self.visits + self.sessions_held)

    @property
    def attendance_rate(self):
        return self._share(self.attendance_present, self.attendance_recorded)

    @property
    def flags_with_case_share(self):
        return self._share(self.flags_with_case, self.flags)
