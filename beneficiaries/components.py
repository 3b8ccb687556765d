"""Components and entitlements as of a date: pure functions, exactly the rules of domain.md
("How pkh-case computes components as of a date D"). No database access here; the rules of a
year are loaded by `beneficiaries.rules` and passed in.
"""

from dataclasses import dataclass, field
from datetime import date

HAMIL = "HAMIL"
ANAK_USIA_DINI = "ANAK_USIA_DINI"
SD = "SD"
SMP = "SMP"
SMA = "SMA"
DISABILITAS_BERAT = "DISABILITAS_BERAT"
LANSIA = "LANSIA"
ALL_COMPONENTS = (HAMIL, ANAK_USIA_DINI, SD, SMP, SMA, DISABILITAS_BERAT, LANSIA)

SCHOOL_LEVEL = {
    "SD": SD, "MI": SD, "PAKET A": SD,
    "SMP": SMP, "MTS": SMP, "PAKET B": SMP,
    "SMA": SMA, "SMK": SMA, "MA": SMA, "PAKET C": SMA,
}

OUT_OF_SCHOOL_MIN_AGE = 7
OUT_OF_SCHOOL_MAX_AGE = 18


@dataclass(frozen=True)
class YearRules:
    """The rules of one year: index per component (rupiah/year) and the thresholds."""

    year: int
    indexes: dict
    max_components: int = 4
    elderly_min_age: int = 60
    early_childhood_max_age: int = 6
    early_childhood_max_count: int = 2
    school_max_age: int = 21
    pregnancy_max_order: int = 2
    family_amount: int = 0
    # True when no benefit year is entered at all: components are still known, amounts are not.
    missing: bool = False

    def amount(self, component: str) -> int:
        return int(self.indexes.get(component, 0))


@dataclass(frozen=True)
class MemberFacts:
    """What the rules need to know about one member."""

    id: int
    birth_date: date
    pregnant: bool = False
    expected_delivery_date: date | None = None
    pregnancy_order: int | None = None
    school: str = ""
    severe_disability: bool = False
    exit_reason: str = ""
    exit_date: date | None = None
    name: str = ""


@dataclass(frozen=True)
class CountedComponent:
    code: str
    member_id: int
    amount: int
    member_name: str = ""


@dataclass
class ComponentResult:
    """The components that count on a date, those dropped by the cap, and out-of-school children."""

    on: date
    rules: YearRules
    counted: list = field(default_factory=list)
    dropped_by_cap: list = field(default_factory=list)
    out_of_school: list = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.counted]

    @property
    def annual_entitlement(self) -> int:
        if not self.counted:
            return 0
        return sum(c.amount for c in self.counted) + self.rules.family_amount


def age_on(birth_date: date, on: date) -> int:
    """Age in completed years on a date (a 29 February birthday falls on 1 March in other years)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_present(member: MemberFacts, on: date) -> bool:
    """Born by D, and not deceased or moved out on D (an exit without a date counts as already gone)."""
    if member.birth_date > on:
        return False
    if member.exit_reason:
        return member.exit_date is not None and member.exit_date > on
    return True


def qualifying_components(member: MemberFacts, on: date, rules: YearRules) -> list[str]:
    """Every component a member qualifies for on D, before the early-childhood limit and the cap."""
    if not is_present(member, on):
        return []
    age = age_on(member.birth_date, on)
    level = SCHOOL_LEVEL.get(member.school, "")
    found = []
    if (
        member.pregnant
        and member.expected_delivery_date is not None
        and member.expected_delivery_date >= on
        and (member.pregnancy_order is None or member.pregnancy_order <= rules.pregnancy_max_order)
    ):
        found.append(HAMIL)
    if age <= rules.early_childhood_max_age and not level:
        found.append(ANAK_USIA_DINI)
    if level and age <= rules.school_max_age:
        found.append(level)
    if member.severe_disability:
        found.append(DISABILITAS_BERAT)
    if age >= rules.elderly_min_age:
        found.append(LANSIA)
    return found


def household_components(members, on: date, rules: YearRules) -> ComponentResult:
    """The components that count for a household on D."""
    members = list(members)
    qualifying = {m.id: qualifying_components(m, on, rules) for m in members}

    # At most N early-childhood children count: the youngest N.
    early = [m for m in members if ANAK_USIA_DINI in qualifying[m.id]]
    early.sort(key=lambda m: (m.birth_date, m.id), reverse=True)
    for extra in early[rules.early_childhood_max_count:]:
        qualifying[extra.id] = [c for c in qualifying[extra.id] if c != ANAK_USIA_DINI]

    # A member counts once, at the highest index (ties: the order of ALL_COMPONENTS).
    per_member = []
    for member in members:
        codes = qualifying[member.id]
        if not codes:
            continue
        best = max(codes, key=lambda c: (rules.amount(c), -ALL_COMPONENTS.index(c)))
        per_member.append(CountedComponent(best, member.id, rules.amount(best), member.name))

    # Cap: the N highest indexes count; ties keep the component order, then the older member first.
    order = {m.id: (m.birth_date, m.id) for m in members}
    per_member.sort(key=lambda c: (-c.amount, ALL_COMPONENTS.index(c.code), order[c.member_id]))
    result = ComponentResult(on=on, rules=rules)
    result.counted = per_member[: rules.max_components]
    result.dropped_by_cap = per_member[rules.max_components:]
    result.out_of_school = [
        m for m in members
        if is_present(m, on)
        and OUT_OF_SCHOOL_MIN_AGE <= age_on(m.birth_date, on) <= OUT_OF_SCHOOL_MAX_AGE
        and not SCHOOL_LEVEL.get(m.school, "")
    ]
    return result


def stage_amount(annual: int, months: int) -> int:
    """A stage's entitlement: the yearly amount × months in the stage ÷ 12, in whole rupiah (half up)."""
    return (annual * months * 2 + 12) // 24
