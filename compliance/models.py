"""Commitment verification (*verifikasi komitmen*): the thresholds (versioned data), the facilities
that give the evidence, which member goes where, what was recorded per member and period, each
household's result per period, and the suspension proposals that persistent non-compliance produces.

Periods are calendar quarters stored as `year * 10 + quarter` (see compliance.periods).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Household, Member
from compliance.periods import Period
from org.models import Region

period_validators = [MinValueValidator(20071), MaxValueValidator(21004)]


class Commitment(models.TextChoices):
    """What a component member must do (one kind per component)."""

    EDUCATION = "education", _("School attendance")
    ANTENATAL = "antenatal", _("Antenatal check-ups")
    EARLY_CHILDHOOD = "early_childhood", _("Posyandu visits")
    WELFARE = "welfare", _("Health or social-welfare activity")


class VerificationRules(models.Model):
    """The thresholds of commitment verification, valid from a date. A period uses the rules valid on
    its first day (the latest `valid_from` on or before it)."""

    valid_from = models.DateField(_("valid from"), unique=True)
    min_attendance_percent = models.DecimalField(
        _("school attendance at least (%)"), max_digits=4, decimal_places=1, default=85,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    min_antenatal_checkups = models.PositiveSmallIntegerField(
        _("antenatal check-ups over the pregnancy, at least"), default=4, validators=[MinValueValidator(1)]
    )
    min_antenatal_checkups_per_period = models.PositiveSmallIntegerField(
        _("antenatal check-ups in each period while pregnant, at least"), default=1,
        help_text=_("A period in which the pregnancy ends is judged on the total instead."),
    )
    pregnancy_weeks = models.PositiveSmallIntegerField(
        _("a pregnancy is verified from this many weeks before the expected delivery"), default=40,
        validators=[MinValueValidator(20), MaxValueValidator(45)],
    )
    consecutive_periods_for_suspension = models.PositiveSmallIntegerField(
        _("non-compliant periods in a row that lead to a suspension proposal"), default=2,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
    )
    note = models.CharField(_("source / note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("verification rules")
        verbose_name_plural = _("verification rules")
        ordering = ["-valid_from"]

    def __str__(self):
        return str(_("Verification rules from %(date)s") % {"date": self.valid_from.isoformat()})


class Facility(models.Model):
    """A place that gives the evidence: a *sekolah/madrasah*, a *posyandu* (village health post), a
    *posyandu lansia* (for the elderly), a *puskesmas* (community health centre) or another one."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School / madrasah (sekolah/madrasah)")
        POSYANDU = "posyandu", _("Posyandu")
        POSYANDU_LANSIA = "posyandu_lansia", _("Posyandu lansia (elderly)")
        PUSKESMAS = "puskesmas", _("Puskesmas")
        OTHER = "other", _("Other (clinic, midwife, social-welfare service)")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    kelurahan = models.ForeignKey(
        Region, verbose_name=_("kelurahan / desa"), on_delete=models.PROTECT, related_name="facilities",
        limit_choices_to={"level": Region.Level.VILLAGE},
    )
    npsn = models.CharField(
        _("NPSN"), max_length=8, blank=True, validators=[RegexValidator(r"^\d{8}$", _("NPSN is 8 digits."))],
        help_text=_("National school number (schools only, 8 digits)."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["npsn"], condition=~Q(npsn=""), name="one_facility_per_npsn"),
        ]

    def __str__(self):
        return self.name


class FacilityLink(models.Model):
    """Where a member's commitment is checked: a pupil's school, a child's posyandu, a mother's puskesmas."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="facility_links")
    commitment = models.CharField(_("commitment"), max_length=20, choices=Commitment.choices)
    facility = models.ForeignKey(Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("linked by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("member's facility")
        verbose_name_plural = _("members' facilities")
        constraints = [models.UniqueConstraint(fields=["member", "commitment"], name="one_facility_per_commitment")]

    def __str__(self):
        return f"{self.member} → {self.facility}"


class CommitmentRecord(models.Model):
    """What the evidence showed for one member, one commitment and one period. Fields that do not
    apply to the commitment stay empty; an empty value means "not known yet", never "no"."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="commitment_records")
    period = models.PositiveIntegerField(_("period"), validators=period_validators, db_index=True)
    commitment = models.CharField(_("commitment"), max_length=20, choices=Commitment.choices)
    facility = models.ForeignKey(
        Facility, verbose_name=_("evidence from"), null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    # education
    attendance_percent = models.DecimalField(
        _("attendance (%)"), max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # pregnant woman
    checkups_in_period = models.PositiveSmallIntegerField(_("check-ups in the period"), null=True, blank=True)
    checkups_total = models.PositiveSmallIntegerField(_("check-ups in the pregnancy so far"), null=True, blank=True)
    pregnancy_ended_on = models.DateField(_("pregnancy ended on"), null=True, blank=True)
    # early childhood: a posyandu visit in the 1st, 2nd, 3rd month of the period (None = not known)
    month_1_visited = models.BooleanField(_("visit in month 1"), null=True, blank=True)
    month_2_visited = models.BooleanField(_("visit in month 2"), null=True, blank=True)
    month_3_visited = models.BooleanField(_("visit in month 3"), null=True, blank=True)
    # elderly / severe disability
    activity_done = models.BooleanField(_("activity took place"), null=True, blank=True)
    activity = models.CharField(_("what activity"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    VALUE_FIELDS = {
        Commitment.EDUCATION: ("attendance_percent",),
        Commitment.ANTENATAL: ("checkups_in_period", "checkups_total", "pregnancy_ended_on"),
        Commitment.EARLY_CHILDHOOD: ("month_1_visited", "month_2_visited", "month_3_visited"),
        Commitment.WELFARE: ("activity_done", "activity"),
    }

    class Meta:
        verbose_name = _("commitment record")
        verbose_name_plural = _("commitment records")
        ordering = ["-period", "member_id", "commitment"]
        constraints = [
            models.UniqueConstraint(fields=["member", "period", "commitment"], name="one_record_per_member_period"),
        ]

    def __str__(self):
        return f"{self.member} {Period.from_code(self.period).key} {self.commitment}"

    @property
    def period_obj(self) -> Period:
        return Period.from_code(self.period)


class HouseholdResult(models.Model):
    """A household's verification result for one period, recomputed by the services whenever its
    records change (and by the refresh job). `reasons` lists one entry per failing commitment and
    `missing` one per commitment still without data; both are rendered in words by compliance.reasons."""

    class Status(models.TextChoices):
        COMPLIANT = "compliant", _("Compliant")
        NON_COMPLIANT = "non_compliant", _("Not compliant")
        NOT_VERIFIED = "not_verified", _("Not yet verified")
        NOTHING_TO_VERIFY = "none", _("Nothing to verify")

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE,
                                  related_name="commitment_results")
    period = models.PositiveIntegerField(_("period"), validators=period_validators)
    status = models.CharField(_("result"), max_length=16, choices=Status.choices, db_index=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    missing = models.JSONField(_("data still missing"), default=list, blank=True)
    members_to_verify = models.PositiveSmallIntegerField(_("commitments to verify"), default=0)
    members_recorded = models.PositiveSmallIntegerField(_("commitments recorded"), default=0)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("household result")
        verbose_name_plural = _("household results")
        ordering = ["-period", "household_id"]
        constraints = [models.UniqueConstraint(fields=["household", "period"], name="one_result_per_household_period")]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self):
        return f"{self.household} {Period.from_code(self.period).key} {self.status}"

    @property
    def period_obj(self) -> Period:
        return Period.from_code(self.period)


class SuspensionProposal(models.Model):
    """A proposal to suspend a household that was non-compliant in several periods in a row, for the
    coordinator to approve (the household is suspended) or reject (with a reason)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the coordinator")
        APPROVED = "approved", _("Approved: household suspended")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn: the results changed")

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE,
                                  related_name="suspension_proposals")
    first_period = models.PositiveIntegerField(_("first period"), validators=period_validators)
    last_period = models.PositiveIntegerField(_("last period"), validators=period_validators)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    case_id = models.PositiveIntegerField(_("mediation case"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    effective_date = models.DateField(_("suspended from"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("suspension proposal")
        verbose_name_plural = _("suspension proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(status="pending"), name="one_pending_proposal"),
            models.CheckConstraint(condition=Q(first_period__lte=models.F("last_period")), name="proposal_periods_in_order"),
        ]

    def __str__(self):
        return f"{self.household} {self.periods_label}"

    @property
    def periods(self) -> list[Period]:
        first, last = Period.from_code(self.first_period), Period.from_code(self.last_period)
        found = [first]
        while found[-1] < last:
            found.append(found[-1].next())
        return found

    @property
    def periods_label(self) -> str:
        return ", ".join(p.key for p in self.periods)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
