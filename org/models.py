"""Regions (Kemendagri codes), staff accounts with their roles, and the caseload norm."""

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """An administrative region keyed by its official dotted code (`31`, `31.75`, `31.75.01`, `31.75.01.1001`)."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        REGENCY = 2, _("Regency / city")
        DISTRICT = 3, _("District (kecamatan)")
        VILLAGE = 4, _("Village (kelurahan / desa)")

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Codes change when regions split: remember which official list the row came from.
    code_list = models.CharField(_("code list"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def city_code(self) -> str:
        """The regency/city part of the code (`31.75`), or '' for a province."""
        return self.code[:5] if self.level >= self.Level.REGENCY else ""

    @property
    def is_city(self) -> bool:
        """Regency codes are 01–69, city (kota) codes 71–99."""
        return self.level == self.Level.REGENCY and int(self.code[3:5]) >= 71

    @property
    def is_kelurahan(self) -> bool:
        """Village codes starting with 1 are kelurahan (urban), with 2 desa (rural)."""
        return self.level == self.Level.VILLAGE and self.code[9] == "1"


class User(AbstractUser):
    """A staff account. What it may see is decided in org.access, from its role and cities."""

    class Role(models.TextChoices):
        FACILITATOR = "facilitator", _("Facilitator (pendamping sosial)")
        COORDINATOR = "coordinator", _("City coordinator (koordinator kota)")
        AUDITOR = "auditor", _("Auditor (Suku Dinas Sosial)")
        ADMIN = "admin", _("Administrator")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    # Facilitator and coordinator: exactly one city; auditor: one or more.
    cities = models.ManyToManyField(
        Region, verbose_name=_("cities"), blank=True, related_name="+", limit_choices_to={"level": Region.Level.REGENCY}
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    @property
    def is_facilitator(self) -> bool:
        return self.role == self.Role.FACILITATOR

    @property
    def is_coordinator(self) -> bool:
        return self.role == self.Role.COORDINATOR

    @property
    def is_auditor(self) -> bool:
        return self.role == self.Role.AUDITOR

    @property
    def is_administrator(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser


class FacilitatorProfile(models.Model):
    """A facilitator's working area and background (education, volunteer experience)."""

    class Education(models.TextChoices):
        SMA = "SMA", _("Senior high school (SMA/SMK)")
        D3 = "D3", _("Diploma (D3)")
        D4 = "D4", _("Applied bachelor (D4)")
        S1 = "S1", _("Bachelor (S1)")
        S2 = "S2", _("Master (S2)")
        S3 = "S3", _("Doctorate (S3)")

    class Background(models.TextChoices):
        SOCIAL_WELFARE = "social_welfare", _("Social welfare / social work (kesejahteraan sosial / pekerjaan sosial)")
        OTHER = "other", _("Other field of study")

    class Volunteer(models.TextChoices):
        NONE = "", _("None")
        TKSK = "TKSK", _("TKSK (sub-district social-welfare worker)")
        RELAWAN_SOSIAL = "RELAWAN_SOSIAL", _("Social volunteer (relawan sosial)")
        OTHER = "OTHER", _("Other volunteer work")

    class BackgroundGroup(models.TextChoices):
        """The three groups the seed research compares."""

        SOCIAL_WELFARE = "social_welfare", _("Social-welfare education")
        OTHER_WITH_VOLUNTEER = "other_volunteer", _("Other education, volunteer experience")
        OTHER = "other", _("Other education")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="facilitator_profile")
    kelurahan = models.ManyToManyField(
        Region, verbose_name=_("assigned kelurahan"), blank=True, related_name="facilitators",
        limit_choices_to={"level": Region.Level.VILLAGE},
    )
    education_level = models.CharField(_("education level"), max_length=3, choices=Education.choices, blank=True)
    education_field = models.CharField(_("field of study"), max_length=120, blank=True)
    background = models.CharField(_("background"), max_length=20, choices=Background.choices, default=Background.OTHER)
    volunteer_experience = models.CharField(
        _("volunteer experience"), max_length=20, choices=Volunteer.choices, blank=True, default=Volunteer.NONE
    )
    volunteer_years = models.PositiveSmallIntegerField(_("years of volunteer work"), default=0)
    start_date = models.DateField(_("working as facilitator since"), null=True, blank=True)

    class Meta:
        verbose_name = _("facilitator profile")
        verbose_name_plural = _("facilitator profiles")

    def __str__(self):
        return str(self.user)

    @property
    def background_group(self) -> str:
        if self.background == self.Background.SOCIAL_WELFARE:
            return self.BackgroundGroup.SOCIAL_WELFARE
        if self.volunteer_experience:
            return self.BackgroundGroup.OTHER_WITH_VOLUNTEER
        return self.BackgroundGroup.OTHER


class CaseloadNorm(models.Model):
    """The families-per-facilitator norm, as data: the row valid on a date applies (200–250 by default)."""

    valid_from = models.DateField(_("valid from"), unique=True, default=date(2018, 1, 1))
    minimum = models.PositiveIntegerField(_("minimum families"), default=200, validators=[MinValueValidator(1)])
    maximum = models.PositiveIntegerField(_("maximum families"), default=250, validators=[MinValueValidator(1), MaxValueValidator(5000)])
    note = models.CharField(_("source / note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("caseload norm")
        verbose_name_plural = _("caseload norms")
        ordering = ["-valid_from"]

    def __str__(self):
        return f"{self.minimum}–{self.maximum} ({self.valid_from})"
