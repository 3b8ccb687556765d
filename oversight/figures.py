"""The records behind every figure of the facilitator activity audit.

A figure is a count of records for one facilitator, city and month up to `as_of`. Each figure is defined
once here, as a queryset over the whole city annotated with `owner` (the facilitator it is attributed to):
oversight.compute groups that queryset by `owner` for the monthly table, and `records()` filters it to one
facilitator (and the viewer's scope, org.access) for the drill-down list. The count in the table is
therefore the number of rows the drill-down lists (for a viewer who sees the whole city).

What is counted, for facilitator F, city C, month M, up to the day `as_of` (Asia/Jakarta local time):
- caseload: the active households of C assigned to F on `as_of` — for a past month from the assignment
  history (beneficiaries.Assignment; a household without any assignment row counts with its current
  facilitator) and the status history (HouseholdStatusChange; without one, the current status); for the
  current month the current facilitator and status;
- visited / visits: home visits of C's households recorded by F (HomeVisit.facilitator) with `visited_at` in
  M up to `as_of` (distinct families / visits);
- not_visited_30d / not_visited_90d / never_visited: caseload families without any visit (by anyone) in the
  30 / 90 days up to the end of `as_of`, or ever;
- visits_no_geotag / visits_far / visits_late: those visits without a position, flagged farther than the
  casework threshold from home, entered late (the flags stored with each visit);
- visits_shared_coordinate: those visits at a (lat, lon) that the city's visits of the same period use for
  at least `ActivitySettings.repeated_coordinate_households` different households;
- visits_off_hours / sessions_off_hours: visits (local time) and held P2K2 meetings (their date and start
  time) outside the working hours of ActivitySettings or on a Saturday or Sunday;
- sessions: P2K2 meetings held (status "held") in M up to `as_of` by groups of F in C;
- cases_opened / cases_resolved / cases_overdue: mediation cases of households attributed to F like the
  caseload (without the status condition) — opened in the period; resolved or closed in the period; open at
  the end of `as_of` with a due date before `as_of`;
- proposals / approvals: graduation proposals (natural and independent-prosperous) made by F in the period /
  approved in the period;
- flags / flags_without_case: transaction-monitoring flags of households attributed to F like the cases:
  cards held outside the family and money not withdrawn as they stand (dated up to `as_of`), clustered
  withdrawals and rows dated in the period, the other flags of the disbursement stages covering M; without
  an open case opened from the flag;
- kks_outside: caseload families whose KKS card is held outside the family on `as_of` (KKS custody history,
  else the household's current holder).
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case as CaseWhen,
)
from django.db.models import (
    CharField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, ExtractHour, ExtractIsoWeekDay
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Assignment, DisbursementStage, Household, HouseholdStatusChange, KKSCustody
from casework.models import HomeVisit
from graduation.models import Proposal
from mediation.models import Case
from monitoring.models import Flag, FlagCode
from org import access
from oversight.models import ActivitySettings
from p2k2.models import Meeting

HOUSEHOLD, VISIT, MEETING, CASE, PROPOSAL, FLAG = "household", "visit", "meeting", "case", "proposal", "flag"


@dataclass(frozen=True)
class Figure:
    """A figure of the audit: its label, the kind of record behind it and how the monthly row gives its count."""

    key: str
    label: str
    kind: str
    count: object = field(repr=False)  # FacilitatorMonth -> int

    def count_of(self, row) -> int:
        return self.count(row)


def _figure(key, label, kind, count):
    return key, Figure(key, label, kind, count)


FIGURES: dict[str, Figure] = dict([
    _figure("caseload", _("Active families"), HOUSEHOLD, lambda r: r.caseload),
    _figure("visited", _("Families visited"), HOUSEHOLD, lambda r: r.households_visited),
    _figure("visits", _("Visits logged"), VISIT, lambda r: r.visits),
    _figure("not_visited_30d", _("Families not visited in the last 30 days"), HOUSEHOLD,
            lambda r: r.caseload - r.visited_30d),
    _figure("not_visited_90d", _("Families not visited in the last 90 days"), HOUSEHOLD,
            lambda r: r.caseload - r.visited_90d),
    _figure("never_visited", _("Families never visited"), HOUSEHOLD, lambda r: r.never_visited),
    _figure("visits_no_geotag", _("Visits without a geotag"), VISIT, lambda r: r.visits - r.visits_geotagged),
    _figure("visits_far", _("Visits far from home"), VISIT, lambda r: r.visits_far),
    _figure("visits_late", _("Visits entered late"), VISIT, lambda r: r.visits_late),
    _figure("visits_shared_coordinate", _("Visits at a coordinate shared by several families"), VISIT,
            lambda r: r.repeated_coordinate_visits),
    _figure("visits_off_hours", _("Visits in the evening or at the weekend"), VISIT, lambda r: r.visits_off_hours),
    _figure("sessions", _("P2K2 sessions held"), MEETING, lambda r: r.sessions_held),
    _figure("sessions_off_hours", _("P2K2 sessions in the evening or at the weekend"), MEETING,
            lambda r: r.sessions_off_hours),
    _figure("cases_opened", _("Cases opened"), CASE, lambda r: r.cases_opened),
    _figure("cases_resolved", _("Cases resolved or closed"), CASE, lambda r: r.cases_resolved),
    _figure("cases_overdue", _("Cases overdue"), CASE, lambda r: r.cases_overdue),
    _figure("proposals", _("Graduations proposed"), PROPOSAL, lambda r: r.proposed_alamiah + r.proposed_mandiri),
    _figure("approvals", _("Graduations approved"), PROPOSAL, lambda r: r.approved_alamiah + r.approved_mandiri),
    _figure("flags", _("Transaction flags"), FLAG, lambda r: r.flags),
    _figure("flags_without_case", _("Transaction flags without a case"), FLAG, lambda r: r.flags - r.flags_with_case),
    _figure("kks_outside", _("KKS cards held outside the family"), HOUSEHOLD, lambda r: r.kks_outside),
])

# Flags that describe a state (counted as they stand) and flags dated by their event (counted in the month);
# the others belong to a disbursement stage (counted in the months the stage covers).
STOCK_FLAGS = (FlagCode.DANA_MENGENDAP, FlagCode.KKS_BUKAN_KELUARGA)
DATED_FLAGS = (FlagCode.TARIK_MENGELOMPOK, FlagCode.TIDAK_DIKENAL)
CASE_SOURCE = "monitoring"  # monitoring.flags.CASE_SOURCE: the source of a case opened from a flag


@dataclass(frozen=True)
class Period:
    """A city and a month counted up to `as_of`, with the settings the figures use."""

    city_code: str
    month: date  # first day
    as_of: date
    current: bool  # the month of today: the current assignments and statuses
    settings: ActivitySettings
    stages: tuple  # ((year, number), ...) of the disbursement stages covering the month

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.month, time.min))

    @property
    def end(self) -> datetime:
        """The first moment after `as_of` (exclusive)."""
        return timezone.make_aware(datetime.combine(self.as_of + timedelta(days=1), time.min))

    @property
    def days_counted(self) -> int:
        return (self.as_of - self.month).days + 1

    @property
    def days_in_month(self) -> int:
        return calendar.monthrange(self.month.year, self.month.month)[1]

    @property
    def village_prefix(self) -> str:
        return f"{self.city_code}."


def month_last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def default_as_of(month: date, today: date | None = None) -> date:
    """The month's last day, or today for the current month (a future month: its first day)."""
    today = today or timezone.localdate()
    last = month_last_day(month)
    return min(last, max(today, month))


def month_stages(month: date) -> tuple:
    """The disbursement stages whose months cover `month` (one query); without stage rows for the year,
    the default four-stage year (a quarter each)."""
    rows = list(DisbursementStage.objects.filter(year=month.year).values_list("number", "first_month", "last_month"))
    if not rows:
        return ((month.year, (month.month - 1) // 3 + 1),)
    return tuple((month.year, number) for number, first, last in rows if first <= month.month <= last)


def period(city_code: str, month: date, *, as_of: date | None = None, settings: ActivitySettings | None = None,
           today: date | None = None) -> Period:
    """The period of a city-month (two queries: the settings and the stages)."""
    month = month.replace(day=1)
    today = today or timezone.localdate()
    as_of = as_of or default_as_of(month, today)
    return Period(city_code=city_code, month=month, as_of=as_of, current=month == today.replace(day=1),
                  settings=settings or ActivitySettings.current(), stages=month_stages(month))


# --- attribution -----------------------------------------------------------------------------------------

def owner_expression(p: Period, household_ref: str = "pk"):
    """The facilitator a household (at `household_ref`) is attributed to on `as_of`."""
    if p.current:
        return F("facilitator_id") if household_ref == "pk" else F(f"{household_ref.removesuffix('_id')}__facilitator_id")
    assignments = Assignment.objects.filter(household=OuterRef(household_ref))
    on_the_day = (assignments.filter(start_date__lte=p.as_of).filter(Q(end_date__isnull=True) | Q(end_date__gt=p.as_of))
                  .order_by("-start_date", "-recorded_at", "-id").values("facilitator_id")[:1])
    current = F("facilitator_id") if household_ref == "pk" else F(f"{household_ref.removesuffix('_id')}__facilitator_id")
    return Coalesce(Subquery(on_the_day), CaseWhen(When(~Exists(assignments), then=current), default=None),
                    output_field=IntegerField())


def _status_expression(p: Period):
    if p.current:
        return F("status")
    latest = (HouseholdStatusChange.objects.filter(household=OuterRef("pk"), effective_date__lte=p.as_of)
              .order_by("-effective_date", "-recorded_at", "-id").values("status")[:1])
    return Coalesce(Subquery(latest), F("status"), output_field=CharField())


def _kks_holder_expression(p: Period):
    if p.current:
        return F("kks_holder")
    latest = (KKSCustody.objects.filter(household=OuterRef("pk"), since__lte=p.as_of)
              .order_by("-since", "-recorded_at", "-id").values("holder")[:1])
    return Coalesce(Subquery(latest), F("kks_holder"), output_field=CharField())


# --- the base querysets (the whole city, annotated with `owner`) --------------------------------------------

def city_households(p: Period) -> QuerySet:
    return Household.objects.filter(kelurahan__code__startswith=p.village_prefix)


def caseload(p: Period) -> QuerySet:
    """The caseload households on `as_of`, with `owner`, `last_visit_at` (any visit up to the end of
    `as_of`) and `holder` (who held the KKS card)."""
    last_visit = (HomeVisit.objects.filter(household=OuterRef("pk"), visited_at__lt=p.end).order_by()
                  .values("household").annotate(last=Max("visited_at")).values("last")[:1])
    return (city_households(p).annotate(owner=owner_expression(p), status_on=_status_expression(p))
            .filter(owner__isnull=False, status_on=Household.Status.ACTIVE)
            .annotate(last_visit_at=Subquery(last_visit), holder=_kks_holder_expression(p)))


def caseload_conditions(p: Period) -> dict[str, Q]:
    """The caseload figures as conditions on `caseload(p)`."""
    return {
        "caseload": Q(),
        "not_visited_30d": Q(last_visit_at__isnull=True) | Q(last_visit_at__lt=p.end - timedelta(days=30)),
        "not_visited_90d": Q(last_visit_at__isnull=True) | Q(last_visit_at__lt=p.end - timedelta(days=90)),
        "never_visited": Q(last_visit_at__isnull=True),
        "kks_outside": ~Q(holder__in=Household.FAMILY_HOLDERS),
    }


def visits(p: Period) -> QuerySet:
    """The city's visits of the period, with `owner` (who recorded them) and the local `weekday` (1 = Monday)
    and `hour`."""
    return (HomeVisit.objects.filter(household__kelurahan__code__startswith=p.village_prefix,
                                     visited_at__gte=p.start, visited_at__lt=p.end)
            .annotate(owner=F("facilitator_id"), weekday=ExtractIsoWeekDay("visited_at"), hour=ExtractHour("visited_at")))


def _coordinate_key():
    return Concat(Cast("latitude", CharField()), Value(","), Cast("longitude", CharField()), output_field=CharField())


def shared_coordinates(p: Period) -> QuerySet:
    """The (lat, lon) keys the period's visits use for at least N different households (a subquery)."""
    from django.db.models import Count

    return (HomeVisit.objects.filter(household__kelurahan__code__startswith=p.village_prefix,
                                     visited_at__gte=p.start, visited_at__lt=p.end,
                                     latitude__isnull=False, longitude__isnull=False)
            .annotate(coordinate=_coordinate_key()).order_by().values("coordinate")
            .annotate(households=Count("household", distinct=True))
            .filter(households__gte=max(p.settings.repeated_coordinate_households, 2)).values("coordinate"))


def off_hours(p: Period) -> Q:
    """Outside working hours or at the weekend, on the `weekday` and `hour` annotations."""
    s = p.settings
    return Q(weekday__gte=6) | Q(hour__lt=s.working_day_start) | Q(hour__gte=s.working_day_end)


def is_off_hours(settings: ActivitySettings, weekday: int, hour: int) -> bool:
    return weekday >= 6 or hour < settings.working_day_start or hour >= settings.working_day_end


def visit_conditions(p: Period) -> dict[str, Q]:
    return {
        "visits": Q(),
        "visits_no_geotag": Q(latitude__isnull=True) | Q(longitude__isnull=True),
        "visits_far": Q(flag_far=True),
        "visits_late": Q(flag_late=True),
        "visits_off_hours": off_hours(p),
    }


def shared_coordinate_visits(p: Period) -> QuerySet:
    return (visits(p).filter(latitude__isnull=False, longitude__isnull=False)
            .annotate(coordinate=_coordinate_key()).filter(coordinate__in=shared_coordinates(p)))


def sessions(p: Period) -> QuerySet:
    """The P2K2 meetings held in the period by the city's groups, with `owner` (the group's facilitator)."""
    return (Meeting.objects.filter(group__kelurahan__code__startswith=p.village_prefix, status=Meeting.Status.HELD,
                                   date__gte=p.month, date__lte=p.as_of)
            .annotate(owner=F("group__facilitator_id"), weekday=ExtractIsoWeekDay("date"), hour=ExtractHour("start_time")))


def cases(p: Period) -> QuerySet:
    return Case.objects.filter(household__kelurahan__code__startswith=p.village_prefix).annotate(
        owner=owner_expression(p, "household_id"))


def case_conditions(p: Period) -> dict[str, Q]:
    return {
        "cases_opened": Q(opened_at__gte=p.start, opened_at__lt=p.end),
        "cases_resolved": Q(status__in=Case.FINISHED_STATUSES, finished_at__gte=p.start, finished_at__lt=p.end),
        "cases_overdue": Q(opened_at__lt=p.end, due_date__lt=p.as_of)
        & (Q(finished_at__isnull=True, status__in=Case.OPEN_STATUSES) | Q(finished_at__gte=p.end)),
    }


def proposals(p: Period) -> QuerySet:
    return (Proposal.objects.filter(household__kelurahan__code__startswith=p.village_prefix, kind__in=Proposal.GRADUATIONS)
            .annotate(owner=F("proposed_by_id")))


def proposal_conditions(p: Period) -> dict[str, Q]:
    return {
        "proposals": Q(proposed_at__gte=p.start, proposed_at__lt=p.end),
        "approvals": Q(status=Proposal.Status.APPROVED, decided_at__gte=p.start, decided_at__lt=p.end),
    }


def _case_ref():
    return CaseWhen(
        When(year__isnull=True, then=F("code")),
        default=Concat(F("code"), Value(":"), Cast("year", CharField()), Value("-"), Cast("stage", CharField())),
        output_field=CharField(),
    )


def flags(p: Period) -> QuerySet:
    """The flags of the month on the city's households, with `owner` and `has_case` (an open case was opened
    from the flag, see monitoring.flags)."""
    by_stage = Q(pk__in=[])
    for year, number in p.stages:
        by_stage |= Q(year=year, stage=number)
    of_the_month = (Q(code__in=STOCK_FLAGS) & (Q(occurred_on__isnull=True) | Q(occurred_on__lte=p.as_of))
                    | Q(code__in=DATED_FLAGS, occurred_on__gte=p.month, occurred_on__lte=p.as_of)
                    | (~Q(code__in=STOCK_FLAGS + DATED_FLAGS) & by_stage))
    open_cases = Case.objects.filter(household=OuterRef("household"), source=CASE_SOURCE,
                                     source_ref=OuterRef("case_ref"), status__in=Case.OPEN_STATUSES)
    return (Flag.objects.filter(household__isnull=False, household__kelurahan__code__startswith=p.village_prefix)
            .filter(of_the_month).annotate(owner=owner_expression(p, "household_id"), case_ref=_case_ref())
            .annotate(has_case=Exists(open_cases)))


# --- one figure's records ---------------------------------------------------------------------------------

def figure_queryset(key: str, p: Period) -> QuerySet:
    """The city's records of a figure, every facilitator's (annotated with `owner`), unscoped. "visited" has
    no such queryset (a household visited by two facilitators counts for both): see `facilitator_records`."""
    if key in caseload_conditions(p):
        return caseload(p).filter(caseload_conditions(p)[key])
    if key in visit_conditions(p):
        return visits(p).filter(visit_conditions(p)[key])
    if key == "visits_shared_coordinate":
        return shared_coordinate_visits(p)
    if key == "sessions":
        return sessions(p)
    if key == "sessions_off_hours":
        return sessions(p).filter(off_hours(p))
    if key in case_conditions(p):
        return cases(p).filter(case_conditions(p)[key])
    if key in proposal_conditions(p):
        return proposals(p).filter(proposal_conditions(p)[key])
    if key == "flags":
        return flags(p)
    if key == "flags_without_case":
        return flags(p).filter(has_case=False)
    raise KeyError(key)


def facilitator_records(key: str, p: Period, facilitator_id: int) -> QuerySet:
    """One facilitator's records of a figure, unscoped (the monthly table counts these)."""
    if key == "visited":
        return Household.objects.filter(pk__in=visits(p).filter(facilitator_id=facilitator_id).values("household_id"))
    return figure_queryset(key, p).filter(owner=facilitator_id)


ORDERING = {
    HOUSEHOLD: ("id_kpm",),
    VISIT: ("-visited_at", "-id"),
    MEETING: ("-date", "-start_time", "-id"),
    CASE: ("due_date", "opened_at", "id"),
    PROPOSAL: ("-proposed_at", "-id"),
    FLAG: ("code", "id_kpm", "id"),
}
RELATED = {
    HOUSEHOLD: ("kelurahan",),
    VISIT: ("household__kelurahan", "facilitator"),
    MEETING: ("group__kelurahan", "module_session"),
    CASE: ("household__kelurahan",),
    PROPOSAL: ("household__kelurahan", "decided_by"),
    FLAG: ("household__kelurahan",),
}


def scope(user, kind: str, queryset: QuerySet) -> QuerySet:
    """The rows of a figure the user may see (org.access)."""
    if kind == HOUSEHOLD:
        return queryset.filter(pk__in=access.visible_households(user).values("pk"))
    if kind == MEETING:
        return access.scoped_by_area(user, queryset, facilitator_field="group__facilitator",
                                     village_field="group__kelurahan")
    if kind == FLAG:
        return access.scoped_by_household_or_city(user, queryset)
    return access.scoped(user, queryset)


def records(user, key: str, *, facilitator, city, month: date, as_of: date | None = None,
            p: Period | None = None) -> QuerySet:
    """The records behind figure `key` of `facilitator` in `city` and `month` up to `as_of`, as `user` may see
    them (org.access), in the list's order. Raises KeyError for an unknown figure."""
    figure = FIGURES[key]
    city_code = getattr(city, "code", city)
    p = p or period(city_code, month, as_of=as_of)
    rows = scope(user, figure.kind, facilitator_records(key, p, getattr(facilitator, "pk", facilitator)))
    return rows.select_related(*RELATED[figure.kind]).order_by(*ORDERING[figure.kind])
