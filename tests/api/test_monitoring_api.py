"""The transaction-monitoring endpoints: flags and monthly reports."""

import re
from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from monitoring.models import BankEvent, Flag
from tests.matrix.monitoring_reports import _report

FLAGS = reverse("api_monitoring_flag_list")
REPORTS = reverse("api_monitoring_report_list")


def _flag(household, *, code="TIDAK_SALUR", year=2026, stage=2, occurred_on=None, city_code="31.75"):
    return Flag.objects.create(
        code=code, household=household, id_kpm=household.id_kpm if household else "KPM-X", occurred_on=occurred_on,
        city_code=household.city_code if household else city_code, year=year, stage=stage, expected=600_000,
        credited=0, detail={"bank": "BRI", "credits_of_bank": 3, "expected": 600_000})


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def flags(world):
    found = {name: _flag(getattr(world, name)) for name in ("household", "other_household", "unassigned",
                                                             "household_b")}
    found["unmatched"] = _flag(None, code="TIDAK_DIKENAL", city_code="31.75")
    return found


def test_each_role_lists_the_flags_it_sees(world, client, flags):
    city_a = {flags[n].pk for n in ("household", "other_household", "unassigned", "unmatched")}
    for user, ids in ((world.facilitator, {flags["household"].pk}), (world.coordinator, city_a),
                      (world.auditor, city_a), (world.coordinator_b, {flags["household_b"].pk}),
                      (world.admin, {f.pk for f in flags.values()})):
        client.force_login(user)
        assert _ids(client.get(FLAGS)) == ids, user.username


def test_a_flag_explains_itself_in_words(world, client, flags, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(world.facilitator)
    row = client.get(FLAGS).json()["results"][0]
    assert row["code"] == "TIDAK_SALUR" and row["label"] == "Entitled but not credited"
    assert row["sentences"][0].startswith("Nothing credited in this stage")
    assert row["household"] == {"id": world.household.pk, "id_kpm": world.household.id_kpm}
    assert row["has_case"] is False


def test_the_flag_list_filters_by_code_year_stage_dates_and_kelurahan(world, client, flags):
    dormant = _flag(world.household, code="DANA_MENGENDAP", year=2025, stage=4, occurred_on=date(2025, 11, 3))
    client.force_login(world.coordinator)
    assert _ids(client.get(FLAGS, {"code": "DANA_MENGENDAP"})) == {dormant.pk}
    assert _ids(client.get(FLAGS, {"year": 2025})) == {dormant.pk}
    assert _ids(client.get(FLAGS, {"year": 2025, "stage": 4})) == {dormant.pk}
    assert dormant.pk not in _ids(client.get(FLAGS, {"stage": 2}))
    assert _ids(client.get(FLAGS, {"from": "2025-11-01", "to": "2025-11-30"})) == {dormant.pk}
    assert _ids(client.get(FLAGS, {"kelurahan": world.household.kelurahan_id})) == {flags["household"].pk, dormant.pk}
    assert client.get(FLAGS, {"stage": 5}).status_code == 400
    assert client.get(FLAGS, {"code": "UNKNOWN"}).status_code == 400
    assert client.get(FLAGS, {"from": "2025-12-01", "to": "2025-11-01"}).status_code == 400


def test_the_flag_list_runs_the_same_queries_for_one_or_many_flags(world, client, flags):
    client.force_login(world.coordinator)
    client.get(FLAGS)
    with CaptureQueriesContext(connection) as few:
        client.get(FLAGS)
    for stage in (1, 3, 4):
        _flag(world.household, stage=stage)
        _flag(world.other_household, stage=stage)
    with CaptureQueriesContext(connection) as many:
        assert client.get(FLAGS).json()["count"] == 10
    assert len(many) == len(few)


def test_a_flag_with_its_bank_rows_in_scope_only(world, client, flags):
    BankEvent.objects.create(bank="BRI", ref="R1", id_kpm=world.household.id_kpm, kks_number="1234567890123456",
                             year=2026, stage=2, kind="TARIK", occurred_on=date(2026, 5, 2), amount=100_000,
                             household=world.household, match="matched", city_code="31.75")
    url = reverse("api_monitoring_flag_detail", kwargs={"pk": flags["household"].pk})
    for user, status in ((world.facilitator, 200), (world.coordinator, 200), (world.auditor, 200), (world.admin, 200),
                         (world.other_facilitator, 404), (world.coordinator_b, 404), (world.auditor_b, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
    client.force_login(world.facilitator)
    data = client.get(url).json()
    assert data["events"][0]["kks"] == "1234••••••••3456" and data["case"] is None
    unmatched = reverse("api_monitoring_flag_detail", kwargs={"pk": flags["unmatched"].pk})
    assert client.get(unmatched).status_code == 404
    client.force_login(world.coordinator)
    assert client.get(unmatched).status_code == 200


def test_reports_a_facilitator_sees_only_with_their_own_figures(world, client):
    mine = _report(world, world.household)  # January, city A, figures of world.facilitator
    other = _report(world, world.other_household)  # February, city A, figures of the other facilitator
    city_b = _report(world, world.household_b)
    for user, ids in ((world.facilitator, {mine.pk}), (world.other_facilitator, {other.pk}),
                      (world.coordinator, {mine.pk, other.pk}), (world.auditor, {mine.pk, other.pk}),
                      (world.auditor_b, {city_b.pk}), (world.admin, {mine.pk, other.pk, city_b.pk})):
        client.force_login(user)
        assert _ids(client.get(REPORTS)) == ids, user.username
    client.force_login(world.facilitator)
    row = client.get(REPORTS).json()["results"][0]
    assert row["month"] == "2026-01" and row["latest"] is True and row["row_counts"] is None
    data = client.get(reverse("api_monitoring_report_detail", kwargs={"pk": mine.pk})).json()
    assert data["own"] is True and data["figures"]["by_kelurahan"] == []
    assert [r["id"] for r in data["figures"]["by_facilitator"]] == [world.facilitator.pk]
    assert client.get(reverse("api_monitoring_report_detail", kwargs={"pk": other.pk})).status_code == 404
    client.force_login(world.coordinator)
    data = client.get(reverse("api_monitoring_report_detail", kwargs={"pk": mine.pk})).json()
    assert data["own"] is False and data["figures"] == mine.content and data["checksum"] == mine.checksum
    assert client.get(reverse("api_monitoring_report_detail", kwargs={"pk": city_b.pk})).status_code == 404
    assert _ids(client.get(REPORTS, {"from": "2026-02-10"})) == {other.pk}
    assert _ids(client.get(REPORTS, {"to": "2026-01-31"})) == {mine.pk}
    assert client.get(REPORTS, {"from": "2026-13-01"}).status_code == 400


def test_the_report_list_runs_the_same_queries_for_one_or_many_reports(world, client):
    client.force_login(world.facilitator)
    _report(world, world.household)
    client.get(REPORTS)
    with CaptureQueriesContext(connection) as few:
        client.get(REPORTS)
    _report(world, world.other_household)
    _report(world, world.unassigned)
    with CaptureQueriesContext(connection) as many:
        client.get(REPORTS)
    assert len(many) == len(few)


def test_a_bank_rows_time_is_given_as_documented(world, client, flags):
    BankEvent.objects.create(bank="BRI", ref="R1", id_kpm=world.household.id_kpm, kks_number="1234567890123456",
                             year=2026, stage=2, kind="TARIK", occurred_on=date(2026, 5, 2), occurred_time=time(14, 5),
                             amount=100_000, household=world.household, match="matched", city_code="31.75")
    client.force_login(world.facilitator)
    event = client.get(reverse("api_monitoring_flag_detail", kwargs={"pk": flags["household"].pk})).json()["events"][0]
    assert event["occurred_time"] == "14:05"
    documented = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]["BankEvent"]
    assert re.fullmatch(documented["properties"]["occurred_time"]["pattern"], event["occurred_time"])
