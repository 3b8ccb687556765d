"""The demo's field work: home visits, P2K2 groups and meetings, mediation cases, businesses and KUBE,
and commitment verification, so that every page has content for a facilitator, the coordinator and
the auditor.

Dates. Everything is generated relative to the fixed REFERENCE_DATE (1 November 2026), never to the
day the command runs: the same seed always gives the same rows. The pages, however, compare with
*today* ("overdue", "not visited in 60 days", "this quarter"), so the history is shaped to stay alive
for a few months after the reference date:
- P2K2 meetings are scheduled monthly up to REFERENCE_DATE + 120 days (the next one a few weeks ahead);
- visit follow-up dates and case due dates lie on both sides of the reference date (some overdue, some
  still to come);
- commitment records cover the quarter before the reference date in full and the reference date's own
  quarter in part, and both quarters' results are stored (the day page's "data still missing").
Past that window the demo ages like a database left alone: meetings turn "not recorded", families
"not visited", and a new quarter has no stored results until someone refreshes them. Nothing is
dated after the reference date except the scheduled meetings, the follow-ups and due dates, and the
suspension proposals (opened by the compliance service when the command runs, as the app does).

Planted patterns, for a supervisor (and a later oversight feature) to find; the command prints the
usernames. Four facilitators drawn from pendamping02…pendamping55 (pendamping01, the login to try
first, stays ordinary); the draw uses its own stream, so it is the same for the same seed and number of households:
- far: every visit of one facilitator is recorded 2.5–3.5 km from the family's home;
- quiet: one facilitator has no activity at all (visit, meeting, attendance, case step, business
  entry, commitment record) in the 20 days before the reference date;
- one spot: every visit of one facilitator carries the very same coordinate;
- night: one facilitator records every visit between 20:00 and 23:00.

Rows are written with bulk_create in batches and without per-row audit events (demo data). Only the
suspension proposals go through compliance.services.results_refresh, which opens their mediation
cases the way the app does.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from beneficiaries.models import Household, Member
from org.models import User

JAKARTA = ZoneInfo("Asia/Jakarta")
HISTORY_DAYS = 273  # visits and cases: the 9 months before the reference date
FUTURE_DAYS = 120  # P2K2 meetings are scheduled this far after the reference date
QUIET_DAYS = 20
IN_PROGRAM = (Household.Status.ACTIVE, Household.Status.SUSPENDED)


@dataclass
class Family:
    """A seeded household with what the field work needs from its creation."""

    household: Household
    members: list  # Member rows (saved)
    joined: date  # joined PKH
    assigned_from: date | None  # its facilitator's assignment start
    custody: list  # KKSCustody rows, oldest first

    @property
    def facilitator_id(self):
        return self.household.facilitator_id

    @property
    def in_program(self) -> bool:
        return self.household.status in IN_PROGRAM

    @property
    def pengurus(self) -> Member:
        return next(m for m in self.members if m.is_pengurus)

    def current_members(self) -> list:
        return [m for m in self.members if not m.exit_reason]


@dataclass
class World:
    """Everything the field-work generators share. Built once by seed.seed_demo."""

    seed: int
    reference: date
    facilitators: list  # pendamping01 … pendamping55
    areas: list  # kelurahan codes per facilitator, same order
    start_dates: dict  # facilitator id -> working since
    coordinator: User
    families: list  # Family, in creation order
    region_names: dict  # code -> name (kecamatan and kelurahan)
    centres: dict  # kelurahan code -> (lat, lon, rw_count)
    patterns: dict = field(default_factory=dict)  # "far" / "quiet" / "one_spot" / "night" -> User
    # Filled by the generators for the ones that follow (visits mention cases and businesses).
    case_opened: dict = field(default_factory=dict)  # household id -> date the case was opened
    business_households: set = field(default_factory=set)

    def __post_init__(self):
        self.by_facilitator = defaultdict(list)
        self.by_area = defaultdict(list)  # (facilitator id, kelurahan) -> families
        for family in self.families:
            if family.facilitator_id:
                self.by_facilitator[family.facilitator_id].append(family)
                self.by_area[(family.facilitator_id, family.household.kelurahan_id)].append(family)
        self.users = {f.pk: f for f in self.facilitators}
        self.users[self.coordinator.pk] = self.coordinator
        self.owner = {code: f for f, area in zip(self.facilitators, self.areas) for code in area}

    def rng(self, part: str) -> random.Random:
        """An independent stream per part: adding rows to one part never shifts another."""
        return random.Random(f"{self.seed}:{part}")

    def cutoff(self, user_id) -> datetime:
        """The first moment this user does nothing any more (the quiet facilitator stops 20 days early)."""
        quiet = self.patterns.get("quiet")
        days = QUIET_DAYS if quiet is not None and quiet.pk == user_id else 0
        return moment(self.reference - timedelta(days=days), 0)

    def kecamatan_name(self, kelurahan_code: str) -> str:
        return self.region_names[kelurahan_code[:8]]


@dataclass
class FieldworkResult:
    counts: dict = field(default_factory=dict)  # label -> number, in the order printed
    patterns: list = field(default_factory=list)  # (key, username, what a supervisor sees)


PATTERN_TEXT = {
    "far": "every visit 2.5–3.5 km from the family's home",
    "quiet": f"no activity in the {QUIET_DAYS} days before the reference date",
    "one_spot": "every visit recorded at the same coordinate",
    "night": "every visit recorded between 20:00 and 23:00",
}


# --- time and place helpers ---------------------------------------------------------------------

def moment(day: date, minutes: int) -> datetime:
    """`minutes` after midnight of `day`, Jakarta time."""
    return datetime.combine(day, time(), tzinfo=JAKARTA) + timedelta(minutes=minutes)


def working_minutes(rng: random.Random) -> int:
    """A time of the working day, most often mid-morning (08:00–16:00)."""
    return int(rng.triangular(8 * 60, 16 * 60, 10 * 60))


def weekday_on_or_after(day: date, rng: random.Random, saturday: float = 0.08) -> date:
    """The day itself if a weekday; a weekend day moves to Monday (a Saturday is kept now and then)."""
    if day.weekday() == 5 and rng.random() < saturday:
        return day
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def day_between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def workday_between(rng: random.Random, first: date, last: date) -> date | None:
    """A working day in [first, last] (a Saturday now and then), or None if there is none."""
    for _ in range(10):
        day = weekday_on_or_after(day_between(rng, first, last), rng)
        if first <= day <= last:
            return day
    day = first
    while day <= last:
        if day.weekday() < 5:
            return day
        day += timedelta(days=1)
    return None


def later_step(rng: random.Random, after: datetime, days: tuple[int, int], limit: datetime) -> datetime | None:
    """A working moment some days after `after`, or None if that would be at or past `limit`."""
    day = weekday_on_or_after(after.astimezone(JAKARTA).date() + timedelta(days=rng.randint(*days)), rng, saturday=0)
    when = moment(day, working_minutes(rng))
    return when if after < when < limit else None


def offset(lat: float, lon: float, metres: float, bearing_degrees: float) -> tuple[float, float]:
    """The point `metres` away in the given direction (flat-earth approximation, fine below 10 km)."""
    bearing = math.radians(bearing_degrees)
    d_lat = metres * math.cos(bearing) / 111_320
    d_lon = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return lat + d_lat, lon + d_lon


def dec6(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


# --- the whole field work -------------------------------------------------------------------------

def choose_patterns(world: World) -> None:
    """Four facilitators for the planted patterns, drawn among those with at least two active families
    (every active family of theirs is visited, so each pattern shows on at least two visits)."""
    candidates = [f for f in world.facilitators[1:] if sum(
        1 for fam in world.by_facilitator[f.pk] if fam.household.status == Household.Status.ACTIVE) >= 2]
    picks = world.rng("patterns").sample(candidates, min(4, len(candidates)))
    world.patterns = dict(zip(("far", "quiet", "one_spot", "night"), picks))


def analyze() -> None:
    """Fresh statistics for the planner (PostgreSQL): the demo bulk-loads every table inside one transaction,
    which autovacuum cannot see, and the set-based steps after a load (screening, flags, the monthly report,
    the activity audit) would otherwise be planned as if the tables were nearly empty (minutes instead of
    seconds at 25,000 families). ANALYZE may run inside the transaction and sees its rows."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def seed_fieldwork(world: World) -> FieldworkResult:
    """Write every part of the field work; returns the counts and the planted patterns."""
    from org.demo import businesses, cases, commitments, graduation, groups, oversight, transactions, visits

    choose_patterns(world)
    result = FieldworkResult()
    facilities = commitments.seed_facilities(world)
    result.counts.update(facilities.counts)
    result.counts.update(groups.seed_groups(world))
    result.counts.update(cases.seed_cases(world, schools=facilities.schools_by_kelurahan))
    result.counts.update(businesses.seed_businesses(world))
    result.counts.update(visits.seed_visits(world))
    result.counts.update(commitments.seed_commitments(world, facilities))
    analyze()
    result.counts.update(graduation.seed_graduation(world))  # last: screens the families with all of the above
    analyze()
    result.counts.update(transactions.seed_transactions(world))  # bank data and the flags it raises
    analyze()
    result.counts.update(oversight.seed_activity(world))  # the monthly activity table, from all of the above
    result.patterns = [(key, user.username, PATTERN_TEXT[key]) for key, user in world.patterns.items()]
    return result


def build_world(*, seed: int, reference: date, staff, plans, members_of: list, region_rows, centres) -> World:
    """The World from seed.seed_demo's plans (household, member rows, statuses, custody, assignment start)."""
    families = []
    for (household, _, status_rows, custody_rows, assigned_from), members in zip(plans, members_of):
        families.append(Family(household=household, members=members, joined=status_rows[0].effective_date,
                               assigned_from=assigned_from,
                               custody=sorted(custody_rows, key=lambda c: c.since)))
    return World(seed=seed, reference=reference, facilitators=staff.facilitators, areas=staff.areas,
                 start_dates=staff.start_dates, coordinator=staff.users["koordinator"], families=families,
                 region_names=dict(region_rows), centres=centres)

