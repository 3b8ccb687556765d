"""Reads of P2K2 groups, meetings and attendance. Pages start from org.access (groups and meetings are
owned by a facilitator in a kelurahan: `access.scoped_by_area`); every function runs a fixed number
of queries whatever the number of groups, members or meetings.

Two functions serve other apps (graduation, oversight) and take ids the caller has already scoped:
`attendance_rates` and `facilitator_meeting_counts`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, ExtractIsoWeekDay
from django.utils import timezone
from django.utils.dates import WEEKDAYS

from beneficiaries.models import Household, Member
from org import access
from p2k2.models import Attendance, Group, GroupMembership, Meeting, ModuleSession, P2K2Settings, TimeBucket

# --- scope --------------------------------------------------------------------------------------

def visible_groups(user) -> QuerySet:
    """Groups of the user's area: a facilitator's own, a coordinator's or auditor's city, all for admins."""
    return access.scoped_by_area(user, Group.objects.all(), facilitator_field="facilitator", village_field="kelurahan")


def visible_meetings(user) -> QuerySet:
    return access.scoped_by_area(user, Meeting.objects.all(), facilitator_field="group__facilitator",
                                 village_field="group__kelurahan")


def visible_memberships(user) -> QuerySet:
    return access.scoped_by_area(user, GroupMembership.objects.all(), facilitator_field="group__facilitator",
                                 village_field="group__kelurahan")


def _pengurus_name(household_ref: str) -> Subquery:
    return Subquery(Member.objects.filter(household=OuterRef(household_ref), is_pengurus=True).values("name")[:1])


def _count(queryset: QuerySet, ref: str) -> Coalesce:
    """A correlated COUNT(*) of `queryset` rows whose `ref` is the outer row (no GROUP BY on the outer query)."""
    counted = queryset.filter(**{ref: OuterRef("pk")}).order_by().values(ref).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --- the rules, read --------------------------------------------------------------------------

def rules() -> P2K2Settings:
    return P2K2Settings.current()


def is_locked(meeting: Meeting, *, today: date, settings: P2K2Settings) -> bool:
    """A meeting more than `edit_lock_days` days in the past is locked (a cancelled one stays cancelled)."""
    return meeting.status != Meeting.Status.CANCELLED and today > meeting.date + timedelta(days=settings.edit_lock_days)


@dataclass(frozen=True)
class EditState:
    """Whether a user may change a meeting (or its attendance) now, and whether that needs a reason."""

    can_write: bool
    locked: bool
    override: bool  # locked, but the user is a coordinator: allowed with a reason (audited)

    @property
    def allowed(self) -> bool:
        return self.can_write and (not self.locked or self.override)


def meeting_edit_state(user, meeting: Meeting, *, today: date, settings: P2K2Settings) -> EditState:
    locked = is_locked(meeting, today=today, settings=settings)
    return EditState(can_write=access.can_write(user) and meeting.status != Meeting.Status.CANCELLED,
                     locked=locked, override=locked and access.can_manage_caseloads(user))


def size_warning(count: int, settings: P2K2Settings) -> str:
    """'small' / 'large' when a group is outside the usual size (a warning only, never a block)."""
    if count < settings.group_min_households:
        return "small"
    if count > settings.group_max_households:
        return "large"
    return ""


# --- catalogue ----------------------------------------------------------------------------------

def catalogue(*, include_ids=()) -> list[ModuleSession]:
    """The sessions in use (plus any retired ones named in `include_ids`), in catalogue order."""
    sessions = ModuleSession.objects.filter(Q(is_active=True, module__is_active=True) | Q(pk__in=list(include_ids)))
    return list(sessions.select_related("module").order_by("number"))


def sessions_done(household_ids) -> dict[int, set[int]]:
    """Catalogue sessions each household attended (present at a held meeting of that session), in any group."""
    done: dict[int, set[int]] = defaultdict(set)
    rows = (Attendance.objects.filter(household_id__in=list(household_ids), status=Attendance.Status.PRESENT,
                                      meeting__status=Meeting.Status.HELD)
            .values_list("household_id", "meeting__module_session_id").distinct())
    for household_id, session_id in rows:
        done[household_id].add(session_id)
    return done


# --- rates for other apps ---------------------------------------------------------------------

def attendance_rates(household_ids, *, since: date | None = None, until: date | None = None) -> dict[int, tuple[int, int]]:
    """(present, meetings) per household over the held meetings of its group(s) dated between `since` and
    `until` (inclusive; open when None). One query.

    A held meeting counts for the households on its attendance list (the group's members on the
    meeting date); excused absences count as meetings not attended. Every requested id is in the
    answer, (0, 0) when the household had no held meeting in the window. Callers pass ids they
    have already scoped through org.access.
    """
    household_ids = list(household_ids)
    rates = {household_id: (0, 0) for household_id in household_ids}
    rows = Attendance.objects.filter(household_id__in=household_ids, meeting__status=Meeting.Status.HELD)
    if since:
        rows = rows.filter(meeting__date__gte=since)
    if until:
        rows = rows.filter(meeting__date__lte=until)
    counted = (rows.order_by().values("household_id")
               .annotate(present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)), meetings=Count("pk")))
    for row in counted:
        rates[row["household_id"]] = (row["present"], row["meetings"])
    return rates


@dataclass
class MeetingCounts:
    """A facilitator's meetings in a window: held, cancelled, past but not recorded, still to come."""

    held: int = 0
    cancelled: int = 0
    not_recorded: int = 0
    upcoming: int = 0


def facilitator_meeting_counts(facilitator_ids, *, since: date | None = None, until: date | None = None,
                               today: date | None = None) -> dict[int, MeetingCounts]:
    """Meeting counts per facilitator (of their groups' meetings dated in the window). One query.

    Callers pass facilitator ids they have already scoped (`access.visible_facilitators`).
    """
    today = today or timezone.localdate()
    facilitator_ids = list(facilitator_ids)
    counts = {facilitator_id: MeetingCounts() for facilitator_id in facilitator_ids}
    meetings = Meeting.objects.filter(group__facilitator_id__in=facilitator_ids)
    if since:
        meetings = meetings.filter(date__gte=since)
    if until:
        meetings = meetings.filter(date__lte=until)
    scheduled = Q(status=Meeting.Status.SCHEDULED)
    rows = meetings.order_by().values("group__facilitator_id").annotate(
        held=Count("pk", filter=Q(status=Meeting.Status.HELD)),
        cancelled=Count("pk", filter=Q(status=Meeting.Status.CANCELLED)),
        not_recorded=Count("pk", filter=scheduled & Q(date__lt=today)),
        upcoming=Count("pk", filter=scheduled & Q(date__gte=today)),
    )
    for row in rows:
        facilitator_id = row.pop("group__facilitator_id")
        counts[facilitator_id] = MeetingCounts(**row)
    return counts


# --- the groups list ----------------------------------------------------------------------------

@dataclass
class GroupFilters:
    status: str = "active"
    facilitator: str = ""
    kelurahan: str = ""
    q: str = ""


def group_list(user, filters: GroupFilters, *, today: date) -> QuerySet:
    """Groups of the user's area with their size, leader, next and last meeting (one query per page)."""
    groups = visible_groups(user)
    if filters.status == "active":
        groups = groups.filter(closed_on__isnull=True)
    elif filters.status == "closed":
        groups = groups.filter(closed_on__isnull=False)
    if filters.facilitator:
        groups = groups.filter(facilitator_id=filters.facilitator)
    if filters.kelurahan:
        groups = groups.filter(kelurahan_id=filters.kelurahan)
    if filters.q:
        groups = groups.filter(name__icontains=filters.q.strip())
    upcoming = Meeting.objects.filter(group=OuterRef("pk"), status=Meeting.Status.SCHEDULED, date__gte=today)
    held = Meeting.objects.filter(group=OuterRef("pk"), status=Meeting.Status.HELD)
    return (
        groups.select_related("facilitator", "kelurahan")
        .annotate(
            member_count=_count(GroupMembership.objects.filter(left_on__isnull=True), "group"),
            leader_name=_pengurus_name("leader_id"),
            next_meeting=Subquery(upcoming.order_by("date", "start_time").values("date")[:1]),
            last_held=Subquery(held.order_by("-date").values("date")[:1]),
        )
        .order_by("kelurahan__name", "name", "pk")
    )


def ungrouped_count(user) -> int:
    """Active (or suspended) families of the user's area that are in no active group. One query."""
    return (access.visible_households(user).filter(status__in=[Household.Status.ACTIVE, Household.Status.SUSPENDED])
            .exclude(Exists(GroupMembership.objects.filter(household=OuterRef("pk"), left_on__isnull=True))).count())


# --- a group's page -----------------------------------------------------------------------------

@dataclass
class MemberRow:
    membership: GroupMembership
    household: Household
    name: str
    visible: bool  # False when the family has moved to a caseload the user cannot see
    is_leader: bool
    done: set = field(default_factory=set)
    cells: list = field(default_factory=list)

    @property
    def done_count(self) -> int:
        return sum(1 for cell in self.cells if cell)


@dataclass
class GroupPage:
    group: Group
    settings: P2K2Settings
    members: list[MemberRow]
    former: list[GroupMembership]
    catalogue: list[ModuleSession]
    session_totals: list[int]
    meetings: list[Meeting]
    leader_name: str = ""

    @property
    def size_warning(self) -> str:
        return size_warning(len(self.members), self.settings) if self.group.is_active else ""


def _with_attendance_counts(meetings: QuerySet) -> QuerySet:
    attendance = Attendance.objects.all()
    return meetings.annotate(
        present_count=_count(attendance.filter(status=Attendance.Status.PRESENT), "meeting"),
        roster_count=_count(attendance, "meeting"),
    )


def group_page(user, group: Group, *, today: date) -> GroupPage:
    """Members (with their catalogue progress), former members and meetings of a group. Seven queries."""
    settings = rules()
    memberships = list(
        group.memberships.select_related("household", "removed_by")
        .annotate(pengurus_name=_pengurus_name("household_id"))
        .order_by("pengurus_name", "household__id_kpm")
    )
    current = [m for m in memberships if m.left_on is None]
    former = sorted((m for m in memberships if m.left_on is not None), key=lambda m: (m.left_on, m.pk), reverse=True)
    ids = [m.household_id for m in current]
    everyone = {m.household_id for m in memberships}
    visible = set(access.visible_households(user).filter(pk__in=everyone).values_list("pk", flat=True)) if everyone else set()
    for membership in former:
        membership.visible = membership.household_id in visible
    done = sessions_done(ids) if ids else {}
    sessions = catalogue(include_ids={s for d in done.values() for s in d})
    rows = []
    for membership in current:
        household_done = done.get(membership.household_id, set())
        rows.append(MemberRow(
            membership=membership, household=membership.household, name=membership.pengurus_name or "",
            visible=membership.household_id in visible, is_leader=membership.household_id == group.leader_id,
            done=household_done, cells=[s.pk in household_done for s in sessions],
        ))
    meetings = list(_with_attendance_counts(group.meetings.select_related("module_session"))
                    .order_by("-date", "-start_time", "-pk"))
    leader = next((r for r in rows if r.is_leader), None)
    return GroupPage(
        group=group, settings=settings, members=rows, former=former, catalogue=sessions,
        session_totals=[sum(1 for r in rows if s.pk in r.done) for s in sessions], meetings=meetings,
        leader_name=leader.name if leader else "",
    )


@dataclass
class Candidate:
    household: Household
    name: str
    other_group: Group | None  # the active group the family is already in, if any


def member_candidates(user, group: Group) -> list[Candidate]:
    """The facilitator's families in the group's kelurahan that could join, those already in a group last."""
    households = list(
        access.visible_households(user)
        .filter(facilitator_id=group.facilitator_id, kelurahan_id=group.kelurahan_id,
                status__in=[Household.Status.ACTIVE, Household.Status.SUSPENDED])
        .exclude(Exists(GroupMembership.objects.filter(household=OuterRef("pk"), group=group, left_on__isnull=True)))
        .annotate(pengurus_name=_pengurus_name("pk"))
        .order_by("pengurus_name", "id_kpm")
    )
    current = {
        m.household_id: m.group
        for m in GroupMembership.objects.filter(household__in=[h.pk for h in households], left_on__isnull=True)
        .select_related("group")
    } if households else {}
    candidates = [Candidate(h, h.pengurus_name or "", current.get(h.pk)) for h in households]
    return sorted(candidates, key=lambda c: c.other_group is not None)


# --- meetings -----------------------------------------------------------------------------------

@dataclass
class MeetingFilters:
    show: str = "upcoming"
    group: str = ""
    facilitator: str = ""


def meeting_list(user, filters: MeetingFilters, *, today: date) -> QuerySet:
    meetings = visible_meetings(user)
    if filters.show == "upcoming":
        meetings = meetings.filter(status=Meeting.Status.SCHEDULED, date__gte=today).order_by("date", "start_time", "pk")
    elif filters.show == "unrecorded":
        meetings = meetings.filter(status=Meeting.Status.SCHEDULED, date__lt=today).order_by("-date", "-start_time", "-pk")
    elif filters.show in {"held", "cancelled"}:
        meetings = meetings.filter(status=filters.show).order_by("-date", "-start_time", "-pk")
    else:
        meetings = meetings.order_by("-date", "-start_time", "-pk")
    if filters.group:
        meetings = meetings.filter(group_id=filters.group)
    if filters.facilitator:
        meetings = meetings.filter(group__facilitator_id=filters.facilitator)
    return _with_attendance_counts(meetings.select_related("group__kelurahan", "group__facilitator", "module_session"))


@dataclass
class RosterRow:
    household: Household
    name: str
    attendance: Attendance | None
    visible: bool

    @property
    def status(self) -> str:
        return self.attendance.status if self.attendance else Attendance.Status.PRESENT

    @property
    def reason(self) -> str:
        return self.attendance.reason if self.attendance else ""


def _members_on(meeting: Meeting) -> QuerySet:
    """Memberships of the meeting's group that were open on its date."""
    return GroupMembership.objects.filter(group_id=meeting.group_id, joined_on__lte=meeting.date).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=meeting.date))


def roster_household_ids(meeting: Meeting) -> set[int]:
    """Households on a meeting's attendance list: the group's members on its date, plus any already recorded."""
    return set(_members_on(meeting).values_list("household_id", flat=True)) | set(
        Attendance.objects.filter(meeting=meeting).values_list("household_id", flat=True))


def meeting_roster(user, meeting: Meeting) -> list[RosterRow]:
    """The attendance list of a meeting, by pengurus name. Three queries."""
    households: dict[int, Household] = {}
    for membership in _members_on(meeting).select_related("household").annotate(
            pengurus_name=_pengurus_name("household_id")):
        households[membership.household_id] = membership.household
        membership.household.pengurus_name = membership.pengurus_name
    recorded = {}
    for attendance in Attendance.objects.filter(meeting=meeting).select_related("household").annotate(
            pengurus_name=_pengurus_name("household_id")):
        recorded[attendance.household_id] = attendance
        if attendance.household_id not in households:
            households[attendance.household_id] = attendance.household
            attendance.household.pengurus_name = attendance.pengurus_name
    if not households:
        return []
    visible = set(access.visible_households(user).filter(pk__in=list(households)).values_list("pk", flat=True))
    rows = [RosterRow(h, h.pengurus_name or "", recorded.get(pk), pk in visible) for pk, h in households.items()]
    return sorted(rows, key=lambda r: (r.name.lower(), r.household.id_kpm))


# --- attendance by weekday and time of day ------------------------------------------------------

@dataclass
class Cell:
    """Attendance in one slice: households present / on the list, over how many held meetings."""

    present: int = 0
    excused: int = 0
    total: int = 0
    meetings: int = 0

    @property
    def rate(self) -> float | None:
        return self.present / self.total if self.total else None

    def add(self, other: "Cell") -> None:
        self.present += other.present
        self.excused += other.excused
        self.total += other.total
        self.meetings += other.meetings


@dataclass
class SlotRow:
    weekday: int  # ISO: 1 = Monday
    label: str
    cells: list[Cell]
    total: Cell


@dataclass
class NamedRate:
    """A row of the by-group or by-facilitator tables."""

    pk: int
    name: str
    cell: Cell
    counts: MeetingCounts | None = None


@dataclass
class AttendanceAnalysis:
    buckets: list[TimeBucket]
    rows: list[SlotRow]
    column_totals: list[Cell]
    total: Cell
    by_group: list[NamedRate]
    by_facilitator: list[NamedRate]
    best: tuple[str, str] | None  # (weekday, time of day) with the best rate over at least two meetings


def time_buckets() -> list[TimeBucket]:
    buckets = list(TimeBucket.objects.order_by("starts_at"))
    return buckets or [TimeBucket(name="—", starts_at=time(0))]


def bucket_index(start: time, buckets: list[TimeBucket]) -> int:
    """The bucket a start time falls in (see TimeBucket: before the first bucket is the last one)."""
    index = len(buckets) - 1
    for position, bucket in enumerate(buckets):
        if start >= bucket.starts_at:
            index = position
    return index


def _bucket_expression(buckets: list[TimeBucket]) -> Case:
    whens = [When(meeting__start_time__gte=bucket.starts_at, then=Value(position))
             for position, bucket in reversed(list(enumerate(buckets)))]
    return Case(*whens, default=Value(len(buckets) - 1), output_field=IntegerField())


def _cell_counts() -> dict:
    return {
        "present": Count("pk", filter=Q(status=Attendance.Status.PRESENT)),
        "excused": Count("pk", filter=Q(status=Attendance.Status.EXCUSED)),
        "total": Count("pk"),
        "meetings": Count("meeting_id", distinct=True),
    }


def attendance_analysis(user, *, since: date, until: date, group: Group | None = None,
                        facilitator_id: int | None = None, today: date | None = None) -> AttendanceAnalysis:
    """Attendance of held meetings by weekday × time of day for one group, one facilitator's groups, or the
    user's whole area; with a table per group (one facilitator) or per facilitator (a city). Six queries."""
    today = today or timezone.localdate()
    meetings = visible_meetings(user).filter(status=Meeting.Status.HELD, date__gte=since, date__lte=until)
    if group is not None:
        meetings = meetings.filter(group=group)
    if facilitator_id:
        meetings = meetings.filter(group__facilitator_id=facilitator_id)
    attendance = Attendance.objects.filter(meeting__in=meetings.values("pk")).order_by()
    buckets = time_buckets()

    grid = {(weekday, b): Cell() for weekday in range(1, 8) for b in range(len(buckets))}
    slots = (attendance.annotate(weekday=ExtractIsoWeekDay("meeting__date"), bucket=_bucket_expression(buckets))
             .values("weekday", "bucket").annotate(**_cell_counts()))
    for row in slots:
        key = (row.pop("weekday"), row.pop("bucket"))
        grid[key] = Cell(**row)
    rows, column_totals, total = [], [Cell() for _ in buckets], Cell()
    for weekday in range(1, 8):
        cells = [grid[(weekday, b)] for b in range(len(buckets))]
        row_total = Cell()
        for position, cell in enumerate(cells):
            row_total.add(cell)
            column_totals[position].add(cell)
        total.add(row_total)
        rows.append(SlotRow(weekday, str(WEEKDAYS[weekday - 1]), cells, row_total))
    ranked = [(cell.rate, row.label, str(buckets[b].name)) for row in rows for b, cell in enumerate(row.cells)
              if cell.meetings >= 2]
    best = max(ranked)[1:] if ranked else None

    by_group, by_facilitator = [], []
    if group is None and (facilitator_id or not access.can_view_city(user)):
        for row in (attendance.values("meeting__group_id", "meeting__group__name")
                    .annotate(**_cell_counts()).order_by("meeting__group__name")):
            by_group.append(NamedRate(row.pop("meeting__group_id"), row.pop("meeting__group__name"), Cell(**row)))
    elif group is None:
        cells = {row.pop("meeting__group__facilitator_id"): Cell(**row) for row in
                 attendance.values("meeting__group__facilitator_id").annotate(**_cell_counts())}
        facilitators = list(access.visible_facilitators(user).filter(p2k2_groups__isnull=False).distinct()
                            .order_by("first_name", "username"))
        counts = facilitator_meeting_counts([f.pk for f in facilitators], since=since, until=until, today=today)
        for facilitator in facilitators:
            by_facilitator.append(NamedRate(facilitator.pk, facilitator.get_full_name() or facilitator.username,
                                            cells.get(facilitator.pk, Cell()), counts.get(facilitator.pk)))
    return AttendanceAnalysis(buckets, rows, column_totals, total, by_group, by_facilitator, best)


# --- the household page panel and the day page section ----------------------------------------

def household_panel(user, household: Household, today: date) -> dict:
    """The household's P2K2 group (and past ones), catalogue progress, attendance rate and latest
    attendance. Seven queries at most, whatever the history."""
    memberships = list(access.scoped(user, GroupMembership.objects.filter(household=household))
                       .select_related("group__kelurahan", "group__facilitator").order_by("-joined_on", "-pk"))
    current = next((m for m in memberships if m.left_on is None), None)
    visible = set(visible_groups(user).filter(pk__in={m.group_id for m in memberships}).values_list("pk", flat=True)) \
        if memberships else set()
    done = sessions_done([household.pk]).get(household.pk, set())
    sessions = catalogue(include_ids=done)
    present, meetings = attendance_rates([household.pk])[household.pk]
    recent = list(access.scoped(user, Attendance.objects.filter(household=household, meeting__status=Meeting.Status.HELD))
                  .select_related("meeting__module_session", "meeting__group")
                  .order_by("-meeting__date", "-meeting__start_time")[:5])
    next_meeting = None
    if current is not None and current.group_id in visible:
        next_meeting = (Meeting.objects.filter(group_id=current.group_id, status=Meeting.Status.SCHEDULED, date__gte=today)
                        .select_related("module_session").order_by("date", "start_time").first())
    return {
        "household": household,
        "membership": current,
        "past_memberships": [m for m in memberships if m.left_on is not None],
        "visible_group_ids": visible,
        "sessions": [(s, s.pk in done) for s in sessions],
        "done_count": sum(1 for s in sessions if s.pk in done),
        "remaining": [s for s in sessions if s.pk not in done],
        "present": present,
        "meetings": meetings,
        "rate": present / meetings if meetings else None,
        "recent": recent,
        "next_meeting": next_meeting,
        "can_write": access.can_write(user),
    }


DAY_LIST_LIMIT = 10


def day_section(user, today: date) -> dict:
    """A facilitator's P2K2 meetings of the next days, and past meetings whose attendance is not recorded."""
    if not getattr(user, "is_facilitator", False):
        return {"show": False}
    settings = rules()
    scheduled = (visible_meetings(user).filter(status=Meeting.Status.SCHEDULED)
                 .select_related("group", "module_session"))
    horizon = today + timedelta(days=settings.day_horizon_days)
    upcoming = list(scheduled.filter(date__gte=today, date__lte=horizon).order_by("date", "start_time", "pk")[:DAY_LIST_LIMIT])
    unrecorded = list(scheduled.filter(date__lt=today).order_by("-date", "-start_time", "-pk")[:DAY_LIST_LIMIT + 1])
    for meeting in unrecorded:
        meeting.locked = is_locked(meeting, today=today, settings=settings)
    return {
        "show": True,
        "today": today,
        "horizon_days": settings.day_horizon_days,
        "lock_days": settings.edit_lock_days,
        "upcoming": upcoming,
        "unrecorded": unrecorded[:DAY_LIST_LIMIT],
        "more_unrecorded": len(unrecorded) > DAY_LIST_LIMIT,
    }


def next_session_for(group: Group) -> ModuleSession | None:
    """The first catalogue session the group has not held yet (a suggestion for its next meeting)."""
    held = Meeting.objects.filter(group=group, status__in=[Meeting.Status.HELD, Meeting.Status.SCHEDULED])
    return (ModuleSession.objects.filter(is_active=True, module__is_active=True)
            .exclude(pk__in=held.values("module_session_id")).order_by("number").first())


@dataclass
class CurrentMember:
    membership: GroupMembership
    household: Household
    name: str


def current_members(group: Group) -> list[CurrentMember]:
    """The group's families now, by pengurus name. One query."""
    memberships = (group.memberships.filter(left_on__isnull=True).select_related("household")
                   .annotate(pengurus_name=_pengurus_name("household_id")).order_by("pengurus_name", "household__id_kpm"))
    return [CurrentMember(m, m.household, m.pengurus_name or "") for m in memberships]


def pengurus_name(household: Household) -> str:
    return household.members.filter(is_pengurus=True).values_list("name", flat=True).first() or ""
