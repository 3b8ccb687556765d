"""Child-protection cases: details only for the family's facilitator and the city's coordinator and auditor,
never for administrators, and never in any list."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from mediation import panels, selectors, services
from org import access

SECRETS = ("Dugaan kekerasan di rumah tetangga", "Anak bercerita kepada guru tentang pukulan.")


@pytest.fixture
def referred_child_case(world, child_case):
    services.referral_create(actor=world.facilitator, case=child_case, kind="dinas_sosial",
                             partner_name="UPT P2TP2A Jakarta Timur", note="Pendampingan psikolog")
    services.case_add_note(actor=world.facilitator, case=child_case, note="Ibu setuju anak didampingi")
    return child_case


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def shows_details(html: str, child_name: str) -> bool:
    hidden = ("UPT P2TP2A Jakarta Timur", "Pendampingan psikolog", "Ibu setuju anak didampingi", child_name, *SECRETS)
    found = [text for text in hidden if text in html]
    assert not found or len(found) == len(hidden), f"partly hidden: {found}"
    return bool(found)


@pytest.mark.parametrize("persona, expected", [
    ("facilitator", True),
    ("other_facilitator", False),
    ("coordinator", True),
    ("auditor", True),
    ("facilitator_b", False),
    ("coordinator_b", False),
    ("auditor_b", False),
    ("admin", False),
])
def test_who_may_read_a_child_protection_cases_details(world, child_case, persona, expected):
    case = selectors.visible_cases(world.admin).select_related("household").get(pk=child_case.pk)
    assert access.can_see_case_details(world.personas()[persona], case) is expected
    assert access.can_see_case_details(world.personas()[persona], case, listing=True) is False


def test_other_cases_show_their_details_to_whoever_sees_them(world, open_case):
    case = open_case()
    assert access.can_see_case_details(world.admin, case)
    assert access.can_see_case_details(world.auditor, case, listing=True)


@pytest.mark.parametrize("persona, status, details", [
    ("facilitator", 200, True),
    ("coordinator", 200, True),
    ("auditor", 200, True),
    ("admin", 200, False),
    ("other_facilitator", 404, None),
    ("facilitator_b", 404, None),
    ("coordinator_b", 404, None),
])
def test_the_case_page_by_role(world, client_for, referred_child_case, persona, status, details):
    client = english(client_for(world.personas()[persona]))
    response = client.get(reverse("case_detail", args=[referred_child_case.pk]))
    assert response.status_code == status
    if status != 200:
        return
    html = response.content.decode()
    assert shows_details(html, referred_child_case.member.name) is details
    assert "Child protection" in html and "Referred" in html, "the case, its status and dates are always shown"
    if not details:
        assert "details are shown only to the family" in html
        assert reverse("case_note", args=[referred_child_case.pk]) not in html


def test_an_administrator_cannot_change_or_open_a_child_protection_case(world, client_for, referred_child_case):
    client = english(client_for(world.admin))
    for name in ("case_note", "case_transition", "case_due_date", "referral_create"):
        response = client.post(reverse(name, args=[referred_child_case.pk]), {"note": "x"})
        assert response.status_code == 403, name
    assert client.get(reverse("case_edit", args=[referred_child_case.pk])).status_code == 403
    referral = referred_child_case.referrals.get()
    assert client.post(reverse("referral_outcome", args=[referral.pk]), {"status": "accepted"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.case_add_note(actor=world.admin, case=referred_child_case, note="x")
    response = client.post(reverse("case_open", args=[world.household.pk]), {
        "category": "PERLINDUNGAN_ANAK", "title": "Kasus baru", "submission_key": "k1"})
    assert response.status_code == 400
    assert "child-protection" in str(response.context["form"].errors["category"])


@pytest.mark.parametrize("persona", ["facilitator", "coordinator", "auditor", "admin"])
def test_the_case_list_never_shows_the_details(world, client_for, referred_child_case, persona):
    client = english(client_for(world.personas()[persona]))
    html = client.get(reverse("case_list")).content.decode()
    assert "Child protection case" in html
    assert not shows_details(html, referred_child_case.member.name)


def test_the_household_panel_and_the_day_section_never_show_the_details(world, referred_child_case):
    for user in (world.facilitator, world.coordinator, world.auditor, world.admin):
        panel = panels.household_panel(user, world.household, timezone.localdate())
        html = render_to_string("mediation/_household_panel.html", {"panel": panel})
        assert "Child protection case" in html and not shows_details(html, referred_child_case.member.name)
        section = panels.day_cases(user, timezone.localdate())
        html = render_to_string("mediation/_day_cases.html", {"section": section})
        assert "Child protection case" in html and not shows_details(html, referred_child_case.member.name)


def test_other_apps_get_the_open_case_masked(world, referred_child_case):
    case = selectors.open_cases_for(world.facilitator, [world.household.pk])[world.household.pk][0]
    assert case.display_title == "Child protection case" and not case.show_details


def test_the_audit_log_keeps_the_facts_but_not_the_details(world, referred_child_case):
    services.case_transition(actor=world.facilitator, case=referred_child_case, to_status="resolved",
                             outcome="Anak aman bersama nenek")
    events = AuditEvent.objects.filter(household_id=world.household.pk, object_type__startswith="mediation")
    assert events.count() == 4
    text = " ".join(f"{e.object_repr} {e.changes} {e.message}" for e in events)
    for secret in (*SECRETS, "UPT P2TP2A", "Ibu setuju", "Anak aman", "Pendampingan psikolog"):
        assert secret not in text
    assert "resolved" in text, "the status change is audited"


def test_the_django_admin_lists_the_case_without_details(world, client, referred_child_case):
    english(client).force_login(world.admin)
    html = client.get("/admin/mediation/case/").content.decode()
    assert "Child protection case" in html and not any(secret in html for secret in SECRETS)
    html = client.get(f"/admin/mediation/case/{referred_child_case.pk}/change/").content.decode()
    assert not any(secret in html for secret in SECRETS)
    assert world.household.id_kpm in html, "the administrator sees that the case exists"
    response = client.post(f"/admin/mediation/case/{referred_child_case.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
