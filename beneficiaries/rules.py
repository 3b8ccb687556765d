"""Loading the year-versioned benefit rules and disbursement stages from the database.

A year without its own BenefitYear row uses the latest earlier year (domain.md: 2020–2024 values
are assumed for 2025–2026 until an administrator enters new ones). A year without stages uses the
default four-stage year (January, April, July, October).
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from beneficiaries.components import MemberFacts, YearRules, household_components, stage_amount
from beneficiaries.models import BenefitYear, ComponentIndex, DisbursementStage

DEFAULT_STAGES = ((1, 1, 3), (2, 4, 6), (3, 7, 9), (4, 10, 12))


@dataclass(frozen=True)
class Stage:
    year: int
    number: int
    first_month: int
    last_month: int

    @property
    def months(self) -> int:
        return self.last_month - self.first_month + 1

    @property
    def first_day(self) -> date:
        return date(self.year, self.first_month, 1)

    def __str__(self):
        return _("%(year)s stage %(number)s (months %(first)s–%(last)s)") % {
            "year": self.year, "number": self.number, "first": self.first_month, "last": self.last_month,
        }


class RuleBook:
    """Rules and stages loaded once and reused (per request, per import, per report)."""

    def __init__(self):
        self._years: dict[int, YearRules] = {}
        self._stages: dict[int, list[Stage]] = {}

    def rules_for(self, on: date) -> YearRules:
        if on.year not in self._years:
            self._years[on.year] = load_year_rules(on.year)
        return self._years[on.year]

    def stages_of(self, year: int) -> list[Stage]:
        if year not in self._stages:
            stages = [
                Stage(s.year, s.number, s.first_month, s.last_month)
                for s in DisbursementStage.objects.filter(year=year).order_by("number")
            ]
            self._stages[year] = stages or [Stage(year, n, a, b) for n, a, b in DEFAULT_STAGES]
        return self._stages[year]

    def stage_on(self, on: date) -> Stage:
        for stage in self.stages_of(on.year):
            if stage.first_month <= on.month <= stage.last_month:
                return stage
        # Stages entered with a gap: the latest stage that started before the date.
        started = [s for s in self.stages_of(on.year) if s.first_month <= on.month]
        return started[-1] if started else self.stages_of(on.year)[0]

    def components(self, members, on: date):
        return household_components([member_facts(m) for m in members], on, self.rules_for(on))

    def stage_entitlement(self, members, stage: Stage) -> tuple[int, object]:
        """The entitlement of a stage, from the components on the stage's first day."""
        result = self.components(members, stage.first_day)
        return stage_amount(result.annual_entitlement, stage.months), result


def load_year_rules(year: int) -> YearRules:
    benefit_year = BenefitYear.objects.filter(year__lte=year).order_by("-year").first()
    if benefit_year is None:
        # Pages keep working (components without amounts) and say what is missing.
        return YearRules(year=year, indexes={}, missing=True)
    indexes = dict(ComponentIndex.objects.filter(benefit_year=benefit_year).values_list("component", "amount"))
    return YearRules(
        year=benefit_year.year,
        indexes=indexes,
        max_components=benefit_year.max_components,
        elderly_min_age=benefit_year.elderly_min_age,
        early_childhood_max_age=benefit_year.early_childhood_max_age,
        early_childhood_max_count=benefit_year.early_childhood_max_count,
        school_max_age=benefit_year.school_max_age,
        pregnancy_max_order=benefit_year.pregnancy_max_order,
        family_amount=benefit_year.family_amount,
    )


def member_facts(member) -> MemberFacts:
    if isinstance(member, MemberFacts):
        return member
    return MemberFacts(
        id=member.id,
        birth_date=member.birth_date,
        pregnant=member.pregnant,
        expected_delivery_date=member.expected_delivery_date,
        pregnancy_order=member.pregnancy_order,
        school=member.school,
        severe_disability=member.severe_disability,
        exit_reason=member.exit_reason,
        exit_date=member.exit_date,
        name=member.name,
    )
