"""The graduation endpoints: proposals, proposing, and the coordinator's decision."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Household
from graduation.models import Proposal

LIST = reverse("api_graduation_proposal_list")


def _proposal(household, proposer, *, kind=Proposal.Kind.ALAMIAH, **fields):
    values = {"effective_date": date(2026, 10, 1), "notes": "Anak sudah lulus SMA.", "classification": "BELUM",
              "rules_version": 1, "justification": "Keluarga sudah tidak punya komponen.", **fields}
    return Proposal.objects.create(household=household, kind=kind, proposed_by=proposer, **values)


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


def _decide(client, proposal, body):
    return client.post(reverse("api_graduation_proposal_decision", kwargs={"pk": proposal.pk}), body,
                       content_type="application/json")


@pytest.fixture
def proposals(world):
    return {name: _proposal(getattr(world, name), getattr(world, name).facilitator or world.coordinator)
            for name in ("household", "other_household", "unassigned", "household_b")}


def test_each_role_lists_the_proposals_of_its_area(world, client, proposals):
    city_a = {proposals[n].pk for n in ("household", "other_household", "unassigned")}
    for user, ids in ((world.facilitator, {proposals["household"].pk}), (world.coordinator, city_a),
                      (world.auditor, city_a), (world.auditor_b, {proposals["household_b"].pk}),
                      (world.admin, {p.pk for p in proposals.values()})):
        client.force_login(user)
        assert _ids(client.get(LIST)) == ids, user.username


def test_the_list_filters_by_status_kind_dates_and_kelurahan(world, client, proposals):
    done = _proposal(world.household, world.facilitator, kind=Proposal.Kind.MOVED, status=Proposal.Status.REJECTED,
                     decision_reason="Belum pindah")
    Proposal.objects.filter(pk=done.pk).update(proposed_at=timezone.now() - timedelta(days=30))
    client.force_login(world.coordinator)
    assert done.pk not in _ids(client.get(LIST))  # waiting ones by default, like the page
    assert _ids(client.get(LIST, {"status": "rejected"})) == {done.pk}
    assert done.pk in _ids(client.get(LIST, {"status": "all"}))
    assert _ids(client.get(LIST, {"status": "all", "kind": "moved"})) == {done.pk}
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert _ids(client.get(LIST, {"status": "all", "to": since})) == {done.pk}
    assert done.pk not in _ids(client.get(LIST, {"status": "all", "from": since}))
    assert _ids(client.get(LIST, {"kelurahan": world.household.kelurahan_id})) == {proposals["household"].pk}
    assert client.get(LIST, {"from": "yesterday"}).status_code == 400
    assert client.get(LIST, {"kind": "lottery"}).status_code == 400


def test_the_list_runs_the_same_queries_for_one_or_many_proposals(world, client, proposals):
    client.force_login(world.coordinator)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(5):
        _proposal(world.household, world.facilitator, status=Proposal.Status.REJECTED)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST, {"status": "all"}).json()["count"] == 8
    assert len(many) == len(few)


def test_a_proposal_in_scope_only(world, client, proposals):
    url = reverse("api_graduation_proposal_detail", kwargs={"pk": proposals["household"].pk})
    for user, status in ((world.facilitator, 200), (world.coordinator, 200), (world.auditor, 200), (world.admin, 200),
                         (world.other_facilitator, 404), (world.coordinator_b, 404), (world.auditor_b, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
    client.force_login(world.facilitator)
    data = client.get(url).json()
    assert data["kind"] == "alamiah" and data["disagrees"] is True and data["statement_ready"] is True


def test_proposing_uses_the_service_and_its_messages(world, client, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(world.facilitator)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    body = {"household": world.household.pk, "kind": "moved", "effective_date": yesterday, "notes": ""}
    response = client.post(LIST, body, content_type="application/json")
    assert response.json() == {"notes": ["Describe the evidence: what changed in the family and how you know."]}
    response = client.post(LIST, {**body, "kind": "mandiri", "notes": "Usaha berjalan."},
                           content_type="application/json")
    assert response.json() == {"assessment": [
        "An independent-prosperous graduation needs a socio-economic assessment: record one first."]}
    response = client.post(LIST, {**body, "effective_date": (timezone.localdate() + timedelta(days=3)).isoformat()},
                           content_type="application/json")
    assert response.json() == {"effective_date": ["The date cannot be in the future."]}
    response = client.post(LIST, {**body, "kind": "alamiah", "notes": "Anak lulus."}, content_type="application/json")
    assert response.status_code == 400 and "explain why you propose this type" in response.json()["justification"][0]
    response = client.post(LIST, {**body, "household": world.other_household.pk, "notes": "Pindah."},
                           content_type="application/json")
    assert response.json() == {"household": ["This family is not in your area."]}
    response = client.post(LIST, {**body, "notes": "Pindah ke Bekasi."}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["status"] == "pending" and response.json()["kind"] == "moved"
    response = client.post(LIST, {**body, "notes": "Pindah ke Bekasi."}, content_type="application/json")
    assert response.status_code == 400 and "already waiting for approval" in response.json()["household"][0]
    assert Proposal.objects.count() == 1


def test_an_auditor_cannot_propose(world, client):
    client.force_login(world.auditor)
    response = client.post(LIST, {"household": world.household.pk, "kind": "moved", "effective_date": "2026-01-01",
                                  "notes": "x"}, content_type="application/json")
    assert response.status_code == 403 and not Proposal.objects.exists()


def test_only_the_coordinator_decides(world, client, proposals, settings):
    settings.LANGUAGE_CODE = "en"
    proposal = proposals["household"]
    for user, status in ((world.facilitator, 403), (world.auditor, 403), (world.other_facilitator, 404),
                         (world.coordinator_b, 404), (world.auditor_b, 404)):
        client.force_login(user)
        assert _decide(client, proposal, {"decision": "approve"}).status_code == status, user.username
    client.force_login(world.coordinator)
    response = _decide(client, proposal, {"decision": "reject"})
    assert response.json() == {"reason": ["Give the reason for rejecting the proposal."]}
    response = _decide(client, proposal, {"decision": "approve"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    world.household.refresh_from_db()
    assert world.household.status == Household.Status.GRADUATED
    response = _decide(client, proposal, {"decision": "approve"})
    assert response.status_code == 400 and "no longer waiting for approval" in response.json()["decision"][0]


def test_an_independent_prosperous_graduation_needs_the_familys_statement(world, client, settings):
    settings.LANGUAGE_CODE = "en"
    proposal = _proposal(world.household, world.facilitator, kind=Proposal.Kind.MANDIRI)
    client.force_login(world.coordinator)
    response = _decide(client, proposal, {"decision": "approve"})
    assert response.json() == {"decision": [
        "The family's signed statement is missing: upload it or record how the family confirmed before approving."]}
    response = _decide(client, proposal, {"decision": "reject", "reason": "Belum ada pernyataan."})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
