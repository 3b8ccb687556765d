"""The mediation case endpoints: the list, a case, opening one, changing its status, adding a note."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from mediation.models import Case, CaseEvent

LIST = reverse("api_case_list")


def _case(world, household, **fields):
    values = {"category": "SALDO_NOL", "title": "Saldo nol tahap 2", "due_date": timezone.localdate() + timedelta(days=14),
              "opened_by": world.coordinator, **fields}
    return Case.objects.create(household=household, **values)


def _post(client, name, case, body):
    return client.post(reverse(name, kwargs={"pk": case.pk}), body, content_type="application/json")


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def cases(world):
    return {name: _case(world, getattr(world, name)) for name in ("household", "other_household", "unassigned",
                                                                  "household_b")}


def test_each_role_lists_the_cases_of_its_area(world, client, cases):
    city_a = {cases[n].pk for n in ("household", "other_household", "unassigned")}
    for user, ids in ((world.facilitator, {cases["household"].pk}), (world.coordinator, city_a),
                      (world.auditor, city_a), (world.coordinator_b, {cases["household_b"].pk}),
                      (world.admin, {c.pk for c in cases.values()})):
        client.force_login(user)
        assert _ids(client.get(LIST)) == ids, user.username


def test_the_list_filters_by_status_category_overdue_dates_kelurahan_and_household(world, client, cases):
    late = _case(world, world.household, category="KKS", title="Kartu hilang")
    Case.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - timedelta(days=1),
                                           opened_at=timezone.now() - timedelta(days=40))
    closed = _case(world, world.household, status="closed")
    client.force_login(world.coordinator)
    assert late.pk in _ids(client.get(LIST)) and closed.pk not in _ids(client.get(LIST))
    assert _ids(client.get(LIST, {"overdue": "true"})) == {late.pk}
    assert _ids(client.get(LIST, {"category": "KKS"})) == {late.pk}
    assert _ids(client.get(LIST, {"status": "closed"})) == {closed.pk}
    assert closed.pk in _ids(client.get(LIST, {"status": "all"}))
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert late.pk not in _ids(client.get(LIST, {"from": since}))
    assert _ids(client.get(LIST, {"to": since})) == {late.pk}
    assert _ids(client.get(LIST, {"kelurahan": world.other_household.kelurahan_id})) == {
        cases["other_household"].pk, cases["unassigned"].pk}
    assert _ids(client.get(LIST, {"household": world.other_household.pk})) == {cases["other_household"].pk}
    assert _ids(client.get(LIST, {"facilitator": "none"})) == {cases["unassigned"].pk}
    assert client.get(LIST, {"to": "31-12-2026"}).status_code == 400
    assert client.get(LIST, {"status": "pending"}).status_code == 400


def test_child_protection_details_never_appear_in_the_list_and_only_to_those_allowed(world, client, settings):
    settings.LANGUAGE_CODE = "en"
    case = _case(world, world.household, category="PERLINDUNGAN_ANAK", title="Anak ditelantarkan",
                 description="Rincian sensitif", opened_by=world.facilitator)
    detail = reverse("api_case_detail", kwargs={"pk": case.pk})
    for user in (world.facilitator, world.coordinator, world.auditor, world.admin):
        client.force_login(user)
        row = client.get(LIST).json()["results"][0]
        assert row["title"] == "Child protection case" and row["details_hidden"] is True
        assert "Anak" not in str(client.get(LIST).content)
    for user, shown in ((world.facilitator, True), (world.coordinator, True), (world.auditor, True),
                        (world.admin, False)):
        client.force_login(user)
        data = client.get(detail).json()
        assert (data["title"] == "Anak ditelantarkan") is shown, user.username
        assert (data["description"] == "Rincian sensitif") is shown
        assert data["details_hidden"] is not shown
    client.force_login(world.admin)
    assert _post(client, "api_case_note", case, {"note": "x"}).status_code == 403


def test_the_list_runs_the_same_queries_for_one_or_many_cases(world, client, cases):
    client.force_login(world.coordinator)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(6):
        _case(world, world.household)
        _case(world, world.other_household)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).json()["count"] == 15
    assert len(many) == len(few)


def test_a_case_in_scope_only(world, client, cases):
    url = reverse("api_case_detail", kwargs={"pk": cases["household"].pk})
    for user, status in ((world.facilitator, 200), (world.coordinator, 200), (world.auditor, 200), (world.admin, 200),
                         (world.other_facilitator, 404), (world.coordinator_b, 404), (world.auditor_b, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
    client.force_login(world.facilitator)
    data = client.get(url).json()
    assert data["transitions"] == ["in_progress", "resolved", "closed"]
    assert data["events"] == [] and data["referrals"] == []


def test_the_facilitator_opens_a_case_through_the_service(world, client, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(world.facilitator)
    body = {"household": world.household.pk, "category": "KKS", "title": "Kartu terblokir", "kks_reason": "blocked",
            "submission_key": "abc123"}
    response = client.post(LIST, body, content_type="application/json")
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "open" and data["kks_reason"] == "blocked" and data["events"][0]["kind"] == "opened"
    again = client.post(LIST, body, content_type="application/json")
    assert again.json()["id"] == data["id"] and Case.objects.count() == 1
    errors = client.post(LIST, {"household": world.household.pk, "category": "SALDO_NOL", "title": " "},
                         content_type="application/json")
    assert errors.status_code == 400 and errors.json() == {"title": ["Give the case a short title."]}
    errors = client.post(LIST, {"household": world.household.pk, "category": "ABC", "title": "x"},
                         content_type="application/json")
    assert errors.json() == {"category": ["Choose a category."]}
    errors = client.post(LIST, {"household": world.household.pk, "category": "SALDO_NOL", "title": "x",
                                "kks_reason": "lost"}, content_type="application/json")
    assert errors.json() == {"kks_reason": [
        "The KKS problem only applies to cases of the category “KKS card problem”."]}
    errors = client.post(LIST, {"household": world.household.pk, "category": "SALDO_NOL", "title": "x",
                                "due_date": "2020-01-01"}, content_type="application/json")
    assert errors.json() == {"due_date": ["The due date cannot be before today."]}
    errors = client.post(LIST, {"household": world.other_household.pk, "category": "SALDO_NOL", "title": "x"},
                         content_type="application/json")
    assert errors.json() == {"household": ["This family is not in your area."]}
    assert Case.objects.count() == 1


def test_an_auditor_cannot_open_a_case(world, client):
    client.force_login(world.auditor)
    response = client.post(LIST, {"household": world.household.pk, "category": "SALDO_NOL", "title": "x"},
                           content_type="application/json")
    assert response.status_code == 403 and not Case.objects.exists()


def test_status_changes_and_notes_go_through_the_service(world, client, cases, settings):
    settings.LANGUAGE_CODE = "en"
    case = cases["household"]
    client.force_login(world.facilitator)
    response = _post(client, "api_case_transition", case, {"to_status": "resolved"})
    assert response.json() == {"outcome": ["Describe the outcome before the case is resolved or closed."]}
    response = _post(client, "api_case_transition", case, {"to_status": "referred"})
    assert response.json() == {"to_status": ["To refer the case, record the referral to the partner."]}
    response = _post(client, "api_case_transition", case, {"to_status": "in_progress", "expected_status": "resolved"})
    assert response.status_code == 400 and "changed meanwhile" in response.json()["to_status"][0]
    response = _post(client, "api_case_transition", case, {"to_status": "resolved", "outcome": "Saldo masuk."})
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    response = _post(client, "api_case_transition", case, {"to_status": "in_progress", "note": "Belum beres"})
    assert response.json() == {"to_status": ["Only the coordinator can reopen a resolved or closed case."]}
    response = _post(client, "api_case_note", case, {"note": ""})
    assert response.json() == {"note": ["Write the note."]}
    response = _post(client, "api_case_note", case, {"note": "Bertemu ibu di rumah."})
    assert response.status_code == 201
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == ["status", "note"]
    client.force_login(world.coordinator)
    response = _post(client, "api_case_transition", case, {"to_status": "in_progress", "note": "Saldo hilang lagi."})
    assert response.status_code == 200 and response.json()["status"] == "in_progress"


def test_writes_answer_404_out_of_scope_and_403_to_auditors(world, client, cases):
    case = cases["household"]
    for user, status in ((world.auditor, 403), (world.other_facilitator, 404), (world.auditor_b, 404),
                         (world.coordinator_b, 404)):
        client.force_login(user)
        assert _post(client, "api_case_note", case, {"note": "x"}).status_code == status, user.username
        assert _post(client, "api_case_transition", case, {"to_status": "closed", "outcome": "x"}).status_code == status
    case.refresh_from_db()
    assert case.status == "open" and not CaseEvent.objects.exists()


def test_hidden_details_are_null_as_the_schema_says(world, client):
    case = _case(world, world.household, category="PERLINDUNGAN_ANAK", title="Anak ditelantarkan",
                 description="Rincian sensitif", opened_by=world.facilitator)
    client.force_login(world.admin)
    data = client.get(reverse("api_case_detail", kwargs={"pk": case.pk})).json()
    documented = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]["CaseDetail"]
    for field in ("description", "member", "outcome", "kks_reason"):
        assert data[field] is None, field
        assert documented["properties"][field].get("nullable") is True, field
