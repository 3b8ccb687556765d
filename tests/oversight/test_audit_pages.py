"""The facilitator activity audit pages: the city table (per role, filters, sorting, the background summary,
the six-month trend, refresh), its query count, and one facilitator's page (stored months and the live
current month)."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.models import HomeVisit
from core.models import Job
from livelihood.selectors import add_months, month_start
from org.models import FacilitatorProfile
from oversight.models import ActivityClass, FacilitatorMonth
from tests.factories import FacilitatorFactory, region

PAST = date(2026, 9, 1)  # a past month (the tests run after it)


def month_row(facilitator, city_code="31.75", month=PAST, **fields):
    """A stored monthly row as the computation would leave it (defaults: an unremarkable active month)."""
    month = month_start(month)
    values = {
        "as_of": add_months(month, 1) - timedelta(days=1), "caseload": 200, "norm_maximum": 250,
        "households_visited": 60, "visits": 80, "visited_30d": 60, "visited_90d": 150, "never_visited": 5,
        "visits_geotagged": 76, "visits_far": 4, "visits_late": 2, "visits_off_hours": 3,
        "last_activity_on": add_months(month, 1) - timedelta(days=2), "days_since_activity": 1,
        "sessions_expected": 4, "sessions_held": 4, "attendance_present": 90, "attendance_recorded": 100,
        "cases_opened": 3, "cases_resolved": 2, "median_days_to_resolve": 12.0, "proposed_alamiah": 2,
        "proposed_mandiri": 1, "approved_alamiah": 1, "approved_mandiri": 1, "flags": 5, "flags_with_case": 5,
        "activity_class": ActivityClass.ACTIVE,
    }
    values.update(fields)
    return FacilitatorMonth.objects.create(facilitator=facilitator, city=region(city_code), month=month, **values)


def audit_url(**params):
    from urllib.parse import urlencode

    return f"{reverse('oversight_audit')}?{urlencode(params)}"


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


# --- the city table, per role ----------------------------------------------------------------------------

def test_coordinator_sees_one_row_per_facilitator_with_links_to_the_records(world, client, english):
    month_row(world.facilitator, caseload=300, visits_far=30)
    month_row(world.other_facilitator, activity_class=ActivityClass.LOW)
    month_row(world.facilitator_b, city_code="31.74")
    client.force_login(world.coordinator)
    response = client.get(audit_url(bulan="2026-09"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.facilitator.first_name in html and world.other_facilitator.first_name in html
    assert world.facilitator_b.first_name not in html  # another city's row
    records = reverse("oversight_records", kwargs={"pk": world.facilitator.pk, "figure": "visits_far"})
    assert f'href="{records}?kota=31.75&amp;bulan=2026-09"' in html
    # 300 families against a norm of 250: 120 %, highlighted
    rows = {row.facilitator_pk: row for row in response.context["rows"]}
    caseload_cells = rows[world.facilitator.pk].cells[:2]
    assert [c.text for c in caseload_cells] == ["300", "120%"] and all(c.warn for c in caseload_cells)
    assert not rows[world.other_facilitator.pk].cells[0].warn
    assert rows[world.facilitator.pk].cells[8].text == "39%"  # 30 far of 76 geotagged
    assert 'class="badge text-bg-warning">Low activity' in html


def test_auditor_reads_the_table_but_gets_no_refresh_button_and_403_on_refresh(world, client, english):
    month_row(world.facilitator)
    client.force_login(world.auditor)
    response = client.get(audit_url(bulan="2026-09"))
    assert response.status_code == 200
    assert b'id="refresh-button"' not in response.content
    response = client.post(reverse("oversight_refresh"), {"kota": "31.75", "bulan": "2026-09"})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_coordinator_refresh_starts_a_job_and_shows_its_progress_page(world, client, english):
    client.force_login(world.coordinator)
    response = client.get(audit_url(bulan="2026-09"))
    assert b'id="refresh-button"' in response.content
    response = client.post(reverse("oversight_refresh"), {"kota": "31.75", "bulan": "2026-09"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", kwargs={"pk": job.pk})
    assert job.city_code == "31.75" and job.params["month"] == "2026-09-01" and job.created_by == world.coordinator
    # a second click while it runs goes to the same job
    response = client.post(reverse("oversight_refresh"), {"kota": "31.75", "bulan": "2026-09"})
    assert response["Location"] == reverse("job_detail", kwargs={"pk": job.pk}) and Job.objects.count() == 1


def test_refresh_of_another_city_answers_404_and_facilitators_get_403(world, client):
    client.force_login(world.coordinator)
    assert client.post(reverse("oversight_refresh"), {"kota": "31.74", "bulan": "2026-09"}).status_code == 404
    client.force_login(world.facilitator)
    assert client.post(reverse("oversight_refresh"), {"kota": "31.75", "bulan": "2026-09"}).status_code == 403
    assert not Job.objects.exists()


def test_facilitators_get_403_for_the_city_table_and_its_export(world, client):
    client.force_login(world.facilitator)
    assert client.get(reverse("oversight_audit")).status_code == 403
    assert client.get(reverse("oversight_audit_export")).status_code == 403


def test_another_citys_table_answers_404(world, client):
    client.force_login(world.coordinator)
    assert client.get(audit_url(kota="31.74")).status_code == 404
    client.force_login(world.auditor_b)
    assert client.get(audit_url(kota="31.75")).status_code == 404


def test_a_month_without_rows_says_so_and_offers_the_refresh(world, client, english):
    client.force_login(world.coordinator)
    response = client.get(audit_url(bulan="2026-08"))
    html = response.content.decode()
    assert "The figures of August 2026 have not been computed yet for this city." in html
    assert 'id="refresh-button"' in html and "Compute the figures" in html


def test_the_current_month_shows_when_it_was_computed(world, client, english):
    today = timezone.localdate()
    month_row(world.facilitator, month=today, as_of=today,
              computed_at=timezone.make_aware(datetime(today.year, today.month, 1, 7, 30)))
    client.force_login(world.coordinator)
    html = client.get(reverse("oversight_audit")).content.decode()
    assert "computed at" in html and "The current month is still running" in html
    assert 'id="refresh-button"' in html and "Refresh the figures" in html


def test_the_month_picker_offers_the_last_twelve_months(world, client):
    client.force_login(world.coordinator)
    months = client.get(reverse("oversight_audit")).context["months"]
    current = month_start(timezone.localdate())
    assert months[0] == current and months[-1] == add_months(current, -11) and len(months) == 12


# --- filters, sorting, trend, background summary ------------------------------------------------------

def _backgrounds(world):
    FacilitatorProfile.objects.filter(user=world.facilitator).update(background="social_welfare")
    FacilitatorProfile.objects.filter(user=world.other_facilitator).update(volunteer_experience="TKSK")


def test_filter_by_activity_class_and_by_background(world, client):
    _backgrounds(world)
    month_row(world.facilitator)
    month_row(world.other_facilitator, activity_class=ActivityClass.INACTIVE)
    third = FacilitatorFactory(cities=[region("31.75")])
    month_row(third, activity_class=ActivityClass.INACTIVE)
    client.force_login(world.coordinator)

    def shown(**params):
        return [row.facilitator_pk for row in client.get(audit_url(bulan="2026-09", **params)).context["rows"]]

    assert set(shown(kelas="inactive")) == {world.other_facilitator.pk, third.pk}
    assert shown(latar="social_welfare") == [world.facilitator.pk]
    assert shown(latar="other_volunteer") == [world.other_facilitator.pk]
    assert shown(kelas="inactive", latar="other") == [third.pk]
    assert set(shown(kelas="bogus")) == {world.facilitator.pk, world.other_facilitator.pk, third.pk}


def test_sorting_by_a_column_both_ways_keeps_empty_values_last(world, client):
    month_row(world.facilitator, visits_far=10)  # 10 / 76
    month_row(world.other_facilitator, visits_far=40)  # 40 / 76
    third = FacilitatorFactory(cities=[region("31.75")])
    month_row(third, visits_geotagged=0, visits_far=0)  # no share
    client.force_login(world.coordinator)

    def order(sort):
        return [row.facilitator_pk for row in client.get(audit_url(bulan="2026-09", urut=sort)).context["rows"]]

    assert order("far") == [world.facilitator.pk, world.other_facilitator.pk, third.pk]
    assert order("-far") == [world.other_facilitator.pk, world.facilitator.pk, third.pk]
    response = client.get(audit_url(bulan="2026-09", urut="-far"))
    header = next(h for h in response.context["headers"] if h["key"] == "far")
    assert header["state"] == "desc" and "urut=far" in header["url"]


def test_each_row_shows_the_class_of_the_last_six_months(world, client, english):
    month_row(world.facilitator, month=date(2026, 4, 1), activity_class=ActivityClass.INACTIVE)
    month_row(world.facilitator, month=date(2026, 7, 1), activity_class=ActivityClass.LOW)
    month_row(world.facilitator, month=PAST)
    month_row(world.other_facilitator, month=PAST, activity_class=ActivityClass.LOW)
    month_row(world.facilitator, month=date(2026, 3, 1), activity_class=ActivityClass.LOW)  # seven months back
    client.force_login(world.coordinator)
    response = client.get(audit_url(bulan="2026-09"))
    row = next(r for r in response.context["rows"] if r.facilitator_pk == world.facilitator.pk)
    assert [point["class"] for point in row.trend] == ["inactive", "", "", "low", "", "active"]
    chart = response.context["chart"]
    assert len(chart["labels"]) == 6
    counts = {d["label"]: d["data"] for d in chart["datasets"]}
    assert counts["Low activity"] == [0, 0, 0, 1, 0, 1] and counts["Inactive"] == [1, 0, 0, 0, 0, 0]
    assert b'id="oversight-audit-data"' in response.content


def test_the_background_summary_pools_the_groups_figures(world, client, english):
    _backgrounds(world)
    month_row(world.facilitator, visits=100, visits_geotagged=100, visits_far=50)
    month_row(world.other_facilitator, visits=100, visits_geotagged=50, visits_far=0)
    social = FacilitatorFactory(cities=[region("31.75")])
    FacilitatorProfile.objects.filter(user=social).update(background="social_welfare")
    month_row(social, visits=100, visits_geotagged=100, visits_far=10)
    client.force_login(world.coordinator)
    response = client.get(audit_url(bulan="2026-09"))
    summary = {group.key: texts for group, texts in response.context["summary"]}
    columns = response.context["summary_columns"]
    far = columns.index("Far from home")
    assert summary["social_welfare"][0] == "2" and summary["social_welfare"][far] == "30%"  # 60 / 200
    assert summary["other_volunteer"][far] == "0%"
    assert "other" not in summary  # no facilitator of that group this month
    assert b'id="background-table"' in response.content


# --- the query count -------------------------------------------------------------------------------------

def _city_with(count):
    city = region("31.75")
    people = [FacilitatorFactory(cities=[city]) for _ in range(count)]
    for person in people:
        for offset in range(6):
            month_row(person, month=add_months(PAST, -offset))
    return people


@pytest.mark.parametrize("persona", ["coordinator", "auditor"])
def test_the_audit_page_makes_the_same_number_of_queries_for_2_and_8_facilitators(world, client, persona,
                                                                               django_assert_num_queries):
    client.force_login(getattr(world, persona))
    people = _city_with(2)
    with CaptureQueriesContext(connection) as small:
        response = client.get(audit_url(bulan="2026-09"))
    assert len(response.context["rows"]) == 2
    people += _city_with(6)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(audit_url(bulan="2026-09"))
    assert len(response.context["rows"]) == len(people) == 8


def test_the_export_makes_the_same_number_of_queries_for_2_and_8_facilitators(world, client,
                                                                             django_assert_num_queries):
    client.force_login(world.coordinator)
    _city_with(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("oversight_audit_export") + "?bulan=2026-09").status_code == 200
    _city_with(6)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(reverse("oversight_audit_export") + "?bulan=2026-09").status_code == 200


# --- one facilitator's page ---------------------------------------------------------------------------------

def _profile(world):
    FacilitatorProfile.objects.filter(user=world.facilitator).update(
        background="other", education_level="S1", education_field="Ekonomi", volunteer_experience="TKSK",
        volunteer_years=3, start_date=date(2019, 2, 1))


def test_a_past_month_of_a_facilitator_shows_every_figure_with_its_records_the_grid_and_the_profile(
        world, client, english):
    _profile(world)
    grid = [[0] * 24 for _ in range(7)]
    grid[0][9] = 5  # Monday 09:00
    grid[5][21] = 2  # Saturday 21:00
    month_row(world.facilitator, visits_far=7, kks_outside=2,
              work_hours={"visits": grid, "sessions": [[0] * 24 for _ in range(7)]})
    month_row(world.facilitator, month=date(2026, 8, 1), visits=12, activity_class=ActivityClass.LOW)
    client.force_login(world.coordinator)
    url = reverse("oversight_facilitator", kwargs={"pk": world.facilitator.pk})
    response = client.get(f"{url}?bulan=2026-09")
    assert response.status_code == 200
    html = response.content.decode()
    far = reverse("oversight_records", kwargs={"pk": world.facilitator.pk, "figure": "visits_far"})
    assert f'href="{far}?kota=31.75&amp;bulan=2026-09"' in html
    for figure in ("caseload", "not_visited_90d", "sessions", "cases_overdue", "approvals", "flags_without_case",
                   "kks_outside", "visits_shared_coordinate", "sessions_off_hours"):
        assert reverse("oversight_records", kwargs={"pk": world.facilitator.pk, "figure": figure}) in html, figure
    assert "computed at" in html
    assert not response.context["live"]
    # the weekday × hour grid: 7 counted, 2 of them on Saturday evening (outside working hours)
    work = response.context["grid"]
    assert work["total"] == 7 and work["off_total"] == 2
    assert work["days"][0]["cells"][9]["count"] == 5 and not work["days"][0]["cells"][9]["off"]
    assert work["days"][5]["cells"][21]["off"]
    # the trend: August's stored class beside September's
    assert [p["label"] for p in response.context["trend"]][-2:] == ["Low activity", "Active"]
    assert response.context["chart"]["visits"][-2:] == [12, 80]
    # the profile
    assert "Other education, volunteer experience" in html and "TKSK" in html and "Ekonomi" in html
    assert "1 February 2019" in html
    # links: map, caseload, history
    assert reverse("oversight_map", kwargs={"pk": world.facilitator.pk}) in html
    assert f'{reverse("household_list")}?facilitator={world.facilitator.pk}' in html
    assert f'{reverse("history")}?kota=31.75&amp;facilitator={world.facilitator.pk}' in html


def test_a_month_without_a_row_says_so(world, client, english):
    client.force_login(world.coordinator)
    url = reverse("oversight_facilitator", kwargs={"pk": world.facilitator.pk})
    response = client.get(f"{url}?bulan=2026-08")
    assert b'id="no-row"' in response.content


def test_the_current_month_is_computed_live_for_the_facilitator(world, client, english):
    today = timezone.localdate()
    now = timezone.now()
    HomeVisit.objects.create(household=world.household, facilitator=world.facilitator, visited_at=now,
                             received_at=now, purpose="data", met="pengurus")
    # a stale stored row for the current month is replaced by the live figures
    month_row(world.facilitator, month=today, as_of=today, visits=0, households_visited=0)
    client.force_login(world.facilitator)
    response = client.get(reverse("oversight_facilitator", kwargs={"pk": world.facilitator.pk}))
    assert response.status_code == 200
    assert response.context["live"]
    row = response.context["row"]
    assert row.pk is None and row.visits == 1 and row.households_visited == 1 and row.caseload == 1
    assert "live: counted from the records now" in response.content.decode()


def test_a_facilitator_sees_their_own_page_but_not_anothers(world, client):
    month_row(world.facilitator)
    month_row(world.other_facilitator)
    client.force_login(world.facilitator)
    own = client.get(reverse("oversight_facilitator", kwargs={"pk": world.facilitator.pk}) + "?bulan=2026-09")
    assert own.status_code == 200
    assert own.context["history_url"] == "" and own.context["audit_url"] == ""  # city pages are not theirs
    assert own.context["caseload_url"] == reverse("household_list")
    other = client.get(reverse("oversight_facilitator", kwargs={"pk": world.other_facilitator.pk}) + "?bulan=2026-09")
    assert other.status_code == 404


def test_another_citys_facilitator_answers_404_and_so_does_a_city_they_do_not_work_in(world, client):
    client.force_login(world.coordinator)
    assert client.get(reverse("oversight_facilitator", kwargs={"pk": world.facilitator_b.pk})).status_code == 404
    assert client.get(reverse("oversight_facilitator", kwargs={"pk": world.facilitator.pk}) + "?kota=31.74").status_code == 404
    assert client.get(reverse("oversight_facilitator", kwargs={"pk": world.coordinator.pk})).status_code == 404
    client.force_login(world.admin)
    assert client.get(reverse("oversight_facilitator", kwargs={"pk": world.facilitator_b.pk}) + "?bulan=2026-09").status_code == 200
