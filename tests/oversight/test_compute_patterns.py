"""The monthly activity table (oversight.compute) finds the four planted patterns of issue 6 exactly where
expected, each count equals the rows of its drill-down, and the query count does not grow with the city."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight import figures
from oversight.compute import compute_city_month, store_city_month
from oversight.models import ActivityClass, FacilitatorMonth
from tests.factories import UserFactory, region
from tests.oversight.activity_world import LAST, MONTH, other_records, planted_city, visits, workdays

pytestmark = pytest.mark.django_db


def rows_by_name(rows):
    return {row.facilitator.username.removeprefix("pendamping_"): row for row in rows}


@pytest.fixture
def city():
    return planted_city()


def test_each_planted_pattern_shows_in_its_figure_and_nowhere_else(city):
    rows = rows_by_name(compute_city_month("31.75", MONTH))
    assert set(rows) == {"ordinary", "far", "quiet", "one_spot", "night"}
    assert all(row.visits == 10 and row.as_of == LAST for row in rows.values())

    assert rows["far"].visits_far == 10 and rows["far"].far_share == 1
    assert [k for k, r in rows.items() if r.visits_far] == ["far"]

    assert rows["quiet"].days_since_activity >= 20 and rows["quiet"].activity_class == ActivityClass.INACTIVE
    assert [k for k, r in rows.items() if r.activity_class == ActivityClass.INACTIVE] == ["quiet"]
    assert all(r.activity_class == ActivityClass.ACTIVE for k, r in rows.items() if k != "quiet")

    assert (rows["one_spot"].repeated_coordinate_visits, rows["one_spot"].repeated_coordinate_households) == (10, 3)
    assert [k for k, r in rows.items() if r.repeated_coordinate_visits] == ["one_spot"]

    assert rows["night"].visits_off_hours == 10 and rows["night"].off_hours_share == 1
    assert [k for k, r in rows.items() if r.visits_off_hours] == ["night"]
    grid = rows["night"].work_hours["visits"]
    assert sum(grid[d][21] for d in range(7)) == 10 and sum(map(sum, grid)) == 10


def test_work_hours_idle_days_and_last_activity(city):
    rows = rows_by_name(compute_city_month("31.75", MONTH))
    ordinary = rows["ordinary"]
    assert sum(ordinary.work_hours["visits"][d][10] for d in range(5)) == 10
    assert ordinary.idle_days == len(workdays(MONTH, LAST)) - 10
    assert ordinary.last_activity_on == workdays(MONTH, LAST)[-1]


def test_every_figure_counts_the_rows_of_its_drill_down(city, world):
    other_records(city["ordinary"], city["homes"]["ordinary"], world.coordinator)
    rows = compute_city_month("31.75", MONTH)
    admin = world.admin
    checked = set()
    for row in rows:
        for key, figure in figures.FIGURES.items():
            listed = figures.records(admin, key, facilitator=row.facilitator, city="31.75", month=MONTH).count()
            assert figure.count_of(row) == listed, (row.facilitator.username, key)
            if listed:
                checked.add(key)
    assert checked == set(figures.FIGURES)  # every figure checked on a non-empty list
    ordinary = next(r for r in rows if r.facilitator.username == "pendamping_ordinary")
    assert (ordinary.sessions_held, ordinary.sessions_expected, ordinary.sessions_off_hours) == (1, 1, 1)
    assert (ordinary.attendance_present, ordinary.attendance_recorded) == (1, 2)
    assert (ordinary.cases_opened, ordinary.cases_resolved, ordinary.cases_overdue) == (2, 1, 1)
    assert ordinary.median_days_to_resolve == 4.0
    assert (ordinary.approved_alamiah, ordinary.proposed_alamiah, ordinary.flags, ordinary.kks_outside) == (1, 1, 2, 1)


def _queries(month=MONTH):
    with CaptureQueriesContext(connection) as context:
        compute_city_month("31.75", month)
    return len(context.captured_queries)


def test_the_query_count_does_not_grow_with_facilitators_or_records(world):
    from tests.oversight.activity_world import facilitator, thresholds

    thresholds()
    people = [facilitator(f"pendamping_q{i}") for i in range(2)]
    for user, homes in people:
        visits(user, homes, workdays(MONTH, LAST)[:2])
    few = _queries()
    more = [facilitator(f"pendamping_r{i}", households=6) for i in range(4)]
    for user, homes in people + more:
        visits(user, homes, workdays(MONTH, LAST))
        other_records(user, homes, world.coordinator)
    assert len(compute_city_month("31.75", MONTH)) >= 6
    assert _queries() == few


def test_store_replaces_the_city_month(city):
    assert store_city_month("31.75", MONTH) == 5
    assert store_city_month("31.75", MONTH) == 5
    assert FacilitatorMonth.objects.filter(city_id="31.75", month=MONTH).count() == 5


def test_a_past_month_uses_the_assignment_history(city, world):
    from beneficiaries.models import Assignment

    far, homes = city["far"], city["homes"]["far"]
    new = UserFactory(username="pendamping_new", cities=[region("31.75")])
    # Transferred after the month: still the far facilitator's family in that month.
    Assignment.objects.filter(household=homes[0], end_date__isnull=True).update(end_date=LAST + timedelta(days=3))
    Assignment.objects.create(household=homes[0], facilitator=new, start_date=LAST + timedelta(days=3))
    homes[0].facilitator = new
    homes[0].save(update_fields=["facilitator"])
    rows = rows_by_name(compute_city_month("31.75", MONTH))
    assert rows["far"].caseload == 3 and rows["new"].caseload == 0
    assert figures.records(world.admin, "caseload", facilitator=far, city="31.75", month=MONTH).count() == 3
