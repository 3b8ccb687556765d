"""Follow-up visits after graduation: a graduated family is visited 6 and 12 months after its graduation
date to see how it is doing since it left PKH. Nothing is stored: each follow-up's state is computed from
the graduation date (the household's status date) and the visits recorded with the purpose "Follow-up
after graduation" (casework.models.HomeVisit.Purpose.POST_GRADUATION).

A follow-up is done when such a visit exists from WINDOW_DAYS before its due date on; it is due from then
until its due date, overdue after it, and reported as missed (no longer reminded) MISSED_AFTER_MONTHS
after its due date.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from beneficiaries.models import Household, Member
from casework.models import HomeVisit
from graduation.classifier import add_months
from org import access

FOLLOW_UP_MONTHS = (6, 12)
WINDOW_DAYS = 30
MISSED_AFTER_MONTHS = 6
DAY_LIST_LIMIT = 10
PURPOSE = HomeVisit.Purpose.POST_GRADUATION

UPCOMING, DUE, OVERDUE, DONE, MISSED = "upcoming", "due", "overdue", "done", "missed"
ACTION = "action"  # due or overdue: the facilitator should visit now


@dataclass(frozen=True)
class FollowUp:
    months: int
    due: date
    state: str

    @property
    def opens(self) -> date:
        return self.due - timedelta(days=WINDOW_DAYS)

    @property
    def needs_action(self) -> bool:
        return self.state in (DUE, OVERDUE)


def follow_ups_of(graduated_on: date, last_visit_on: date | None, *, today: date) -> list[FollowUp]:
    """The follow-ups of a family graduated on `graduated_on` whose latest follow-up visit was on
    `last_visit_on` (a visit counts for every follow-up whose window it falls in or after)."""
    follow_ups = []
    for months in FOLLOW_UP_MONTHS:
        due = add_months(graduated_on, months)
        opens = due - timedelta(days=WINDOW_DAYS)
        if last_visit_on is not None and last_visit_on >= opens:
            state = DONE
        elif today < opens:
            state = UPCOMING
        elif today <= due:
            state = DUE
        elif today <= add_months(due, MISSED_AFTER_MONTHS):
            state = OVERDUE
        else:
            state = MISSED
        follow_ups.append(FollowUp(months, due, state))
    return follow_ups


@dataclass
class FollowUpRow:
    household: Household
    graduated_on: date
    last_visit_on: date | None
    follow_ups: list[FollowUp]

    @property
    def state(self) -> str:
        """The row's state, most urgent first: action (due or overdue), upcoming, missed, done."""
        states = {f.state for f in self.follow_ups}
        if states & {DUE, OVERDUE}:
            return ACTION
        for state in (UPCOMING, MISSED):
            if state in states:
                return state
        return DONE

    @property
    def current(self) -> FollowUp:
        """The follow-up the row is about: the first needing action, else the next upcoming, else the last."""
        for wanted in ((DUE, OVERDUE), (UPCOMING,), (MISSED,)):
            for follow_up in self.follow_ups:
                if follow_up.state in wanted:
                    return follow_up
        return self.follow_ups[-1]


def _local_date(moment) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def graduated_households(user) -> QuerySet:
    """Graduated families of the user's scope with their latest follow-up visit (one query)."""
    # Visits since the graduation date: a family graduated twice starts its follow-ups again.
    latest = (HomeVisit.objects.filter(household=OuterRef("pk"), purpose=PURPOSE,
                                       visited_at__date__gte=OuterRef("status_since"))
              .order_by("-visited_at").values("visited_at")[:1])
    pengurus = Member.objects.filter(household=OuterRef("pk"), is_pengurus=True).values("name")[:1]
    return (access.visible_households(user).filter(status=Household.Status.GRADUATED)
            .annotate(last_follow_up=Subquery(latest), pengurus_name=Subquery(pengurus))
            .select_related("kelurahan", "facilitator"))


def in_follow_up_period(households: QuerySet, *, today: date) -> QuerySet:
    """Families that may have a follow-up due or overdue: graduated long enough ago for the first window
    to have opened, and recently enough for the last follow-up not to be missed yet. A few days of margin
    cover month ends (31 August + 6 months is 28 February); rows_of() decides exactly."""
    margin = timedelta(days=3)
    earliest = add_months(today, -(FOLLOW_UP_MONTHS[-1] + MISSED_AFTER_MONTHS)) - margin
    latest = add_months(today + timedelta(days=WINDOW_DAYS), -FOLLOW_UP_MONTHS[0]) + margin
    return households.filter(status_since__gte=earliest, status_since__lte=latest)


def rows_of(households, *, today: date) -> list[FollowUpRow]:
    rows = []
    for household in households:
        last = _local_date(household.last_follow_up)
        rows.append(FollowUpRow(household, household.status_since, last,
                                follow_ups_of(household.status_since, last, today=today)))
    return rows


def follow_up_list(user, *, today: date, state: str = ACTION, kelurahan: str = "",
                   facilitator: str = "") -> list[FollowUpRow]:
    """The graduated families of the user's scope in one state (ACTION, UPCOMING, DONE, MISSED or "" for
    all), the most urgent first. One query."""
    households = graduated_households(user)
    if kelurahan:
        households = households.filter(kelurahan_id=kelurahan)
    if facilitator:
        households = households.filter(facilitator_id=facilitator)
    if state == ACTION:
        households = in_follow_up_period(households, today=today)
    rows = rows_of(households.order_by("status_since", "id_kpm"), today=today)
    if state:
        rows = [row for row in rows if row.state == state]
    if state in (ACTION, UPCOMING):
        rows.sort(key=lambda row: (row.current.due, row.household.id_kpm))
    else:
        rows.sort(key=lambda row: (row.graduated_on, row.household.id_kpm), reverse=True)
    return rows


def day_follow_ups(user, today: date) -> dict:
    """The day page's section: follow-ups due or overdue, the oldest due date first (one query)."""
    rows = follow_up_list(user, today=today, state=ACTION)
    return {"items": rows[:DAY_LIST_LIMIT], "count": len(rows), "limit": DAY_LIST_LIMIT, "today": today}


def household_follow_ups(user, household: Household, *, today: date) -> FollowUpRow | None:
    """A graduated household's follow-ups (one query); None for a household that has not graduated."""
    if household.status != Household.Status.GRADUATED:
        return None
    visits = access.scoped(user, HomeVisit.objects.filter(household=household, purpose=PURPOSE,
                                                          visited_at__date__gte=household.status_since))
    last = _local_date(visits.aggregate(last=Max("visited_at"))["last"])
    return FollowUpRow(household, household.status_since, last, follow_ups_of(household.status_since, last, today=today))
