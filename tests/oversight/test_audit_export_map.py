"""The audit table as XLSX (same figures, filters and scope as the page, audited) and the facilitator's map
(visits and home positions in and out of scope, far-visit lines, tiles and the plain-background fallback)."""

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from casework.models import HomeVisit
from core.models import AuditEvent
from org.models import FacilitatorProfile
from oversight.models import ActivityClass
from tests.conftest import make_family
from tests.oversight.test_audit_pages import month_row

JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


# --- XLSX ------------------------------------------------------------------------------------------------

def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def test_the_export_has_the_tables_figures_for_the_users_city_only(world, client, english):
    FacilitatorProfile.objects.filter(user=world.facilitator).update(background="social_welfare")
    month_row(world.facilitator, caseload=300, visits_far=19)
    month_row(world.other_facilitator, activity_class=ActivityClass.INACTIVE)
    month_row(world.facilitator_b, city_code="31.74")
    client.force_login(world.auditor)
    response = client.get(reverse("oversight_audit_export") + "?bulan=2026-09")
    assert "facilitator-activity-31.75-2026-09.xlsx" in response["Content-Disposition"]
    book = _workbook(response)
    assert book.sheetnames == ["Facilitators", "By background", "Activity by month"]
    sheet = book["Facilitators"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[1]: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {world.facilitator.username, world.other_facilitator.username}
    mine = rows[world.facilitator.username]
    assert mine["Families"] == 300 and mine["Of the norm"] == pytest.approx(1.2)
    assert mine["Far from home"] == pytest.approx(19 / 76) and mine["Activity"] == "Active"
    assert mine["Background"] == "Social-welfare education" and mine["Natural approved"] == 1
    assert mine["Class in Sep 2026"] == "Active" and mine["Class in Apr 2026"] is None
    assert rows[world.other_facilitator.username]["Activity"] == "Inactive"
    backgrounds = [row[0] for row in book["By background"].iter_rows(min_row=2, values_only=True)]
    assert backgrounds == ["Social-welfare education", "Other education"]
    months = list(book["Activity by month"].iter_rows(min_row=2, values_only=True))
    assert len(months) == 6 and months[-1][1:] == (1, 0, 1)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="oversight.audit")
    assert event.actor == world.auditor and event.city_code == "31.75"


def test_the_export_follows_the_pages_filters(world, client):
    month_row(world.facilitator)
    month_row(world.other_facilitator, activity_class=ActivityClass.INACTIVE)
    client.force_login(world.coordinator)
    book = _workbook(client.get(reverse("oversight_audit_export") + "?bulan=2026-09&kelas=inactive"))
    names = [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert names == [world.other_facilitator.username]


def test_the_export_of_another_city_answers_404(world, client):
    client.force_login(world.coordinator)
    assert client.get(reverse("oversight_audit_export") + "?kota=31.74").status_code == 404


# --- the map ------------------------------------------------------------------------------------------------

def _visit(household, facilitator, when, *, lat=None, lng=None, far=False, distance=None):
    return HomeVisit.objects.create(
        household=household, facilitator=facilitator, visited_at=when, received_at=when, purpose="data",
        met="pengurus", latitude=lat, longitude=lng, geo_status="ok" if lat is not None else "denied",
        flag_far=far, distance_m=distance, flag_no_geotag=lat is None,
    )


def _map(client, facilitator, month="2026-09", **params):
    from urllib.parse import urlencode

    url = reverse("oversight_map", kwargs={"pk": facilitator.pk})
    return client.get(f"{url}?{urlencode({'bulan': month, **params})}")


@pytest.fixture
def mapped(world):
    """Geotagged visits of the facilitator in September 2026 (one far), one in August, one without geotag,
    and the home positions of their family and of a family of theirs in another city."""
    home = world.household
    home.home_latitude, home.home_longitude = Decimal("-6.200000"), Decimal("106.900000")
    home.save(update_fields=["home_latitude", "home_longitude"])
    september = datetime(2026, 9, 10, 10, 0, tzinfo=JAKARTA)
    near = _visit(home, world.facilitator, september, lat=Decimal("-6.200100"), lng=Decimal("106.900100"), distance=15)
    far = _visit(home, world.facilitator, september.replace(day=12), lat=Decimal("-6.230000"),
                 lng=Decimal("106.930000"), far=True, distance=4600)
    august = _visit(home, world.facilitator, datetime(2026, 8, 31, 23, 0, tzinfo=JAKARTA), lat=Decimal("-6.1"),
                    lng=Decimal("106.8"))
    blind = _visit(home, world.facilitator, september.replace(day=15))
    # the other facilitator's family, visited once by our facilitator (standing in), with a home position
    other = world.other_household
    other.home_latitude, other.home_longitude = Decimal("-6.210000"), Decimal("106.910000")
    other.save(update_fields=["home_latitude", "home_longitude"])
    standing_in = _visit(other, world.facilitator, september.replace(day=20), lat=Decimal("-6.210050"),
                         lng=Decimal("106.910050"))
    # a family of another city assigned to our facilitator (bad data, but it must not leak across cities)
    elsewhere = make_family(facilitator=world.facilitator, kelurahan="31.74.01.1001",
                            home_latitude=Decimal("-6.24"), home_longitude=Decimal("106.85"))
    abroad = _visit(elsewhere, world.facilitator, september.replace(day=21), lat=Decimal("-6.24"),
                    lng=Decimal("106.85"))
    return {"near": near, "far": far, "august": august, "blind": blind, "standing_in": standing_in,
            "abroad": abroad, "elsewhere": elsewhere}


def test_the_map_shows_the_months_geotagged_visits_and_the_home_positions(world, client, mapped, english):
    client.force_login(world.coordinator)
    response = _map(client, world.facilitator)
    assert response.status_code == 200
    points = response.context["points"]
    assert [v["id"] for v in points["visits"]] == [mapped["near"].pk, mapped["far"].pk, mapped["standing_in"].pk]
    homes = {h["id"]: h for h in points["homes"]}
    assert set(homes) == {world.household.pk, world.other_household.pk}
    assert homes[world.household.pk]["caseload"] and not homes[world.other_household.pk]["caseload"]
    assert points["lines"] == [{"from": [-6.23, 106.93], "to": [-6.2, 106.9], "visit": mapped["far"].pk}]
    far = next(v for v in points["visits"] if v["far"])
    assert far["when"] == "12/09/2026 10:00" and far["distance"] == 4600
    assert far["url"] == reverse("household_detail", kwargs={"pk": world.household.pk})
    html = response.content.decode()
    assert 'id="oversight-map-data"' in html and 'id="oversight-map-config"' in html
    assert "vendor/leaflet/leaflet.js" in html and "js/oversight-map.js" in html


def test_the_map_leaves_out_what_the_viewer_does_not_see(world, client, mapped):
    # the facilitator themselves: the other facilitator's family is not theirs to see
    client.force_login(world.facilitator)
    points = _map(client, world.facilitator).context["points"]
    assert [v["id"] for v in points["visits"]] == [mapped["near"].pk, mapped["far"].pk]
    assert [h["id"] for h in points["homes"]] == [world.household.pk]
    # another city's family never shows on this city's map, even to an administrator
    client.force_login(world.admin)
    points = _map(client, world.facilitator, kota="31.75").context["points"]
    assert mapped["abroad"].pk not in [v["id"] for v in points["visits"]]
    assert mapped["elsewhere"].pk not in [h["id"] for h in points["homes"]]


def test_the_map_is_scoped_like_the_facilitator_page(world, client, mapped):
    client.force_login(world.facilitator)
    assert _map(client, world.other_facilitator).status_code == 404
    client.force_login(world.coordinator_b)
    assert _map(client, world.facilitator).status_code == 404
    client.force_login(world.auditor)
    assert _map(client, world.facilitator).status_code == 200


def test_the_tile_server_comes_from_the_settings_and_the_note_shows_without_one(world, client, mapped, settings,
                                                                               english):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "Example tiles"
    client.force_login(world.coordinator)
    response = _map(client, world.facilitator)
    assert response.context["config"]["tiles"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert 'class="alert alert-warning py-2 small d-none"' in response.content.decode()  # hidden until a tile fails
    settings.MAP_TILE_URL = ""
    response = _map(client, world.facilitator)
    html = response.content.decode()
    assert response.context["config"]["tiles"] == ""
    assert 'class="alert alert-warning py-2 small" role="status" id="map-tiles-note"' in html
    assert "The map background is unavailable" in html


def test_the_default_content_security_policy_allows_the_default_tile_host(settings):
    from pkh_case.settings import CONTENT_SECURITY_POLICY, MAP_TILE_URL, tile_image_source

    if MAP_TILE_URL == "https://tile.openstreetmap.org/{z}/{x}/{y}.png":
        assert "img-src 'self' data: https://tile.openstreetmap.org;" in CONTENT_SECURITY_POLICY
    assert tile_image_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == " https://*.tile.example.org"
    assert tile_image_source("") == ""


def test_a_month_without_points_says_so(world, client, english):
    client.force_login(world.coordinator)
    response = _map(client, world.facilitator, month="2026-05")
    assert b'id="map-empty"' in response.content and b'id="oversight-map"' not in response.content
