"""Who must be verified in a period and whether they met their commitment: pure functions, no
database access (the callers load members, records and thresholds).

Who is verified in a period (our rule; the index page explains it to users):
- Membership of a component is judged with beneficiaries' RuleBook on the FIRST DAY OF EACH MONTH of
  the period. A member counted as a component on at least one of those days has that component's
  commitment for the period. So a member who becomes a component during the period (a newborn, a new
  pregnancy, a child enrolled in school) is verified from that month, and one who stops being one (a
  child turning 7, a pregnancy that ended) only for the months before.
- A pregnancy is verified only within `pregnancy_weeks` before its expected delivery date: the
  registry does not know when it began, and a pregnancy recorded today must not make earlier periods
  look unverified.
- A member who already has a record for the period stays verified even if their data changed since
  (e.g. a mother whose pregnancy flag was cleared after the birth).

What a period's result is, per commitment:
- education (SD/SMP/SMA): attendance share at least the threshold (85%: exactly 85% complies);
- pregnant woman: if the pregnancy ended in the period (the recorded end date, else the expected
  delivery date falls in the period) the check-ups over the whole pregnancy must reach the threshold
  (4); otherwise at least the per-period minimum (1) check-up in the period;
- early childhood: a posyandu visit in every month of the period in which the child was a component;
- elderly / severe disability: a health or social-welfare activity took place.
A value not recorded is "not yet verified", never "not compliant". The household is not compliant
as soon as one commitment failed; otherwise not yet verified while anything is missing; otherwise
compliant (or "nothing to verify" when it has no component in the period).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from beneficiaries import components as comp
from beneficiaries.rules import member_facts
from compliance.periods import Period

EDUCATION = "education"
ANTENATAL = "antenatal"
EARLY_CHILDHOOD = "early_childhood"
WELFARE = "welfare"
COMMITMENTS = (EDUCATION, ANTENATAL, EARLY_CHILDHOOD, WELFARE)

COMMITMENT_OF_COMPONENT = {
    comp.SD: EDUCATION, comp.SMP: EDUCATION, comp.SMA: EDUCATION,
    comp.HAMIL: ANTENATAL,
    comp.ANAK_USIA_DINI: EARLY_CHILDHOOD,
    comp.LANSIA: WELFARE, comp.DISABILITAS_BERAT: WELFARE,
}

MET, FAILED, MISSING = "met", "failed", "missing"

COMPLIANT, NON_COMPLIANT, NOT_VERIFIED, NOTHING_TO_VERIFY = "compliant", "non_compliant", "not_verified", "none"


@dataclass(frozen=True)
class Thresholds:
    """The verification rules of a period (loaded from compliance.models.VerificationRules)."""

    min_attendance_percent: Decimal = Decimal("85")
    min_antenatal_checkups: int = 4
    min_antenatal_checkups_per_period: int = 1
    pregnancy_weeks: int = 40
    consecutive_periods_for_suspension: int = 2


@dataclass
class Due:
    """One commitment of one member in one period: `months` are the positions (1–3) of the months
    of the period in which the member was a component of this kind."""

    member_id: int
    household_id: int
    member_name: str
    commitment: str
    component: str
    months: tuple = (1, 2, 3)
    expected_delivery_date: date | None = None

    @property
    def key(self) -> tuple[int, str]:
        return self.member_id, self.commitment


@dataclass
class Outcome:
    due: Due
    status: str
    reason: dict | None = None


@dataclass
class Verdict:
    status: str
    outcomes: list = field(default_factory=list)

    @property
    def reasons(self) -> list[dict]:
        return [o.reason for o in self.outcomes if o.status == FAILED]

    @property
    def missing(self) -> list[dict]:
        return [o.reason for o in self.outcomes if o.status == MISSING]

    @property
    def to_verify(self) -> int:
        return len(self.outcomes)

    @property
    def recorded(self) -> int:
        return sum(1 for o in self.outcomes if o.status != MISSING)


# --- who is verified ----------------------------------------------------------------------------

def household_dues(members, period: Period, rulebook, thresholds: Thresholds, records=()) -> list[Due]:
    """The commitments of one household's members in the period (see the module docstring).

    `members`: every member of the household (Member rows or objects with the same attributes);
    `records`: the household's records of the period (anything with member_id, commitment and the
    month fields), used to keep members verified whose data changed since.
    """
    members = list(members)
    by_id = {m.id: m for m in members}
    facts = [member_facts(m) for m in members]  # once, not once per day
    found: dict[tuple[int, str], Due] = {}
    for position, day in enumerate(period.month_starts, start=1):
        for counted in rulebook.components(facts, day).counted:
            commitment = COMMITMENT_OF_COMPONENT.get(counted.code)
            member = by_id.get(counted.member_id)
            if commitment is None or member is None:
                continue
            if commitment == ANTENATAL and not _within_pregnancy(member.expected_delivery_date, day, thresholds):
                continue
            due = found.get((member.id, commitment))
            if due is None:
                found[(member.id, commitment)] = Due(
                    member_id=member.id, household_id=member.household_id, member_name=member.name,
                    commitment=commitment, component=counted.code, months=(position,),
                    expected_delivery_date=member.expected_delivery_date,
                )
            else:
                due.months = (*due.months, position)
    for record in records:
        member = by_id.get(record.member_id)
        if member is None or (record.member_id, record.commitment) in found:
            continue
        months = tuple(n for n in (1, 2, 3) if getattr(record, f"month_{n}_visited") is not None) or (1, 2, 3)
        found[(member.id, record.commitment)] = Due(
            member_id=member.id, household_id=member.household_id, member_name=member.name,
            commitment=record.commitment, component="", months=months,
            expected_delivery_date=member.expected_delivery_date,
        )
    order = {commitment: n for n, commitment in enumerate(COMMITMENTS)}
    return sorted(found.values(), key=lambda d: (order[d.commitment], by_id[d.member_id].birth_date, d.member_id))


def _within_pregnancy(expected_delivery: date | None, day: date, thresholds: Thresholds) -> bool:
    if expected_delivery is None:
        return False
    return expected_delivery - timedelta(weeks=thresholds.pregnancy_weeks) <= day


# --- whether they met it ----------------------------------------------------------------------------

def _reason(due: Due, code: str, **params) -> dict:
    return {
        "member_id": due.member_id, "member": due.member_name, "commitment": due.commitment,
        "component": due.component, "code": code, **params,
    }


def pregnancy_end(due: Due, record, period: Period) -> date | None:
    """The day the pregnancy ended (or is expected to) when that falls in the period, else None."""
    ended = getattr(record, "pregnancy_ended_on", None) if record is not None else None
    if ended is not None:
        return ended if period.contains(ended) else None
    return due.expected_delivery_date if period.contains(due.expected_delivery_date) else None


def evaluate(due: Due, record, period: Period, thresholds: Thresholds) -> Outcome:
    """The outcome of one commitment: met, failed (with the reason) or missing (with what is missing)."""
    if due.commitment == EDUCATION:
        value = getattr(record, "attendance_percent", None)
        if value is None:
            return Outcome(due, MISSING, _reason(due, "attendance_missing"))
        value = Decimal(value)
        if value < thresholds.min_attendance_percent:
            return Outcome(due, FAILED, _reason(due, "attendance_low", attendance=_number(value),
                                                threshold=_number(thresholds.min_attendance_percent)))
        return Outcome(due, MET)

    if due.commitment == ANTENATAL:
        ended = pregnancy_end(due, record, period)
        if ended is not None:
            total = getattr(record, "checkups_total", None)
            if total is None:
                return Outcome(due, MISSING, _reason(due, "antenatal_total_missing", ended_on=ended.isoformat()))
            if total < thresholds.min_antenatal_checkups:
                return Outcome(due, FAILED, _reason(due, "antenatal_total_low", ended_on=ended.isoformat(),
                                                    total=total, threshold=thresholds.min_antenatal_checkups))
            return Outcome(due, MET)
        count = getattr(record, "checkups_in_period", None)
        if count is None:
            return Outcome(due, MISSING, _reason(due, "antenatal_missing"))
        if count < thresholds.min_antenatal_checkups_per_period:
            return Outcome(due, FAILED, _reason(due, "antenatal_period_low", count=count,
                                                threshold=thresholds.min_antenatal_checkups_per_period))
        return Outcome(due, MET)

    if due.commitment == EARLY_CHILDHOOD:
        values = {n: getattr(record, f"month_{n}_visited", None) for n in due.months}
        missed = [period.months[n - 1] for n, visited in values.items() if visited is False]
        unknown = [period.months[n - 1] for n, visited in values.items() if visited is None]
        if missed:
            return Outcome(due, FAILED, _reason(due, "posyandu_missed", months=missed))
        if unknown:
            return Outcome(due, MISSING, _reason(due, "posyandu_missing", months=unknown))
        return Outcome(due, MET)

    # welfare: elderly or severe disability
    done = getattr(record, "activity_done", None)
    if done is None:
        return Outcome(due, MISSING, _reason(due, "activity_missing"))
    if not done:
        return Outcome(due, FAILED, _reason(due, "activity_none"))
    return Outcome(due, MET)


def household_verdict(dues, records_by_key: dict, period: Period, thresholds: Thresholds) -> Verdict:
    """The household's result for the period from its dues and records ({(member_id, commitment): record})."""
    outcomes = [evaluate(due, records_by_key.get(due.key), period, thresholds) for due in dues]
    if not outcomes:
        status = NOTHING_TO_VERIFY
    elif any(o.status == FAILED for o in outcomes):
        status = NON_COMPLIANT
    elif any(o.status == MISSING for o in outcomes):
        status = NOT_VERIFIED
    else:
        status = COMPLIANT
    return Verdict(status=status, outcomes=outcomes)


def _number(value: Decimal) -> str:
    """85.0 → "85", 84.5 → "84.5" (stored in the reasons as text, JSON has no decimals)."""
    text = f"{Decimal(value):.1f}"
    return text[:-2] if text.endswith(".0") else text
