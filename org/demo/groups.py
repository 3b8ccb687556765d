"""Demo P2K2: groups per facilitator and kelurahan, their members (a household in at most one active
group), a monthly meeting over the last year following the catalogue order, with attendance, and the
next meetings scheduled up to 120 days after the reference date.

Group size follows the guideline (10–30 families), so the number of groups follows the caseload:
1–3 per kelurahan at the default 5,000 households, more where caseloads are larger. About 90% of the
families in the program belong to a group; graduated and exited families keep a closed membership.
"""

import math
from datetime import date, time, timedelta

from beneficiaries.models import Household
from livelihood.selectors import add_months
from org.demo import texts
from org.demo.fieldwork import World, day_between, moment, months_between
from p2k2.models import Attendance, Group, GroupMembership, Meeting, ModuleSession

BATCH = 2000
MAX_GROUP = 30
START_TIMES = ((time(9, 0), 25), (time(10, 0), 20), (time(13, 30), 15), (time(15, 30), 15), (time(16, 0), 10),
               (time(19, 30), 15))
LEFT_REASONS = {Household.Status.GRADUATED: "Graduasi dari PKH", Household.Status.EXITED: "Keluar dari kepesertaan PKH"}


def _weighted(rng, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def _nth_weekday(month: date, weekday: int, week: int) -> date:
    """The `week`-th (1–4) `weekday` (0 = Monday) of the month."""
    first = month + timedelta(days=(weekday - month.weekday()) % 7)
    return first + timedelta(weeks=week - 1)


def _split(items: list, parts: int) -> list[list]:
    size, extra = divmod(len(items), parts)
    chunks, start = [], 0
    for i in range(parts):
        end = start + size + (i < extra)
        chunks.append(items[start:end])
        start = end
    return chunks


def seed_groups(world: World) -> dict:
    rng = world.rng("p2k2")
    sessions = list(ModuleSession.objects.filter(is_active=True, module__is_active=True).order_by("number"))
    reference = world.reference
    window_start = add_months(reference.replace(day=1), -12)
    groups, plans = [], []  # plans: (group, members [(family, joined_on, left_on, reason)], schedule)
    for facilitator, area in zip(world.facilitators, world.areas):
        used_names = set()
        start_date = world.start_dates[facilitator.pk]
        for code in area:
            pool = [f for f in world.by_area[(facilitator.pk, code)] if f.in_program]
            if not pool:
                continue
            rng.shuffle(pool)
            members = pool if len(pool) < 8 else pool[:round(len(pool) * rng.uniform(0.86, 0.95))]
            chunks = _split(members, max(1, math.ceil(len(members) / MAX_GROUP)))
            rw_count = world.centres.get(code, (0, 0, 10))[2]
            here = []
            for chunk in chunks:
                flower, rw = rng.choice(texts.GROUP_NAMES), rng.randint(1, rw_count)
                while f"{flower} RW {rw:02d}" in used_names:
                    flower, rw = rng.choice(texts.GROUP_NAMES), rng.randint(1, rw_count)
                name = f"{flower} RW {rw:02d}"
                used_names.add(name)
                formed = (day_between(rng, reference - timedelta(days=330), reference - timedelta(days=40))
                          if rng.random() < 0.2 else day_between(rng, date(2019, 1, 1), reference - timedelta(days=366)))
                formed = min(max(formed, start_date), reference - timedelta(days=40))
                place = rng.choice(texts.MEETING_PLACES).format(
                    rw=rw, rt=rng.randint(1, 12), flower=flower, kelurahan=world.region_names[code])
                rows = [(f, max(formed, f.assigned_from or f.joined), None, "") for f in chunk]
                founders = [f for f, joined_on, _, _ in rows if joined_on == formed] or [rows[0][0]]
                leader = rng.choice(founders[:5])
                group = Group(name=name, facilitator=facilitator, kelurahan_id=code, leader=leader.household,
                              usual_place=place, formed_on=formed, created_by=facilitator)
                schedule = {"weekday": _weighted(rng, ((0, 18), (1, 20), (2, 20), (3, 20), (4, 14), (5, 8))),
                            "week": rng.randint(1, 4), "start": _weighted(rng, START_TIMES)}
                groups.append(group)
                plans.append((group, rows, schedule))
                here.append(plans[-1])
            # Families that graduated or left keep their closed membership of one of the kelurahan's groups.
            for family in world.by_area[(facilitator.pk, code)]:
                if family.in_program or rng.random() >= 0.6:
                    continue
                group, rows, _ = rng.choice(here)
                joined_on, left_on = max(group.formed_on, family.assigned_from or family.joined), family.household.status_since
                if joined_on < left_on:
                    rows.append((family, joined_on, left_on, LEFT_REASONS[family.household.status]))
    Group.objects.bulk_create(groups, batch_size=BATCH)

    memberships, meetings, attendance_plan = [], [], []
    for group, rows, schedule in plans:
        facilitator = group.facilitator
        limit = world.cutoff(facilitator.pk)
        for family, joined_on, left_on, reason in rows:
            memberships.append(GroupMembership(
                group_id=group.pk, household_id=family.household.pk, joined_on=joined_on, left_on=left_on,
                left_reason=reason, added_by_id=facilitator.pk, removed_by_id=facilitator.pk if left_on else None,
                recorded_at=moment(joined_on, 10 * 60)))
        # Meetings held before the window moved the group along the catalogue.
        first_month = max(add_months(group.formed_on.replace(day=1), 1), window_start)
        position = int(months_between(group.formed_on, first_month) * 0.9)
        month = first_month
        while True:
            day = _nth_weekday(month, schedule["weekday"], schedule["week"])
            if rng.random() < 0.15:
                day += timedelta(days=rng.choice((-3, -2, -1, 1, 2, 3)))
            if day > reference + timedelta(days=120):
                break
            month = add_months(month, 1)
            if day <= group.formed_on:
                continue
            starts = moment(day, schedule["start"].hour * 60 + schedule["start"].minute)
            meeting = Meeting(group_id=group.pk, module_session_id=sessions[position % len(sessions)].pk, date=day,
                              start_time=schedule["start"], created_by_id=facilitator.pk,
                              place=group.usual_place if rng.random() < 0.85 else rng.choice(texts.MEETING_PLACES).format(
                                  rw=rng.randint(1, 9), rt=rng.randint(1, 12), flower="Melati",
                                  kelurahan=world.region_names[group.kelurahan_id]))
            meetings.append(meeting)
            if day >= reference:
                position += 1  # scheduled
                continue
            if rng.random() < 0.04:
                meeting.status, meeting.cancel_reason = Meeting.Status.CANCELLED, rng.choice(texts.CANCEL_REASONS)
                continue
            position += 1
            recorded = starts + timedelta(hours=rng.uniform(2, 5))
            if rng.random() < 0.2:
                recorded += timedelta(days=rng.randint(1, 6))
            if recorded >= limit:
                recorded = starts + timedelta(hours=2)
            if starts >= limit or recorded >= limit or (day >= reference - timedelta(days=60) and rng.random() < 0.04):
                continue  # not recorded (yet): stays scheduled
            meeting.status = Meeting.Status.HELD
            meeting.attendance_recorded_at, meeting.attendance_recorded_by_id = recorded, facilitator.pk
            if rng.random() < 0.3:
                meeting.notes = rng.choice(texts.MEETING_NOTES)
            roster = [f for f, joined_on, left_on, _ in rows if joined_on <= day and (left_on is None or left_on > day)]
            attendance_plan.append((meeting, roster, recorded))
    GroupMembership.objects.bulk_create(memberships, batch_size=BATCH)
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)

    # Each family has its own habit: some never miss, some often cannot come.
    habit = {}
    attendance = []
    for meeting, roster, recorded in attendance_plan:
        meeting_id, recorder_id = meeting.pk, meeting.attendance_recorded_by_id
        for family in roster:
            rate = habit.setdefault(id(family), rng.uniform(0.62, 0.98))
            status, reason = Attendance.Status.PRESENT, ""
            if rng.random() >= rate:
                status = Attendance.Status.ABSENT
                if rng.random() < 0.3:
                    status, reason = Attendance.Status.EXCUSED, rng.choice(texts.EXCUSE_REASONS)
            attendance.append(Attendance(meeting_id=meeting_id, household_id=family.household.pk, status=status,
                                         reason=reason, recorded_by_id=recorder_id, recorded_at=recorded))
    Attendance.objects.bulk_create(attendance, batch_size=BATCH)

    statuses = [m.status for m in meetings]
    unrecorded = sum(1 for m in meetings if m.status == Meeting.Status.SCHEDULED and m.date < reference)
    present = sum(1 for a in attendance if a.status == Attendance.Status.PRESENT)
    return {
        "P2K2 groups": len(groups),
        "P2K2 memberships (current)": sum(1 for m in memberships if m.left_on is None),
        "P2K2 meetings held": statuses.count(Meeting.Status.HELD),
        "P2K2 meetings cancelled": statuses.count(Meeting.Status.CANCELLED),
        "P2K2 meetings past, not recorded": unrecorded,
        "P2K2 meetings scheduled ahead": statuses.count(Meeting.Status.SCHEDULED) - unrecorded,
        "P2K2 attendance rows": f"{len(attendance)} ({round(100 * present / max(len(attendance), 1))}% present)",
    }
