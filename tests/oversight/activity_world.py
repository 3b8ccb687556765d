"""A small city for the activity-audit tests (oversight part A): facilitators with planted patterns, their
visits, a P2K2 group and meeting, cases, a proposal and a flag, in one past month."""

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from casework.models import HomeVisit
from graduation.models import Classification, Proposal
from livelihood.selectors import add_months, month_start
from mediation.models import Case, CaseEvent
from monitoring.models import Flag, FlagCode
from oversight.models import ActivitySettings
from p2k2.models import Group, GroupMembership, Meeting, ModuleSession
from tests.factories import FacilitatorFactory, HouseholdFactory, region

MONTH = add_months(month_start(timezone.localdate()), -1)  # the previous month: complete, counted to its end
LAST = add_months(MONTH, 1) - timedelta(days=1)
_spot = itertools.count()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def workdays(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)
            if (first + timedelta(days=i)).isoweekday() <= 5]


def thresholds():
    settings = ActivitySettings.current()
    settings.active_min_visits = 8
    settings.active_min_visited_share_90 = 0
    settings.inactive_max_activities = 2
    settings.inactive_idle_days = 14
    settings.working_day_start, settings.working_day_end = 7, 18
    settings.repeated_coordinate_households = 3
    settings.save()
    return settings


def facilitator(name: str, households: int = 3, village: str = "31.75.01.1001"):
    user = FacilitatorFactory(username=name, cities=[region("31.75")], profile=[region(village)])
    homes = [HouseholdFactory(facilitator=user, kelurahan=region(village), home_latitude=Decimal("-6.200000"),
                              home_longitude=Decimal(f"106.{next(_spot) + 100:03d}000")) for _ in range(households)]
    return user, homes


def visit(user, household, when: datetime, *, far=False, spot=None, **extra) -> HomeVisit:
    lat, lon = spot or (Decimal("-6.2") - Decimal(next(_spot)) / 100000, household.home_longitude)
    return HomeVisit.objects.create(
        household=household, facilitator=user, visited_at=when, received_at=when + timedelta(minutes=30),
        purpose="commitment", met="pengurus", geo_status="ok", latitude=lat, longitude=lon,
        distance_m=3000.0 if far else 20.0, flag_far=far, **extra)


def visits(user, homes, days, *, hour=10, far=False, spot=None) -> list[HomeVisit]:
    return [visit(user, homes[i % len(homes)], at(day, hour), far=far, spot=spot) for i, day in enumerate(days)]


def planted_city(visits_each: int = 10) -> dict:
    """Five facilitators of 31.75 in MONTH: ordinary, far (every visit 3 km from home), quiet (nothing in the
    last 20 days), one_spot (every visit at one coordinate, 3 households), night (every visit at 21:00)."""
    thresholds()
    days = workdays(MONTH, LAST)
    people = {}
    for key in ("ordinary", "far", "quiet", "one_spot", "night"):
        people[key] = facilitator(f"pendamping_{key}")
    user, homes = people["ordinary"]
    visits(user, homes, days[-visits_each:])
    user, homes = people["far"]
    visits(user, homes, days[-visits_each:], far=True)
    user, homes = people["quiet"]
    early = workdays(MONTH, LAST - timedelta(days=20))[-5:]  # the last working day 20 or more days before the end
    visits(user, homes, [early[i % len(early)] for i in range(visits_each)])
    user, homes = people["one_spot"]
    visits(user, homes, days[-visits_each:], spot=(Decimal("-6.250000"), Decimal("106.900000")))
    user, homes = people["night"]
    visits(user, homes, days[-visits_each:], hour=21)
    return {key: value[0] for key, value in people.items()} | {"homes": {k: v[1] for k, v in people.items()}}


def other_records(user, homes, coordinator) -> None:
    """A held P2K2 meeting with attendance, cases (opened, resolved, overdue), a proposal and a flag."""
    group = Group.objects.create(name=f"Kelompok {user.username}", facilitator=user, kelurahan=homes[0].kelurahan,
                                 formed_on=date(2020, 1, 1))
    for home in homes:
        GroupMembership.objects.create(group=group, household=home, joined_on=date(2020, 1, 1))
    day = workdays(MONTH, LAST)[2]
    meeting = Meeting.objects.create(group=group, module_session=ModuleSession.objects.order_by("number").first(),
                                     date=day, start_time=time(19, 30), place="Balai", status=Meeting.Status.HELD)
    meeting.attendance.create(household=homes[0], status="present")
    meeting.attendance.create(household=homes[1], status="absent")
    opened = at(day, 9)
    resolved = Case.objects.create(household=homes[0], category="LAINNYA", title="x", due_date=day, opened_at=opened,
                                   status="resolved", finished_at=opened + timedelta(days=4))
    CaseEvent.objects.create(case=resolved, kind="opened", actor=user, at=opened)
    Case.objects.create(household=homes[1], category="LAINNYA", title="y", due_date=day, opened_at=opened)
    Proposal.objects.create(household=homes[2], kind="alamiah", effective_date=day, notes="-",
                            classification=Classification.ALAMIAH, rules_version=1, status="approved",
                            proposed_by=user, proposed_at=opened, decided_by=coordinator, decided_at=opened + timedelta(days=1))
    Flag.objects.create(code=FlagCode.KKS_BUKAN_KELUARGA, household=homes[0], id_kpm=homes[0].id_kpm, city_code="31.75",
                        occurred_on=MONTH)
    Flag.objects.create(code=FlagCode.TARIK_MENGELOMPOK, household=homes[1], id_kpm=homes[1].id_kpm, city_code="31.75",
                        occurred_on=day)
    late = at(day, 11)
    HomeVisit.objects.create(household=homes[1], facilitator=user, visited_at=late, received_at=late + timedelta(days=2),
                             purpose="data", met="pengurus", geo_status="denied", flag_no_geotag=True, flag_late=True)
    homes[2].kks_holder = "facilitator"
    homes[2].save(update_fields=["kks_holder"])
