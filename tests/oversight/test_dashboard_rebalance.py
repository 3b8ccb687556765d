"""Rebalancing in one click: the dashboard's suggestion, its confirmation page with the exact families, the move
(beneficiaries.services.households_assign, audited), stale suggestions, and who may do it."""

from datetime import date

import pytest
from django.urls import reverse

from beneficiaries import services as registry
from beneficiaries.models import Assignment, Household
from core.models import AuditEvent
from oversight import rebalance
from tests.conftest import make_family
from tests.factories import FacilitatorFactory, region
from tests.oversight.test_dashboard_pages import overdue_case, pending_proposal

DASHBOARD = reverse("oversight_dashboard")
REBALANCE = reverse("oversight_rebalance")


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def crowded(world):
    """Norm 2–3. pendamping_a1: 5 active families (world.household and four more, all in Pisangan Baru), two of them
    with an open case or a graduation proposal waiting; pendamping_a2: 1 family. The suggestion: 2 families."""
    from org.models import CaseloadNorm

    CaseloadNorm.objects.update_or_create(valid_from=date(2018, 1, 1), defaults={"minimum": 2, "maximum": 3})
    more = [make_family(facilitator=world.facilitator) for _ in range(4)]
    overdue_case(world.coordinator, more[0])
    pending_proposal(more[1])
    return [world.household, *more]


def params(world, **extra):
    return {"kota": "31.75", "from": world.facilitator.pk, "to": world.other_facilitator.pk, **extra}


def suggested(world, crowded) -> list[Household]:
    held = {crowded[1].pk, crowded[2].pk}
    return [h for h in crowded if h.pk not in held][:2]  # ordered by kelurahan and ID KPM, the held ones stay


def test_the_confirmation_page_lists_the_exact_families_with_the_reason_prefilled(world, crowded, client_for):
    response = client_for(world.coordinator).get(REBALANCE, params(world))
    assert response.status_code == 200
    html = response.content.decode()
    listed = [f.pk for f in response.context["families"]]
    assert listed == [h.pk for h in suggested(world, crowded)]
    for household in suggested(world, crowded):
        assert f'<input type="hidden" name="households" value="{household.pk}">' in html
    assert crowded[1].id_kpm not in html and crowded[2].id_kpm not in html  # open case, proposal waiting
    reason = response.context["form"].initial["reason"]
    assert reason.startswith("Workload rebalancing:") and reason in html
    assert "Move 2 families from" in html


def test_the_reason_is_prefilled_in_the_active_language(world, crowded, client_for, settings):
    settings.LANGUAGE_CODE = "id"
    from django.utils import translation

    with translation.override("id"):
        expected = rebalance.default_reason(world.facilitator, world.other_facilitator)
    reason = client_for(world.coordinator).get(REBALANCE, params(world)).context["form"].initial["reason"]
    assert reason == expected


def test_confirming_moves_the_families_audited_and_returns_to_the_dashboard(world, crowded, client_for):
    client = client_for(world.coordinator)
    families = suggested(world, crowded)
    response = client.post(REBALANCE, params(world, households=[h.pk for h in families],
                                             reason="Penyeimbangan beban kerja"), follow=True)
    assert response.redirect_chain[-1][0] == f"{DASHBOARD}?kota=31.75"
    assert "2 families moved from" in response.content.decode()
    for household in families:
        household.refresh_from_db()
        assert household.facilitator_id == world.other_facilitator.pk
        assignment = Assignment.objects.get(household=household, end_date__isnull=True)
        assert (assignment.facilitator_id, assignment.reason, assignment.assigned_by_id) == (
            world.other_facilitator.pk, "Penyeimbangan beban kerja", world.coordinator.pk)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ASSIGN, household_id__in=[h.pk for h in families])
    assert events.count() == 2 and {e.message for e in events} == {"Penyeimbangan beban kerja"}
    dashboard = response.context["dashboard"]
    assert not dashboard.over_norm and not dashboard.suggestions  # 3 and 3: within the norm


def test_held_families_move_only_when_nothing_else_is_left_and_the_suggestion_says_so(world, crowded, client_for):
    elsewhere = FacilitatorFactory(cities=[region("31.75")])
    free = [h.pk for h in crowded if h.pk not in {crowded[1].pk, crowded[2].pk}]
    registry.households_assign(actor=world.coordinator, household_ids=free, facilitator=elsewhere)
    overdue_case(world.coordinator, make_family(facilitator=world.facilitator))
    overdue_case(world.coordinator, make_family(facilitator=world.facilitator))
    client = client_for(world.coordinator)
    # a1: four active families, every one with an open case or a proposal waiting; one must go to a2
    html = client.get(DASHBOARD).content.decode()
    assert "Move 1 family from" in html
    assert "Includes 1 family with an open case or a graduation proposal waiting" in html
    response = client.get(REBALANCE, params(world))
    assert response.context["held"] == 1
    assert "has no other family to move" in response.content.decode()


def test_a_family_moved_meanwhile_makes_the_suggestion_stale_and_nothing_moves(world, crowded, client_for):
    client = client_for(world.coordinator)
    families = suggested(world, crowded)
    registry.households_assign(actor=world.coordinator, household_ids=[families[0].pk], facilitator=None)
    response = client.post(REBALANCE, params(world, households=[h.pk for h in families], reason="Penyeimbangan"),
                           follow=True)
    assert response.redirect_chain[-1][0] == f"{DASHBOARD}?kota=31.75"
    html = response.content.decode()
    assert "The caseloads changed since this suggestion was made" in html and families[0].id_kpm in html
    families[1].refresh_from_db()
    assert families[1].facilitator_id == world.facilitator.pk  # nothing half-done
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ASSIGN, household_id=families[1].pk).exists()


def test_a_receiver_filled_meanwhile_makes_the_suggestion_stale(world, crowded, client_for):
    client = client_for(world.coordinator)
    families = suggested(world, crowded)
    make_family(facilitator=world.other_facilitator, kelurahan="31.75.02.1001")  # a2 now has 2: 2 + 2 > 3
    response = client.post(REBALANCE, params(world, households=[h.pk for h in families], reason="Penyeimbangan"),
                           follow=True)
    assert "would go above the norm" in response.content.decode()
    assert Household.objects.filter(pk__in=[h.pk for h in families], facilitator=world.facilitator).count() == 2


def test_a_suggestion_that_no_longer_applies_sends_back_to_the_dashboard(world, crowded, client_for):
    client = client_for(world.coordinator)
    response = client.get(REBALANCE, params(world, to=world.facilitator.pk, **{"from": world.other_facilitator.pk}),
                          follow=True)
    assert response.redirect_chain[-1][0] == f"{DASHBOARD}?kota=31.75"
    assert "This suggestion no longer applies" in response.content.decode()
    assert client.get(REBALANCE, {"kota": "31.75"}).status_code == 302


def test_the_reason_is_required(world, crowded, client_for):
    families = suggested(world, crowded)
    response = client_for(world.coordinator).post(REBALANCE, params(world, households=[h.pk for h in families],
                                                                    reason=""))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Household.objects.filter(pk__in=[h.pk for h in families], facilitator=world.facilitator).count() == 2


@pytest.mark.parametrize("persona, method, status", [
    ("facilitator", "get", 403), ("facilitator", "post", 403),
    ("auditor", "get", 403), ("auditor", "post", 403),
    ("coordinator_b", "get", 404), ("coordinator_b", "post", 404),
    ("admin", "get", 200),
])
def test_who_may_rebalance(world, crowded, client_for, persona, method, status):
    families = suggested(world, crowded)
    data = params(world, households=[h.pk for h in families], reason="Penyeimbangan")
    if method == "get":
        data.pop("households"), data.pop("reason")
    response = getattr(client_for(world.personas()[persona]), method)(REBALANCE, data)
    assert response.status_code == status
    assert Household.objects.filter(pk__in=[h.pk for h in families], facilitator=world.facilitator).count() == 2


def test_a_coordinator_cannot_move_another_citys_facilitators_families_from_their_own_city(world, crowded, client_for):
    families = suggested(world, crowded)
    response = client_for(world.coordinator_b).post(REBALANCE, params(
        world, kota="31.74", households=[h.pk for h in families], reason="Penyeimbangan"))
    assert response.status_code == 404
    assert Household.objects.filter(pk__in=[h.pk for h in families], facilitator=world.facilitator).count() == 2


def test_the_admin_applies_a_suggestion_too(world, crowded, client_for):
    families = suggested(world, crowded)
    response = client_for(world.admin).post(REBALANCE, params(world, households=[h.pk for h in families],
                                                              reason="Penyeimbangan"))
    assert response.status_code == 302
    assert Household.objects.filter(pk__in=[h.pk for h in families], facilitator=world.other_facilitator).count() == 2
