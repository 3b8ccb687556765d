"""A facilitator logs a home visit on a phone, with and without the position."""

import pytest

from casework.models import HomeVisit
from tests.browser import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

POSITION = {"latitude": -6.2001, "longitude": 106.8601, "accuracy": 8}


def log_visit(page, live_server, household, outcome):
    page.goto(f"{live_server.url}/households/{household.pk}/")
    page.click(f"a[href='/visits/new/?household={household.pk}']")
    page.wait_for_selector("form[data-visit-form]")
    page.check("input[name=purpose][value=commitment]")
    page.check("input[name=met][value=pengurus]")
    page.fill("input[name=outcome]", outcome)


@pytest.mark.parametrize("phone", [{"geolocation": POSITION, "permissions": ["geolocation"]}], indirect=True)
def test_a_visit_with_the_phones_position_appears_on_the_timeline(phone, live_server, world):
    world.household.home_latitude, world.household.home_longitude = -6.2, 106.86
    world.household.save()
    sign_in(phone, live_server, world.facilitator.username)
    log_visit(phone, live_server, world.household, "Anak kembali bersekolah")
    phone.wait_for_selector("[data-geo-status].alert-success")
    screenshot(phone, "visit-form-geolocated")
    phone.click("button[type=submit].btn-primary")
    phone.wait_for_url(f"**/households/{world.household.pk}/visits/")
    assert "Anak kembali bersekolah" in phone.content()
    screenshot(phone, "visit-timeline-geolocated")
    visit = HomeVisit.objects.get()
    assert (float(visit.latitude), float(visit.longitude)) == (-6.2001, 106.8601)
    assert visit.accuracy_m == 8 and visit.distance_m < 20 and not visit.flagged


@pytest.mark.parametrize("phone", [{"permissions": []}], indirect=True)
def test_a_visit_is_saved_when_the_position_is_denied(phone, live_server, world):
    sign_in(phone, live_server, world.facilitator.username)
    log_visit(phone, live_server, world.household, "Ibu tidak mengizinkan lokasi")
    phone.wait_for_selector("[data-geo-status].alert-warning")
    screenshot(phone, "visit-form-denied")
    phone.click("button[type=submit].btn-primary")
    phone.wait_for_url(f"**/households/{world.household.pk}/visits/")
    assert "Ibu tidak mengizinkan lokasi" in phone.content()
    screenshot(phone, "visit-timeline-denied")
    visit = HomeVisit.objects.get()
    assert visit.flag_no_geotag and visit.geo_status == "denied" and visit.latitude is None
