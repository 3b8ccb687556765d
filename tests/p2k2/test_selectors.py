"""P2K2 reads: catalogue progress, attendance rates for other apps, weekday × time-of-day buckets."""

from datetime import date, time, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from p2k2 import selectors
from p2k2.models import Attendance, Meeting, Module, ModuleSession, TimeBucket
from tests.conftest import make_family
from tests.p2k2.conftest import add_families, held_meeting, make_group, make_meeting, session


def test_the_2018_catalogue_is_seeded_with_14_sessions_numbered_across_5_modules(db):
    sessions = selectors.catalogue()
    assert [s.number for s in sessions] == list(range(1, 15))
    assert Module.objects.count() == 5
    assert session(5).title == "Mengelola keuangan keluarga" and session(5).module.number == 2
    assert session(14).title == "Kesejahteraan lanjut usia" and session(14).module.number == 5


def test_an_added_module_joins_the_catalogue_and_a_retired_session_leaves_it(db):
    stunting = Module.objects.create(number=6, title="Pencegahan Stunting")
    ModuleSession.objects.create(module=stunting, number=15, title="Seribu hari pertama kehidupan")
    ModuleSession.objects.filter(number=3).update(is_active=False)
    numbers = [s.number for s in selectors.catalogue()]
    assert 15 in numbers and 3 not in numbers
    assert 3 in [s.number for s in selectors.catalogue(include_ids=[session(3).pk])]


# --- progress -----------------------------------------------------------------------------------

def test_a_session_is_done_only_when_present_at_a_held_meeting_of_it(world, group):
    absent, excused = add_families(group, 2)
    held_meeting(group, {world.household: "present", absent: "absent", excused: "excused"}, number=1)
    make_meeting(group, days_ago=-3, number=2)  # scheduled: counts for nobody
    done = selectors.sessions_done([world.household.pk, absent.pk, excused.pk])
    assert done[world.household.pk] == {session(1).pk}
    assert not done[absent.pk] and not done[excused.pk]


def test_progress_follows_the_family_into_its_next_group(world, group):
    held_meeting(group, {world.household: "present"}, number=4)
    membership = group.memberships.get()
    membership.left_on = timezone.localdate()
    membership.save()
    second = make_group(world.facilitator, world.household.kelurahan, name="Kelompok Mawar", households=[world.household])
    held_meeting(second, {world.household: "present"}, number=5, days_ago=2)
    assert selectors.sessions_done([world.household.pk])[world.household.pk] == {session(4).pk, session(5).pk}


def test_the_group_page_matrix_marks_each_familys_sessions_and_counts_per_session(world, group):
    other = add_families(group, 1)[0]
    held_meeting(group, {world.household: "present", other: "absent"}, number=1, days_ago=40)
    held_meeting(group, {world.household: "present", other: "present"}, number=2, days_ago=10)
    page = selectors.group_page(world.facilitator, group, today=timezone.localdate())
    rows = {row.household.pk: row for row in page.members}
    assert rows[world.household.pk].cells[:3] == [True, True, False] and rows[world.household.pk].done_count == 2
    assert rows[other.pk].cells[:3] == [False, True, False]
    assert page.session_totals[:3] == [1, 2, 0]
    assert page.size_warning == "small"


# --- rates for other apps -----------------------------------------------------------------------

def test_attendance_rates_count_present_and_held_meetings_in_the_window(world, group):
    other = add_families(group, 1)[0]
    held_meeting(group, {world.household: "present", other: "absent"}, days_ago=100, number=1)
    held_meeting(group, {world.household: "excused", other: "present"}, days_ago=40, number=2)
    held_meeting(group, {world.household: "present", other: "present"}, days_ago=10, number=3)
    make_meeting(group, days_ago=5, number=4)  # not held: not counted
    ids = [world.household.pk, other.pk, world.household_b.pk]
    assert selectors.attendance_rates(ids) == {world.household.pk: (2, 3), other.pk: (2, 3), world.household_b.pk: (0, 0)}
    today = timezone.localdate()
    assert selectors.attendance_rates(ids, since=today - timedelta(days=50)) == {
        world.household.pk: (1, 2), other.pk: (2, 2), world.household_b.pk: (0, 0)}
    assert selectors.attendance_rates([other.pk], until=today - timedelta(days=50)) == {other.pk: (0, 1)}


def test_attendance_rates_run_one_query_whatever_the_number_of_households(world, group):
    families = add_families(group, 12)
    held_meeting(group, {f: "present" for f in families})
    with CaptureQueriesContext(connection) as queries:
        rates = selectors.attendance_rates([f.pk for f in families])
    assert len(queries) == 1 and rates[families[0].pk] == (1, 1)


def test_facilitator_meeting_counts(world, group):
    held_meeting(group, {world.household: "present"}, days_ago=10)
    make_meeting(group, days_ago=3)  # past, not recorded
    make_meeting(group, days_ago=-3)  # upcoming
    make_meeting(group, days_ago=-4, status=Meeting.Status.CANCELLED)
    counts = selectors.facilitator_meeting_counts([world.facilitator.pk, world.other_facilitator.pk])
    mine = counts[world.facilitator.pk]
    assert (mine.held, mine.not_recorded, mine.upcoming, mine.cancelled) == (1, 1, 1, 1)
    assert counts[world.other_facilitator.pk].held == 0


# --- weekday and time of day ---------------------------------------------------------------------

def _on_weekday(iso_weekday: int) -> int:
    """Days ago of the latest past date with that ISO weekday (at least 8 days ago)."""
    day = timezone.localdate() - timedelta(days=8)
    while day.isoweekday() != iso_weekday:
        day -= timedelta(days=1)
    return (timezone.localdate() - day).days


def test_the_time_bucket_of_a_start_time_wraps_past_midnight(db):
    buckets = selectors.time_buckets()
    assert [b.name.split()[0] for b in buckets] == ["Pagi", "Siang", "Sore", "Malam"]
    assert buckets[selectors.bucket_index(time(9, 30), buckets)].name.startswith("Pagi")
    assert buckets[selectors.bucket_index(time(11, 0), buckets)].name.startswith("Siang")
    assert buckets[selectors.bucket_index(time(19, 0), buckets)].name.startswith("Malam")
    assert buckets[selectors.bucket_index(time(2, 0), buckets)].name.startswith("Malam")


def test_attendance_by_weekday_and_time_of_day(world, group):
    families = add_families(group, 3)
    everyone = [world.household, *families]
    # Monday morning: half come; Saturday evening: all come, twice; a 02:00 start counts as evening.
    held_meeting(group, dict(zip(everyone, ["present", "present", "absent", "excused"])), days_ago=_on_weekday(1), start=time(9, 0), number=1)
    held_meeting(group, {f: "present" for f in everyone}, days_ago=_on_weekday(6), start=time(19, 30), number=2)
    held_meeting(group, {f: "present" for f in everyone}, days_ago=_on_weekday(6) + 7, start=time(2, 0), number=3)
    today = timezone.localdate()
    analysis = selectors.attendance_analysis(world.facilitator, since=today - timedelta(days=60), until=today)
    names = [b.name.split()[0] for b in analysis.buckets]
    monday, saturday = analysis.rows[0], analysis.rows[5]
    morning, evening = monday.cells[names.index("Pagi")], saturday.cells[names.index("Malam")]
    assert (morning.present, morning.excused, morning.total, morning.meetings) == (2, 1, 4, 1)
    assert (evening.present, evening.total, evening.meetings, evening.rate) == (8, 8, 2, 1.0)
    assert analysis.total.meetings == 3 and analysis.total.present == 10
    assert analysis.best == (saturday.label, analysis.buckets[names.index("Malam")].name)
    assert [row.name for row in analysis.by_group] == [group.name]


def test_the_buckets_are_data(world, group):
    held_meeting(group, {world.household: "present"}, start=time(16, 0))
    TimeBucket.objects.all().delete()
    TimeBucket.objects.create(name="Jam kerja", starts_at=time(8, 0))
    TimeBucket.objects.create(name="Sepulang kerja", starts_at=time(17, 0))
    today = timezone.localdate()
    analysis = selectors.attendance_analysis(world.facilitator, since=today - timedelta(days=60), until=today)
    assert [b.name for b in analysis.buckets] == ["Jam kerja", "Sepulang kerja"]
    assert [c.total for c in analysis.column_totals] == [1, 0]


def test_the_analysis_sees_only_the_users_area(world, group):
    held_meeting(group, {world.household: "present"})
    today = timezone.localdate()
    since = today - timedelta(days=60)
    assert selectors.attendance_analysis(world.coordinator_b, since=since, until=today).total.total == 0
    assert selectors.attendance_analysis(world.other_facilitator, since=since, until=today).total.total == 0
    city = selectors.attendance_analysis(world.auditor, since=since, until=today)
    assert city.total.total == 1
    rows = {row.pk: row for row in city.by_facilitator}
    assert rows[world.facilitator.pk].cell.present == 1 and rows[world.facilitator.pk].counts.held == 1


def test_the_analysis_period_limits_the_meetings(world, group):
    held_meeting(group, {world.household: "present"}, days_ago=400)
    today = timezone.localdate()
    analysis = selectors.attendance_analysis(world.facilitator, since=today - timedelta(days=365), until=today)
    assert analysis.total.total == 0
    analysis = selectors.attendance_analysis(world.facilitator, since=date(2000, 1, 1), until=today)
    assert analysis.total.total == 1


def test_the_roster_keeps_a_recorded_family_that_has_left_since(world, group):
    other = make_family(facilitator=world.facilitator)
    meeting = held_meeting(group, {world.household: "present", other: "absent"})
    roster = selectors.meeting_roster(world.facilitator, meeting)
    assert {row.household.pk: row.status for row in roster} == {world.household.pk: "present", other.pk: "absent"}
    assert Attendance.objects.filter(meeting=meeting).count() == 2


def test_families_without_a_group_are_counted_in_the_users_area(world, group):
    make_family(facilitator=world.facilitator, status="graduated")  # out of the program: not counted
    assert selectors.ungrouped_count(world.facilitator) == 0
    make_family(facilitator=world.facilitator)
    assert selectors.ungrouped_count(world.facilitator) == 1
    assert selectors.ungrouped_count(world.coordinator) == 3  # + other_household and unassigned


def test_a_family_that_left_this_group_for_another_is_listed_as_taken(world, group):
    membership = group.memberships.get()
    membership.left_on = timezone.localdate()
    membership.save()
    other = make_group(world.facilitator, world.household.kelurahan, name="Kelompok Mawar", households=[world.household])
    candidates = {c.household.pk: c for c in selectors.member_candidates(world.facilitator, group)}
    assert candidates[world.household.pk].other_group == other
