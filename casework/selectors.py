"""Reads of home visits for pages and the day page. All start from org.access."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from beneficiaries.models import Household, Member
from casework.models import HomeVisit
from org import access

NOT_VISITED_BUCKETS = (30, 60, 90)


def visible_visits(user) -> QuerySet:
    return access.scoped(user, HomeVisit.objects.all())


def visit_households(user, household_pk: str = "") -> list | None:
    """The families a visit form offers: one family, or a facilitator's whole caseload (None for a city:
    too long a list; start from the family's page)."""
    households = access.visible_households(user)
    if household_pk:
        households = households.filter(pk=household_pk)
    elif not user.is_facilitator:
        return None
    pengurus = Member.objects.filter(household=OuterRef("pk"), is_pengurus=True).values("name")[:1]
    return list(households.annotate(pengurus_name=Subquery(pengurus)).order_by("pengurus_name", "id_kpm"))


def household_timeline(user, household: Household, limit: int | None = None) -> list[HomeVisit]:
    visits = visible_visits(user).filter(household=household).select_related("facilitator").order_by("-visited_at", "-id")
    return list(visits[:limit] if limit else visits)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def with_last_visit(households: QuerySet) -> QuerySet:
    return households.annotate(last_visit=Max("visits__visited_at"))


def not_visited(user, *, days: int, today: date) -> QuerySet:
    """Active households of the user's scope not visited in the last `days` days (never-visited first)."""
    cutoff = _start_of(today - timedelta(days=days - 1))
    last = HomeVisit.objects.filter(household=OuterRef("pk")).order_by("-visited_at").values("visited_at")[:1]
    pengurus = Member.objects.filter(household=OuterRef("pk"), is_pengurus=True).values("name")[:1]
    recent = HomeVisit.objects.filter(household=OuterRef("pk"), visited_at__gte=cutoff)
    households = (
        access.visible_households(user).filter(status=Household.Status.ACTIVE)
        .filter(~Exists(recent))
        .annotate(last_visit=Subquery(last), pengurus_name=Subquery(pengurus))
    )
    return households.select_related("kelurahan", "facilitator").order_by("last_visit", "id_kpm")


@dataclass
class DueFollowUp:
    household: Household
    due: date
    visit: HomeVisit

    @property
    def overdue(self) -> bool:
        return self.due < timezone.localdate()


def follow_ups_due(user, *, today: date) -> QuerySet:
    """Each household's latest visit whose next follow-up date has come (a later visit settles it)."""
    # "No later visit" as an anti-join: a city-wide count stays one hash join instead of a subquery per visit.
    later = HomeVisit.objects.filter(household=OuterRef("household")).filter(
        Q(visited_at__gt=OuterRef("visited_at")) | Q(visited_at=OuterRef("visited_at"), pk__gt=OuterRef("pk")))
    return (
        visible_visits(user)
        .filter(~Exists(later), next_follow_up__lte=today)
        .select_related("household", "household__kelurahan")
        .order_by("next_follow_up", "household__id_kpm")
    )


def visit_list(user, *, facilitator: str = "", flag: str = "", date_from: date | None = None,
               date_to: date | None = None, kelurahan: str = "") -> QuerySet:
    visits = visible_visits(user)
    if facilitator:
        visits = visits.filter(facilitator_id=facilitator)
    if flag in {"far", "no_geotag", "late"}:
        visits = visits.filter(**{f"flag_{flag}": True})
    elif flag == "any":
        visits = visits.filter(Q(flag_far=True) | Q(flag_no_geotag=True) | Q(flag_late=True))
    if date_from:
        visits = visits.filter(visited_at__gte=_start_of(date_from))
    if date_to:
        visits = visits.filter(visited_at__lt=_start_of(date_to + timedelta(days=1)))
    if kelurahan:
        visits = visits.filter(household__kelurahan_id=kelurahan)
    return visits.select_related("household", "household__kelurahan", "facilitator").order_by("-visited_at", "-id")


def follow_ups_overdue(user, *, today: date) -> QuerySet:
    """The follow-ups of `follow_ups_due` whose date has passed (due before today, not settled by a later visit):
    what the day page marks overdue, for the coordinator's dashboard and its list."""
    return follow_ups_due(user, today=today).filter(next_follow_up__lt=today)
