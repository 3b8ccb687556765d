"""Reads of mediation cases for pages, panels and other apps. All start from org.access.

Every case a selector returns carries two precomputed attributes, so templates never decide:
- `show_details`: whether its details may be shown where it is displayed (always False for a
  child-protection case in a list, panel or day section; see access.can_see_case_details);
- `display_title`: its title, or "Child protection case" when the details are hidden;
- `overdue`: open and its due date has passed.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.models import Case, CaseEvent, Referral
from org import access

DAY_LIST_LIMIT = 10


def visible_cases(user) -> QuerySet:
    return access.scoped(user, Case.objects.all())


def visible_referrals(user) -> QuerySet:
    return access.scoped(user, Referral.objects.all(), household_path="case__household")


def _mark(user, cases, *, listing: bool = True) -> list[Case]:
    cases = list(cases)
    today = timezone.localdate()
    for case in cases:
        case.overdue = case.is_overdue_on(today)
        case.show_details = access.can_see_case_details(user, case, listing=listing)
        case.display_title = case.title if case.show_details else _("Child protection case")
    return cases


@dataclass
class CaseFilters:
    status: str = ""  # "" = every open case, "all", or one status
    category: str = ""
    overdue: bool = False
    kelurahan: str = ""
    facilitator: str = ""  # a facilitator's id, or "none" for families without one
    household: int | None = None


def case_list(user, filters: CaseFilters, *, today: date) -> QuerySet:
    """The cases a user sees, filtered; open cases first due first."""
    cases = visible_cases(user)
    if filters.status == "all":
        pass
    elif filters.status in Case.Status.values:
        cases = cases.filter(status=filters.status)
    else:
        cases = cases.filter(status__in=Case.OPEN_STATUSES)
    if filters.overdue:
        cases = cases.filter(status__in=Case.OPEN_STATUSES, due_date__lt=today)
    if filters.category:
        cases = cases.filter(category=filters.category)
    if filters.kelurahan:
        cases = cases.filter(household__kelurahan_id=filters.kelurahan)
    if filters.facilitator == "none":
        cases = cases.filter(household__facilitator__isnull=True)
    elif filters.facilitator:
        cases = cases.filter(household__facilitator_id=filters.facilitator)
    if filters.household:
        cases = cases.filter(household_id=filters.household)
    return (cases.select_related("household__kelurahan", "household__facilitator", "member")
            .order_by("due_date", "opened_at", "id"))


def case_rows(user, cases) -> list[Case]:
    """A page of cases, marked for display in a list (details of sensitive cases hidden)."""
    return _mark(user, cases, listing=True)


def case_detail(user, case: Case) -> Case:
    """The case with its timeline and referrals, in a fixed number of queries, marked for its own page."""
    case = (
        visible_cases(user).filter(pk=case.pk)
        .select_related("household__kelurahan", "household__facilitator", "member", "opened_by")
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor", "referral").order_by("at", "id")),
            Prefetch("referrals", queryset=Referral.objects.select_related("created_by")),
        )
        .get()
    )
    return _mark(user, [case], listing=False)[0]


def open_cases_for(user, household_ids) -> dict[int, list[Case]]:
    """The open cases of some households (a list of ids) the user sees, due first, in one query (plus the
    user's cities, once per request): {household id: [cases]}; households without an open case are absent.

    For other pages to show "case already open"; display `case.display_title` (never `case.title`) and link
    to `case_detail`.
    """
    cases = (
        visible_cases(user).filter(household_id__in=list(household_ids), status__in=Case.OPEN_STATUSES)
        .select_related("household", "member").order_by("due_date", "opened_at", "id")
    )
    grouped: dict[int, list[Case]] = {}
    for case in _mark(user, cases, listing=True):
        grouped.setdefault(case.household_id, []).append(case)
    return grouped


def household_cases(user, household) -> list[Case]:
    """The open cases of one household (for its page), due first."""
    return open_cases_for(user, [household.pk]).get(household.pk, [])


@dataclass
class DayCases:
    items: list
    open_count: int
    overdue_count: int
    due_today_count: int


def day_cases(user, *, today: date, limit: int = DAY_LIST_LIMIT) -> DayCases:
    """The open cases of the user's caseload by due date (overdue first), and how many there are."""
    cases = visible_cases(user).filter(status__in=Case.OPEN_STATUSES)
    counts = cases.aggregate(
        open_count=Count("pk"),
        overdue_count=Count("pk", filter=Q(due_date__lt=today)),
        due_today_count=Count("pk", filter=Q(due_date=today)),
    )
    items = cases.select_related("household__kelurahan", "member").order_by("due_date", "opened_at", "id")[:limit]
    return DayCases(items=case_rows(user, items), **counts)
