"""Every change of commitment verification: atomic, validated, audited. Callers pass objects they
read through org.access; these functions re-check the acting user's right to make the change.

Results are recomputed here (never in signals): saving records recomputes the households' results
of that period, which may open a suspension proposal and a mediation case, or withdraw a proposal
whose periods are no longer all non-compliant.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Household, Member
from beneficiaries.rules import RuleBook
from compliance import selectors
from compliance import verification as v
from compliance.models import CommitmentRecord, Facility, FacilityLink, HouseholdResult, SuspensionProposal
from compliance.periods import Period, month_name
from compliance.reasons import reason_text
from core.audit import audit_record, audit_record_many, build_event, diff
from core.models import AuditEvent
from org import access
from org.models import User

MAX_CHECKUPS_IN_PERIOD = 20
MAX_CHECKUPS_TOTAL = 40

CASE_CATEGORY = {v.EDUCATION: "PENDIDIKAN", v.ANTENATAL: "KESEHATAN", v.EARLY_CHILDHOOD: "KESEHATAN"}


def entry_key(member_id: int, commitment: str) -> str:
    """How one member's commitment is named in forms and in error keys: `m12-education`."""
    return f"m{member_id}-{commitment}"


def field_label(name: str) -> str:
    return str(CommitmentRecord._meta.get_field(name).verbose_name)


# --- checking values ---------------------------------------------------------------------------

def value_problems(commitment: str, values: dict, *, period: Period, today: date) -> dict[str, str]:
    """{field: problem} for the values of one commitment (shared by the forms and the save service)."""
    problems = {}
    if commitment == v.EDUCATION:
        value = values.get("attendance_percent")
        if value is not None:
            try:
                number = Decimal(value)
            except (InvalidOperation, TypeError, ValueError):
                return {"attendance_percent": _("Enter a number between 0 and 100.")}
            if not Decimal(0) <= number <= Decimal(100):
                problems["attendance_percent"] = _("Enter a number between 0 and 100.")
            elif number != number.quantize(Decimal("0.1")):
                problems["attendance_percent"] = _("Use at most one decimal (e.g. 84.5).")
    elif commitment == v.ANTENATAL:
        in_period, total = values.get("checkups_in_period"), values.get("checkups_total")
        if in_period is not None and not 0 <= in_period <= MAX_CHECKUPS_IN_PERIOD:
            problems["checkups_in_period"] = _("Enter a number from 0 to %(max)s.") % {"max": MAX_CHECKUPS_IN_PERIOD}
        if total is not None and not 0 <= total <= MAX_CHECKUPS_TOTAL:
            problems["checkups_total"] = _("Enter a number from 0 to %(max)s.") % {"max": MAX_CHECKUPS_TOTAL}
        elif total is not None and in_period is not None and total < in_period and "checkups_in_period" not in problems:
            problems["checkups_total"] = _("The pregnancy cannot have fewer check-ups (%(total)s) than this period (%(count)s).") % {
                "total": total, "count": in_period}
        ended = values.get("pregnancy_ended_on")
        if ended is not None:
            if not period.contains(ended):
                problems["pregnancy_ended_on"] = _("The date must lie in the period (%(first)s to %(last)s).") % {
                    "first": period.first_day.isoformat(), "last": period.last_day.isoformat()}
            elif ended > today:
                problems["pregnancy_ended_on"] = _("The date cannot be in the future.")
    elif commitment == v.EARLY_CHILDHOOD:
        for position, month in enumerate(period.months, start=1):
            name = f"month_{position}_visited"
            if values.get(name) is not None and date(period.year, month, 1) > today:
                problems[name] = _("%(month)s has not begun yet.") % {"month": month_name(month)}
    elif commitment == v.WELFARE:
        if values.get("activity_done") and not (values.get("activity") or "").strip():
            problems["activity"] = _("Say what the activity was (e.g. posyandu lansia, home care visit).")
    else:
        problems["commitment"] = _("Unknown commitment.")
    return problems


# --- saving records ----------------------------------------------------------------------------

KEEP, SET, CLEAR = "keep", "set", "clear"


@dataclass
class Entry:
    """One member's values for one commitment, and what to do with the member's facility link."""

    member: Member
    commitment: str
    values: dict
    link: str = KEEP  # KEEP the link, SET it to `link_facility`, or CLEAR it
    link_facility: Facility | None = None

    @property
    def key(self) -> str:
        return entry_key(self.member.pk, self.commitment)


@dataclass
class SaveSummary:
    created: int = 0
    updated: int = 0
    cleared: int = 0
    unchanged: int = 0
    linked: int = 0
    households: int = 0
    proposals: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.cleared + self.linked


def _clean(commitment: str, values: dict) -> dict:
    """The commitment's fields only, in the stored types (so 92 and 92.0 compare equal)."""
    clean = {name: values.get(name) for name in CommitmentRecord.VALUE_FIELDS[commitment]}
    if "activity" in clean:
        clean["activity"] = (clean["activity"] or "").strip()
    if clean.get("attendance_percent") is not None:
        try:
            clean["attendance_percent"] = Decimal(str(clean["attendance_percent"])).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            pass  # value_problems reports it
    return clean


def _is_empty(values: dict) -> bool:
    return all(value is None or value == "" for value in values.values())


def _row_error(entry: Entry, name: str, message: str) -> tuple[str, str]:
    """An error key (`m12-education.attendance_percent`) and a message naming the member and the field."""
    labels = {"facility": _("facility"), "commitment": _("commitment")}
    label = labels.get(name) or field_label(name)
    return f"{entry.key}.{name}", f"{entry.member.name} — {label}: {message}"


@transaction.atomic
def commitment_records_save(*, actor: User, period: Period, entries, evidence: Facility | None = None,
                            today: date | None = None) -> SaveSummary:
    """Save the values of many members at once (a bulk screen or a household's page). Either every
    row is saved or none: any problem raises ValidationError keyed `m<member>-<commitment>.<field>`,
    each message naming the member and the field. A row left empty removes what was recorded."""
    access.require_write(actor)
    today = today or timezone.localdate()
    entries = list({entry.key: entry for entry in entries}.values())  # a row sent twice counts once
    if period.first_day > today:
        raise ValidationError({"period": _("This period has not begun yet.")})
    if not entries:
        return SaveSummary()
    member_ids = {e.member.pk for e in entries}
    household_of = dict(access.visible_members(actor).filter(pk__in=member_ids).values_list("pk", "household_id"))
    if set(household_of) != member_ids:
        raise ValidationError({"members": _("Some members are not in your caseload.")})
    visible_facilities = selectors.visible_facilities(actor)
    if evidence is not None:
        if not visible_facilities.filter(pk=evidence.pk).exists():
            raise ValidationError({"facility": _("This facility is not in your area.")})
        if any(not selectors.serves(evidence, e.commitment) for e in entries):
            raise ValidationError({"facility": _("%(facility)s does not give evidence for this commitment.") % {
                "facility": evidence.name}})

    household_ids = sorted(set(household_of.values()))
    # One writer at a time per family: the results and proposals below depend on all its records.
    households = list(Household.objects.select_for_update().filter(pk__in=household_ids).order_by("pk"))
    members = list(Member.objects.filter(household_id__in=household_ids))
    existing = {
        (r.member_id, r.commitment): r
        for r in CommitmentRecord.objects.select_for_update(of=("self",)).select_related("facility")
        .filter(member__household_id__in=household_ids, period=period.code)
    }
    links = {(link.member_id, link.commitment): link
             for link in FacilityLink.objects.select_for_update(of=("self",)).select_related("facility")
             .filter(member_id__in=member_ids)}
    rulebook = RuleBook()
    thresholds = selectors.thresholds_for(period)
    due_keys = _due_keys(members, existing.values(), period, rulebook, thresholds)
    linkable = set(visible_facilities.values_list("pk", flat=True)) if any(e.link == SET for e in entries) else set()

    errors: dict[str, str] = {}
    for entry in entries:
        if entry.commitment not in v.COMMITMENTS:
            key, message = _row_error(entry, "commitment", _("Unknown commitment."))
            errors[key] = message
            continue
        if (entry.member.pk, entry.commitment) not in due_keys:
            key, message = _row_error(entry, "commitment", _("not verified for this commitment in %(period)s.") % {
                "period": period.key})
            errors[key] = message
            continue
        for name, problem in value_problems(entry.commitment, _clean(entry.commitment, entry.values),
                                            period=period, today=today).items():
            key, message = _row_error(entry, name, problem)
            errors[key] = message
        if entry.link == SET:
            facility = entry.link_facility
            current = links.get((entry.member.pk, entry.commitment))
            if facility is None or (facility.pk not in linkable and not (current and current.facility_id == facility.pk)):
                key, message = _row_error(entry, "facility", _("Choose a facility in your area."))
                errors[key] = message
            elif not selectors.serves(facility, entry.commitment):
                key, message = _row_error(entry, "facility", _("%(facility)s does not give evidence for this commitment.") % {
                    "facility": facility.name})
                errors[key] = message
    if errors:
        raise ValidationError(errors)

    summary = SaveSummary(households=len(households))
    city_of = {h.pk: h.city_code for h in households}
    events = []
    now = timezone.now()
    for entry in entries:
        member, commitment = entry.member, entry.commitment
        household_id = household_of[member.pk]
        city_code = city_of[household_id]
        # Named here: str() of a record or link would read its member again, one query per row.
        record_repr = f"{member.name} {period.key} {commitment}"
        link_repr = f"{member.name} {commitment}"
        link = links.get((member.pk, commitment))
        if entry.link == SET and (link is None or link.facility_id != entry.link_facility.pk):
            before = str(link.facility) if link else None
            if link is None:
                link = FacilityLink.objects.create(member_id=member.pk, commitment=commitment,
                                                   facility=entry.link_facility, linked_by=actor, linked_at=now)
            else:
                link.facility, link.linked_by, link.linked_at = entry.link_facility, actor, now
                link.save(update_fields=["facility", "linked_by", "linked_at"])
            links[(member.pk, commitment)] = link
            summary.linked += 1
            events.append(build_event(actor=actor, action=AuditEvent.Action.UPDATE, obj=link, household_id=household_id,
                                      object_repr=link_repr, city_code=city_code,
                                      changes={"facility": [before, str(entry.link_facility)]}))
        elif entry.link == CLEAR and link is not None:
            events.append(build_event(actor=actor, action=AuditEvent.Action.DELETE, obj=link, household_id=household_id,
                                      object_repr=link_repr, city_code=city_code,
                                      changes={"facility": [str(link.facility), None]}))
            link.delete()
            links.pop((member.pk, commitment))
            summary.linked += 1

        values = _clean(commitment, entry.values)
        record = existing.get((member.pk, commitment))
        if _is_empty(values):
            if record is not None:
                events.append(build_event(actor=actor, action=AuditEvent.Action.DELETE, obj=record, household_id=household_id,
                                          object_repr=record_repr, city_code=city_code,
                                          changes=diff(_values_of(record), {k: None for k in values})))
                record.delete()
                existing.pop((member.pk, commitment))
                summary.cleared += 1
            continue
        facility = evidence or (links[(member.pk, commitment)].facility if (member.pk, commitment) in links else None)
        if record is None:
            record = CommitmentRecord.objects.create(
                member_id=member.pk, period=period.code, commitment=commitment, facility=facility,
                recorded_by=actor, recorded_at=now, **values,
            )
            existing[(member.pk, commitment)] = record
            summary.created += 1
            events.append(build_event(actor=actor, action=AuditEvent.Action.CREATE, obj=record, household_id=household_id,
                                      object_repr=record_repr, city_code=city_code,
                                      changes=diff({}, {**values, "facility": facility})))
            continue
        before = _values_of(record)
        changes = diff(before, values)
        if facility is not None and record.facility_id != facility.pk:
            changes["facility"] = [str(record.facility) if record.facility_id else None, str(facility)]
            record.facility = facility
        if not changes:
            summary.unchanged += 1
            continue
        for name, value in values.items():
            setattr(record, name, value)
        record.recorded_by, record.recorded_at = actor, now
        record.save(update_fields=[*values.keys(), "facility", "recorded_by", "recorded_at"])
        summary.updated += 1
        events.append(build_event(actor=actor, action=AuditEvent.Action.UPDATE, obj=record, household_id=household_id,
                                  object_repr=record_repr, city_code=city_code, changes=changes))
    audit_record_many(events)
    recomputed = results_recompute(actor=actor, households=households, period=period, rulebook=rulebook, today=today)
    summary.proposals = recomputed.proposals_created
    return summary


def _values_of(record: CommitmentRecord) -> dict:
    return {name: getattr(record, name) for name in CommitmentRecord.VALUE_FIELDS[record.commitment]}


def _due_keys(members, records, period: Period, rulebook: RuleBook, thresholds: v.Thresholds) -> set:
    by_household = defaultdict(list)
    for member in members:
        by_household[member.household_id].append(member)
    member_household = {m.pk: m.household_id for m in members}
    records_by_household = defaultdict(list)
    for record in records:
        records_by_household[member_household.get(record.member_id)].append(record)
    keys = set()
    for household_id, household_members in by_household.items():
        for due in v.household_dues(household_members, period, rulebook, thresholds, records_by_household[household_id]):
            keys.add(due.key)
    return keys


# --- results and proposals ---------------------------------------------------------------------

@dataclass
class RecomputeSummary:
    statuses: Counter = field(default_factory=Counter)
    proposals_created: int = 0
    proposals_withdrawn: int = 0


def results_recompute(*, actor: User | None, households, period: Period, rulebook: RuleBook | None = None,
                      today: date | None = None) -> RecomputeSummary:
    """Recompute and store the period's result of each household (call inside a transaction that
    holds the households' rows), then open or withdraw suspension proposals accordingly."""
    households = list(households)
    if not households:
        return RecomputeSummary()
    today = today or timezone.localdate()
    rulebook = rulebook or RuleBook()
    thresholds = selectors.thresholds_for(period)
    ids = [h.pk for h in households]
    members_by_household = defaultdict(list)
    for member in Member.objects.filter(household_id__in=ids):
        members_by_household[member.household_id].append(member)
    member_household = {m.pk: h for h, ms in members_by_household.items() for m in ms}
    records_by_household = defaultdict(list)
    record_by_key = {}
    for record in CommitmentRecord.objects.filter(member__household_id__in=ids, period=period.code):
        records_by_household[member_household[record.member_id]].append(record)
        record_by_key[(record.member_id, record.commitment)] = record
    existing = {r.household_id: r for r in HouseholdResult.objects.filter(household_id__in=ids, period=period.code)}

    summary = RecomputeSummary()
    now = timezone.now()
    new, changed = [], []
    status_of = {}
    for household in households:
        dues = v.household_dues(members_by_household[household.pk], period, rulebook, thresholds,
                                records_by_household[household.pk])
        verdict = v.household_verdict(dues, record_by_key, period, thresholds)
        fields = {
            "status": verdict.status, "reasons": verdict.reasons, "missing": verdict.missing,
            "members_to_verify": verdict.to_verify, "members_recorded": verdict.recorded, "computed_at": now,
        }
        status_of[household.pk] = verdict.status
        summary.statuses[verdict.status] += 1
        result = existing.get(household.pk)
        if result is None:
            new.append(HouseholdResult(household=household, period=period.code, **fields))
        else:
            for name, value in fields.items():
                setattr(result, name, value)
            changed.append(result)
    HouseholdResult.objects.bulk_create(new, batch_size=500)
    HouseholdResult.objects.bulk_update(changed, fields=["status", "reasons", "missing", "members_to_verify",
                                                         "members_recorded", "computed_at"], batch_size=500)
    _proposals_update(actor=actor, households=households, period=period, thresholds=thresholds, today=today,
                      summary=summary)
    return summary


def _proposals_update(*, actor, households, period: Period, thresholds: v.Thresholds, today: date,
                      summary: RecomputeSummary) -> None:
    """Withdraw pending proposals that the new results no longer support; propose to suspend active
    households non-compliant in N periods in a row (a window that includes `period`), unless a
    proposal already covers one of those periods."""
    n = thresholds.consecutive_periods_for_suspension
    current = Period.of(today)
    ends = [p for p in (period.previous(-k) for k in range(n)) if p <= current]
    ids = [h.pk for h in households]
    proposals = defaultdict(list)
    for proposal in SuspensionProposal.objects.select_for_update().filter(household_id__in=ids).exclude(
            status=SuspensionProposal.Status.WITHDRAWN):
        proposals[proposal.household_id].append(proposal)
    codes = {p.code for end in ends for p in end.last(n)}
    for household_proposals in proposals.values():
        for proposal in household_proposals:
            if proposal.is_pending:
                codes.update(p.code for p in proposal.periods)
    results = {
        (r.household_id, r.period): r
        for r in HouseholdResult.objects.filter(household_id__in=ids, period__in=sorted(codes))
    }

    def non_compliant(household_id, periods):
        return all(
            (r := results.get((household_id, p.code))) is not None and r.status == HouseholdResult.Status.NON_COMPLIANT
            for p in periods
        )

    for household in households:
        pending = None
        for proposal in proposals[household.pk]:
            if not proposal.is_pending:
                continue
            if non_compliant(household.pk, proposal.periods):
                pending = proposal
                continue
            proposal.status = SuspensionProposal.Status.WITHDRAWN
            proposal.decided_at = timezone.now()
            proposal.decision_note = _("Withdrawn automatically: corrected records show the periods are no longer all non-compliant.")
            proposal.save(update_fields=["status", "decided_at", "decision_note"])
            summary.proposals_withdrawn += 1
            audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=proposal, household_id=household.pk,
                         city_code=household.city_code, changes={"status": ["pending", "withdrawn"]},
                         message=proposal.decision_note)
        if pending is not None or household.status != Household.Status.ACTIVE:
            continue
        for end in reversed(ends):
            window = end.last(n)
            if not non_compliant(household.pk, window):
                continue
            covered = any(
                p.first_period <= end.code and p.last_period >= window[0].code for p in proposals[household.pk]
            )
            if covered:
                break
            reasons = [{"period": p.key, **reason} for p in window for reason in results[(household.pk, p.code)].reasons]
            _proposal_open(actor=actor, household=household, window=window, reasons=reasons)
            summary.proposals_created += 1
            break


def _proposal_open(*, actor, household: Household, window: list[Period], reasons: list[dict]) -> SuspensionProposal:
    proposal = SuspensionProposal.objects.create(
        household=household, first_period=window[0].code, last_period=window[-1].code, reasons=reasons,
    )
    proposal.case_id = _case_open(actor=actor, household=household, window=window, reasons=reasons)
    proposal.save(update_fields=["case_id"])
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=proposal, household_id=household.pk,
                 city_code=household.city_code,
                 changes={"periods": proposal.periods_label, "case": proposal.case_id},
                 message="; ".join(reason_text(r) for r in reasons)[:2000])
    return proposal


def case_category(reasons: list[dict]) -> str:
    """PENDIDIKAN when only school attendance failed, KESEHATAN when only health commitments, else LAINNYA."""
    categories = {CASE_CATEGORY.get(r.get("commitment"), "LAINNYA") for r in reasons}
    return categories.pop() if len(categories) == 1 else "LAINNYA"


def _case_open(*, actor, household: Household, window: list[Period], reasons: list[dict]):
    """Open (or find, when it is already open) the facilitator's mediation case for this non-compliance;
    its due date comes from the mediation category's rule."""
    from mediation.services import case_open  # the mediation app loads after this one

    last = [r for r in reasons if r["period"] == window[-1].key]
    member_ids = {r["member_id"] for r in last}
    member = (Member.objects.filter(pk=member_ids.pop(), household=household, exit_reason="").first()
              if len(member_ids) == 1 else None)
    periods = ", ".join(p.key for p in window)
    description = "\n".join(
        [_("Commitments not met in %(count)s periods in a row (%(periods)s); a suspension has been proposed to the coordinator.")
         % {"count": len(window), "periods": periods}, ""]
        + [f"{r['period']} · {reason_text(r)}" for r in reasons]
    )
    case = case_open(
        actor=actor, household=household, category=case_category(last),
        title=_("Commitments not met: %(periods)s") % {"periods": periods},
        description=description, member=member, source="compliance", source_ref=f"{household.pk}:{window[-1].key}",
    )
    return getattr(case, "pk", None)


@transaction.atomic
def suspension_proposal_decide(*, actor: User, proposal: SuspensionProposal, approve: bool,
                               effective_date: date | None = None, note: str = "") -> SuspensionProposal:
    """The coordinator's decision: approve (the household is suspended, with its dated history) or
    reject (a reason is required)."""
    from beneficiaries.services import household_set_status

    access.require_caseload_management(actor)
    proposal = SuspensionProposal.objects.select_for_update().select_related("household").get(pk=proposal.pk)
    if not proposal.is_pending:
        raise ValidationError({"decision": _("This proposal was already decided (%(status)s).") % {
            "status": proposal.get_status_display()}})
    note = (note or "").strip()
    household = proposal.household
    if approve:
        if effective_date is None:
            raise ValidationError({"effective_date": _("Give the date the suspension starts.")})
        reason = _("Commitments not met in %(periods)s.") % {"periods": proposal.periods_label}
        household_set_status(actor=actor, household=household, status=Household.Status.SUSPENDED,
                             effective_date=effective_date, reason=f"{reason} {note}".strip()[:255])
        proposal.status = SuspensionProposal.Status.APPROVED
        proposal.effective_date = effective_date
    else:
        if not note:
            raise ValidationError({"note": _("Give the reason for rejecting the proposal.")})
        proposal.status = SuspensionProposal.Status.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_note = note[:255]
    proposal.save(update_fields=["status", "effective_date", "decided_by", "decided_at", "decision_note"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=proposal, household_id=household.pk,
                 city_code=household.city_code, changes={"status": ["pending", proposal.status]}, message=note)
    return proposal


# --- refreshing a city's results ----------------------------------------------------------------

def results_refresh(*, actor: User | None, period: Period, city_code: str = "", progress=None, chunk: int = 500) -> dict:
    """Recompute the period's results of every family the actor sees (optionally one city), e.g. after
    members' data changed or at the end of a period; `actor=None` is the nightly job (every family).
    Each chunk of families is its own transaction: a stop half-way leaves every result either old or
    new, and running it again finishes the work."""
    if actor is None:
        households = Household.objects.filter(status__in=selectors.VERIFIED_STATUSES)
    else:
        access.require_caseload_management(actor)
        households = access.visible_households(actor).filter(status__in=selectors.VERIFIED_STATUSES)
    if city_code:
        households = households.filter(kelurahan__code__startswith=f"{city_code}.")
    ids = list(households.order_by("pk").values_list("pk", flat=True))
    totals = RecomputeSummary()
    rulebook = RuleBook()
    for start in range(0, len(ids), chunk):
        with transaction.atomic():
            batch = list(Household.objects.select_for_update().filter(pk__in=ids[start:start + chunk]).order_by("pk"))
            done = results_recompute(actor=actor, households=batch, period=period, rulebook=rulebook)
        totals.statuses.update(done.statuses)
        totals.proposals_created += done.proposals_created
        totals.proposals_withdrawn += done.proposals_withdrawn
        if progress:
            progress(min(start + chunk, len(ids)), len(ids), _("Families recomputed"))
    return {
        "households": len(ids),
        **{status: totals.statuses.get(status, 0) for status in HouseholdResult.Status.values},
        "proposals_created": totals.proposals_created,
        "proposals_withdrawn": totals.proposals_withdrawn,
    }


# --- facilities -------------------------------------------------------------------------------

FACILITY_FIELDS = ("name", "kind", "kelurahan", "npsn", "address", "active")


def npsn_problem(npsn: str, kind: str, facility_pk: int | None = None) -> str | None:
    """Why an NPSN (*Nomor Pokok Sekolah Nasional*, the national school number) cannot be used, or None."""
    if not npsn:
        return None
    if kind not in (Facility.Kind.SCHOOL, Facility.Kind.OTHER):
        return _("Only schools have an NPSN.")
    twin = Facility.objects.filter(npsn=npsn).exclude(pk=facility_pk).first()
    if twin is not None:
        return _("This NPSN already belongs to %(name)s.") % {"name": twin.name}
    return None


def _facility_validate(actor: User, facility: Facility) -> None:
    facility.name = (facility.name or "").strip()
    facility.npsn = (facility.npsn or "").strip()
    errors = {}
    if not access.visible_kelurahan(actor).filter(code=facility.kelurahan_id).exists():
        errors["kelurahan"] = _("Choose a kelurahan in your area.")
    problem = npsn_problem(facility.npsn, facility.kind, facility.pk)
    if problem:
        errors["npsn"] = problem
    if errors:
        raise ValidationError(errors)
    facility.full_clean(exclude=["created_by"], validate_constraints=False)


@transaction.atomic
def facility_create(*, actor: User, data: dict) -> Facility:
    access.require_write(actor)
    facility = Facility(**{f: data[f] for f in FACILITY_FIELDS if f in data}, created_by=actor)
    _facility_validate(actor, facility)
    facility.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=facility, city_code=facility.kelurahan_id[:5],
                 changes=diff({}, {f: getattr(facility, f) for f in FACILITY_FIELDS}))
    return facility


@transaction.atomic
def facility_update(*, actor: User, facility: Facility, data: dict) -> Facility:
    access.require_write(actor)
    facility = Facility.objects.select_for_update().get(pk=facility.pk)
    fields = [f for f in FACILITY_FIELDS if f in data]
    before = {f: getattr(facility, f) for f in fields}
    for name in fields:
        setattr(facility, name, data[name])
    _facility_validate(actor, facility)
    changes = diff(before, {f: getattr(facility, f) for f in fields})
    if not changes:
        return facility
    facility.save(update_fields=list(changes))
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=facility, city_code=facility.kelurahan_id[:5],
                 changes=changes)
    return facility
