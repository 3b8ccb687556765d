"""Reads of businesses, their monthly budget, KUBE and credit referrals. All start from org.access, except
`business_summaries`, whose caller (e.g. graduation) passes households it has already scoped.

Months running and average net income are computed here, never stored:
- months running on a date = completed months from the start date to that date (or to the stop date);
- average net income = (revenue − expenses) averaged over the months that have an entry, in whole rupiah;
  "recent" = the months of the last `recent_months` calendar months, the month of the date included.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from beneficiaries.models import Household, Member
from livelihood.models import Business, CreditProgram, CreditReferral, Kube, KubeMembership, MonthlyEntry
from org import access

RECENT_MONTHS = 6  # the window of the "last 6 months" average (the graduation selector's contract)
DAY_LIST_LIMIT = 10


# --- month arithmetic -------------------------------------------------------------------------

def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after (or before) `month`'s month."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_running(started_on: date, stopped_on: date | None, on: date) -> int:
    """Completed months of operation from the start date to `on` (or to the stop date if earlier).

    Counted like an age: 15 January → 14 July is 5 months, → 15 July is 6. A start on the 31st completes its
    month on the last day of a shorter month (31 January → 28 February is 1 month).
    """
    end = min(on, stopped_on) if stopped_on else on
    if end < started_on:
        return 0
    months = (end.year - started_on.year) * 12 + end.month - started_on.month
    last_day_of_end_month = calendar.monthrange(end.year, end.month)[1]
    if end.day < started_on.day and end.day != last_day_of_end_month:
        months -= 1
    return max(months, 0)


def average(total: int | None, count: int) -> int | None:
    """Whole rupiah, halves rounded away from zero; None when nothing is recorded."""
    if not count:
        return None
    return int((Decimal(total or 0) / count).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- summaries --------------------------------------------------------------------------------

@dataclass(frozen=True)
class BusinessSummary:
    """What a business shows on a date: how long it has run and what it earns per month."""

    business_id: int
    household_id: int | None
    kube_id: int | None
    name: str
    kind: str
    started_on: date
    stopped_on: date | None
    stopped: bool  # stopped on or before the date
    months_running: int
    months_recorded: int  # months with an entry, up to the date
    average_net: int | None  # over every recorded month up to the date
    recent_months_recorded: int  # months with an entry among the last `recent_months`
    recent_average_net: int | None  # over those months; None when none is recorded


def with_budget(businesses: QuerySet, *, on: date, recent_months: int = RECENT_MONTHS) -> QuerySet:
    """Annotate the monthly-entry counts and net totals a summary needs (one join, no extra query)."""
    this_month = month_start(on)
    window_start = add_months(this_month, -(recent_months - 1))
    up_to = Q(entries__month__lte=this_month)
    recent = up_to & Q(entries__month__gte=window_start)
    net = F("entries__revenue") - F("entries__expenses")
    return businesses.annotate(
        months_recorded=Count("entries", filter=up_to),
        net_total=Sum(net, filter=up_to, output_field=BigIntegerField()),
        recent_months_recorded=Count("entries", filter=recent),
        recent_net_total=Sum(net, filter=recent, output_field=BigIntegerField()),
    )


def summary_of(business: Business, *, on: date) -> BusinessSummary:
    """The summary of a business annotated by `with_budget`."""
    return BusinessSummary(
        business_id=business.pk,
        household_id=business.household_id,
        kube_id=business.kube_id,
        name=business.name,
        kind=business.kind,
        started_on=business.started_on,
        stopped_on=business.stopped_on,
        stopped=business.stopped_on is not None and business.stopped_on <= on,
        months_running=months_running(business.started_on, business.stopped_on, on),
        months_recorded=business.months_recorded,
        average_net=average(business.net_total, business.months_recorded),
        recent_months_recorded=business.recent_months_recorded,
        recent_average_net=average(business.recent_net_total, business.recent_months_recorded),
    )


def business_summaries(household_ids, *, on: date, recent_months: int = RECENT_MONTHS) -> dict[int, list[BusinessSummary]]:
    """The businesses of each household (started by `on`, stopped or not), in one query.

    For other apps (graduation): the caller passes households it has already scoped through org.access.
    KUBE businesses are not included: they belong to the group, not to one family.
    """
    household_ids = list(household_ids)
    result: dict[int, list[BusinessSummary]] = {household_id: [] for household_id in household_ids}
    businesses = with_budget(
        Business.objects.filter(household_id__in=household_ids, started_on__lte=on), on=on, recent_months=recent_months
    ).order_by("household_id", "started_on", "id")
    for business in businesses:
        result[business.household_id].append(summary_of(business, on=on))
    return result


@dataclass(frozen=True)
class BusinessRow:
    business: Business
    summary: BusinessSummary


def rows_of(businesses, *, on: date) -> list[BusinessRow]:
    return [BusinessRow(business, summary_of(business, on=on)) for business in businesses]


# --- scoped reads -----------------------------------------------------------------------------

def visible_businesses(user) -> QuerySet:
    """Businesses of the households the user sees, and of the KUBE they see."""
    return access.scoped_by_household_or_area(
        user, Business.objects.all(), household_path="household",
        facilitator_field="kube__facilitator", village_field="kube__kelurahan",
    )


def visible_entries(user) -> QuerySet:
    return access.scoped_by_household_or_area(
        user, MonthlyEntry.objects.all(), household_path="business__household",
        facilitator_field="business__kube__facilitator", village_field="business__kube__kelurahan",
    )


def visible_referrals(user) -> QuerySet:
    return access.scoped_by_household_or_area(
        user, CreditReferral.objects.all(), household_path="business__household",
        facilitator_field="business__kube__facilitator", village_field="business__kube__kelurahan",
    )


def visible_kube(user) -> QuerySet:
    return access.scoped_by_area(user, Kube.objects.all(), facilitator_field="facilitator", village_field="kelurahan")


def visible_memberships(user) -> QuerySet:
    """KUBE memberships, seen through the KUBE (a member family may be another facilitator's)."""
    return access.scoped_by_area(user, KubeMembership.objects.all(), facilitator_field="kube__facilitator",
                                 village_field="kube__kelurahan")


def _pengurus_name(household_path: str) -> Subquery:
    return Subquery(Member.objects.filter(household=OuterRef(household_path), is_pengurus=True).values("name")[:1])


def _latest_referral(field: str) -> Subquery:
    latest = CreditReferral.objects.filter(business=OuterRef("pk")).order_by("-referred_on", "-id")
    return Subquery(latest.values(field)[:1])


def _for_lists(businesses: QuerySet) -> QuerySet:
    return businesses.select_related("household__kelurahan", "kube__kelurahan").annotate(
        pengurus_name=_pengurus_name("household_id"),
    )


def business_detail(user, pk, *, for_write: bool = False) -> Business:
    businesses = visible_businesses(user).select_related(
        "household__kelurahan", "kube__kelurahan", "kube__facilitator", "created_by",
    ).annotate(pengurus_name=_pengurus_name("household_id"))
    return access.get_scoped_or_404(user, businesses, pk, for_write=for_write)


def business_entries(business: Business, *, since: date | None = None) -> list[MonthlyEntry]:
    """A business's monthly entries, newest first (the business was already scoped)."""
    entries = business.entries.select_related("recorded_by").order_by("-month")
    if since is not None:
        entries = entries.filter(month__gte=since)
    return list(entries)


def business_summary(business: Business, *, on: date) -> BusinessSummary:
    annotated = with_budget(Business.objects.filter(pk=business.pk), on=on).get()
    return summary_of(annotated, on=on)


@dataclass(frozen=True)
class BudgetMonth:
    month: date
    entry: MonthlyEntry | None  # None: the business ran that month but nothing is recorded


def budget_months(business: Business, entries: list[MonthlyEntry], *, today: date, since: date | None) -> list[BudgetMonth]:
    """Every month the business ran from `since` (or its start) to this month or its stop, newest first, with its
    entry or a gap to fill."""
    by_month = {entry.month: entry for entry in entries}
    last = month_start(min(today, business.stopped_on) if business.stopped_on else today)
    first = month_start(business.started_on)
    if since is not None:
        first = max(first, since)
    months = []
    month = last
    while month >= first:
        months.append(BudgetMonth(month, by_month.pop(month, None)))
        month = add_months(month, -1)
    # Entries outside the running period cannot be saved, but keep any that exist visible.
    months.extend(BudgetMonth(entry.month, entry) for entry in by_month.values())
    return sorted(months, key=lambda row: row.month, reverse=True)


def recorded_months(business: Business) -> list[date]:
    """Every month a business has figures for, newest first."""
    return list(business.entries.order_by("-month").values_list("month", flat=True))


def referral_steps(referral: CreditReferral) -> list:
    return list(referral.steps.select_related("recorded_by").order_by("on", "recorded_at", "id"))


def pengurus_name(household: Household) -> str:
    """The family recipient's name, for page headings ('' when none is recorded)."""
    return household.members.filter(is_pengurus=True).values_list("name", flat=True).first() or ""


def business_referrals(business: Business) -> list[CreditReferral]:
    referrals = business.referrals.select_related("program").prefetch_related("steps__recorded_by")
    return list(referrals.order_by("-referred_on", "-id"))


def household_businesses(user, household: Household, *, on: date) -> list[BusinessRow]:
    """A household's businesses (running first), with their summary and latest referral, in one query."""
    businesses = with_budget(visible_businesses(user).filter(household=household), on=on).annotate(
        latest_referral_status=_latest_referral("status"),
        latest_referral_program=_latest_referral("program__name"),
        latest_referral_since=_latest_referral("status_since"),
    ).order_by(F("stopped_on").desc(nulls_first=True), "name", "id")
    return rows_of(businesses, on=on)


def household_kube_memberships(user, household: Household) -> list[KubeMembership]:
    """The KUBE a household belongs to now; `kube_visible` tells whether the user may open the KUBE."""
    memberships = access.scoped(user, KubeMembership.objects.filter(household=household, left_on__isnull=True))
    return list(
        memberships.select_related("kube__kelurahan")
        .annotate(kube_visible=Exists(visible_kube(user).filter(pk=OuterRef("kube_id"))))
        .order_by("joined_on", "id")
    )


# --- the overview -----------------------------------------------------------------------------

@dataclass
class BusinessFilters:
    status: str = ""  # "running" or "stopped"
    kind: str = ""
    kelurahan: str = ""
    owner: str = ""  # "household" or "kube"
    missing_last_month: bool = False


def business_list(user, filters: BusinessFilters, *, on: date) -> QuerySet:
    """The businesses of the user's scope, filtered, with what the list shows annotated (paginate it)."""
    businesses = visible_businesses(user)
    if filters.status == "running":
        businesses = businesses.filter(Q(stopped_on__isnull=True) | Q(stopped_on__gt=on))
    elif filters.status == "stopped":
        businesses = businesses.filter(stopped_on__lte=on)
    if filters.kind:
        businesses = businesses.filter(kind=filters.kind)
    if filters.kelurahan:
        businesses = businesses.filter(Q(household__kelurahan_id=filters.kelurahan) | Q(kube__kelurahan_id=filters.kelurahan))
    if filters.owner == "household":
        businesses = businesses.filter(household__isnull=False)
    elif filters.owner == "kube":
        businesses = businesses.filter(kube__isnull=False)
    if filters.missing_last_month:
        businesses = _missing_last_month(businesses, today=on)
    return with_budget(_for_lists(businesses), on=on).order_by(F("stopped_on").desc(nulls_first=True), "name", "id")


@dataclass(frozen=True)
class Overview:
    running: int
    stopped: int
    kube: int
    referrals_by_status: dict


def overview_counts(user, *, on: date) -> Overview:
    totals = visible_businesses(user).aggregate(
        running=Count("id", filter=Q(stopped_on__isnull=True) | Q(stopped_on__gt=on)),
        stopped=Count("id", filter=Q(stopped_on__lte=on)),
    )
    by_status = dict(visible_referrals(user).order_by().values_list("status").annotate(n=Count("id")))
    statuses = [(status, label, by_status.get(status, 0)) for status, label in CreditReferral.Status.choices]
    return Overview(running=totals["running"], stopped=totals["stopped"], kube=visible_kube(user).count(),
                    referrals_by_status=statuses)


def referral_list(user, *, status: str = "", program: str = "") -> QuerySet:
    referrals = visible_referrals(user)
    if status:
        referrals = referrals.filter(status=status)
    if program:
        referrals = referrals.filter(program_id=program)
    return referrals.select_related(
        "program", "business__household__kelurahan", "business__kube__kelurahan",
    ).annotate(pengurus_name=_pengurus_name("business__household_id")).order_by("-status_since", "-id")


def active_programs() -> list[CreditProgram]:
    return list(CreditProgram.objects.filter(active=True).order_by("name"))


# --- KUBE ---------------------------------------------------------------------------------------

def kube_list(user, *, kelurahan: str = "") -> QuerySet:
    groups = visible_kube(user)
    if kelurahan:
        groups = groups.filter(kelurahan_id=kelurahan)
    members = (KubeMembership.objects.filter(kube=OuterRef("pk"), left_on__isnull=True).order_by()
               .values("kube").annotate(n=Count("id")).values("n"))
    running = (Business.objects.filter(kube=OuterRef("pk"), stopped_on__isnull=True).order_by()
               .values("kube").annotate(n=Count("id")).values("n"))
    return groups.select_related("kelurahan", "facilitator").annotate(
        member_count=Coalesce(Subquery(members), 0),
        running_businesses=Coalesce(Subquery(running), 0),
        chairperson_name=_pengurus_name("chairperson_id"),
    ).order_by("kelurahan__name", "name", "id")


def kube_detail(user, pk, *, for_write: bool = False) -> Kube:
    groups = visible_kube(user).select_related("kelurahan", "facilitator", "chairperson").annotate(
        chairperson_name=_pengurus_name("chairperson_id"))
    return access.get_scoped_or_404(user, groups, pk, for_write=for_write)


def kube_memberships(kube: Kube) -> list[KubeMembership]:
    """Current members first, then those who left (the KUBE was already scoped)."""
    return list(
        kube.memberships.select_related("household__kelurahan")
        .annotate(pengurus_name=_pengurus_name("household_id"))
        .order_by(F("left_on").desc(nulls_first=True), "joined_on", "id")
    )


def kube_businesses(kube: Kube, *, on: date) -> list[BusinessRow]:
    businesses = with_budget(kube.businesses.all(), on=on).order_by(F("stopped_on").desc(nulls_first=True), "name", "id")
    return rows_of(businesses, on=on)


def kube_candidates(user, kube: Kube) -> list[Household]:
    """Families the user may add to a KUBE: theirs, of the KUBE's kelurahan, not already current members."""
    current = KubeMembership.objects.filter(kube=kube, left_on__isnull=True).values("household_id")
    households = access.visible_households(user).filter(kelurahan_id=kube.kelurahan_id).exclude(pk__in=current)
    return list(households.annotate(pengurus_name=_pengurus_name("pk")).order_by("pengurus_name", "id_kpm"))


def membership_detail(user, pk, *, for_write: bool = False) -> KubeMembership:
    memberships = visible_memberships(user).select_related("kube__kelurahan", "household").annotate(
        pengurus_name=_pengurus_name("household_id"))
    return access.get_scoped_or_404(user, memberships, pk, for_write=for_write)


# --- the facilitator's day ------------------------------------------------------------------------

def _missing_last_month(businesses: QuerySet, *, today: date) -> QuerySet:
    """Businesses that ran through last month and have no entry for it (to chase).

    Only families still in the program (active or suspended) and KUBE businesses are chased.
    """
    this_month = month_start(today)
    last_month = add_months(this_month, -1)
    return (
        businesses
        .filter(started_on__lt=this_month)
        .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gte=this_month))
        .filter(Q(household__isnull=True) | Q(household__status__in=[Household.Status.ACTIVE, Household.Status.SUSPENDED]))
        .exclude(Exists(MonthlyEntry.objects.filter(business=OuterRef("pk"), month=last_month)))
    )


def businesses_missing_last_month(user, *, today: date) -> QuerySet:
    """The user's businesses without figures for last month, oldest business first."""
    return (
        _missing_last_month(visible_businesses(user), today=today)
        .select_related("household__kelurahan", "kube__kelurahan")
        .annotate(pengurus_name=_pengurus_name("household_id"))
        .order_by("started_on", "id")
    )


def last_month_of(today: date) -> date:
    return add_months(month_start(today), -1)
