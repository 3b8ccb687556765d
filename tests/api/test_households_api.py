"""The households API: scoping per role, filters, members with masked NIK, components, and the version check
that keeps two offline edits from overwriting each other."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.tokens import token_create
from beneficiaries.models import Household
from core.models import AuditEvent
from tests.conftest import make_family

LIST = reverse("api_household_list")


def detail_url(household):
    return reverse("api_household_detail", kwargs={"pk": household.pk})


@pytest.fixture
def api():
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def ids(response):
    return {row["id_kpm"] for row in response.json()["results"]}


def test_a_facilitator_lists_only_their_own_families(world, api):
    response = api(world.facilitator).get(LIST)
    assert response.status_code == 200
    assert ids(response) == {world.household.id_kpm}
    row = response.json()["results"][0]
    assert row["pengurus_name"] == f"Ibu {world.household.id_kpm}"
    assert sorted(row["components_today"]) == ["SD", "SMP"]
    assert row["version"] == world.household.version


def test_a_coordinator_and_an_auditor_list_their_city(world, api):
    city_a = {world.household.id_kpm, world.other_household.id_kpm, world.unassigned.id_kpm}
    assert ids(api(world.coordinator).get(LIST)) == city_a
    assert ids(api(world.auditor).get(LIST)) == city_a
    assert ids(api(world.coordinator_b).get(LIST)) == {world.household_b.id_kpm}


def test_filters_by_kelurahan_status_facilitator_dates_and_id_kpm(world, api):
    client = api(world.coordinator)
    assert ids(client.get(LIST, {"kelurahan": "31.75.02.1001"})) == {world.other_household.id_kpm,
                                                                    world.unassigned.id_kpm}
    assert ids(client.get(LIST, {"facilitator": "none"})) == {world.unassigned.id_kpm}
    assert ids(client.get(LIST, {"facilitator": world.other_facilitator.pk})) == {world.other_household.id_kpm}
    Household.objects.filter(pk=world.unassigned.pk).update(status="suspended")
    assert ids(client.get(LIST, {"status": "suspended"})) == {world.unassigned.id_kpm}
    assert ids(client.get(LIST, {"q": world.household.id_kpm[-4:]})) == {world.household.id_kpm}
    yesterday = timezone.now() - timedelta(days=2)
    Household.objects.filter(pk=world.household.pk).update(updated_at=yesterday)
    today = timezone.localdate().isoformat()
    assert world.household.id_kpm not in ids(client.get(LIST, {"updated_from": today}))
    assert ids(client.get(LIST, {"updated_to": timezone.localtime(yesterday).date().isoformat()})) == {
        world.household.id_kpm}


@pytest.mark.parametrize("params, field, message", [
    ({"updated_from": "31-03-2026"}, "updated_from", "Enter a date as YYYY-MM-DD"),
    ({"updated_from": "2026-04-02", "updated_to": "2026-04-01"}, "updated_to", "end date is before the start"),
    ({"kelurahan": "Pisangan"}, "kelurahan", "Give a kelurahan code like 31.75.01.1001."),
    ({"kelurahan": "31.74.01.1001"}, "kelurahan", "No kelurahan with code 31.74.01.1001 in your area."),
    ({"status": "gone"}, "status", "Unknown value"),
    ({"facilitator": "someone"}, "facilitator", "Enter a facilitator's id, or none."),
])
def test_bad_filters_answer_400_saying_what_is_wrong(world, api, settings, params, field, message):
    settings.LANGUAGE_CODE = "en"
    response = api(world.coordinator).get(LIST, params)
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_the_household_shows_members_with_masked_nik_and_todays_components(world, api):
    response = api(world.facilitator).get(detail_url(world.household))
    assert response.status_code == 200
    assert response["ETag"] == f'"{world.household.version}"'
    body = response.json()
    members = world.household.members.all()
    assert len(body["members"]) == 4
    for member in members:
        assert member.nik not in response.content.decode()
    assert body["members"][0]["nik"].startswith(members[0].nik[:4]) and "•" in body["members"][0]["nik"]
    assert world.household.no_kk not in response.content.decode()
    assert sorted(c["component"] for c in body["components"]["counted"]) == ["SD", "SMP"]
    assert body["components"]["annual_entitlement"] == sum(c["amount"] for c in body["components"]["counted"])
    assert body["stage"]["number"] in {1, 2, 3, 4}
    assert body["editable"] is True
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_IDENTITY).exists()


@pytest.mark.parametrize("persona, target, expected", [
    ("facilitator", "household", 200),
    ("facilitator", "other_household", 404),
    ("coordinator", "unassigned", 200),
    ("auditor", "other_household", 200),
    ("coordinator_b", "household", 404),
    ("auditor_b", "household", 404),
])
def test_detail_is_scoped(world, api, persona, target, expected):
    assert api(world.personas()[persona]).get(detail_url(getattr(world, target))).status_code == expected


def patch(client, household, data, version):
    headers = {} if version is None else {"If-Match": f'"{version}"'}
    return client.patch(detail_url(household), data, format="json", headers=headers)


def test_a_facilitator_changes_the_address_with_the_version_read(world, api):
    client = api(world.facilitator)
    read = client.get(detail_url(world.household))
    response = client.patch(detail_url(world.household), {"address": "Jl. Baru 2"}, format="json",
                            headers={"If-Match": read["ETag"]})
    assert response.status_code == 200, response.json()
    world.household.refresh_from_db()
    assert world.household.address == "Jl. Baru 2"
    assert response.json()["version"] == world.household.version == read.json()["version"] + 1
    assert response["ETag"] == f'"{world.household.version}"'
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(world.household.pk)).exists()


def test_two_offline_edits_the_second_gets_409_and_nothing_is_overwritten(world, api, settings):
    settings.LANGUAGE_CODE = "en"
    phone = api(world.facilitator)
    desk = api(world.coordinator)
    version = phone.get(detail_url(world.household)).json()["version"]
    assert desk.get(detail_url(world.household)).json()["version"] == version
    assert patch(desk, world.household, {"address": "Jl. Kantor 1"}, version).status_code == 200
    response = patch(phone, world.household, {"address": "Jl. Ponsel 9", "decile": 3}, version)
    assert response.status_code == 409
    body = response.json()
    assert body["version"] == version + 1
    assert body["current"]["address"] == "Jl. Kantor 1"
    assert "changed by someone else" in body["detail"]
    assert response["ETag"] == f'"{version + 1}"'
    world.household.refresh_from_db()
    assert (world.household.address, world.household.decile) == ("Jl. Kantor 1", None)


def test_a_change_without_if_match_answers_428(world, api):
    response = patch(api(world.facilitator), world.household, {"address": "x"}, None)
    assert response.status_code == 428
    response = api(world.facilitator).patch(detail_url(world.household), {"address": "x"}, format="json",
                                            headers={"If-Match": "*"})
    assert response.status_code == 428
    world.household.refresh_from_db()
    assert world.household.address != "x"


def test_a_change_breaking_the_edit_pages_rules_answers_400_with_its_messages(world, api, settings):
    settings.LANGUAGE_CODE = "en"
    client = api(world.facilitator)
    response = patch(client, world.household, {"home_latitude": "-6.2"}, world.household.version)
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["Give both latitude and longitude, or neither."]
    response = patch(client, world.household, {"kks_number": ""}, world.household.version)
    assert response.json()["kks_number"] == ["Give the KKS number (only PT Pos recipients may have none)."]
    response = patch(client, world.household, {"no_kk": "12345"}, world.household.version)
    assert response.status_code == 400 and "no_kk" in response.json()


def test_a_graduated_family_is_read_only(world, api, settings):
    settings.LANGUAGE_CODE = "en"
    Household.objects.filter(pk=world.household.pk).update(status="graduated")
    response = patch(api(world.facilitator), world.household, {"address": "x"}, world.household.version)
    assert response.status_code == 400
    assert "left the program" in response.json()["non_field_errors"][0]


@pytest.mark.parametrize("persona, target, expected", [
    ("facilitator", "other_household", 404),
    ("coordinator_b", "household", 404),
    ("auditor", "household", 403),
    ("coordinator", "household", 200),
])
def test_who_may_change_a_household(world, api, persona, target, expected):
    household = getattr(world, target)
    response = patch(api(world.personas()[persona]), household, {"address": "Jl. Lain"}, household.version)
    assert response.status_code == expected
    household.refresh_from_db()
    assert (household.address == "Jl. Lain") == (expected == 200)


def test_a_token_authenticates_and_notes_its_use(world):
    token, key = token_create(actor=world.facilitator, user=world.facilitator, name="mobile")
    client = APIClient()
    response = client.get(LIST, headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200 and ids(response) == {world.household.id_kpm}
    assert client.get(LIST, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_or_wrong_token_and_no_credentials_answer_401(world):
    from api.tokens import token_revoke

    token, key = token_create(actor=world.facilitator, user=world.facilitator, name="old")
    token_revoke(actor=world.facilitator, token=token)
    client = APIClient()
    assert client.get(LIST, headers={"Authorization": f"Token {key}"}).status_code == 401
    assert client.get(LIST, headers={"Authorization": "Token nonsense"}).status_code == 401
    assert client.get(LIST).status_code == 401


def test_the_list_reads_a_constant_number_of_queries(world, api, django_assert_num_queries):
    client = api(world.facilitator)
    for _ in range(2):
        make_family(facilitator=world.facilitator)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(response.json()["results"]), len(queries)

    small = count()
    for _ in range(27):
        make_family(facilitator=world.facilitator)
    large = count()
    assert (small[0], large[0]) == (3, 30)
    # count, page, members of the page, benefit year, its indexes (plus the session's user): the same at 3 and 30.
    assert small[1] == large[1]
    with django_assert_num_queries(large[1]):
        client.get(LIST)
