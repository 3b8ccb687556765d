"""Mediation cases (*kasus / mediasi*): a problem of a KPM the facilitator works on until it is resolved,
with a dated timeline of every step and the referrals (*rujukan*) to partners outside the program."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Household, Member


class Category(models.TextChoices):
    """What a case is about. The codes are fixed (other apps open cases with them); labels are translated."""

    SALDO_NOL = "SALDO_NOL", _("Zero balance")
    KKS = "KKS", _("KKS card problem")
    PINDAH = "PINDAH", _("Moved address")
    KOMPONEN = "KOMPONEN", _("Wrong or changed benefit components")
    PENDIDIKAN = "PENDIDIKAN", _("Education: child out of school")
    KESEHATAN = "KESEHATAN", _("Health access")
    PERLINDUNGAN_ANAK = "PERLINDUNGAN_ANAK", _("Child protection")
    KOMPLEMENTARITAS = "KOMPLEMENTARITAS", _("Other social-assistance programs")
    LAINNYA = "LAINNYA", _("Other")


class KKSReason(models.TextChoices):
    """What is wrong with the KKS (*Kartu Keluarga Sejahtera*) card of a KKS case."""

    LOST = "lost", _("Lost")
    BLOCKED = "blocked", _("Blocked")
    HELD_BY_OTHER = "held_by_other", _("Held by someone else")
    SWALLOWED_OR_DAMAGED = "damaged", _("Swallowed by an ATM or damaged")
    PIN = "pin", _("Forgotten PIN")
    UNKNOWN = "unknown", _("Not yet known")


class CategoryRule(models.Model):
    """Per category, how many days a new case gets before it is due (data, edited in the admin)."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices, unique=True)
    default_due_days = models.PositiveSmallIntegerField(
        _("days until due"), default=14, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("A new case of this category is due this many days after it is opened."),
    )

    class Meta:
        verbose_name = _("case category rule")
        verbose_name_plural = _("case category rules")
        ordering = ["category"]

    def __str__(self):
        return str(self.get_category_display())


class Case(models.Model):
    """A mediation case of a household: what the problem is, who works on it, when it is due."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        REFERRED = "referred", _("Referred")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.REFERRED)
    FINISHED_STATUSES = (Status.RESOLVED, Status.CLOSED)
    # Cases opened by hand without a reference are never merged; every other source is merged on
    # (household, source, source_ref) while the case is open (see services.case_open).
    MANUAL_SOURCES = ("", "manual")

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="cases")
    member = models.ForeignKey(
        Member, verbose_name=_("member concerned"), null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, db_index=True)
    kks_reason = models.CharField(_("KKS problem"), max_length=20, choices=KKSReason.choices, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    due_date = models.DateField(_("due date"), db_index=True)
    outcome = models.TextField(_("outcome"), blank=True)
    source = models.CharField(_("source"), max_length=30, blank=True, default="manual")
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("resolved or closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        ordering = ["due_date", "opened_at", "id"]
        indexes = [models.Index(fields=["household", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "source", "source_ref"],
                condition=Q(status__in=["open", "in_progress", "referred"])
                & ~(Q(source__in=["", "manual"]) & Q(source_ref="")),
                name="one_open_case_per_source_ref",
            ),
        ]

    def __str__(self):
        # Never the title: this text lands in the audit log and admin lists, where sensitive details must not.
        return str(_("Case #%(number)s") % {"number": self.pk or "?"})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue_on(self, day) -> bool:
        return self.is_open and self.due_date < day


class Referral(models.Model):
    """A *rujukan*: the case handed to a partner outside the facilitator (bank, school, puskesmas, ...)."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Bank")
        KELURAHAN = "kelurahan", _("Kelurahan office")
        SCHOOL = "school", _("School")
        PUSKESMAS = "puskesmas", _("Puskesmas (community health centre)")
        DINAS_SOSIAL = "dinas_sosial", _("Dinas Sosial / Suku Dinas Sosial")
        ENTREPRENEURSHIP = "entrepreneurship", _("Jakpreneur or another entrepreneurship program")
        CSR = "csr", _("Company CSR program")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        RESOLVED = "resolved", _("Resolved")
        DECLINED = "declined", _("Declined")

    FINAL_STATUSES = (Status.RESOLVED, Status.DECLINED)

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(_("kind of partner"), max_length=20, choices=Kind.choices)
    partner_name = models.CharField(_("partner"), max_length=200)
    referred_on = models.DateField(_("referred on"))
    note = models.TextField(_("referral note"), blank=True)
    status = models.CharField(_("answer"), max_length=12, choices=Status.choices, default=Status.PENDING)
    outcome_note = models.TextField(_("answer note"), blank=True)
    outcome_on = models.DateField(_("answered on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("referred by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on", "-created_at", "-id"]

    def __str__(self):
        return str(_("Referral #%(number)s") % {"number": self.pk or "?"})

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES


class CaseEvent(models.Model):
    """One dated, attributed step of a case's timeline (opening, status change, note, referral, ...)."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        STATUS = "status", _("Status changed")
        NOTE = "note", _("Note")
        DUE_DATE = "due_date", _("Due date changed")
        REFERRAL = "referral", _("Referred")
        REFERRAL_OUTCOME = "referral_outcome", _("Referral answered")
        EDITED = "edited", _("Details changed")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(_("previous status"), max_length=12, choices=Case.Status.choices, blank=True)
    to_status = models.CharField(_("new status"), max_length=12, choices=Case.Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    old_due_date = models.DateField(_("previous due date"), null=True, blank=True)
    new_due_date = models.DateField(_("new due date"), null=True, blank=True)
    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    # The partner's answer as recorded by this event (the referral itself keeps only the latest).
    referral_status = models.CharField(_("answer"), max_length=12, choices=Referral.Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def changes_status(self) -> bool:
        return bool(self.to_status) and self.to_status != self.from_status
