"""Transaction monitoring (*monitoring transaksi*): the bank's disbursement and withdrawal events as
imported, the flags that reconciliation against the registry and the entitlements raises, the
thresholds (data), and the immutable monthly report snapshots.

The bank's data is evidence: an event whose `id_kpm` is unknown or whose KKS number does not belong to
that household is kept (matched = no) and flagged, never used to change the registry.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Bank, Household
from org.models import Region


class EventKind(models.TextChoices):
    SALUR = "SALUR", _("Benefit credited (salur)")
    TARIK = "TARIK", _("Withdrawal (tarik)")


class Match(models.TextChoices):
    """How an event's `id_kpm` and `no_kks` compare with the registry."""

    MATCHED = "matched", _("Matches the registry")
    UNKNOWN_KPM = "unknown_kpm", _("Unknown ID KPM")
    KKS_MISMATCH = "kks_mismatch", _("KKS number not of this household")


class FlagCode(models.TextChoices):
    """Reconciliation findings. The codes are fixed (reports, exports, API); labels are translated."""

    NOMINAL_TIDAK_SESUAI = "NOMINAL_TIDAK_SESUAI", _("Amount differs from the entitlement")
    SALUR_KE_NONAKTIF = "SALUR_KE_NONAKTIF", _("Credited to a household not active")
    TIDAK_SALUR = "TIDAK_SALUR", _("Entitled but not credited")
    SALUR_GANDA = "SALUR_GANDA", _("Credited twice")
    DANA_MENGENDAP = "DANA_MENGENDAP", _("Money not withdrawn")
    TARIK_MENGELOMPOK = "TARIK_MENGELOMPOK", _("Withdrawals clustered at one place")
    KKS_BUKAN_KELUARGA = "KKS_BUKAN_KELUARGA", _("KKS card held outside the family")
    TIDAK_DIKENAL = "TIDAK_DIKENAL", _("Not in the registry")


class MonitoringSettings(models.Model):
    """The reconciliation thresholds, as data: one row, edited in the admin."""

    dormant_days = models.PositiveSmallIntegerField(
        _("money not withdrawn: flag after (days)"), default=30, validators=[MinValueValidator(1)])
    dormant_buckets = models.CharField(
        _("age buckets of money not withdrawn (days, comma-separated)"), max_length=60, default="30,60,90")
    cluster_min_households = models.PositiveSmallIntegerField(
        _("clustered withdrawals: at least this many households"), default=5, validators=[MinValueValidator(2)])
    cluster_window_minutes = models.PositiveSmallIntegerField(
        _("clustered withdrawals: within (minutes)"), default=60, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("transaction-monitoring settings")
        verbose_name_plural = _("transaction-monitoring settings")

    def __str__(self):
        return str(_("Transaction-monitoring settings"))

    @classmethod
    def current(cls) -> "MonitoringSettings":
        return cls.objects.order_by("pk").first() or cls.objects.create()

    def buckets(self) -> list[int]:
        return sorted({int(part) for part in self.dormant_buckets.split(",") if part.strip().isdigit()})


class BankEvent(models.Model):
    """One row of the bank's data: a benefit credited to a KKS account (SALUR) or money taken out with the
    card (TARIK). (`bank`, `ref`) is the bank's own unique reference: importing it again changes nothing."""

    bank = models.CharField(_("bank"), max_length=10, choices=Bank.choices)
    ref = models.CharField(_("reference"), max_length=64)
    id_kpm = models.CharField(_("ID KPM"), max_length=40)
    kks_number = models.CharField(_("KKS number"), max_length=16)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2007), MaxValueValidator(2100)])
    stage = models.PositiveSmallIntegerField(_("stage (tahap)"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    kind = models.CharField(_("type"), max_length=5, choices=EventKind.choices)
    occurred_on = models.DateField(_("date"))
    occurred_time = models.TimeField(_("time"), null=True, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (rupiah)"))
    balance = models.BigIntegerField(_("balance after (rupiah)"), null=True, blank=True)
    location = models.CharField(_("agent / ATM / e-warong"), max_length=64, blank=True)
    household = models.ForeignKey(Household, verbose_name=_("household"), null=True, blank=True, db_index=False,
                                  on_delete=models.SET_NULL, related_name="bank_events")
    match = models.CharField(_("registry match"), max_length=12, choices=Match.choices)
    city_code = models.CharField(_("city"), max_length=5, blank=True,
                                 help_text=_("The household's city, else the city the file was imported for."))
    job = models.ForeignKey("core.Job", verbose_name=_("import"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="bank_events")
    row_number = models.PositiveIntegerField(_("row in the file"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("bank event")
        verbose_name_plural = _("bank events")
        ordering = ["occurred_on", "occurred_time", "id"]
        constraints = [models.UniqueConstraint(fields=["bank", "ref"], name="bank_event_bank_ref")]
        # Every index is paid by each of the millions of imported rows: only those the queries use (a city's
        # events, a household's stage, an import's rows) are kept.
        indexes = [
            models.Index(fields=["household", "year", "stage"]),
            models.Index(fields=["city_code", "occurred_on"]),
        ]

    def __str__(self):
        return f"{self.bank} {self.ref}"


class Flag(models.Model):
    """One reconciliation finding for a household (or an unknown row) and a stage. Recomputed after every
    import and before every report; `detail` holds the figures behind it (expected and credited amounts
    and the components, the age of money not withdrawn, the place and the households of a cluster, ...)."""

    code = models.CharField(_("flag"), max_length=20, choices=FlagCode.choices, db_index=True)
    household = models.ForeignKey(Household, verbose_name=_("household"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="transaction_flags")
    event = models.ForeignKey(BankEvent, verbose_name=_("bank event"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="flags")
    id_kpm = models.CharField(_("ID KPM"), max_length=40, blank=True)
    city_code = models.CharField(_("city"), max_length=5, db_index=True)
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("facilitator"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="transaction_flags")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    stage = models.PositiveSmallIntegerField(_("stage (tahap)"), null=True, blank=True)
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    expected = models.BigIntegerField(_("expected (rupiah)"), null=True, blank=True)
    credited = models.BigIntegerField(_("credited (rupiah)"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("transaction flag")
        verbose_name_plural = _("transaction flags")
        ordering = ["city_code", "code", "id"]
        indexes = [
            models.Index(fields=["household", "code"]),
            models.Index(fields=["facilitator", "code"]),
            models.Index(fields=["city_code", "year", "stage"]),
        ]

    def __str__(self):
        return f"{self.code} {self.id_kpm}"


class ReportQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Monthly reports are immutable: build a new version.")


class MonthlyReport(models.Model):
    """An immutable snapshot of a city's transaction-monitoring report for a month. Building the same
    month again makes the next version; an existing version is never changed."""

    city = models.ForeignKey(Region, verbose_name=_("regency/city"), on_delete=models.PROTECT,
                             related_name="monitoring_reports")
    month = models.DateField(_("month"))  # the first day of the month
    version = models.PositiveIntegerField(_("version"))
    params = models.JSONField(_("parameters"), default=dict)
    row_counts = models.JSONField(_("row counts"), default=dict)
    checksum = models.CharField(_("checksum (SHA-256 of the figures)"), max_length=64)
    content = models.JSONField(_("report"))
    generated_at = models.DateTimeField(_("built"), default=timezone.now)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("built by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    # PROTECT, not SET_NULL: a report is never updated, so the job that built it cannot be deleted.
    job = models.ForeignKey("core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly transaction-monitoring report")
        verbose_name_plural = _("monthly transaction-monitoring reports")
        ordering = ["-month", "city__code", "-version"]
        constraints = [models.UniqueConstraint(fields=["city", "month", "version"], name="monthly_report_version")]

    def __str__(self):
        return f"{self.city.code} {self.month:%Y-%m} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Monthly reports are immutable: build a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Monthly reports are immutable.")
