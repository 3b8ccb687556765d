"""The Django admin and the change history: the trail itself is view-only; an admin edit of an audited record
(household, member, visit, business, ...) writes the same event as the pages."""

from datetime import date

import pytest
from django.urls import reverse

from beneficiaries.models import Household, Member
from core.audit import audit_record
from core.models import AuditEvent


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def test_audit_events_in_the_admin_are_view_only_without_bulk_actions(world, admin_client):
    event = audit_record(actor=world.admin, action="update", obj=world.household, household_id=world.household.pk,
                         city_code="31.75", changes={"address": ["a", "b"]})
    changelist = admin_client.get(reverse("admin:core_auditevent_changelist"))
    assert changelist.status_code == 200
    assert "action" not in changelist.context["cl"].model_admin.get_actions(changelist.wsgi_request)
    assert not changelist.context["cl"].model_admin.get_actions(changelist.wsgi_request)
    assert admin_client.get(reverse("admin:core_auditevent_add")).status_code == 403
    detail = admin_client.get(reverse("admin:core_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200 and b'name="_save"' not in detail.content  # shown, nothing to save
    assert admin_client.post(reverse("admin:core_auditevent_change", args=[event.pk]),
                             {"message": "rewritten"}).status_code == 403
    assert admin_client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    admin_client.post(reverse("admin:core_auditevent_changelist"),
                      {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    event.refresh_from_db()
    assert event.message == "" and AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_trail_refuses_updates_and_deletes_even_outside_the_admin(world):
    event = audit_record(actor=world.admin, action="update", city_code="31.75")
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(message="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def household_form(household, **changes):
    data = {
        "id_kpm": household.id_kpm, "no_kk": household.no_kk, "kelurahan": household.kelurahan_id,
        "address": household.address, "bank": household.bank, "kks_number": household.kks_number,
        "kks_holder": household.kks_holder, "joined_year": household.joined_year, "decile": household.decile or "",
        "status": household.status, "status_since": household.status_since.isoformat(),
        "facilitator": household.facilitator_id or "", "home_latitude": "", "home_longitude": "",
        "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_an_admin_edit_of_a_household_is_in_its_history(world, admin_client, settings):
    settings.LANGUAGE_CODE = "en"  # the note is written in the editor's language
    household = world.unassigned
    for member in household.members.all():
        member.delete()
    response = admin_client.post(reverse("admin:beneficiaries_household_change", args=[household.pk]),
                                 household_form(household, address="Jl. Admin 5"))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    event = AuditEvent.objects.get(object_type="beneficiaries.household", action="update")
    assert event.actor == world.admin and event.household_id == household.pk and event.city_code == "31.75"
    assert event.changes == {"address": ["Jl. Contoh No. 1", "Jl. Admin 5"]}
    assert event.message == "Django admin"


def test_an_admin_edit_of_a_member_inline_is_recorded_with_the_household(world, admin_client):
    household = world.unassigned
    members = list(household.members.order_by("pk"))
    data = household_form(household)
    data.update({"members-TOTAL_FORMS": str(len(members)), "members-INITIAL_FORMS": str(len(members))})
    for index, member in enumerate(members):
        prefix = f"members-{index}-"
        data.update({
            prefix + "id": member.pk, prefix + "household": household.pk, prefix + "nik": member.nik,
            prefix + "name": member.name if index else "Ibu Baru", prefix + "sex": member.sex,
            prefix + "birth_date": member.birth_date.isoformat(), prefix + "relationship": member.relationship,
            prefix + "is_pengurus": "on" if member.is_pengurus else "", prefix + "school": member.school,
            prefix + "exit_reason": member.exit_reason, prefix + "exit_date": "",
            prefix + "expected_delivery_date": "",
        })
    data[f"members-{len(members) - 1}-DELETE"] = "on"
    response = admin_client.post(reverse("admin:beneficiaries_household_change", args=[household.pk]), data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    changed = AuditEvent.objects.get(object_type="beneficiaries.member", action="update")
    assert changed.changes == {"name": [members[0].name, "Ibu Baru"]}
    assert (changed.household_id, changed.city_code) == (household.pk, "31.75")
    deleted = AuditEvent.objects.get(object_type="beneficiaries.member", action="delete")
    assert deleted.object_id == str(members[-1].pk) and deleted.household_id == household.pk
    assert deleted.changes["name"] == [members[-1].name, None]
    assert not Member.objects.filter(pk=members[-1].pk).exists()


def test_an_admin_delete_of_a_household_is_recorded_before_it_goes(world, admin_client):
    household = world.unassigned
    pk = household.pk
    response = admin_client.post(reverse("admin:beneficiaries_household_delete", args=[pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Household.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(object_type="beneficiaries.household", action="delete")
    assert (event.household_id, event.city_code, event.actor) == (pk, "31.75", world.admin)
    assert event.changes["address"] == ["Jl. Contoh No. 1", None]
    # and it stays in the family's history after the household is gone
    response = admin_client.get(reverse("history"), {"household": pk})
    assert response.status_code == 200 and event.pk in {row.event.pk for row in response.context["rows"]}


def test_an_admin_bulk_delete_of_visits_records_each(world, admin_client):
    from casework.models import HomeVisit

    visits = [HomeVisit.objects.create(household=world.household, facilitator=world.facilitator, purpose="data",
                                       met="pengurus", visited_at="2026-01-05T10:00:00+07:00") for _ in range(2)]
    response = admin_client.post(reverse("admin:casework_homevisit_changelist"), {
        "action": "delete_selected", "_selected_action": [v.pk for v in visits], "post": "yes"})
    assert response.status_code == 302
    events = AuditEvent.objects.filter(object_type="casework.homevisit", action="delete")
    assert {e.object_id for e in events} == {str(v.pk) for v in visits}
    assert {(e.household_id, e.city_code) for e in events} == {(world.household.pk, "31.75")}


def test_an_admin_added_business_of_a_kube_is_recorded_with_the_kubes_city(world, admin_client):
    from livelihood.models import Business, Kube

    kube = Kube.objects.create(name="KUBE Mawar", kelurahan=world.household.kelurahan, facilitator=world.facilitator,
                               formed_on=date(2024, 1, 1))
    response = admin_client.post(reverse("admin:livelihood_business_add"), {
        "kind": "catering", "name": "Katering KUBE", "kube": kube.pk, "started_on": "2024-02-01",
        "entries-TOTAL_FORMS": "0", "entries-INITIAL_FORMS": "0", "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    business = Business.objects.get(name="Katering KUBE")
    event = AuditEvent.objects.get(object_type="livelihood.business", object_id=str(business.pk))
    assert event.action == "create" and event.household_id is None and event.city_code == "31.75"
    assert event.changes["name"] == [None, "Katering KUBE"]
