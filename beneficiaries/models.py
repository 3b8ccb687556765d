"""The KPM registry: households, members, status and assignment history, KKS custody, and the
year-versioned benefit rules (component indexes, thresholds, disbursement stages)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Region

sixteen_digits = RegexValidator(r"^\d{16}$", _("Must be exactly 16 digits."))


class Bank(models.TextChoices):
    BNI = "BNI", "BNI"
    BRI = "BRI", "BRI"
    MANDIRI = "MANDIRI", "Mandiri"
    BTN = "BTN", "BTN"
    BSI = "BSI", "BSI"
    POS = "POS", _("PT Pos Indonesia")


class Component(models.TextChoices):
    """A *komponen*: a kind of qualifying member that earns a yearly index amount."""

    HAMIL = "HAMIL", _("Pregnant woman")
    ANAK_USIA_DINI = "ANAK_USIA_DINI", _("Early childhood (0–6)")
    SD = "SD", _("Primary school (SD)")
    SMP = "SMP", _("Junior high school (SMP)")
    SMA = "SMA", _("Senior high school (SMA)")
    DISABILITAS_BERAT = "DISABILITAS_BERAT", _("Severe disability")
    LANSIA = "LANSIA", _("Elderly")


class Household(models.Model):
    """A KPM (*Keluarga Penerima Manfaat*): one beneficiary family, one family card (KK)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        GRADUATED = "graduated", _("Graduated")
        EXITED = "exited", _("Exited")

    class KKSHolder(models.TextChoices):
        """Who physically holds the KKS (*Kartu Keluarga Sejahtera*) card."""

        PENGURUS = "pengurus", _("The family recipient (pengurus)")
        FAMILY_MEMBER = "family", _("Another family member")
        FACILITATOR = "facilitator", _("The facilitator")
        GROUP_LEADER = "group_leader", _("The P2K2 group leader")
        AGENT = "agent", _("A bank agent / e-warong")
        OTHER = "other", _("Someone else")

    FAMILY_HOLDERS = (KKSHolder.PENGURUS, KKSHolder.FAMILY_MEMBER)

    id_kpm = models.CharField(_("ID KPM"), max_length=40, unique=True)
    no_kk = models.CharField(_("No. KK"), max_length=16, validators=[sixteen_digits], db_index=True)
    kelurahan = models.ForeignKey(
        Region, verbose_name=_("kelurahan / desa"), on_delete=models.PROTECT, related_name="households",
        limit_choices_to={"level": Region.Level.VILLAGE},
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    home_latitude = models.DecimalField(
        _("home latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    home_longitude = models.DecimalField(
        _("home longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    bank = models.CharField(_("bank"), max_length=10, choices=Bank.choices, blank=True)
    kks_number = models.CharField(_("KKS number"), max_length=16, blank=True, validators=[sixteen_digits], db_index=True)
    kks_holder = models.CharField(
        _("KKS card held by"), max_length=20, choices=KKSHolder.choices, default=KKSHolder.PENGURUS, db_index=True
    )
    joined_year = models.PositiveSmallIntegerField(
        _("year joined PKH"), validators=[MinValueValidator(2007), MaxValueValidator(2100)]
    )
    decile = models.PositiveSmallIntegerField(
        _("DTSEN decile"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    status_since = models.DateField(_("status since"), default=timezone.localdate)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitator"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="households", limit_choices_to={"role": "facilitator"},
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Bumped by every service write; lets a stale form (or offline client) be refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("household (KPM)")
        verbose_name_plural = _("households (KPM)")
        ordering = ["id_kpm"]
        indexes = [models.Index(fields=["facilitator", "status"])]

    def __str__(self):
        return self.id_kpm

    @property
    def city_code(self) -> str:
        return self.kelurahan_id[:5]

    @property
    def kks_held_outside_family(self) -> bool:
        return self.kks_holder not in self.FAMILY_HOLDERS

    @property
    def has_home_position(self) -> bool:
        return self.home_latitude is not None and self.home_longitude is not None


class Member(models.Model):
    """A person on the household's family card."""

    class Sex(models.TextChoices):
        MALE = "L", _("Male")
        FEMALE = "P", _("Female")

    class Relationship(models.TextChoices):
        HEAD = "KEPALA KELUARGA", _("Head of family")
        WIFE = "ISTRI", _("Wife")
        HUSBAND = "SUAMI", _("Husband")
        CHILD = "ANAK", _("Child")
        GRANDCHILD = "CUCU", _("Grandchild")
        PARENT = "ORANG TUA", _("Parent")
        OTHER_RELATIVE = "FAMILI LAIN", _("Other relative")
        OTHER = "LAINNYA", _("Other")

    class School(models.TextChoices):
        NONE = "", _("Not in school")
        SD = "SD", "SD"
        MI = "MI", "MI"
        PAKET_A = "PAKET A", _("Paket A")
        SMP = "SMP", "SMP"
        MTS = "MTS", "MTs"
        PAKET_B = "PAKET B", _("Paket B")
        SMA = "SMA", "SMA"
        SMK = "SMK", "SMK"
        MA = "MA", "MA"
        PAKET_C = "PAKET C", _("Paket C")

    # Equivalent schools map to the level that earns the component.
    SCHOOL_LEVEL = {
        "SD": "SD", "MI": "SD", "PAKET A": "SD",
        "SMP": "SMP", "MTS": "SMP", "PAKET B": "SMP",
        "SMA": "SMA", "SMK": "SMA", "MA": "SMA", "PAKET C": "SMA",
    }

    class Exit(models.TextChoices):
        NONE = "", _("Still in the household")
        DECEASED = "deceased", _("Deceased")
        MOVED_OUT = "moved_out", _("Moved out")

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members")
    nik = models.CharField(_("NIK"), max_length=16, validators=[sixteen_digits], db_index=True)
    name = models.CharField(_("name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    relationship = models.CharField(_("relationship to the head"), max_length=20, choices=Relationship.choices)
    is_pengurus = models.BooleanField(_("family recipient (pengurus)"), default=False)
    pregnant = models.BooleanField(_("pregnant"), default=False)
    expected_delivery_date = models.DateField(_("expected delivery date"), null=True, blank=True)
    pregnancy_order = models.PositiveSmallIntegerField(
        _("pregnancy number"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    school = models.CharField(_("school enrolment"), max_length=10, choices=School.choices, blank=True)
    severe_disability = models.BooleanField(_("severe disability"), default=False)
    exit_reason = models.CharField(_("status in the household"), max_length=12, choices=Exit.choices, blank=True)
    exit_date = models.DateField(_("date left"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["birth_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(is_pengurus=True), name="one_pengurus_per_household"),
            # A person is a current member of at most one household.
            models.UniqueConstraint(fields=["nik"], condition=Q(exit_reason=""), name="nik_in_one_household"),
        ]

    def __str__(self):
        return self.name

    @property
    def school_level(self) -> str:
        return self.SCHOOL_LEVEL.get(self.school, "")


class HouseholdStatusChange(models.Model):
    """A dated change of a household's program status."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=12, choices=Household.Status.choices)
    effective_date = models.DateField(_("effective date"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-effective_date", "-recorded_at", "-id"]


class Assignment(models.Model):
    """A period during which a facilitator was responsible for a household (transfers keep history)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="assignments")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitator"), on_delete=models.PROTECT, related_name="assignments"
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-start_date", "-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(end_date__isnull=True), name="one_open_assignment")
        ]


class KKSCustody(models.Model):
    """A record of who held the household's KKS card from a date (the latest one is current)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="kks_custody")
    holder = models.CharField(_("held by"), max_length=20, choices=Household.KKSHolder.choices)
    holder_name = models.CharField(_("holder's name"), max_length=150, blank=True)
    since = models.DateField(_("since"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("KKS custody record")
        verbose_name_plural = _("KKS custody records")
        ordering = ["-since", "-recorded_at", "-id"]

    @property
    def outside_family(self) -> bool:
        return self.holder not in Household.FAMILY_HOLDERS


class FamilyCardChange(models.Model):
    """A household's No. KK changes when the card is reissued; the old numbers are kept here."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="family_card_changes")
    old_no_kk = models.CharField(_("previous No. KK"), max_length=16)
    new_no_kk = models.CharField(_("new No. KK"), max_length=16)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("No. KK change")
        verbose_name_plural = _("No. KK changes")
        ordering = ["-changed_at", "-id"]


class BenefitYear(models.Model):
    """The component rules of a year (thresholds and cap). A year without a row uses the latest earlier one."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True, validators=[MinValueValidator(2007)])
    max_components = models.PositiveSmallIntegerField(_("maximum components per family"), default=4)
    elderly_min_age = models.PositiveSmallIntegerField(_("elderly from age"), default=60)
    early_childhood_max_age = models.PositiveSmallIntegerField(_("early childhood up to age"), default=6)
    early_childhood_max_count = models.PositiveSmallIntegerField(_("early-childhood children counted"), default=2)
    school_max_age = models.PositiveSmallIntegerField(_("school component up to age"), default=21)
    pregnancy_max_order = models.PositiveSmallIntegerField(_("pregnancies counted (up to the n-th)"), default=2)
    family_amount = models.PositiveIntegerField(_("fixed amount per family (rupiah/year)"), default=0)
    note = models.CharField(_("source / note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("benefit year")
        verbose_name_plural = _("benefit years")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class ComponentIndex(models.Model):
    """*Indeks bantuan*: rupiah per component per year."""

    benefit_year = models.ForeignKey(BenefitYear, on_delete=models.CASCADE, related_name="indexes")
    component = models.CharField(_("component"), max_length=20, choices=Component.choices)
    amount = models.PositiveIntegerField(_("rupiah per year"))

    class Meta:
        verbose_name = _("benefit index")
        verbose_name_plural = _("benefit indexes")
        constraints = [models.UniqueConstraint(fields=["benefit_year", "component"], name="one_index_per_component")]

    def __str__(self):
        return f"{self.component} {self.amount}"


class DisbursementStage(models.Model):
    """A *tahap*: one payment batch of a year covering a range of months."""

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("stage"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    first_month = models.PositiveSmallIntegerField(_("first month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    last_month = models.PositiveSmallIntegerField(_("last month"), validators=[MinValueValidator(1), MaxValueValidator(12)])

    class Meta:
        verbose_name = _("disbursement stage")
        verbose_name_plural = _("disbursement stages")
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="one_stage_number_per_year"),
            models.CheckConstraint(condition=Q(first_month__lte=models.F("last_month")), name="stage_months_in_order"),
        ]

    def __str__(self):
        return f"{self.year} tahap {self.number}"
