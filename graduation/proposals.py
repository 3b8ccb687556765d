"""Graduation and exit proposals: the facilitator proposes, the family's statement is printed and signed
(independent-prosperous graduations only), the coordinator approves or rejects.

Reads (selectors) start from org.access; writes (services) are atomic, validated with errors naming the
field, and audited. Callers pass proposals and households they already scoped.
"""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from beneficiaries.models import Household, Member
from core.audit import audit_record
from core.models import AuditEvent
from graduation import classifier
from graduation.models import Assessment, Classification, Proposal, ScreeningResult
from org import access
from org.models import Region, User

IN_PROGRAM = (Household.Status.ACTIVE, Household.Status.SUSPENDED)
LEFT_PROGRAM = (Household.Status.GRADUATED, Household.Status.EXITED)

# The classification a graduation type should agree with; other exits are not compared.
EXPECTED_CLASSIFICATION = {
    Proposal.Kind.ALAMIAH: classifier.ALAMIAH,
    Proposal.Kind.MANDIRI: classifier.KANDIDAT_MANDIRI,
}

# The signed statement: a scan or a phone photo. Each type is checked by extension, by the browser's
# content type and by the file's first bytes (a renamed file is refused).
STATEMENT_MAX_BYTES = 5 * 1024 * 1024
STATEMENT_TYPES = {
    ".pdf": ({"application/pdf", "application/x-pdf"}, (b"%PDF-",), "application/pdf"),
    ".jpg": ({"image/jpeg", "image/pjpeg"}, (b"\xff\xd8\xff",), "image/jpeg"),
    ".jpeg": ({"image/jpeg", "image/pjpeg"}, (b"\xff\xd8\xff",), "image/jpeg"),
    ".png": ({"image/png"}, (b"\x89PNG\r\n\x1a\n",), "image/png"),
}


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


# --- selectors ----------------------------------------------------------------------------------

def visible_proposals(user) -> QuerySet:
    """Proposals of the households the user sees (a facilitator: their own families)."""
    return access.scoped(user, Proposal.objects.all())


def get_proposal_or_404(user, pk, *, for_write: bool = False) -> Proposal:
    proposals = visible_proposals(user).select_related(
        "household__kelurahan__parent__parent", "household__facilitator", "assessment", "proposed_by", "decided_by")
    return access.get_scoped_or_404(user, proposals, pk, for_write=for_write)


@dataclass(frozen=True)
class ProposalFilters:
    status: str = Proposal.Status.PENDING  # "" for every status
    kind: str = ""
    kelurahan: str = ""
    facilitator: str = ""
    city: str = ""


def proposal_list(user, filters: ProposalFilters) -> QuerySet:
    """The proposals of the user's scope, filtered; waiting ones oldest first (they waited longest)."""
    pengurus = Member.objects.filter(household=OuterRef("household"), is_pengurus=True).values("name")[:1]
    proposals = visible_proposals(user)
    if filters.status:
        proposals = proposals.filter(status=filters.status)
    if filters.kind:
        proposals = proposals.filter(kind=filters.kind)
    if filters.kelurahan:
        proposals = proposals.filter(household__kelurahan_id=filters.kelurahan)
    if filters.facilitator:
        proposals = proposals.filter(household__facilitator_id=filters.facilitator)
    if filters.city:
        proposals = proposals.filter(household__kelurahan__code__startswith=f"{filters.city}.")
    order = ("proposed_at", "id") if filters.status == Proposal.Status.PENDING else ("-proposed_at", "-id")
    return (proposals.annotate(pengurus_name=Subquery(pengurus))
            .select_related("household__kelurahan", "household__facilitator", "proposed_by", "decided_by")
            .order_by(*order))


@dataclass(frozen=True)
class PendingSummary:
    count: int
    oldest_days: int | None


def pending_summary(user, city: Region, *, today: date) -> PendingSummary:
    """How many proposals of a city wait for a decision, and how many days the oldest has waited (one query)."""
    row = (visible_proposals(user)
           .filter(status=Proposal.Status.PENDING, household__kelurahan__code__startswith=f"{city.code}.")
           .aggregate(count=Count("pk"), oldest=Min("proposed_at")))
    oldest = row["oldest"]
    days = (today - timezone.localtime(oldest).date()).days if oldest else None
    return PendingSummary(row["count"], days)


def city_card(user, city: Region, cities, today: date) -> dict:
    """The city overview's card: proposals waiting for a decision (core.extensions city card; one query)."""
    return {"pending": pending_summary(user, city, today=today), "city": city, "cities": cities,
            "can_manage": access.can_manage_caseloads(user)}


def household_proposals(user, household: Household) -> list[Proposal]:
    """Every proposal of one household, newest first (one query)."""
    return list(visible_proposals(user).filter(household=household)
                .select_related("proposed_by", "decided_by").order_by("-proposed_at", "-id"))


def household_assessments(user, household: Household) -> list[Assessment]:
    """The household's assessments, latest first: the proposal form offers them, the latest pre-selected."""
    return list(access.scoped(user, Assessment.objects.filter(household=household)).order_by("-assessed_on", "-number"))


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    who: str
    text: str
    message: str


def _history_text(event: AuditEvent) -> str:
    changes = event.changes or {}
    if event.action == AuditEvent.Action.CREATE:
        kind = changes.get("kind", [None, ""])[1]
        return _("Proposed: %(kind)s") % {"kind": Proposal.Kind(kind).label if kind in Proposal.Kind.values else kind}
    if "status" in changes:
        status = changes["status"][1]
        return Proposal.Status(status).label if status in Proposal.Status.values else status
    if "confirmation" in changes:
        value = changes["confirmation"][1]
        if "statement_file" in changes and changes["statement_file"][0]:
            return _("Signed statement replaced")
        return Proposal.Confirmation(value).label if value in Proposal.Confirmation.values else value
    return event.get_action_display()


def proposal_history(proposal: Proposal) -> list[HistoryRow]:
    """What happened to a proposal (proposed, statement, decision, withdrawal), oldest first, from the audit
    trail. The proposal is already scoped; its events carry its id."""
    events = (AuditEvent.objects.filter(object_type="graduation.proposal", object_id=str(proposal.pk))
              .select_related("actor").order_by("at", "id"))
    return [HistoryRow(event.at, _name(event.actor) or event.actor_username, _history_text(event), event.message)
            for event in events]


def other_proposals(user, proposal: Proposal) -> list[Proposal]:
    """Earlier and later proposals of the same household."""
    return [p for p in household_proposals(user, proposal.household) if p.pk != proposal.pk]


def statement_members(household: Household) -> list[Member]:
    """The family as its statement lists it: the pengurus first, then the current members by age."""
    members = [m for m in Member.objects.filter(household=household, exit_reason="").order_by("birth_date", "id")]
    return sorted(members, key=lambda m: not m.is_pengurus)


def classification_label(code: str) -> str:
    try:
        return Classification(code).label
    except ValueError:
        return code


def disagrees(kind: str, classification: str) -> bool:
    """Whether a graduation type differs from the classifier's result (other exits are never compared)."""
    expected = EXPECTED_CLASSIFICATION.get(kind)
    return expected is not None and classification != expected


def classify_now(household: Household, *, today: date) -> classifier.Result:
    from graduation.screening import classify_household

    return classify_household(household, as_of=today)


def statement_ready(proposal: Proposal) -> bool:
    """An independent-prosperous graduation needs the family's statement: an upload or a recorded confirmation."""
    if proposal.kind != Proposal.Kind.MANDIRI:
        return True
    if proposal.confirmation == Proposal.Confirmation.UPLOAD:
        return bool(proposal.statement_file)
    return proposal.confirmation == Proposal.Confirmation.RECORDED and bool(proposal.confirmation_note.strip())


def statement_content_type(proposal: Proposal) -> str:
    suffix = PurePath(proposal.statement_file.name).suffix.lower()
    return STATEMENT_TYPES.get(suffix, (None, None, "application/octet-stream"))[2]


# --- services -----------------------------------------------------------------------------------

def _audit(actor, action, proposal: Proposal, household: Household, *, changes=None, message: str = "") -> None:
    audit_record(actor=actor, action=action, obj=proposal, household_id=household.pk, city_code=household.city_code,
                 changes=changes or {}, message=message)


def _locked(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("household").get(pk=proposal.pk)


def _require_pending(proposal: Proposal, field: str = "status") -> None:
    if proposal.status != Proposal.Status.PENDING:
        raise ValidationError({field: _("This proposal is no longer waiting for approval (%(status)s).")
                               % {"status": proposal.get_status_display()}})


def left_program_message(household: Household) -> str:
    return _("This family left the program (%(status)s since %(date)s).") % {
        "status": household.get_status_display().lower(), "date": _day(household.status_since)}


@transaction.atomic
def proposal_create(*, actor: User, household: Household, kind: str, effective_date: date | None,
                    notes: str, assessment: Assessment | None = None, justification: str = "") -> Proposal:
    """Propose a graduation or another exit for a household in the program. The classifier's result on
    the effective date is stored with it; a graduation type that differs from it needs a justification."""
    access.require_write(actor)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.status in LEFT_PROGRAM:
        raise ValidationError({"household": left_program_message(household) + " " + _("It cannot be proposed again.")})
    if kind not in Proposal.Kind.values:
        raise ValidationError({"kind": _("Choose the type of graduation or exit.")})
    if effective_date is None:
        raise ValidationError({"effective_date": _("Give the date the graduation or exit takes effect.")})
    if effective_date > timezone.localdate():
        raise ValidationError({"effective_date": _("The date cannot be in the future.")})
    if effective_date.year < household.joined_year:
        raise ValidationError({"effective_date": _("The date is before the family joined PKH (%(year)s).")
                               % {"year": household.joined_year}})
    notes, justification = (notes or "").strip(), (justification or "").strip()
    if not notes:
        raise ValidationError({"notes": _("Describe the evidence: what changed in the family and how you know.")})
    if assessment is not None and assessment.household_id != household.pk:
        raise ValidationError({"assessment": _("Choose an assessment of this family.")})
    if kind == Proposal.Kind.MANDIRI and assessment is None:
        raise ValidationError({"assessment": _(
            "An independent-prosperous graduation needs a socio-economic assessment: record one first.")})
    pending = Proposal.objects.filter(household=household, status=Proposal.Status.PENDING).first()
    if pending is not None:
        raise ValidationError({"household": _(
            "A proposal for this family is already waiting for approval (%(kind)s, proposed %(date)s). "
            "Withdraw it or wait for the coordinator's decision.") % {
            "kind": pending.get_kind_display(), "date": _day(timezone.localtime(pending.proposed_at).date())}})

    result = classify_now(household, today=effective_date)
    if disagrees(kind, result.classification) and not justification:
        raise ValidationError({"justification": _(
            "The classifier's result on %(date)s is “%(result)s”, not “%(kind)s”: explain why you propose this "
            "type.") % {"date": _day(effective_date), "result": classification_label(result.classification),
                        "kind": Proposal.Kind(kind).label}})
    proposal = Proposal(
        household=household, kind=kind, effective_date=effective_date, assessment=assessment, notes=notes,
        classification=result.classification, rules_version=result.rules_version,
        checks=[c.as_json() for c in result.checks],
        justification=justification if disagrees(kind, result.classification) else "",
        proposed_by=actor, proposed_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError:
        # Two proposals sent at the same moment: the first one stands.
        raise ValidationError({"household": _("A proposal for this family is already waiting for approval.")}) from None
    _audit(actor, AuditEvent.Action.CREATE, proposal, household, changes={
        "kind": [None, kind], "effective_date": [None, effective_date], "classification": [None, result.classification],
        "rules_version": [None, result.rules_version], "assessment": [None, assessment],
    }, message=justification)
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor: User, proposal: Proposal, reason: str = "") -> Proposal:
    """The proposer takes back a proposal still waiting for approval."""
    access.require_write(actor)
    proposal = _locked(proposal)
    _require_pending(proposal)
    if proposal.proposed_by_id != actor.pk:
        raise ValidationError({"status": _("Only the person who made the proposal (%(name)s) can withdraw it.")
                               % {"name": _name(proposal.proposed_by)}})
    proposal.status = Proposal.Status.WITHDRAWN
    proposal.decided_at = timezone.now()
    proposal.decision_reason = (reason or "").strip()
    proposal.save(update_fields=["status", "decided_at", "decision_reason"])
    _audit(actor, AuditEvent.Action.UPDATE, proposal, proposal.household,
           changes={"status": [Proposal.Status.PENDING, proposal.status]}, message=proposal.decision_reason)
    return proposal


def _check_statement_file(upload: UploadedFile | None) -> str:
    """The file's extension when it is an acceptable scan or photo, else a ValidationError."""
    if upload is None:
        raise ValidationError({"statement_file": _("Choose the scan or photo of the signed statement.")})
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in STATEMENT_TYPES:
        raise ValidationError({"statement_file": _("Upload a PDF, JPG or PNG file.")})
    if upload.size > STATEMENT_MAX_BYTES:
        raise ValidationError({"statement_file": _("The file is larger than %(size)s MB: scan at a lower resolution "
                                                   "or take the photo again.") % {"size": STATEMENT_MAX_BYTES // 2**20}})
    if upload.size == 0:
        raise ValidationError({"statement_file": _("The file is empty.")})
    content_types, signatures, _type = STATEMENT_TYPES[suffix]
    if (upload.content_type or "").split(";")[0].strip().lower() not in content_types:
        raise ValidationError({"statement_file": _("The file's type does not match its name (%(suffix)s).")
                               % {"suffix": suffix}})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError({"statement_file": _("The file's content is not a %(suffix)s file.")
                               % {"suffix": suffix.lstrip(".").upper()}})
    return ".jpg" if suffix == ".jpeg" else suffix


def _require_mandiri(proposal: Proposal, field: str) -> None:
    if proposal.kind != Proposal.Kind.MANDIRI:
        raise ValidationError({field: _("Only an independent-prosperous graduation needs the family's statement.")})


@transaction.atomic
def statement_upload(*, actor: User, proposal: Proposal, upload: UploadedFile | None) -> Proposal:
    """Attach the scan or photo of the family's signed statement (replacing an earlier one)."""
    access.require_write(actor)
    proposal = _locked(proposal)
    _require_mandiri(proposal, "statement_file")
    _require_pending(proposal, "statement_file")
    suffix = _check_statement_file(upload)
    previous = proposal.statement_file.name if proposal.statement_file else ""
    before = proposal.confirmation
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    proposal.statement_file.save(f"pernyataan-{proposal.household.id_kpm}-{proposal.pk}-{stamp}{suffix}", upload,
                                 save=False)
    proposal.confirmation = Proposal.Confirmation.UPLOAD
    proposal.save(update_fields=["statement_file", "confirmation"])
    if previous:
        storage = proposal.statement_file.storage
        transaction.on_commit(lambda: storage.delete(previous))
    _audit(actor, AuditEvent.Action.UPDATE, proposal, proposal.household,
           changes={"confirmation": [before, proposal.confirmation],
                    "statement_file": [previous or None, proposal.statement_file.name]})
    return proposal


@transaction.atomic
def statement_confirm(*, actor: User, proposal: Proposal, note: str) -> Proposal:
    """Record how the family confirmed its statement when no scan can be uploaded (yet)."""
    access.require_write(actor)
    proposal = _locked(proposal)
    _require_mandiri(proposal, "confirmation_note")
    _require_pending(proposal, "confirmation_note")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"confirmation_note": _(
            "Say how the family confirmed: who signed or said it, when and where, and where the paper is kept.")})
    if proposal.confirmation == Proposal.Confirmation.UPLOAD and proposal.statement_file:
        raise ValidationError({"confirmation_note": _("The signed statement is already uploaded.")})
    before = proposal.confirmation
    proposal.confirmation = Proposal.Confirmation.RECORDED
    proposal.confirmation_note = note
    proposal.save(update_fields=["confirmation", "confirmation_note"])
    _audit(actor, AuditEvent.Action.UPDATE, proposal, proposal.household,
           changes={"confirmation": [before, proposal.confirmation]}, message=note)
    return proposal


def statement_view_record(*, actor: User, proposal: Proposal) -> None:
    """Log that a user looked at the statement, which shows the pengurus' full NIK (like the household
    page's "show NIK")."""
    household = proposal.household
    audit_record(actor=actor, action=AuditEvent.Action.VIEW_IDENTITY, obj=household, household_id=household.pk,
                 city_code=household.city_code, message=_("Graduation statement (proposal no. %(number)s)")
                 % {"number": proposal.pk})


@transaction.atomic
def proposal_decide(*, actor: User, proposal: Proposal, approve: bool, reason: str = "") -> Proposal:
    """The coordinator's decision. Approval ends the household's participation on the proposal's date:
    graduated for a graduation, exited for another exit (household_set_status keeps the dated history)."""
    from beneficiaries.services import household_set_status

    access.require_caseload_management(actor)
    proposal = _locked(proposal)
    _require_pending(proposal, "decision")
    reason = (reason or "").strip()
    household = proposal.household
    if approve:
        if not statement_ready(proposal):
            raise ValidationError({"decision": _(
                "The family's signed statement is missing: upload it or record how the family confirmed before "
                "approving.")})
        if household.status in LEFT_PROGRAM:
            raise ValidationError({"decision": left_program_message(household)})
        status = Household.Status.GRADUATED if proposal.is_graduation else Household.Status.EXITED
        label = _("%(kind)s (proposal no. %(number)s)") % {"kind": proposal.get_kind_display(), "number": proposal.pk}
        household_set_status(actor=actor, household=household, status=status, effective_date=proposal.effective_date,
                             reason=f"{label}. {reason}".strip()[:255])
        # Candidate lists read the stored screening: a family that left is no candidate any more.
        ScreeningResult.objects.filter(household=household).delete()
        proposal.status = Proposal.Status.APPROVED
    else:
        if not reason:
            raise ValidationError({"reason": _("Give the reason for rejecting the proposal.")})
        proposal.status = Proposal.Status.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_reason = reason
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    _audit(actor, AuditEvent.Action.UPDATE, proposal, household,
           changes={"status": [Proposal.Status.PENDING, proposal.status]}, message=reason)
    return proposal


def waiting_days(proposal: Proposal, *, today: date) -> int:
    return (today - timezone.localtime(proposal.proposed_at).date()).days


def local_date(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment else None


# --- the household page's panel -----------------------------------------------------------------

def workflow_panel(user, household: Household, today: date) -> dict:
    """Pending and decided proposals, the follow-ups after graduation, and what the user may do next.
    Two queries at most: the proposals, and (graduated families) the latest follow-up visit."""
    from graduation import followups

    proposals = household_proposals(user, household)
    pending = next((p for p in proposals if p.status == Proposal.Status.PENDING), None)
    can_write = access.can_write(user)
    in_program = household.status in IN_PROGRAM
    return {
        "household": household,
        "proposals": proposals,
        "decided": [p for p in proposals if p.status != Proposal.Status.PENDING],
        "pending": pending,
        "pending_days": waiting_days(pending, today=today) if pending else None,
        "statement_ready": statement_ready(pending) if pending else True,
        "in_program": in_program,
        "can_write": can_write,
        "can_propose": can_write and in_program and pending is None,
        "can_decide": pending is not None and access.can_manage_caseloads(user),
        "follow_ups": followups.household_follow_ups(user, household, today=today),
        "visit_purpose": followups.PURPOSE,
    }
