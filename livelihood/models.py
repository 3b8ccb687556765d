"""Economic empowerment: families' and KUBE businesses (*usaha*) with their monthly budget, joint business
groups (KUBE), and referrals to entrepreneurship/credit programs (Jakpreneur, KUR, ...).

Months running and average net income are computed (livelihood.selectors), never stored.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Household
from org.models import Region


class Kube(models.Model):
    """A KUBE (*Kelompok Usaha Bersama*): a joint business group of several families in one kelurahan,
    accompanied by one facilitator."""

    name = models.CharField(_("name"), max_length=150)
    kelurahan = models.ForeignKey(
        Region, verbose_name=_("kelurahan / desa"), on_delete=models.PROTECT, related_name="kube_groups",
        limit_choices_to={"level": Region.Level.VILLAGE},
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitator"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="kube_groups", limit_choices_to={"role": "facilitator"},
    )
    chairperson = models.ForeignKey(
        Household, verbose_name=_("chairperson (ketua)"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    formed_on = models.DateField(_("formed on"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("KUBE (joint business group)")
        verbose_name_plural = _("KUBE (joint business groups)")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def city_code(self) -> str:
        return self.kelurahan_id[:5]


class KubeMembership(models.Model):
    """A household's membership of a KUBE, from the day it joined until the day it left."""

    kube = models.ForeignKey(Kube, verbose_name=_("KUBE"), on_delete=models.CASCADE, related_name="memberships")
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="kube_memberships"
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("KUBE membership")
        verbose_name_plural = _("KUBE memberships")
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kube", "household"], condition=Q(left_on__isnull=True),
                                    name="one_open_kube_membership",
                                    violation_error_message=_("This family is already a member of the KUBE.")),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                                   name="kube_membership_left_after_joined",
                                   violation_error_message=_("A family cannot leave before it joined.")),
        ]

    def __str__(self):
        return f"{self.household} @ {self.kube}"


class Business(models.Model):
    """A business (*usaha*) run by one household or by one KUBE, never both."""

    class Kind(models.TextChoices):
        WARUNG = "warung", _("Warung / food stall")
        CATERING = "catering", _("Catering / cooked food")
        CRAFTS = "crafts", _("Crafts")
        TAILORING = "tailoring", _("Tailoring / sewing")
        FARMING = "farming", _("Farming / livestock / fishery")
        SERVICES = "services", _("Services (laundry, repairs, beauty…)")
        TRADING = "trading", _("Trading / reselling")
        ONLINE = "online", _("Online selling")
        OTHER = "other", _("Other")

    household = models.ForeignKey(
        Household, verbose_name=_("household"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="businesses",
    )
    kube = models.ForeignKey(
        Kube, verbose_name=_("KUBE"), null=True, blank=True, on_delete=models.CASCADE, related_name="businesses"
    )
    kind = models.CharField(_("kind of business"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    started_on = models.DateField(_("started on"))
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    stop_reason = models.CharField(_("why it stopped"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(household__isnull=False, kube__isnull=True) | Q(household__isnull=True, kube__isnull=False)),
                name="business_owned_by_household_or_kube",
                violation_error_message=_("A business belongs either to one household or to one KUBE."),
            ),
            models.CheckConstraint(condition=Q(stopped_on__isnull=True) | Q(stopped_on__gte=F("started_on")),
                                   name="business_stopped_after_started",
                                   violation_error_message=_("The business cannot stop before it started.")),
        ]
        indexes = [models.Index(fields=["household", "stopped_on"]), models.Index(fields=["kube", "stopped_on"])]

    def __str__(self):
        return self.name


class MonthlyEntry(models.Model):
    """One month of a business's budget (*anggaran usaha*): revenue and expenses in whole rupiah."""

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="entries")
    # Always the first day of the month.
    month = models.DateField(_("month"))
    revenue = models.PositiveBigIntegerField(_("revenue (rupiah)"))
    expenses = models.PositiveBigIntegerField(_("expenses (rupiah)"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("monthly entry")
        verbose_name_plural = _("monthly entries")
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "month"], name="one_entry_per_business_month",
                                    violation_error_message=_("This month is already recorded for this business.")),
            models.CheckConstraint(condition=Q(month__day=1), name="entry_month_is_first_day",
                                   violation_error_message=_("A monthly entry is dated on the first day of its month.")),
        ]

    def __str__(self):
        return f"{self.business} {self.month:%Y-%m}"

    @property
    def net(self) -> int:
        return self.revenue - self.expenses


class CreditProgram(models.Model):
    """An entrepreneurship or credit program families can be referred to (Jakpreneur, KUR, ...): its terms are data."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    organiser = models.CharField(_("run by"), max_length=150, blank=True)
    description = models.TextField(_("description"), blank=True)
    min_months_running = models.PositiveSmallIntegerField(
        _("business running at least (months)"), default=0,
        help_text=_("Referring a business that has run fewer months needs an explicit confirmation."),
    )
    max_loan_amount = models.PositiveBigIntegerField(
        _("largest loan (rupiah)"), null=True, blank=True, help_text=_("Empty when the program sets no maximum.")
    )
    interest_rate = models.DecimalField(
        _("interest (% per year)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    requires_training = models.BooleanField(
        _("training comes before the loan decision"), default=False,
        help_text=_("When set, a loan can be approved only after the family is recorded as trained."),
    )
    active = models.BooleanField(_("open for new referrals"), default=True)
    source = models.CharField(_("source of these terms"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("entrepreneurship / credit program")
        verbose_name_plural = _("entrepreneurship / credit programs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CreditReferral(models.Model):
    """A business referred to a program, and where the referral stands now (its history is in ReferralStep)."""

    class Status(models.TextChoices):
        REFERRED = "referred", _("Referred")
        TRAINED = "trained", _("Trained")
        APPROVED = "approved", _("Loan approved")
        DECLINED = "declined", _("Declined")

    OPEN_STATUSES = (Status.REFERRED, Status.TRAINED)

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="referrals")
    program = models.ForeignKey(CreditProgram, verbose_name=_("program"), on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REFERRED, db_index=True)
    status_since = models.DateField(_("status since"))
    referred_on = models.DateField(_("referred on"))
    # The facilitator confirmed the referral although the business was younger than the program asks.
    below_minimum_confirmed = models.BooleanField(_("referred below the program's minimum months"), default=False)
    months_running_at_referral = models.PositiveSmallIntegerField(_("months running when referred"))
    loan_amount = models.PositiveBigIntegerField(_("loan approved (rupiah)"), null=True, blank=True)
    decline_reason = models.CharField(_("reason declined"), max_length=255, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("referred by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("credit referral")
        verbose_name_plural = _("credit referrals")
        ordering = ["-referred_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "program"], condition=Q(status__in=["referred", "trained"]),
                                    name="one_open_referral_per_program",
                                    violation_error_message=_("This business already has an open referral to this program.")),
        ]

    def __str__(self):
        return f"{self.business} → {self.program}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ReferralStep(models.Model):
    """One dated step of a referral's history: referred, trained, loan approved or declined."""

    referral = models.ForeignKey(CreditReferral, verbose_name=_("referral"), on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(_("status"), max_length=12, choices=CreditReferral.Status.choices)
    on = models.DateField(_("date"))
    loan_amount = models.PositiveBigIntegerField(_("loan approved (rupiah)"), null=True, blank=True)
    reason = models.CharField(_("reason / note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("referral step")
        verbose_name_plural = _("referral steps")
        ordering = ["on", "recorded_at", "id"]

    def __str__(self):
        return f"{self.referral} {self.status} {self.on}"
