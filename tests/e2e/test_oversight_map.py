"""The facilitator map in a real browser: the points are drawn whether the tile server answers or not."""

import base64
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from casework.models import HomeVisit
from tests.browser import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

JAKARTA = ZoneInfo("Asia/Jakarta")
TILE_HOST = "tile.openstreetmap.org"  # the default MAP_TILE_URL, allowed by the default CSP
# A 1×1 grey PNG: what a tile server would send.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==")


@pytest.fixture
def visits(world):
    home = world.household
    home.home_latitude, home.home_longitude = Decimal("-6.200000"), Decimal("106.900000")
    home.save(update_fields=["home_latitude", "home_longitude"])
    when = datetime(2026, 9, 10, 10, 0, tzinfo=JAKARTA)
    for day, lat, lng, far in ((10, "-6.200100", "106.900100", False), (12, "-6.230000", "106.930000", True)):
        HomeVisit.objects.create(household=home, facilitator=world.facilitator, visited_at=when.replace(day=day),
                                 received_at=when.replace(day=day), purpose="data", met="pengurus",
                                 latitude=Decimal(lat), longitude=Decimal(lng), geo_status="ok", flag_far=far,
                                 distance_m=4600 if far else 15)


def open_map(page, live_server, world):
    sign_in(page, live_server, world.coordinator.username)
    page.goto(f"{live_server.url}/oversight/facilitators/{world.facilitator.pk}/map/?kota=31.75&bulan=2026-09")
    page.wait_for_selector("#oversight-map .leaflet-interactive")
    # two visits and one home position, plus the line from the far visit to the home
    assert page.locator("#oversight-map path.leaflet-interactive").count() >= 4


@pytest.mark.parametrize("phone", [{"expected_failed_host": TILE_HOST}], indirect=True)
def test_without_tiles_the_points_stay_on_a_plain_background(phone, live_server, world, visits):
    phone.route(f"https://{TILE_HOST}/**", lambda route: route.abort())  # the tile server is unreachable
    open_map(phone, live_server, world)
    phone.wait_for_selector("#map-tiles-note:not(.d-none)")
    assert "oversight-map-plain" in phone.get_attribute("#oversight-map", "class")
    screenshot(phone, "oversight-map-without-tiles")


def test_with_tiles_the_map_has_its_background_and_no_note(phone, live_server, world, visits):
    phone.route(f"https://{TILE_HOST}/**", lambda route: route.fulfill(status=200, content_type="image/png", body=PNG))
    open_map(phone, live_server, world)
    phone.wait_for_selector("#oversight-map img.leaflet-tile-loaded")
    assert phone.locator("#map-tiles-note.d-none").count() == 1
    screenshot(phone, "oversight-map-with-tiles")
