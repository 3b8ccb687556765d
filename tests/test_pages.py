"""What users see on the registry pages."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beneficiaries.models import Household
from core.models import AuditEvent
from tests.conftest import make_family
from tests.factories import FacilitatorFactory, MemberFactory, region


def page(response) -> str:
    return response.content.decode()


def search(client, text, **filters):
    """Search the way the page does: a POST that redirects to a URL without the search text."""
    response = client.post(reverse("household_list"), {"q": text, **filters})
    assert response.status_code == 302
    assert text not in response["Location"]
    return client.get(response["Location"])


def test_a_facilitator_sees_their_families_with_masked_identity_numbers(world, client_for):
    client = client_for(world.facilitator)
    response = client.get(reverse("household_list"))
    html = page(response)
    assert world.household.id_kpm in html
    assert world.other_household.id_kpm not in html and world.household_b.id_kpm not in html
    for member in world.household.members.all():
        assert member.nik not in html
    assert world.household.no_kk not in html
    assert 'name="kelurahan"' in html and 'name="component"' in html, "the filter form is on the page"


def test_search_by_nik_finds_the_family_and_the_nik_never_enters_the_url(world, client_for):
    client = client_for(world.facilitator)
    nik = world.household.members.get(is_pengurus=True).nik
    response = search(client, nik)
    assert world.household.id_kpm in page(response)
    assert nik not in response.request["QUERY_STRING"]


def test_search_by_name_and_by_id_kpm(world, client_for):
    client = client_for(world.coordinator)
    html = page(search(client, "Ibu " + world.other_household.id_kpm))
    assert world.other_household.id_kpm in html and world.household.id_kpm not in html
    html = page(search(client, world.household.id_kpm))
    assert world.household.id_kpm in html and world.other_household.id_kpm not in html


def test_a_search_cannot_reach_outside_the_caseload(world, client_for):
    client = client_for(world.facilitator)
    response = search(client, world.household_b.id_kpm)
    assert [row.household for row in response.context["rows"]] == []


def test_filters_by_status_kelurahan_and_component(world, client_for):
    Household.objects.filter(pk=world.other_household.pk).update(status="suspended")
    elderly_family = make_family(facilitator=world.facilitator)
    MemberFactory(household=elderly_family, birth_date=date(1940, 1, 1), relationship="ORANG TUA", sex="P")
    client = client_for(world.coordinator)
    html = page(client.get(reverse("household_list"), {"status": "suspended"}))
    assert world.other_household.id_kpm in html and world.household.id_kpm not in html
    html = page(client.get(reverse("household_list"), {"kelurahan": "31.75.02.1001"}))
    assert world.unassigned.id_kpm in html and world.household.id_kpm not in html
    html = page(client.get(reverse("household_list"), {"component": "LANSIA"}))
    assert elderly_family.id_kpm in html and world.household.id_kpm not in html
    html = page(client.get(reverse("household_list"), {"facilitator": "none"}))
    assert world.unassigned.id_kpm in html and world.household.id_kpm not in html


def test_an_empty_caseload_says_what_to_do(db, client_for):
    newcomer = FacilitatorFactory(cities=[region("31.75")])
    html = page(client_for(newcomer).get(reverse("household_list")))
    assert "coordinator" in html.lower() or "koordinator" in html.lower()


def test_the_household_page_shows_components_and_the_stage_entitlement(world, client_for):
    html = page(client_for(world.facilitator).get(reverse("household_detail", args=[world.household.pk])))
    assert "SD" in html and "SMP" in html
    assert "Rp" in html
    for member in world.household.members.all():
        assert member.name in html
        assert member.nik not in html


def test_revealing_identity_numbers_shows_them_and_is_logged(world, client_for):
    client = client_for(world.auditor)
    html = page(client.post(reverse("household_identity", args=[world.household.pk])))
    assert world.household.no_kk in html
    assert world.household.members.first().nik in html
    event = AuditEvent.objects.get(action="view_identity")
    assert (event.actor, event.household_id) == (world.auditor, world.household.pk)


def test_a_nik_that_disagrees_with_the_birth_date_shows_a_warning(world, client_for):
    member = world.household.members.get(relationship="ANAK", school="SD")
    member.birth_date = date(2015, 6, 2)
    member.save()
    html = page(client_for(world.facilitator).get(reverse("household_detail", args=[world.household.pk])))
    assert "02-06-2015" in html


def test_member_form_errors_name_the_field(world, client_for):
    client = client_for(world.facilitator)
    response = client.post(reverse("member_create", args=[world.household.pk]), {
        "name": "Bayi", "nik": "12345", "sex": "L", "birth_date": "2030-01-01", "relationship": "ANAK",
        "expected_version": world.household.version,
    })
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "nik" in errors and "birth_date" in errors


def test_a_coordinator_moves_a_family_from_the_assign_page(world, client_for):
    client = client_for(world.coordinator)
    response = client.post(reverse("caseload_assign"), {
        "households": [world.unassigned.pk], "facilitator": world.facilitator.pk, "reason": "wilayah baru",
    })
    assert response.status_code == 302
    world.unassigned.refresh_from_db()
    assert world.unassigned.facilitator == world.facilitator
    html = page(client.get(response["Location"]))
    assert 'name="households"' in html and 'name="kelurahan"' in html


def test_the_city_overview_highlights_facilitators_over_the_norm(world, client_for):
    from org.models import CaseloadNorm

    CaseloadNorm.objects.update(minimum=1, maximum=1)
    make_family(facilitator=world.facilitator)
    response = client_for(world.coordinator).get(reverse("city_overview"))
    rows = {row.facilitator: row for row in response.context["overview"].rows}
    assert rows[world.facilitator].over_norm and rows[world.facilitator].active == 2
    assert not rows[world.other_facilitator].over_norm
    assert response.context["overview"].unassigned_active == 1


def test_the_interface_is_indonesian_by_default_and_english_on_request(world, client_for):
    client = client_for(world.facilitator)
    html = page(client.get(reverse("household_list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert 'lang="id"' in html, "a phone set to English still gets Indonesian until the user chooses"
    client.post(reverse("set_language"), {"language": "en", "next": reverse("household_list")})
    assert 'lang="en"' in page(client.get(reverse("household_list")))


def test_pages_carry_a_content_security_policy_and_no_inline_scripts(world, client_for):
    response = client_for(world.coordinator).get(reverse("household_detail", args=[world.household.pk]))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = page(response)
    assert "<script>" not in html and "onclick=" not in html and 'style="' not in html


# --- query counts: constant whatever the caseload size ------------------------------------------

def _fill(facilitator, count, kelurahan="31.75.01.1001"):
    for _ in range(count):
        make_family(facilitator=facilitator, kelurahan=kelurahan)


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("params, expected", [
    # session, user, the facilitator's kelurahan (profile, households, names), count, page of households,
    # their members, benefit year, its indexes
    ({}, 10),
    # ... plus the members of the candidate households for the exact component check
    ({"component": "SD"}, 11),
    ({"status": "active", "sort": "-updated"}, 10),
])
def test_caseload_list_query_count_does_not_grow_with_the_caseload(world, client_for, params, expected):
    client = client_for(world.facilitator)
    url = reverse("household_list")
    _fill(world.facilitator, 9)
    assert _queries(client, url, params) == expected
    _fill(world.facilitator, 40)
    assert _queries(client, url, params) == expected


def test_city_overview_query_count_does_not_grow_with_facilitators_or_households(world, client_for):
    client = client_for(world.coordinator)
    url = reverse("city_overview")
    small = _queries(client, url)
    city = region("31.75")
    for _ in range(5):
        _fill(FacilitatorFactory(cities=[city]), 4)
    assert _queries(client, url) == small


def test_household_page_query_count_does_not_grow_with_history(world, client_for):
    from beneficiaries import services

    client = client_for(world.coordinator)
    url = reverse("household_detail", args=[world.household.pk])
    small = _queries(client, url)
    for facilitator in (world.other_facilitator, world.facilitator, world.other_facilitator):
        services.households_assign(actor=world.coordinator, household_ids=[world.household.pk], facilitator=facilitator)
    for _ in range(3):
        MemberFactory(household=world.household, relationship="CUCU", birth_date=date(2022, 1, 1))
    assert _queries(client, url) == small


def test_error_pages_explain_in_indonesian(world, client_for, settings):
    settings.DEBUG = False
    client = client_for(world.facilitator)
    response = client.get(reverse("household_detail", args=[world.household_b.pk]))
    assert response.status_code == 404 and "Tidak ditemukan" in page(response)
    response = client.get(reverse("city_overview"))
    assert response.status_code == 403 and "Tidak diizinkan" in page(response)
