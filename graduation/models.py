"""Graduation (*graduasi*): the regional poverty line, the versioned classification rules, the
strength-based socio-economic assessment (*asesmen sosial ekonomi*), the stored screening results, and
the proposal → approval workflow for graduations and other exits.

A household's classification is computed by graduation.classifier (pure) from the registry, the latest
assessment and the business and P2K2 records; it is never edited by hand.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Household
from org.models import Region


class Classification(models.TextChoices):
    """The classifier's answer for a household on a date. The codes are fixed (exports, API)."""

    ALAMIAH = "ALAMIAH", _("Natural graduation due")
    ALAMIAH_SEGERA = "ALAMIAH_SEGERA", _("Natural graduation soon")
    KANDIDAT_MANDIRI = "KANDIDAT_MANDIRI", _("Independent-prosperous candidate")
    BELUM = "BELUM", _("Not yet")


class PovertyLine(models.Model):
    """The poverty line (*garis kemiskinan*, BPS) in rupiah per person per month for a province or a
    regency/city and a year. A household uses its city's line, else its province's, of the latest year
    on or before the date."""

    region = models.ForeignKey(Region, verbose_name=_("province or regency/city"), on_delete=models.PROTECT,
                               related_name="poverty_lines")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    amount = models.PositiveIntegerField(_("rupiah per person per month"))
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("poverty line")
        verbose_name_plural = _("poverty lines")
        ordering = ["region__code", "-year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="poverty_line_region_year")]

    def __str__(self):
        return f"{self.region} {self.year}: Rp{self.amount:,}".replace(",", ".")


class HousingLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class GraduationRules(models.Model):
    """One version of the classification rules (data, edited by administrators). A version is never
    changed once saved: editing saves a new version, and every result records the version it used.
    A date uses the highest version whose `valid_from` is on or before it."""

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    valid_from = models.DateField(_("valid from"))
    note = models.CharField(_("what changed and why"), max_length=255, blank=True)
    # Natural graduation
    max_eligible_decile = models.PositiveSmallIntegerField(
        _("highest eligible DTSEN decile"), default=4, validators=[MinValueValidator(1), MaxValueValidator(10)])
    horizon_months = models.PositiveSmallIntegerField(
        _("natural graduation soon: horizon (months)"), default=6, validators=[MinValueValidator(1), MaxValueValidator(36)])
    # Independent-prosperous candidates: required criteria
    assessment_max_age_months = models.PositiveSmallIntegerField(
        _("assessment valid for (months)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(60)])
    income_multiple = models.DecimalField(
        _("income per capita at least (× poverty line)"), max_digits=4, decimal_places=2, default=1.5,
        validators=[MinValueValidator(0)])
    business_min_months = models.PositiveSmallIntegerField(_("or a business running at least (months)"), default=6)
    min_housing_level = models.CharField(_("housing at least"), max_length=6, choices=HousingLevel.choices,
                                         default=HousingLevel.MEDIUM)
    # Independent-prosperous candidates: weighted criteria
    min_assets = models.PositiveSmallIntegerField(_("assets: at least this many"), default=3)
    weight_assets = models.PositiveSmallIntegerField(_("weight: assets"), default=20)
    min_savings_months = models.PositiveSmallIntegerField(_("savings: at least this many months of spending"), default=1)
    weight_savings = models.PositiveSmallIntegerField(_("weight: savings"), default=20)
    weight_jkn = models.PositiveSmallIntegerField(_("weight: JKN for every member"), default=20)
    min_p2k2_percent = models.PositiveSmallIntegerField(
        _("P2K2 attendance at least (%)"), default=75, validators=[MaxValueValidator(100)])
    weight_p2k2 = models.PositiveSmallIntegerField(_("weight: P2K2 attendance"), default=20)
    min_years_in_program = models.PositiveSmallIntegerField(_("years in the program at least"), default=5)
    weight_years = models.PositiveSmallIntegerField(_("weight: years in the program"), default=20)
    score_threshold = models.PositiveSmallIntegerField(_("score needed"), default=60)
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("saved by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("graduation rules")
        verbose_name_plural = _("graduation rules")
        ordering = ["-version"]

    def __str__(self):
        return _("Version %(version)s (from %(date)s)") % {"version": self.version, "date": self.valid_from}


class Assessment(models.Model):
    """A dated socio-economic assessment of a household (*asesmen sosial ekonomi*), strength-based: what
    the family has and can build on as well as what it lacks. Never edited: a new assessment is a new
    version, so earlier ones stay visible and progress shows."""

    class WorkStability(models.TextChoices):
        PERMANENT = "permanent", _("Permanent job or steady business")
        CONTRACT = "contract", _("Contract or seasonal work")
        DAILY = "daily", _("Daily or piece work")
        IRREGULAR = "irregular", _("Irregular, sometimes no work")
        NONE = "none", _("Nobody works")

    class Floor(models.TextChoices):
        EARTH = "earth", _("Earth or bamboo")
        WOOD = "wood", _("Wooden boards or plain cement")
        TILE = "tile", _("Tiles or ceramic")

    class Walls(models.TextChoices):
        BAMBOO = "bamboo", _("Bamboo, woven mats or scrap")
        WOOD = "wood", _("Wood or unplastered brick")
        BRICK = "brick", _("Plastered brick or concrete")

    class Roof(models.TextChoices):
        THATCH = "thatch", _("Thatch, leaves or scrap")
        ZINC = "zinc", _("Zinc or asbestos sheets")
        TILE = "tile", _("Roof tiles or concrete")

    class Toilet(models.TextChoices):
        NONE = "none", _("None (open defecation)")
        SHARED = "shared", _("Shared or public")
        OWN = "own", _("Own toilet")

    class Water(models.TextChoices):
        UNPROTECTED = "unprotected", _("River, rain or unprotected well")
        WELL = "well", _("Protected well or pump")
        PIPED = "piped", _("Piped water or bottled refill")

    class JKN(models.TextChoices):
        ALL = "all", _("Every member")
        SOME = "some", _("Some members")
        NONE = "none", _("Nobody")

    class DebtSource(models.TextChoices):
        NONE = "", _("No debt")
        BANK = "bank", _("Bank or KUR")
        COOPERATIVE = "cooperative", _("Cooperative or PNM Mekaar")
        FAMILY = "family", _("Family, neighbours, shop credit")
        MONEYLENDER = "moneylender", _("Moneylender or online loan")

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE,
                                  related_name="assessments")
    number = models.PositiveSmallIntegerField(_("assessment no."), editable=False)
    assessed_on = models.DateField(_("assessment date"))
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT,
                                 related_name="assessments")
    visit = models.ForeignKey("casework.HomeVisit", verbose_name=_("during the visit"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="assessments")
    # Economy (rupiah per month)
    household_size = models.PositiveSmallIntegerField(_("people living in the household"),
                                                      validators=[MinValueValidator(1), MaxValueValidator(30)])
    income_work = models.PositiveBigIntegerField(_("wages and salaries"), default=0)
    income_business = models.PositiveBigIntegerField(_("own business (net)"), default=0)
    income_transfers = models.PositiveBigIntegerField(_("help from family or remittances"), default=0)
    income_other = models.PositiveBigIntegerField(_("other income (not PKH)"), default=0)
    work_stability = models.CharField(_("work stability"), max_length=10, choices=WorkStability.choices)
    main_occupation = models.CharField(_("main occupation"), max_length=120, blank=True)
    business_months = models.PositiveSmallIntegerField(
        _("business running (months), when no business is recorded"), null=True, blank=True)
    business_net_income = models.BigIntegerField(
        _("business net income per month, when no business is recorded"), null=True, blank=True)
    # Savings, assets, debts
    savings_amount = models.PositiveBigIntegerField(_("savings (rupiah)"), default=0)
    monthly_spending = models.PositiveBigIntegerField(_("household spending per month"), default=0)
    has_motorcycle = models.BooleanField(_("motorcycle"), default=False)
    has_refrigerator = models.BooleanField(_("refrigerator"), default=False)
    has_television = models.BooleanField(_("television"), default=False)
    has_smartphone = models.BooleanField(_("smartphone"), default=False)
    has_gold_or_land = models.BooleanField(_("gold, land or livestock"), default=False)
    has_work_equipment = models.BooleanField(_("work equipment (cart, sewing machine, tools)"), default=False)
    owns_house = models.BooleanField(_("owns the house"), default=False)
    debt_amount = models.PositiveBigIntegerField(_("outstanding debt (rupiah)"), default=0)
    debt_source = models.CharField(_("debt from"), max_length=12, choices=DebtSource.choices, blank=True)
    debt_monthly_payment = models.PositiveBigIntegerField(_("debt repayment per month"), default=0)
    # Housing
    floor = models.CharField(_("floor"), max_length=6, choices=Floor.choices)
    walls = models.CharField(_("walls"), max_length=6, choices=Walls.choices)
    roof = models.CharField(_("roof"), max_length=6, choices=Roof.choices)
    toilet = models.CharField(_("toilet"), max_length=6, choices=Toilet.choices)
    water = models.CharField(_("drinking water"), max_length=12, choices=Water.choices)
    # Education and health
    school_age_children = models.PositiveSmallIntegerField(_("children aged 7–18"), default=0)
    children_in_school = models.PositiveSmallIntegerField(_("of them in school"), default=0)
    jkn = models.CharField(_("JKN health insurance"), max_length=4, choices=JKN.choices)
    # Strengths (the strength perspective) and the family's own goals
    skills = models.TextField(_("skills"), blank=True,
                              help_text=_("What members can do: cooking, sewing, driving, trade, a craft …"))
    resources = models.TextField(_("resources"), blank=True,
                                 help_text=_("What the family has to build on: a place to sell, tools, land, savings group …"))
    support_network = models.TextField(_("support network"), blank=True,
                                       help_text=_("Relatives, neighbours, group members, community or religious groups who help."))
    goals = models.TextField(_("the family's own goals"), blank=True)
    wants_to_graduate = models.BooleanField(_("the family wants to leave PKH by its own choice"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("socio-economic assessment")
        verbose_name_plural = _("socio-economic assessments")
        ordering = ["-assessed_on", "-number"]
        indexes = [models.Index(fields=["household", "-assessed_on", "-number"])]
        constraints = [
            models.UniqueConstraint(fields=["household", "number"], name="assessment_number_per_household"),
            models.CheckConstraint(condition=Q(children_in_school__lte=models.F("school_age_children")),
                                   name="assessment_children_in_school_le_total"),
        ]

    def __str__(self):
        return _("Assessment %(number)s of %(id_kpm)s (%(date)s)") % {
            "number": self.number, "id_kpm": self.household.id_kpm, "date": self.assessed_on}

    @property
    def total_income(self) -> int:
        return self.income_work + self.income_business + self.income_transfers + self.income_other

    @property
    def income_per_capita(self) -> int:
        return self.total_income // max(self.household_size, 1)


class ScreeningResult(models.Model):
    """The latest stored classification of a household (monthly screening, or a refresh on demand):
    what the "Kandidat graduasi" lists and the statistics read, so they never classify on the fly."""

    household = models.OneToOneField(Household, on_delete=models.CASCADE, related_name="screening")
    as_of = models.DateField(_("as of"))
    classification = models.CharField(_("classification"), max_length=20, choices=Classification.choices,
                                      db_index=True)
    rules_version = models.PositiveIntegerField(_("rules version"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    checks = models.JSONField(_("checks"), default=list)  # classifier.Check.as_json() of each rule checked
    components = models.JSONField(_("components"), default=list)
    annual_entitlement = models.PositiveIntegerField(_("annual entitlement"), default=0)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("screening result")
        verbose_name_plural = _("screening results")


class Proposal(models.Model):
    """A facilitator's proposal to end a household's participation, decided by the coordinator.
    Graduations (natural, independent-prosperous) and other exits use the same approval; only the
    first two count as graduations."""

    class Kind(models.TextChoices):
        ALAMIAH = "alamiah", _("Natural graduation (graduasi alamiah)")
        MANDIRI = "mandiri", _("Independent-prosperous graduation (graduasi sejahtera mandiri)")
        NON_COMPLIANCE = "non_compliance", _("Terminated for non-compliance")
        DECEASED = "deceased", _("Deceased (no member left)")
        MOVED = "moved", _("Moved out of the area")
        INELIGIBLE = "ineligible", _("Duplicate or ineligible")

    GRADUATIONS = (Kind.ALAMIAH, Kind.MANDIRI)

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Confirmation(models.TextChoices):
        NONE = "", _("Not yet")
        UPLOAD = "upload", _("Signed statement uploaded")
        RECORDED = "recorded", _("Confirmation recorded by the facilitator")

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="graduation_proposals")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    effective_date = models.DateField(_("effective date"))
    assessment = models.ForeignKey(Assessment, verbose_name=_("assessment"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="proposals")
    notes = models.TextField(_("evidence and notes"))
    # What the classifier said when the proposal was made (kept: the rules and data may change later)
    classification = models.CharField(_("classifier's result"), max_length=20, choices=Classification.choices)
    rules_version = models.PositiveIntegerField(_("rules version"))
    checks = models.JSONField(_("checks"), default=list)
    justification = models.TextField(_("why the type differs from the classifier's result"), blank=True)
    # The family's signed statement (independent-prosperous graduation only)
    confirmation = models.CharField(_("family's statement"), max_length=8, choices=Confirmation.choices, blank=True)
    statement_file = models.FileField(_("signed statement (scan or photo)"), upload_to="graduation/statements/%Y/%m/",
                                      blank=True)
    confirmation_note = models.TextField(_("how the family confirmed"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT,
                                    related_name="graduation_proposals")
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="graduation_decisions")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        verbose_name = _("graduation or exit proposal")
        verbose_name_plural = _("graduation and exit proposals")
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["status", "proposed_at"]), models.Index(fields=["kind", "status", "effective_date"])]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(status="pending"),
                                    name="one_pending_proposal_per_household"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.household.id_kpm}"

    @property
    def is_graduation(self) -> bool:
        return self.kind in self.GRADUATIONS
