"""Every change to a mediation case: atomic, validated (errors name the field), written to the case's
timeline and to the audit log. Callers pass objects they already scoped through org.access.

Other apps open cases with `case_open(..., source="compliance", source_ref=<flag id>)`: while that case
is open, opening it again returns the same case.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Household, Member
from core.audit import audit_record, diff
from core.models import AuditEvent
from mediation.models import Case, CaseEvent, Category, CategoryRule, KKSReason, Referral
from org import access
from org.models import User

S = Case.Status

# The workflow. Referring goes through referral_create; reopening a finished case is the coordinator's.
TRANSITIONS = {
    S.OPEN: (S.IN_PROGRESS, S.RESOLVED, S.CLOSED),
    S.IN_PROGRESS: (S.RESOLVED, S.CLOSED),
    S.REFERRED: (S.IN_PROGRESS, S.RESOLVED, S.CLOSED),
    S.RESOLVED: (S.IN_PROGRESS,),
    S.CLOSED: (S.IN_PROGRESS,),
}
DETAIL_FIELDS = ("title", "description", "member", "kks_reason")
HIDDEN = "•••"


# --- helpers ----------------------------------------------------------------------------------

def _city_code(case: Case) -> str:
    return case.household.kelurahan_id[:5]


def _audit(*, actor, action: str, case: Case, obj=None, changes: dict | None = None, message: str = "") -> None:
    """Audit a case change. Text of a child-protection case never enters the audit log (administrators
    read it): its values are replaced by a mask, the fact and the fields changed stay."""
    sensitive = not access.can_see_case_details(None, case, listing=True)
    changes = dict(changes or {})
    if sensitive:
        changes = {field: [HIDDEN, HIDDEN] if field not in ("status", "due_date") else values
                   for field, values in changes.items()}
        message = HIDDEN if message else ""
    audit_record(actor=actor, action=action, obj=obj or case, household_id=case.household_id,
                 city_code=_city_code(case), changes=changes, message=message)


def _require_details(actor: User, case: Case) -> None:
    """Nobody changes a case whose details they may not read (an administrator and a child-protection case)."""
    if not access.can_see_case_details(actor, case):
        raise PermissionDenied


def _lock(case: Case) -> Case:
    """The case, re-read and locked for the rest of the transaction (with its household, for the rules)."""
    return Case.objects.select_for_update(of=("self",)).select_related("household").get(pk=case.pk)


def _event(case: Case, actor: User, kind: str, **fields) -> CaseEvent:
    return CaseEvent.objects.create(case=case, actor=actor, kind=kind, **fields)


def default_due_date(category: str, opened_on: date) -> date:
    """The opening day plus the category's days until due (CategoryRule, edited in the admin)."""
    return opened_on + timedelta(days=CategoryRule.objects.get_or_create(category=category)[0].default_due_days)


def transitions_for(case: Case, *, actor: User) -> list[str]:
    """The statuses this user may move the case to now (what the case page offers)."""
    if not access.can_write(actor) or not access.can_see_case_details(actor, case):
        return []
    targets = list(TRANSITIONS.get(case.status, ()))
    if case.status in Case.FINISHED_STATUSES and not access.can_manage_caseloads(actor):
        return []
    return targets


def _validate_member(household: Household, member: Member | None) -> None:
    if member is not None and (member.household_id != household.pk or member.exit_reason):
        raise ValidationError({"member": _("Choose a current member of this family, or nobody.")})


def _validate_kks_reason(category: str, kks_reason: str) -> str:
    if kks_reason and kks_reason not in KKSReason.values:
        raise ValidationError({"kks_reason": _("Unknown KKS problem.")})
    if category != Category.KKS:
        if kks_reason:
            raise ValidationError({"kks_reason": _(
                "The KKS problem only applies to cases of the category “KKS card problem”.")})
        return ""
    return kks_reason or KKSReason.UNKNOWN


# --- opening and editing ----------------------------------------------------------------------

@transaction.atomic
def case_open(*, actor, household, category: str, title: str, description: str = "", member=None,
              due_date=None, source: str = "", source_ref: str = "", kks_reason: str = "") -> Case:
    """Open a case for a household. The due date defaults from the category.

    `source` says where the case came from ("manual", "compliance", "monitoring", ...) and `source_ref`
    what within it (e.g. a flag id). While a case of the same household, source and reference is open,
    it is returned instead of opening a duplicate (cases opened by hand without a reference never merge).
    """
    access.require_write(actor)
    source, source_ref, title = (source or "").strip() or "manual", (source_ref or "").strip(), (title or "").strip()
    # Locking the household serialises concurrent openings of the same case (a double tap, a re-run task).
    locked = access.visible_households(actor).select_for_update(of=("self",)).filter(pk=household.pk).first()
    if locked is None:
        raise ValidationError({"household": _("This family is not in your area.")})
    household = locked
    if source not in Case.MANUAL_SOURCES or source_ref:
        existing = (Case.objects.filter(household=household, source=source, source_ref=source_ref,
                                        status__in=Case.OPEN_STATUSES).select_related("household").first())
        if existing is not None:
            return existing
    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category.")})
    if not title:
        raise ValidationError({"title": _("Give the case a short title.")})
    if len(title) > Case._meta.get_field("title").max_length:
        raise ValidationError({"title": _("Keep the title under 200 characters; write the rest under “What happened?”.")})
    if len(source) > 30 or len(source_ref) > 100:
        raise ValidationError({"source_ref": _("The source or its reference is too long.")})
    _validate_member(household, member)
    kks_reason = _validate_kks_reason(category, kks_reason)
    now = timezone.now()
    today = timezone.localdate(now)
    if due_date is None:
        due_date = default_due_date(category, today)
    elif due_date < today:
        raise ValidationError({"due_date": _("The due date cannot be before today.")})
    case = Case(household=household, member=member, category=category, kks_reason=kks_reason, title=title,
                description=(description or "").strip(), due_date=due_date, source=source,
                source_ref=source_ref, opened_at=now, opened_by=actor)
    if not access.can_see_case_details(actor, case):
        raise ValidationError({"category": _("Only the family's facilitator or the city's coordinator can open a "
                                             "child-protection case.")})
    case.save()
    _event(case, actor, CaseEvent.Kind.OPENED, to_status=case.status, new_due_date=due_date, at=now)
    _audit(actor=actor, action=AuditEvent.Action.CREATE, case=case, changes={
        "category": [None, category], "title": [None, title], "status": [None, case.status],
        "due_date": [None, due_date], "source": [None, case.source], "source_ref": [None, source_ref],
    })
    return case


@transaction.atomic
def case_update(*, actor, case, title: str, description: str = "", member=None, kks_reason: str = "") -> Case:
    """Correct a case's title, description, member concerned or KKS problem."""
    access.require_write(actor)
    case = _lock(case)
    _require_details(actor, case)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the case a short title.")})
    if len(title) > Case._meta.get_field("title").max_length:
        raise ValidationError({"title": _("Keep the title under 200 characters; write the rest under “What happened?”.")})
    _validate_member(case.household, member)
    before = {f: getattr(case, f) for f in DETAIL_FIELDS}
    case.title, case.description, case.member = title, (description or "").strip(), member
    case.kks_reason = _validate_kks_reason(case.category, kks_reason)
    changes = diff(before, {f: getattr(case, f) for f in DETAIL_FIELDS})
    if not changes:
        return case
    case.save(update_fields=[*(f for f in DETAIL_FIELDS if f in changes), "updated_at"])
    labels = ", ".join(str(Case._meta.get_field(f).verbose_name) for f in DETAIL_FIELDS if f in changes)
    _event(case, actor, CaseEvent.Kind.EDITED, note=labels)
    _audit(actor=actor, action=AuditEvent.Action.UPDATE, case=case, changes=changes)
    return case


# --- the workflow -----------------------------------------------------------------------------

@transaction.atomic
def case_transition(*, actor, case, to_status, note: str = "", outcome: str = "",
                    expected_status: str | None = None) -> Case:
    """Move a case along the workflow. Resolving or closing needs the outcome; reopening a resolved or
    closed case is the coordinator's, with the reason. `expected_status` (the status the user saw) refuses
    a change made on a stale page, e.g. the same form sent twice on a weak signal."""
    access.require_write(actor)
    case = _lock(case)
    _require_details(actor, case)
    note, outcome = (note or "").strip(), (outcome or "").strip()
    current = case.status
    if expected_status and expected_status != current:
        raise ValidationError({"to_status": _("This case was changed meanwhile: it is now “%(status)s”. "
                                              "Check the timeline and try again.") % {"status": case.get_status_display()}})
    if to_status not in S.values:
        raise ValidationError({"to_status": _("Choose the new status.")})
    if to_status == current:
        raise ValidationError({"to_status": _("The case is already “%(status)s”.") % {"status": case.get_status_display()}})
    if to_status == S.REFERRED:
        raise ValidationError({"to_status": _("To refer the case, record the referral to the partner.")})
    if to_status not in TRANSITIONS[current]:
        raise ValidationError({"to_status": _("A case that is “%(from)s” cannot move to “%(to)s”.")
                               % {"from": case.get_status_display(), "to": S(to_status).label}})
    reopening = current in Case.FINISHED_STATUSES
    if reopening and not access.can_manage_caseloads(actor):
        raise ValidationError({"to_status": _("Only the coordinator can reopen a resolved or closed case.")})
    if reopening and not note:
        raise ValidationError({"note": _("Give the reason for reopening the case.")})
    finishing = to_status in Case.FINISHED_STATUSES
    if finishing and not outcome:
        raise ValidationError({"outcome": _("Describe the outcome before the case is resolved or closed.")})
    now = timezone.now()
    before = {"status": current, "outcome": case.outcome}
    case.status = to_status
    if finishing:
        case.outcome, case.finished_at = outcome, now
    elif reopening:
        case.outcome, case.finished_at = "", None
    case.save(update_fields=["status", "outcome", "finished_at", "updated_at"])
    event_note = "\n\n".join(part for part in (outcome if finishing else "", note) if part)
    _event(case, actor, CaseEvent.Kind.STATUS, from_status=current, to_status=to_status, note=event_note, at=now)
    _audit(actor=actor, action=AuditEvent.Action.UPDATE, case=case,
           changes=diff(before, {"status": case.status, "outcome": case.outcome}), message=note)
    return case


@transaction.atomic
def case_add_note(*, actor, case, note: str) -> CaseEvent:
    """Add a dated note to the case's timeline (what was done, who was met, what was agreed)."""
    access.require_write(actor)
    case = _lock(case)
    _require_details(actor, case)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write the note.")})
    event = _event(case, actor, CaseEvent.Kind.NOTE, note=note)
    Case.objects.filter(pk=case.pk).update(updated_at=event.at)
    _audit(actor=actor, action=AuditEvent.Action.UPDATE, case=case, changes={"note": [None, note]})
    return event


@transaction.atomic
def case_set_due_date(*, actor, case, due_date: date, note: str = "") -> Case:
    """Move the due date of an open case (e.g. the bank needs another two weeks)."""
    access.require_write(actor)
    case = _lock(case)
    _require_details(actor, case)
    if due_date is None:
        raise ValidationError({"due_date": _("Give the new due date.")})
    if not case.is_open:
        raise ValidationError({"due_date": _("The case is resolved or closed; it has no due date to change.")})
    if due_date < timezone.localtime(case.opened_at).date():
        raise ValidationError({"due_date": _("The due date cannot be before the day the case was opened.")})
    if due_date == case.due_date:
        raise ValidationError({"due_date": _("The case is already due on this day.")})
    before = case.due_date
    case.due_date = due_date
    case.save(update_fields=["due_date", "updated_at"])
    _event(case, actor, CaseEvent.Kind.DUE_DATE, old_due_date=before, new_due_date=due_date, note=(note or "").strip())
    _audit(actor=actor, action=AuditEvent.Action.UPDATE, case=case, changes={"due_date": [before, due_date]},
           message=(note or "").strip())
    return case


# --- referrals --------------------------------------------------------------------------------

@transaction.atomic
def referral_create(*, actor, case, kind: str, partner_name: str, referred_on: date | None = None,
                    note: str = "") -> Referral:
    """Refer the case to a partner; the case becomes "referred"."""
    access.require_write(actor)
    case = _lock(case)
    _require_details(actor, case)
    partner_name = (partner_name or "").strip()
    today = timezone.localdate()
    referred_on = referred_on or today
    if not case.is_open:
        raise ValidationError({"case": _("The case is resolved or closed: it must be reopened before a new referral.")})
    if kind not in Referral.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of partner.")})
    if not partner_name:
        raise ValidationError({"partner_name": _("Name the partner (e.g. the bank branch, school or puskesmas).")})
    if len(partner_name) > Referral._meta.get_field("partner_name").max_length:
        raise ValidationError({"partner_name": _("Keep the partner's name under 200 characters.")})
    if referred_on > today:
        raise ValidationError({"referred_on": _("The referral date cannot be in the future.")})
    if referred_on < timezone.localtime(case.opened_at).date():
        raise ValidationError({"referred_on": _("The referral date cannot be before the case was opened.")})
    referral = Referral.objects.create(case=case, kind=kind, partner_name=partner_name, referred_on=referred_on,
                                       note=(note or "").strip(), created_by=actor)
    current = case.status
    if current != S.REFERRED:
        case.status = S.REFERRED
        case.save(update_fields=["status", "updated_at"])
    _event(case, actor, CaseEvent.Kind.REFERRAL, from_status=current, to_status=case.status, referral=referral,
           referral_status=referral.status, note=referral.note)
    _audit(actor=actor, action=AuditEvent.Action.CREATE, case=case, obj=referral, changes={
        "kind": [None, kind], "partner_name": [None, partner_name], "referred_on": [None, referred_on],
        **({"status": [current, case.status]} if current != case.status else {}),
    })
    return referral


@transaction.atomic
def referral_record_outcome(*, actor, referral, status: str, note: str = "", on: date | None = None) -> Referral:
    """Record the partner's answer: accepted, resolved or declined (a declined referral says why).
    The case stays "referred": the facilitator then moves it back to in progress, or resolves it."""
    access.require_write(actor)
    case = _lock(referral.case)
    _require_details(actor, case)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    note = (note or "").strip()
    today = timezone.localdate()
    on = on or today
    if referral.is_final:
        raise ValidationError({"status": _("This referral already has its final answer (“%(status)s”).")
                               % {"status": referral.get_status_display()}})
    if status not in Referral.Status.values or status == Referral.Status.PENDING:
        raise ValidationError({"status": _("Choose the partner's answer.")})
    if status == referral.status:
        raise ValidationError({"status": _("The referral is already “%(status)s”.")
                               % {"status": referral.get_status_display()}})
    if status == Referral.Status.DECLINED and not note:
        raise ValidationError({"note": _("Say why the partner declined.")})
    if on > today:
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if on < referral.referred_on:
        raise ValidationError({"on": _("The answer cannot come before the referral (%(date)s).")
                               % {"date": referral.referred_on.isoformat()}})
    before = {"status": referral.status, "outcome_note": referral.outcome_note, "outcome_on": referral.outcome_on}
    referral.status, referral.outcome_note, referral.outcome_on = status, note, on
    referral.save(update_fields=["status", "outcome_note", "outcome_on"])
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    _event(case, actor, CaseEvent.Kind.REFERRAL_OUTCOME, referral=referral, referral_status=status, note=note)
    _audit(actor=actor, action=AuditEvent.Action.UPDATE, case=case, obj=referral,
           changes=diff(before, {"status": status, "outcome_note": note, "outcome_on": on}))
    return referral
