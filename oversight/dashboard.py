"""The coordinator's dashboard: per facilitator of a city, the caseload against the norm and the backlog
(overdue follow-ups, overdue cases, families not visited for 90 days, graduation proposals waiting), this
month's activity class, the city's totals and the suggested rebalancing moves.

Every figure comes from the selector its own app uses for its pages (the caseload from
beneficiaries.selectors.city_overview, follow-ups and visits from casework.selectors, cases from
mediation.selectors, proposals from graduation.proposals), counted per facilitator in one grouped query each:
the dashboard costs the same number of queries for 2 or 55 facilitators.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, OuterRef, QuerySet, Subquery

from beneficiaries.models import Member
from beneficiaries.selectors import CityOverview, FacilitatorLoad, city_overview
from casework import selectors as casework
from graduation import proposals as graduation
from graduation.models import Proposal
from livelihood.selectors import month_start
from mediation import selectors as mediation
from org.models import Region
from oversight import rebalance
from oversight.models import FacilitatorMonth

NOT_VISITED_DAYS = 90


def _in_city(city: Region, household_path: str = "") -> dict:
    return {f"{household_path}kelurahan__code__startswith": f"{city.code}."}


def _by_facilitator(queryset: QuerySet, field: str) -> dict:
    """{facilitator id or None: rows} in one grouped query (the list's ordering dropped)."""
    return {row[field]: row["n"] for row in queryset.order_by().values(field).annotate(n=Count("pk"))}


# --- the lists behind the backlog figures ---------------------------------------------------------

def overdue_follow_ups(user, city: Region, *, today: date) -> QuerySet:
    """Latest visits of the city's families whose next follow-up date has passed (casework's definition)."""
    return casework.follow_ups_overdue(user, today=today).filter(**_in_city(city, "household__"))


def not_visited(user, city: Region, *, today: date, days: int = NOT_VISITED_DAYS) -> QuerySet:
    """Active families of the city without a visit in the last `days` days (casework's definition)."""
    return casework.not_visited(user, days=days, today=today).filter(**_in_city(city))


def overdue_cases(user, city: Region, *, today: date) -> QuerySet:
    """Open mediation cases of the city past their due date (the case list's "overdue" filter)."""
    return mediation.case_list(user, mediation.CaseFilters(overdue=True), today=today).filter(
        **_in_city(city, "household__"))


def pending_proposals(user, city: Region) -> QuerySet:
    """Graduation and exit proposals of the city waiting for a decision (the proposal list's default)."""
    return graduation.proposal_list(user, graduation.ProposalFilters(status=Proposal.Status.PENDING, city=city.code))


def pengurus_name(household_path: str = "pk") -> Subquery:
    """The family recipient's name of each row's household (a subquery, for a page of a list)."""
    return Subquery(Member.objects.filter(household=OuterRef(household_path), is_pengurus=True).values("name")[:1])


def filter_facilitator(queryset: QuerySet, facilitator, field: str = "facilitator") -> QuerySet:
    """A backlog list limited to one facilitator's families, or (facilitator None) to families without one."""
    if facilitator is None:
        return queryset.filter(**{f"{field}__isnull": True})
    return queryset.filter(**{field: facilitator})


# --- the dashboard ----------------------------------------------------------------------------------

@dataclass
class Backlog:
    follow_ups_overdue: int = 0
    cases_overdue: int = 0
    not_visited: int = 0
    pending_approvals: int = 0

    @property
    def total(self) -> int:
        return self.follow_ups_overdue + self.cases_overdue + self.not_visited + self.pending_approvals


@dataclass
class FacilitatorRow:
    load: FacilitatorLoad
    backlog: Backlog
    month: FacilitatorMonth | None = None

    @property
    def facilitator(self):
        return self.load.facilitator


@dataclass
class Suggestion:
    """A suggested move with its facilitators (for display) and the move itself (families by pk)."""

    move: rebalance.Move
    source: object
    target: object
    source_load: int
    target_load: int


@dataclass
class Dashboard:
    city: Region
    overview: CityOverview
    rows: list
    totals: Backlog  # the whole city, families without a facilitator included
    unassigned: Backlog  # the families without a facilitator
    month: date
    suggestions: list
    remaining: list  # (facilitator, families still above the maximum) when the city has no room left
    not_visited_days: int = NOT_VISITED_DAYS

    @property
    def over_norm(self) -> list:
        return [row for row in self.rows if row.load.over_norm]


def city_dashboard(user, city: Region, *, today: date) -> Dashboard:
    """The dashboard of one city the user may see (`city` from org.access.get_city_or_404).

    Queries: the city overview (norm, counts, facilitators), one grouped count each for overdue follow-ups,
    families not visited, overdue cases and waiting proposals, this month's activity rows, and the rebalancing
    input when someone is above the norm (rebalance.city_plan).
    """
    overview = city_overview(user, city, on=today)
    counts = {
        "follow_ups_overdue": _by_facilitator(overdue_follow_ups(user, city, today=today), "household__facilitator"),
        "not_visited": _by_facilitator(not_visited(user, city, today=today), "facilitator"),
        "cases_overdue": _by_facilitator(overdue_cases(user, city, today=today), "household__facilitator"),
        "pending_approvals": _by_facilitator(pending_proposals(user, city), "household__facilitator"),
    }

    def backlog_of(pk) -> Backlog:
        return Backlog(**{name: by_facilitator.get(pk, 0) for name, by_facilitator in counts.items()})

    month = month_start(today)
    ids = [row.facilitator.pk for row in overview.rows]
    months = {m.facilitator_id: m for m in FacilitatorMonth.objects.filter(city=city, month=month, facilitator_id__in=ids)}
    rows = [FacilitatorRow(load=row, backlog=backlog_of(row.facilitator.pk), month=months.get(row.facilitator.pk))
            for row in overview.rows]
    totals = Backlog(**{name: sum(by_facilitator.values()) for name, by_facilitator in counts.items()})

    plan = rebalance.city_plan(user, overview)
    loads = {row.facilitator.pk: row for row in overview.rows}
    suggestions = [
        Suggestion(move=move, source=loads[move.source].facilitator, target=loads[move.target].facilitator,
                   source_load=loads[move.source].active, target_load=loads[move.target].active)
        for move in plan.moves
    ]
    remaining = [(loads[pk].facilitator, count) for pk, count in plan.remaining.items()]
    return Dashboard(city=city, overview=overview, rows=rows, totals=totals, unassigned=backlog_of(None),
                     month=month, suggestions=suggestions, remaining=remaining)


def find_suggestion(user, city: Region, *, today: date, source: int, target: int) -> Suggestion | None:
    """The current suggestion to move families from one facilitator to another, if the dashboard still makes it."""
    overview = city_overview(user, city, on=today)
    plan = rebalance.city_plan(user, overview)
    loads = {row.facilitator.pk: row for row in overview.rows}
    for move in plan.moves:
        if move.source == source and move.target == target:
            return Suggestion(move=move, source=loads[source].facilitator, target=loads[target].facilitator,
                              source_load=loads[source].active, target_load=loads[target].active)
    return None
