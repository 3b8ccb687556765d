"""The records behind a figure (oversight_records): who may open them, what the list shows, the XLSX."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from tests.oversight.activity_world import MONTH, planted_city

pytestmark = pytest.mark.django_db


def url(user, figure="visits", **params):
    query = "&".join(f"{k}={v}" for k, v in {"kota": "31.75", "bulan": f"{MONTH:%Y-%m}", **params}.items())
    return f"{reverse('oversight_records', args=[user.pk, figure])}?{query}"


@pytest.fixture
def city(world):
    return planted_city()


def test_the_coordinator_sees_the_far_visits_with_links_to_each(client_for, world, city, settings):
    settings.LANGUAGE_CODE = "en"
    response = client_for(world.coordinator).get(url(city["far"], "visits_far"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["count"] == 10 and len(response.context["rows"]) == 10
    text = response.content.decode()
    assert "Visits far from home" in text and "<strong>10</strong>" in text
    assert all(row.url.startswith("/") and "/visits/" in row.url for row in response.context["rows"])


def test_the_far_facilitator_has_no_shared_coordinate_records(client_for, world, city):
    response = client_for(world.auditor).get(url(city["far"], "visits_shared_coordinate"))
    assert response.status_code == 200 and response.context["count"] == 0


def test_a_facilitator_sees_only_their_own_records(client_for, world, city):
    client = client_for(city["night"])
    assert client.get(url(city["night"], "visits_off_hours")).context["count"] == 10
    assert client.get(url(city["far"])).status_code == 404


def test_another_citys_roles_get_404(client_for, world, city):
    assert client_for(world.coordinator_b).get(url(city["far"], kota="31.74")).status_code == 404
    assert client_for(world.auditor_b).get(url(city["far"])).status_code == 404


def test_an_unknown_figure_is_404(client_for, world, city):
    assert client_for(world.admin).get(url(city["far"], "salary")).status_code == 404


def test_the_list_exports_as_xlsx_and_is_audited(client_for, world, city):
    response = client_for(world.coordinator).get(url(city["one_spot"], "visits_shared_coordinate", format="xlsx"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="oversight.records")
    assert event.changes["rows"] == 10 and event.changes["figure"] == "visits_shared_coordinate"


def test_the_list_query_count_does_not_grow_with_the_records(client_for, world, django_assert_max_num_queries):
    from tests.oversight.activity_world import LAST, facilitator, thresholds, visits, workdays

    thresholds()
    user, homes = facilitator("pendamping_many", households=8)
    visits(user, homes, workdays(MONTH, LAST)[:2])
    client = client_for(world.coordinator)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url(user))
    visits(user, homes, workdays(MONTH, LAST) * 2)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(user)).context["count"] > 20
    assert len(many.captured_queries) == len(few.captured_queries)
