"""Months running and average net income: computed on read, never stored."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from livelihood.selectors import add_months, average, business_summaries, months_running
from tests.conftest import make_family
from tests.livelihood.conftest import BusinessFactory, EntryFactory


@pytest.mark.parametrize("started, stopped, on, expected", [
    (date(2025, 1, 15), None, date(2025, 7, 14), 5),
    (date(2025, 1, 15), None, date(2025, 7, 15), 6),
    (date(2025, 1, 31), None, date(2025, 2, 28), 1),  # a start on the 31st completes on the last day of February
    (date(2024, 1, 31), None, date(2024, 2, 28), 0),  # ... but 28 February 2024 is not the last day (leap year)
    (date(2025, 3, 10), None, date(2025, 3, 9), 0),  # not started yet
    (date(2024, 1, 1), date(2024, 4, 1), date(2025, 6, 1), 3),  # a stopped business stops counting
    (date(2024, 1, 1), date(2024, 4, 1), date(2024, 2, 1), 1),  # ... but counts as running before its stop
])
def test_months_running_count_completed_months_like_an_age(started, stopped, on, expected):
    assert months_running(started, stopped, on) == expected


def test_month_arithmetic_crosses_years():
    assert add_months(date(2025, 1, 1), -1) == date(2024, 12, 1)
    assert add_months(date(2024, 11, 1), 3) == date(2025, 2, 1)


def test_average_rounds_to_whole_rupiah_and_is_empty_without_months():
    assert average(1_000_001, 2) == 500_001  # 500,000.5 rounds up
    assert average(-1_000_001, 2) == -500_001
    assert average(None, 0) is None


def test_a_business_without_entries_has_no_average(world):
    business = BusinessFactory(household=world.household, started_on=date(2024, 1, 15))
    [summary] = business_summaries([world.household.pk], on=date(2024, 9, 20))[world.household.pk]
    assert (summary.business_id, summary.months_running, summary.months_recorded) == (business.pk, 8, 0)
    assert summary.average_net is None and summary.recent_average_net is None
    assert summary.recent_months_recorded == 0 and not summary.stopped


def test_the_recent_average_uses_only_recorded_months_of_the_last_six(world):
    business = BusinessFactory(household=world.household, started_on=date(2024, 1, 15))
    # February is outside the window (April–September); April and June are in it; the rest is not recorded.
    EntryFactory(business=business, month=date(2024, 2, 1), revenue=10_000_000, expenses=0)
    EntryFactory(business=business, month=date(2024, 4, 1), revenue=2_000_000, expenses=1_500_000)
    EntryFactory(business=business, month=date(2024, 6, 1), revenue=3_000_000, expenses=1_500_000)
    [summary] = business_summaries([world.household.pk], on=date(2024, 9, 20))[world.household.pk]
    assert summary.recent_months_recorded == 2
    assert summary.recent_average_net == 1_000_000  # (500,000 + 1,500,000) / 2
    assert summary.months_recorded == 3
    assert summary.average_net == 4_000_000  # (10,000,000 + 500,000 + 1,500,000) / 3


def test_the_recent_window_includes_the_month_of_the_date_and_ignores_later_entries(world):
    business = BusinessFactory(household=world.household, started_on=date(2024, 1, 15))
    EntryFactory(business=business, month=date(2024, 9, 1), revenue=1_000_000, expenses=0)
    EntryFactory(business=business, month=date(2024, 10, 1), revenue=5_000_000, expenses=0)
    [summary] = business_summaries([world.household.pk], on=date(2024, 9, 1))[world.household.pk]
    assert (summary.months_recorded, summary.recent_average_net) == (1, 1_000_000)


def test_a_business_that_loses_money_has_a_negative_average(world):
    business = BusinessFactory(household=world.household, started_on=date(2024, 1, 15))
    EntryFactory(business=business, month=date(2024, 5, 1), revenue=500_000, expenses=800_000)
    EntryFactory(business=business, month=date(2024, 6, 1), revenue=600_000, expenses=700_000)
    [summary] = business_summaries([world.household.pk], on=date(2024, 6, 30))[world.household.pk]
    assert summary.recent_average_net == -200_000


def test_a_stopped_business_is_summarised_as_stopped_with_its_months_frozen(world):
    business = BusinessFactory(household=world.household, started_on=date(2023, 1, 10), stopped_on=date(2023, 9, 30))
    EntryFactory(business=business, month=date(2023, 9, 1), revenue=1_000_000, expenses=200_000)
    [summary] = business_summaries([world.household.pk], on=date(2024, 6, 1))[world.household.pk]
    assert summary.stopped and summary.months_running == 8
    assert summary.recent_months_recorded == 0 and summary.recent_average_net is None
    assert summary.average_net == 800_000
    [before_stop] = business_summaries([world.household.pk], on=date(2023, 6, 1))[world.household.pk]
    assert not before_stop.stopped


def test_summaries_list_every_household_asked_for_and_leave_out_later_and_kube_businesses(world):
    from tests.livelihood.conftest import kube_of

    BusinessFactory(household=world.household, started_on=date(2025, 1, 1))  # not started on the date
    BusinessFactory(kube=kube_of(world.household), started_on=date(2023, 1, 1))  # the group's, not the family's
    result = business_summaries([world.household.pk, world.other_household.pk], on=date(2024, 6, 1))
    assert result == {world.household.pk: [], world.other_household.pk: []}


def test_summaries_take_one_query_whatever_the_number_of_households_and_entries(world):
    def families(count):
        households = [make_family(facilitator=world.facilitator) for _ in range(count)]
        for household in households:
            for start in (date(2023, 1, 5), date(2024, 2, 5)):
                business = BusinessFactory(household=household, started_on=start)
                for month in range(4, 10):  # April–September: the six months up to the date
                    EntryFactory(business=business, month=date(2024, month, 1))
        return [h.pk for h in households]

    small = families(2)
    with CaptureQueriesContext(connection) as queries:
        result = business_summaries(small, on=date(2024, 9, 15))
    assert len(queries) == 1 and all(len(result[pk]) == 2 for pk in small)
    large = families(12)
    with CaptureQueriesContext(connection) as queries:
        result = business_summaries(large + small, on=date(2024, 9, 15))
    assert len(queries) == 1 and len(result) == 14
    assert result[large[0]][0].recent_months_recorded == 6
