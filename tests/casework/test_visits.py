"""Home visits: quick to log, never blocked by a missing position, checked and flagged by the server."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework import selectors
from casework.models import CaseworkSettings, HomeVisit
from casework.services import distance_m, visit_log
from core.models import AuditEvent
from tests.conftest import make_family

HOME = (Decimal("-6.200000"), Decimal("106.860000"))


def visit_data(**overrides):
    data = {
        "visited_at": timezone.now() - timedelta(minutes=10), "purpose": "commitment", "met": "pengurus",
        "notes": "Anak sudah sekolah lagi", "outcome": "Komitmen dipenuhi", "geo_status": "ok",
        "latitude": -6.2001, "longitude": 106.8601, "accuracy_m": 12.0,
    }
    data.update(overrides)
    return data


@pytest.fixture
def household_with_home(world):
    world.household.home_latitude, world.household.home_longitude = HOME
    world.household.save()
    return world.household


def test_distance_is_great_circle_metres():
    assert distance_m(-6.2, 106.86, -6.2, 106.86) == 0
    assert 1105 < distance_m(-6.2, 106.86, -6.21, 106.86) < 1115  # 0.01° of latitude ≈ 1.1 km


def test_a_visit_near_home_is_saved_with_its_distance_and_no_flags(household_with_home, world):
    visit = visit_log(actor=world.facilitator, household=household_with_home, data=visit_data())
    assert visit.distance_m < 20
    assert not visit.flagged
    assert visit.received_at >= visit.visited_at
    assert AuditEvent.objects.filter(action="create", object_type="casework.homevisit", household_id=visit.household_id).exists()


def test_a_visit_more_than_a_kilometre_away_is_flagged(household_with_home, world):
    visit = visit_log(actor=world.facilitator, household=household_with_home, data=visit_data(latitude=-6.22))
    assert visit.flag_far and 2000 < visit.distance_m < 2300


def test_the_far_threshold_is_data(household_with_home, world):
    CaseworkSettings.objects.update(far_visit_metres=5000)
    visit = visit_log(actor=world.facilitator, household=household_with_home, data=visit_data(latitude=-6.22))
    assert not visit.flag_far


def test_a_denied_position_never_blocks_saving(world):
    visit = visit_log(actor=world.facilitator, household=world.household, data=visit_data(
        geo_status="denied", geo_error="User denied Geolocation", latitude=None, longitude=None, accuracy_m=None))
    assert visit.flag_no_geotag and visit.geo_status == "denied" and visit.geo_error == "User denied Geolocation"
    assert visit.distance_m is None


def test_a_visit_entered_more_than_a_day_later_is_flagged(world):
    visit = visit_log(actor=world.facilitator, household=world.household,
                      data=visit_data(visited_at=timezone.now() - timedelta(hours=30)))
    assert visit.flag_late


def test_backdating_more_than_seven_days_needs_a_reason(world):
    old = timezone.now() - timedelta(days=8)
    with pytest.raises(ValidationError) as error:
        visit_log(actor=world.facilitator, household=world.household, data=visit_data(visited_at=old))
    assert "backdate_reason" in error.value.message_dict
    visit = visit_log(actor=world.facilitator, household=world.household,
                      data=visit_data(visited_at=old, backdate_reason="Sinyal hilang seminggu"))
    assert visit.flag_late and visit.backdate_reason


def test_a_visit_cannot_be_in_the_future(world):
    with pytest.raises(ValidationError) as error:
        visit_log(actor=world.facilitator, household=world.household,
                  data=visit_data(visited_at=timezone.now() + timedelta(hours=2)))
    assert "visited_at" in error.value.message_dict
    # a phone clock a few minutes ahead is tolerated
    visit_log(actor=world.facilitator, household=world.household, data=visit_data(visited_at=timezone.now() + timedelta(minutes=2)))


def test_the_first_well_geotagged_visit_can_set_the_home_position(world):
    visit = visit_log(actor=world.facilitator, household=world.household, data=visit_data(set_home_position=True))
    world.household.refresh_from_db()
    assert (world.household.home_latitude, world.household.home_longitude) == (visit.latitude, visit.longitude)
    later = visit_log(actor=world.facilitator, household=world.household, data=visit_data(latitude=-6.2002))
    assert later.distance_m is not None and later.distance_m < 30
    with pytest.raises(ValidationError) as error:
        visit_log(actor=world.facilitator, household=world.household, data=visit_data(set_home_position=True))
    assert "already recorded" in error.value.message_dict["set_home_position"][0]


def test_an_inaccurate_position_cannot_become_the_home(world):
    with pytest.raises(ValidationError) as error:
        visit_log(actor=world.facilitator, household=world.household, data=visit_data(accuracy_m=850, set_home_position=True))
    assert "not accurate enough" in error.value.message_dict["set_home_position"][0]
    world.household.refresh_from_db()
    assert not world.household.has_home_position


def test_the_same_form_sent_twice_makes_one_visit(world):
    first = visit_log(actor=world.facilitator, household=world.household, data=visit_data(), submission_key="abc123")
    second = visit_log(actor=world.facilitator, household=world.household, data=visit_data(), submission_key="abc123")
    assert first.pk == second.pk and HomeVisit.objects.count() == 1


def test_auditors_cannot_log_visits(world):
    with pytest.raises(PermissionDenied):
        visit_log(actor=world.auditor, household=world.household, data=visit_data())


# --- pages ------------------------------------------------------------------------------------

def post_visit(client, household, **overrides):
    data = {
        "household": household.pk, "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "purpose": "data", "met": "pengurus", "notes": "", "outcome": "Data diperbarui",
        "submission_key": "k" + str(household.pk), "geo_status": "ok", "latitude": "-6.2001",
        "longitude": "106.8601", "accuracy_m": "9",
    }
    data.update(overrides)
    return client.post(f"{reverse('visit_create')}?household={household.pk}", data)


def test_a_facilitator_logs_a_visit_and_sees_it_on_the_timeline(world, client_for):
    client = client_for(world.facilitator)
    form = client.get(reverse("visit_create"), {"household": world.household.pk})
    assert form.status_code == 200 and "data-visit-form" in form.content.decode()
    response = post_visit(client, world.household)
    assert response.status_code == 302 and response["Location"] == reverse("household_visits", args=[world.household.pk])
    timeline = client.get(response["Location"]).content.decode()
    assert "Data diperbarui" in timeline
    detail = client.get(reverse("household_detail", args=[world.household.pk])).content.decode()
    assert "Data diperbarui" in detail


def test_a_visit_without_position_is_saved_and_says_so(world, client_for):
    client = client_for(world.facilitator)
    response = post_visit(client, world.household, geo_status="denied", geo_error="denied", latitude="", longitude="",
                          accuracy_m="")
    assert response.status_code == 302
    assert HomeVisit.objects.get().flag_no_geotag


def test_form_errors_name_the_field(world, client_for):
    client = client_for(world.facilitator)
    old = (timezone.localtime() - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = post_visit(client, world.household, visited_at=old, purpose="")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "purpose" in errors and "backdate_reason" in errors


def test_a_facilitator_cannot_log_a_visit_for_another_caseload(world, client_for):
    client = client_for(world.facilitator)
    assert client.get(reverse("visit_create"), {"household": world.other_household.pk}).status_code == 404
    assert post_visit(client, world.other_household).status_code == 404
    assert not HomeVisit.objects.exists()


def test_coordinators_log_visits_from_the_family_page(world, client_for):
    client = client_for(world.coordinator)
    assert client.get(reverse("visit_create"))["Location"] == reverse("household_list")
    assert post_visit(client, world.other_household).status_code == 302


def test_families_not_visited_in_30_60_90_days(world, client_for):
    now = timezone.now()
    visit_log(actor=world.coordinator, household=world.household, data=visit_data(
        visited_at=now - timedelta(days=45), backdate_reason="catatan kertas"))
    visit_log(actor=world.coordinator, household=world.other_household, data=visit_data(visited_at=now - timedelta(days=2)))
    today = timezone.localdate()
    ids = lambda days: {h.pk for h in selectors.not_visited(world.coordinator, days=days, today=today)}  # noqa: E731
    assert ids(30) == {world.household.pk, world.unassigned.pk}
    assert ids(60) == {world.unassigned.pk}
    client = client_for(world.coordinator)
    assert world.unassigned.id_kpm in client.get(reverse("not_visited"), {"days": 90}).content.decode()


def test_the_day_page_lists_follow_ups_due_and_a_later_visit_settles_them(world, client_for):
    today = timezone.localdate()
    visit_log(actor=world.facilitator, household=world.household, data=visit_data(
        visited_at=timezone.now() - timedelta(days=3), next_follow_up=today - timedelta(days=1),
        outcome="Cek ulang rapor"))
    client = client_for(world.facilitator)
    page = client.get(reverse("today")).content.decode()
    assert "Cek ulang rapor" in page
    visit_log(actor=world.facilitator, household=world.household, data=visit_data(outcome="Sudah dicek"))
    assert "Cek ulang rapor" not in client.get(reverse("today")).content.decode()


def test_coordinators_filter_the_citys_visits_by_warning(world, client_for, household_with_home):
    visit_log(actor=world.facilitator, household=household_with_home, data=visit_data(latitude=-6.25, outcome="jauh"))
    visit_log(actor=world.other_facilitator, household=world.other_household, data=visit_data(outcome="dekat"))
    client = client_for(world.coordinator)
    page = client.get(reverse("visit_list"), {"flag": "far"}).content.decode()
    assert "jauh" in page and "dekat" not in page
    assert "jauh" not in client_for(world.coordinator_b).get(reverse("visit_list")).content.decode()


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["today", "visit_list", "not_visited", "household_list"])
def test_query_counts_do_not_grow_with_visits_or_families(world, client_for, url_name):
    client = client_for(world.facilitator)
    url = reverse(url_name)

    def add(n):
        for _ in range(n):
            household = make_family(facilitator=world.facilitator)
            visit_log(actor=world.facilitator, household=household, data=visit_data(
                next_follow_up=timezone.localdate()))

    add(2)
    small = _count(client, url)
    add(12)
    assert _count(client, url) == small


def test_household_page_query_count_does_not_grow_with_visits(world, client_for):
    client = client_for(world.facilitator)
    url = reverse("household_detail", args=[world.household.pk])
    visit_log(actor=world.facilitator, household=world.household, data=visit_data())
    small = _count(client, url)
    for _ in range(8):
        visit_log(actor=world.facilitator, household=world.household, data=visit_data())
    assert _count(client, url) == small
