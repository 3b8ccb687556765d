"""The graduation classifier: pure functions, no database. For a household on a date D:

1. ALAMIAH — natural graduation due: no component counts on D (beneficiaries.components, the rules of
   domain.md), or the DTSEN decile is above the highest eligible decile.
2. ALAMIAH_SEGERA — natural graduation within the horizon: the components re-evaluated on D + horizon
   (ages on that date; today's enrolment, disability and pregnancy data) give none.
3. KANDIDAT_MANDIRI — the latest assessment, at most `assessment_max_age_months` old, passes every
   required criterion (income per capita ≥ multiple × poverty line *or* a business running long enough
   with a positive average net income; every school-age child in school; housing at least the minimum
   level) and the weighted criteria (assets, savings, JKN, P2K2 attendance, years in the program) reach
   the score threshold.
4. BELUM — not yet; the failed checks say what is missing and by how much.

Every rule checked becomes a `Check` with the data it used; graduation.reasons turns it into words.
The first class that applies wins, and the checks stop there.

Thresholds are compared exactly, never after rounding: the income needed is rounded *up* to whole
rupiah (income per person is whole rupiah, rounded down), an assessment of 31 December 2025 is valid
through 31 December 2026 with 12 months, and savings of 0.95 months or P2K2 attendance of 74.6% do not
reach 1 month or 75% (they are shown rounded down, as 0.9 and 74%).
"""

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from beneficiaries.components import MemberFacts, YearRules, household_components

ALAMIAH = "ALAMIAH"
ALAMIAH_SEGERA = "ALAMIAH_SEGERA"
KANDIDAT_MANDIRI = "KANDIDAT_MANDIRI"
BELUM = "BELUM"

LEVELS = ("low", "medium", "high")
ASSET_FIELDS = ("has_motorcycle", "has_refrigerator", "has_television", "has_smartphone", "has_gold_or_land",
                "has_work_equipment", "owns_house")
HOUSING_POINTS = {
    "floor": {"earth": 0, "wood": 1, "tile": 2},
    "walls": {"bamboo": 0, "wood": 1, "brick": 2},
    "roof": {"thatch": 0, "zinc": 1, "tile": 2},
    "toilet": {"none": 0, "shared": 1, "own": 2},
    "water": {"unprotected": 0, "well": 1, "piped": 2},
}
HOUSING_MAX = 2 * len(HOUSING_POINTS)


@dataclass(frozen=True)
class RuleSet:
    """One version of the rules (graduation.models.GraduationRules), as plain values."""

    version: int = 0
    max_eligible_decile: int = 4
    horizon_months: int = 6
    assessment_max_age_months: int = 12
    income_multiple: Decimal = Decimal("1.5")
    business_min_months: int = 6
    min_housing_level: str = "medium"
    min_assets: int = 3
    weight_assets: int = 20
    min_savings_months: int = 1
    weight_savings: int = 20
    weight_jkn: int = 20
    min_p2k2_percent: int = 75
    weight_p2k2: int = 20
    min_years_in_program: int = 5
    weight_years: int = 20
    score_threshold: int = 60

    @classmethod
    def from_model(cls, rules) -> "RuleSet":
        return cls(**{name: getattr(rules, name) for name in cls.__dataclass_fields__})

    @property
    def max_score(self) -> int:
        return self.weight_assets + self.weight_savings + self.weight_jkn + self.weight_p2k2 + self.weight_years


@dataclass(frozen=True)
class HouseholdFacts:
    """What the classifier needs to know about a household besides its members."""

    id: int
    decile: int | None
    joined_year: int


@dataclass(frozen=True)
class Check:
    """One rule checked: its key (graduation.reasons has the words), whether it passed, its kind
    (natural / required / weighted / score / info), the weight it earns when weighted, and the data used."""

    key: str
    passed: bool | None
    kind: str
    data: dict = field(default_factory=dict)
    weight: int = 0

    def as_json(self) -> dict:
        # Not dataclasses.asdict: it deep-copies every value, a third of a city's screening time.
        return {"key": self.key, "passed": self.passed, "kind": self.kind, "data": self.data, "weight": self.weight}

    @classmethod
    def from_json(cls, value: dict) -> "Check":
        return cls(**value)


@dataclass
class Result:
    classification: str
    as_of: date
    rules_version: int
    checks: list = field(default_factory=list)
    components: list = field(default_factory=list)  # codes counted on D
    annual_entitlement: int = 0
    score: int | None = None

    def failed(self) -> list[Check]:
        return missing_checks(self.checks)


def missing_checks(checks) -> list[Check]:
    """What keeps a household from being an independent-prosperous candidate: the required checks and the
    score that failed. The two economy checks are alternatives: they are missing only when neither passed."""
    economy = [c for c in checks if c.kind == "required" and c.data.get("group") == "economy"]
    economy_ok = any(c.passed for c in economy)
    return [c for c in checks if c.passed is False and c.kind in ("required", "score")
            and not (economy_ok and c in economy)]


# --- small pure helpers -----------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(first: date, last: date) -> int:
    """Completed months from `first` to `last` (like an age)."""
    months = (last.year - first.year) * 12 + last.month - first.month
    if last.day < first.day:
        months -= 1
    return months


def business_net(summary) -> int | None:
    """A business's average net income per month as the rules read it: the recent months' average
    (livelihood.selectors.RECENT_MONTHS), else the average of every recorded month."""
    return summary.recent_average_net if summary.recent_average_net is not None else summary.average_net


def savings_months(amount: int, monthly_spending: int) -> float | None:
    """Months of spending the savings cover, rounded down to 0.1 (None when spending is not recorded)."""
    if not monthly_spending:
        return None
    return float((Decimal(amount) / monthly_spending).quantize(Decimal("0.1"), rounding=ROUND_FLOOR))


def attendance_percent(present: int, meetings: int) -> int | None:
    """Whole percent, rounded down (74.6 % shows as 74 %, never as the 75 % it does not reach)."""
    return 100 * present // meetings if meetings else None


def housing_score(assessment) -> int:
    return sum(points.get(getattr(assessment, name), 0) for name, points in HOUSING_POINTS.items())


def housing_level(score: int) -> str:
    """0–3 low, 4–7 medium, 8–10 high."""
    if score >= 8:
        return "high"
    return "medium" if score >= 4 else "low"


def asset_names(assessment) -> list[str]:
    return [name for name in ASSET_FIELDS if getattr(assessment, name)]


def income_needed(poverty_line: int, multiple: Decimal) -> int:
    """The least whole-rupiah income per person that is at least `multiple` × the line (rounded up: with
    a line of Rp850.001 and 1.5, Rp1.275.001 is still below 1.275.001,5)."""
    return int((Decimal(poverty_line) * Decimal(str(multiple))).quantize(Decimal(1), rounding=ROUND_CEILING))


def assessment_is_recent(assessed_on: date, as_of: date, max_months: int) -> bool:
    """Made on or before the date and at most `max_months` old: assessed on 31 December 2025, it is
    valid up to and including 31 December 2026 with 12 months."""
    return assessed_on <= as_of <= add_months(assessed_on, max_months)


def _components_data(result) -> list[dict]:
    return [{"code": c.code, "member": c.member_name} for c in result.counted]


# --- the classifier ---------------------------------------------------------------------------

def classify(*, household: HouseholdFacts, members: list[MemberFacts], as_of: date, rules: RuleSet,
             year_rules: YearRules, horizon_year_rules: YearRules, assessment=None, businesses=(),
             p2k2: tuple[int, int] | None = None, poverty_line: int | None = None) -> Result:
    """Classify one household on `as_of`. `assessment` is its latest assessment made on or before the
    date (any object with the graduation.models.Assessment fields), `businesses` its
    livelihood.selectors.BusinessSummary list, `p2k2` (present, meetings) over the last 12 months,
    `poverty_line` rupiah per person per month for its region and year (None when not entered)."""
    now = household_components(members, as_of, year_rules)
    result = Result(BELUM, as_of, rules.version, components=now.codes, annual_entitlement=now.annual_entitlement)
    checks = result.checks

    # 1. Natural graduation due
    checks.append(Check("no_components", not now.counted, "natural",
                        {"date": as_of.isoformat(), "components": _components_data(now)}))
    decile_above = household.decile is not None and household.decile > rules.max_eligible_decile
    checks.append(Check("decile_above_cutoff", decile_above, "natural",
                        {"decile": household.decile, "max_decile": rules.max_eligible_decile}))
    if not now.counted or decile_above:
        result.classification = ALAMIAH
        return result

    # 2. Natural graduation within the horizon
    horizon = add_months(as_of, rules.horizon_months)
    later = household_components(members, horizon, horizon_year_rules)
    ending = [c for c in _components_data(now) if c not in _components_data(later)]
    # The rule reads today's pregnancy data as it is; a birth before the horizon is only pointed out.
    births = [{"member": m.name, "due": m.expected_delivery_date.isoformat()} for m in members
              if m.pregnant and m.expected_delivery_date and as_of <= m.expected_delivery_date < horizon]
    checks.append(Check("no_components_at_horizon", not later.counted, "natural_soon",
                        {"date": horizon.isoformat(), "months": rules.horizon_months,
                         "components": _components_data(later), "ending": ending, "births": births}))
    if not later.counted:
        result.classification = ALAMIAH_SEGERA
        return result

    # 3. Independent-prosperous candidate
    if assessment is None:
        checks.append(Check("assessment_recent", False, "required", {"date": None}))
        return result
    age = months_between(assessment.assessed_on, as_of)
    recent = assessment_is_recent(assessment.assessed_on, as_of, rules.assessment_max_age_months)
    checks.append(Check("assessment_recent", recent, "required",
                        {"date": assessment.assessed_on.isoformat(), "number": assessment.number, "months": age,
                         "max_months": rules.assessment_max_age_months}))
    if not recent:
        return result

    checks.extend(_economy_checks(assessment, businesses, rules, poverty_line))
    checks.append(_school_check(assessment, now))
    score = housing_score(assessment)
    level = housing_level(score)
    checks.append(Check("housing", LEVELS.index(level) >= LEVELS.index(rules.min_housing_level), "required",
                        {"score": score, "max": HOUSING_MAX, "level": level, "min_level": rules.min_housing_level}))
    checks.extend(_weighted_checks(household, assessment, as_of, rules, p2k2))
    result.score = sum(c.weight for c in checks if c.kind == "weighted" and c.passed)
    score = Check("score", result.score >= rules.score_threshold, "score",
                  {"score": result.score, "threshold": rules.score_threshold, "max": rules.max_score,
                   "missing": [c.key for c in checks if c.kind == "weighted" and not c.passed]})
    checks.append(score)
    checks.append(Check("wants_to_graduate", None, "info", {"wants": assessment.wants_to_graduate}))

    economy = [c for c in checks if c.kind == "required" and c.data.get("group") == "economy"]
    required = [c for c in checks if c.kind == "required" and c.data.get("group") != "economy"]
    if any(c.passed for c in economy) and all(c.passed for c in required) and score.passed:
        result.classification = KANDIDAT_MANDIRI
    return result


def _economy_checks(assessment, businesses, rules: RuleSet, poverty_line: int | None) -> list[Check]:
    """Income per capita against the poverty line, or a business that runs: either one is enough."""
    per_capita = assessment.total_income // max(assessment.household_size, 1)
    income = {"group": "economy", "per_capita": per_capita, "total": assessment.total_income,
              "size": assessment.household_size, "poverty_line": poverty_line,
              "multiple": str(rules.income_multiple)}
    if poverty_line is None:
        income_check = Check("income_per_capita", False, "required", income)
    else:
        needed = income_needed(poverty_line, rules.income_multiple)
        income.update(needed=needed, shortfall=max(needed - per_capita, 0))
        income_check = Check("income_per_capita", per_capita >= needed, "required", income)

    running = [b for b in businesses if not b.stopped]
    business = {"group": "economy", "min_months": rules.business_min_months}
    if running:
        net = business_net
        best = max(running, key=lambda b: (b.months_running >= rules.business_min_months and (net(b) or 0) > 0,
                                           b.months_running, net(b) or 0))
        business.update(source="records", name=best.name, months=best.months_running, net=net(best))
    elif assessment.business_months is not None:
        business.update(source="assessment", name="", months=assessment.business_months,
                        net=assessment.business_net_income)
    else:
        business.update(source=None, months=None, net=None)
    passed = (business["months"] is not None and business["months"] >= rules.business_min_months
              and business["net"] is not None and business["net"] > 0)
    return [income_check, Check("business_running", passed, "required", business)]


def _school_check(assessment, now) -> Check:
    """Every child aged 7–18 in school, by the assessment and by the registry."""
    registry_out = [m.name for m in now.out_of_school]
    passed = assessment.children_in_school >= assessment.school_age_children and not registry_out
    return Check("children_in_school", passed, "required",
                 {"in_school": assessment.children_in_school, "children": assessment.school_age_children,
                  "registry_out_of_school": registry_out})


def _weighted_checks(household: HouseholdFacts, assessment, as_of: date, rules: RuleSet,
                     p2k2: tuple[int, int] | None) -> list[Check]:
    assets = asset_names(assessment)
    # Compared exactly, shown rounded down: 0.95 months of spending is not "1 month" (nor 74.6% "75%").
    months = savings_months(assessment.savings_amount, assessment.monthly_spending)
    savings_ok = assessment.savings_amount > 0
    if assessment.monthly_spending:
        savings_ok = savings_ok and assessment.savings_amount >= rules.min_savings_months * assessment.monthly_spending
    present, meetings = p2k2 or (0, 0)
    percent = attendance_percent(present, meetings)
    p2k2_ok = bool(meetings) and 100 * present >= rules.min_p2k2_percent * meetings
    years = as_of.year - household.joined_year
    return [
        Check("assets", len(assets) >= rules.min_assets, "weighted",
              {"count": len(assets), "assets": assets, "min": rules.min_assets}, rules.weight_assets),
        Check("savings", savings_ok, "weighted",
              {"amount": assessment.savings_amount, "months": months, "min_months": rules.min_savings_months},
              rules.weight_savings),
        Check("jkn", assessment.jkn == "all", "weighted", {"jkn": assessment.jkn}, rules.weight_jkn),
        Check("p2k2_attendance", p2k2_ok, "weighted",
              {"present": present, "meetings": meetings, "percent": percent, "min": rules.min_p2k2_percent},
              rules.weight_p2k2),
        Check("years_in_program", years >= rules.min_years_in_program, "weighted",
              {"years": years, "joined": household.joined_year, "min": rules.min_years_in_program},
              rules.weight_years),
    ]
