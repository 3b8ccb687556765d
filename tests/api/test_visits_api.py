"""The visits API: the list and its filters per role, and logging a visit exactly like the visit form."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from beneficiaries.models import Household
from casework.models import HomeVisit

LIST = reverse("api_visit_list")


@pytest.fixture
def api():
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def visit(household, *, days_ago=0, **fields):
    return HomeVisit.objects.create(household=household, facilitator=household.facilitator, purpose="data",
                                    met="pengurus", visited_at=timezone.now() - timedelta(days=days_ago, hours=1),
                                    **fields)


def visit_ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def visits(world):
    return {
        "own": visit(world.household, flag_no_geotag=True),
        "old": visit(world.household, days_ago=20),
        "other": visit(world.other_household),
        "b": visit(world.household_b),
    }


def test_the_list_is_scoped_per_role(world, api, visits):
    assert visit_ids(api(world.facilitator).get(LIST)) == {visits["own"].pk, visits["old"].pk}
    city_a = {visits["own"].pk, visits["old"].pk, visits["other"].pk}
    assert visit_ids(api(world.coordinator).get(LIST)) == city_a
    assert visit_ids(api(world.auditor).get(LIST)) == city_a
    assert visit_ids(api(world.auditor_b).get(LIST)) == {visits["b"].pk}


def test_the_list_filters(world, api, visits):
    client = api(world.coordinator)
    today = timezone.localdate()
    assert visit_ids(client.get(LIST, {"from": (today - timedelta(days=2)).isoformat()})) == {
        visits["own"].pk, visits["other"].pk}
    assert visit_ids(client.get(LIST, {"to": (today - timedelta(days=10)).isoformat()})) == {visits["old"].pk}
    assert visit_ids(client.get(LIST, {"kelurahan": "31.75.02.1001"})) == {visits["other"].pk}
    assert visit_ids(client.get(LIST, {"household": world.household.pk})) == {visits["own"].pk, visits["old"].pk}
    assert visit_ids(client.get(LIST, {"facilitator": world.other_facilitator.pk})) == {visits["other"].pk}
    assert visit_ids(client.get(LIST, {"flag": "no_geotag"})) == {visits["own"].pk}
    assert client.get(LIST, {"flag": "bad"}).status_code == 400
    assert client.get(LIST, {"from": "yesterday"}).status_code == 400
    assert client.get(LIST, {"household": "x"}).status_code == 400


def test_the_detail_is_scoped(world, api, visits):
    url = reverse("api_visit_detail", kwargs={"pk": visits["other"].pk})
    assert api(world.facilitator).get(url).status_code == 404
    assert api(world.other_facilitator).get(url).status_code == 200
    assert api(world.coordinator_b).get(url).status_code == 404
    assert api(world.auditor).get(url).json()["household_id_kpm"] == world.other_household.id_kpm


def new_visit(household, **fields):
    return {"household": household.pk, "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "purpose": "commitment", "met": "pengurus", "notes": "Anak sekolah rutin.", **fields}


def test_a_facilitator_logs_a_visit_without_geotag(world, api):
    response = api(world.facilitator).post(LIST, new_visit(world.household), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["flag_no_geotag"] is True and body["geo_status"] == "not_sent"
    assert body["facilitator"] == world.facilitator.pk
    assert HomeVisit.objects.filter(household=world.household).count() == 1


def test_a_visit_with_a_position_far_from_home_is_flagged(world, api):
    Household.objects.filter(pk=world.household.pk).update(home_latitude="-6.200000", home_longitude="106.800000")
    response = api(world.facilitator).post(
        LIST, new_visit(world.household, latitude=-6.25, longitude=106.8, accuracy_m=15), format="json")
    assert response.status_code == 201
    assert response.json()["flag_far"] is True and response.json()["distance_m"] > 5000


def test_the_same_submission_key_makes_one_visit(world, api):
    client = api(world.facilitator)
    data = new_visit(world.household, submission_key="abc123")
    first = client.post(LIST, data, format="json")
    second = client.post(LIST, data, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert HomeVisit.objects.filter(household=world.household).count() == 1


def test_a_visit_more_than_a_week_ago_needs_a_reason(world, api, settings):
    settings.LANGUAGE_CODE = "en"
    client = api(world.facilitator)
    when = (timezone.localtime() - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(LIST, new_visit(world.household, visited_at=when), format="json")
    assert response.status_code == 400
    assert response.json()["backdate_reason"] == [
        "This visit is more than 7 days ago: say why it is entered only now."]
    response = client.post(LIST, new_visit(world.household, visited_at=when, backdate_reason="Sinyal hilang"),
                           format="json")
    assert response.status_code == 201 and response.json()["flag_late"] is True


def test_graduated_and_exited_families_follow_the_forms_rules(world, api, settings):
    settings.LANGUAGE_CODE = "en"
    client = api(world.facilitator)
    Household.objects.filter(pk=world.household.pk).update(status="graduated")
    response = client.post(LIST, new_visit(world.household), format="json")
    assert response.json()["purpose"] == ["This family has graduated: only a follow-up after graduation can be recorded."]
    assert client.post(LIST, new_visit(world.household, purpose="post_graduation"), format="json").status_code == 201
    Household.objects.filter(pk=world.household.pk).update(status="exited")
    response = client.post(LIST, new_visit(world.household, purpose="post_graduation"), format="json")
    assert response.json()["household"] == ["This family left the program: visits can no longer be recorded for it."]


def test_writes_by_role(world, api):
    assert api(world.auditor).post(LIST, new_visit(world.household), format="json").status_code == 403
    # Another facilitator's family is not one they can name: the same answer as a family that does not exist.
    response = api(world.facilitator).post(LIST, new_visit(world.other_household), format="json")
    assert response.status_code == 400 and "household" in response.json()
    assert api(world.coordinator_b).post(LIST, new_visit(world.household), format="json").status_code == 400
    assert not HomeVisit.objects.exists()
