"""Registry services: assignments keep history, edits are audited and guarded."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from beneficiaries import services
from beneficiaries.models import Assignment, Household, HouseholdStatusChange, KKSCustody, Member
from core.models import AuditEvent


def test_a_transfer_closes_the_old_assignment_and_opens_a_new_one(world):
    moved = services.households_assign(actor=world.coordinator, household_ids=[world.household.pk],
                                       facilitator=world.other_facilitator, reason="rebalancing")
    assert moved == 1
    world.household.refresh_from_db()
    assert world.household.facilitator == world.other_facilitator
    history = list(Assignment.objects.filter(household=world.household).order_by("pk"))
    assert [(a.facilitator, a.end_date) for a in history] == [
        (world.facilitator, timezone.localdate()), (world.other_facilitator, None),
    ]
    event = AuditEvent.objects.get(action="assign", household_id=world.household.pk)
    assert event.changes == {"facilitator": ["pendamping_a1", "pendamping_a2"]} and event.actor == world.coordinator


def test_many_households_move_at_once_and_unchanged_ones_are_skipped(world):
    moved = services.households_assign(actor=world.coordinator, facilitator=world.facilitator,
                                       household_ids=[world.household.pk, world.other_household.pk, world.unassigned.pk])
    assert moved == 2
    assert Household.objects.filter(facilitator=world.facilitator).count() == 3


def test_unassigning_leaves_the_household_without_facilitator(world):
    services.households_assign(actor=world.coordinator, household_ids=[world.household.pk], facilitator=None)
    world.household.refresh_from_db()
    assert world.household.facilitator is None
    assert not Assignment.objects.filter(household=world.household, end_date=None).exists()


def test_a_coordinator_cannot_move_households_of_another_city_or_to_its_facilitators(world):
    with pytest.raises(ValidationError):
        services.households_assign(actor=world.coordinator, household_ids=[world.household_b.pk], facilitator=world.facilitator)
    with pytest.raises(ValidationError):
        services.households_assign(actor=world.coordinator, household_ids=[world.household.pk], facilitator=world.facilitator_b)
    world.household_b.refresh_from_db()
    assert world.household_b.facilitator == world.facilitator_b


@pytest.mark.parametrize("persona", ["facilitator", "auditor"])
def test_only_coordinators_and_admins_assign(world, persona):
    with pytest.raises(PermissionDenied):
        services.households_assign(actor=world.personas()[persona], household_ids=[world.household.pk], facilitator=None)


def test_status_change_keeps_a_dated_history(world):
    services.household_set_status(actor=world.coordinator, household=world.household, status="suspended",
                                  effective_date=timezone.localdate(), reason="Tidak memenuhi komitmen 3 bulan")
    world.household.refresh_from_db()
    assert world.household.status == "suspended"
    change = HouseholdStatusChange.objects.get(household=world.household)
    assert change.changed_by == world.coordinator and "komitmen" in change.reason
    with pytest.raises(ValidationError):
        services.household_set_status(actor=world.coordinator, household=world.household, status="active",
                                      effective_date=timezone.localdate() + timedelta(days=1), reason="x")


def test_a_kks_card_held_by_the_facilitator_is_a_red_flag(world):
    services.kks_custody_record(actor=world.facilitator, household=world.household, holder="facilitator",
                                holder_name="Pendamping A1", since=date(2026, 1, 5))
    world.household.refresh_from_db()
    assert world.household.kks_held_outside_family
    assert KKSCustody.objects.get(household=world.household).outside_family
    with pytest.raises(ValidationError) as error:
        services.kks_custody_record(actor=world.facilitator, household=world.household, holder="other", since=date(2026, 1, 5))
    assert "holder_name" in error.value.message_dict


def test_an_auditor_cannot_change_anything(world):
    with pytest.raises(PermissionDenied):
        services.household_update(actor=world.auditor, household=world.household, data={"address": "x"})
    with pytest.raises(PermissionDenied):
        services.kks_custody_record(actor=world.auditor, household=world.household, holder="pengurus", since=date(2026, 1, 1))


def test_household_update_records_before_and_after_and_keeps_the_old_family_card(world):
    old = world.household.no_kk
    services.household_update(actor=world.facilitator, household=world.household,
                              data={"address": "Jl. Baru 2", "no_kk": "3175019999999999"})
    world.household.refresh_from_db()
    assert world.household.family_card_changes.get().old_no_kk == old
    event = AuditEvent.objects.get(action="update", household_id=world.household.pk)
    assert event.changes["address"] == ["Jl. Contoh No. 1", "Jl. Baru 2"]


def test_a_stale_form_is_refused_with_a_clear_message(world):
    version = world.household.version
    services.household_update(actor=world.facilitator, household=world.household, data={"address": "first"}, expected_version=version)
    with pytest.raises(services.StaleVersion, match="changed by someone else"):
        services.household_update(actor=world.coordinator, household=world.household, data={"address": "second"},
                                  expected_version=version)
    world.household.refresh_from_db()
    assert world.household.address == "first"


def test_a_member_nik_must_be_unique_among_current_members(world):
    taken = world.other_household.members.first().nik
    with pytest.raises(ValidationError) as error:
        services.member_create(actor=world.facilitator, household=world.household, data={
            "nik": taken, "name": "Duplikat", "sex": "P", "birth_date": date(1990, 1, 1), "relationship": "FAMILI LAIN",
        })
    assert "nik" in error.value.message_dict


def test_a_newborn_added_today_becomes_an_early_childhood_component(world):
    from beneficiaries.rules import RuleBook

    today = timezone.localdate()
    before = RuleBook().components(world.household.members.all(), today).codes
    services.member_create(actor=world.facilitator, household=world.household, data={
        "nik": "3175014101260001", "name": "Bayi", "sex": "P", "birth_date": today, "relationship": "ANAK",
    })
    after = RuleBook().components(world.household.members.all(), today).codes
    assert after.count("ANAK_USIA_DINI") == before.count("ANAK_USIA_DINI") + 1


def test_pregnancy_needs_a_woman_and_a_delivery_date(world):
    father = world.household.members.get(relationship="KEPALA KELUARGA")
    with pytest.raises(ValidationError) as error:
        services.member_update(actor=world.facilitator, member=father, data={"pregnant": True})
    assert "pregnant" in error.value.message_dict
    mother = world.household.members.get(is_pengurus=True)
    with pytest.raises(ValidationError) as error:
        services.member_update(actor=world.facilitator, member=mother, data={"pregnant": True})
    assert "expected_delivery_date" in error.value.message_dict


def test_the_pengurus_can_be_changed_and_there_is_always_exactly_one(world):
    father = world.household.members.get(relationship="KEPALA KELUARGA")
    services.pengurus_change(actor=world.facilitator, household=world.household, member=father)
    assert list(Member.objects.filter(household=world.household, is_pengurus=True)) == [father]


def test_audit_events_cannot_be_changed_or_deleted(world):
    services.household_update(actor=world.facilitator, household=world.household, data={"address": "x"})
    event = AuditEvent.objects.get(action="update")
    event.message = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(message="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_on_postgresql_the_database_itself_refuses_to_rewrite_audit_events(world):
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    services.household_update(actor=world.facilitator, household=world.household, data={"address": "x"})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET message = 'rewritten'")

