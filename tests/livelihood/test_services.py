"""Business, monthly-entry, referral and KUBE rules: what a facilitator is told when something is wrong."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import AuditEvent
from livelihood import services
from livelihood.models import Business, CreditReferral, MonthlyEntry
from livelihood.selectors import add_months, month_start
from tests.conftest import make_family
from tests.livelihood.conftest import CreditProgramFactory, EntryFactory, kube_of, make_referral


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- businesses -------------------------------------------------------------------------------

def test_a_facilitator_records_a_family_business_and_it_is_audited(world):
    business = services.business_create(actor=world.facilitator, household=world.household, data={
        "kind": "catering", "name": "  Katering Bu Sari ", "description": "Nasi kotak", "started_on": date(2024, 3, 1)})
    assert business.name == "Katering Bu Sari" and business.created_by == world.facilitator
    event = AuditEvent.objects.get(object_type="livelihood.business", object_id=str(business.pk))
    assert (event.action, event.household_id, event.city_code) == ("create", world.household.pk, "31.75")


def test_an_auditor_cannot_record_a_business(world):
    with pytest.raises(PermissionDenied):
        services.business_create(actor=world.auditor, household=world.household,
                                 data={"kind": "warung", "name": "X", "started_on": date(2024, 1, 1)})


def test_a_business_cannot_start_in_the_future(world):
    with pytest.raises(ValidationError) as excinfo:
        services.business_create(actor=world.facilitator, household=world.household, data={
            "kind": "warung", "name": "Warung", "started_on": timezone.localdate() + timedelta(days=3)})
    assert "started_on" in errors_of(excinfo)


def test_a_business_belongs_to_a_household_or_a_kube_never_both_nor_neither(world):
    kube = kube_of(world.household)
    data = {"kind": "warung", "name": "Warung", "started_on": date(2024, 1, 1)}
    with pytest.raises(ValidationError):
        services.business_create(actor=world.facilitator, household=world.household, kube=kube, data=data)
    with pytest.raises(ValidationError):
        services.business_create(actor=world.facilitator, data=data)
    # The database refuses it too, whoever writes.
    for owners in ({"household": world.household, "kube": kube}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Business.objects.create(kind="warung", name="X", started_on=date(2024, 1, 1), **owners)


def test_moving_the_start_date_after_recorded_months_is_refused_naming_the_month(world, warung):
    EntryFactory(business=warung, month=date(2024, 2, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.business_update(actor=world.facilitator, business=warung, data={"started_on": date(2024, 5, 1)})
    assert "February 2024" in errors_of(excinfo)["started_on"][0]


def test_stopping_a_business_keeps_its_figures_and_refuses_a_stop_before_recorded_months(world, warung):
    EntryFactory(business=warung, month=date(2024, 6, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.business_stop(actor=world.facilitator, business=warung, stopped_on=date(2024, 4, 30))
    assert "June 2024" in errors_of(excinfo)["stopped_on"][0]
    services.business_stop(actor=world.facilitator, business=warung, stopped_on=date(2024, 6, 20), reason="Pindah rumah")
    warung.refresh_from_db()
    assert warung.stopped_on == date(2024, 6, 20) and warung.stop_reason == "Pindah rumah"
    assert warung.entries.count() == 1
    with pytest.raises(ValidationError) as excinfo:
        services.business_stop(actor=world.facilitator, business=warung, stopped_on=date(2024, 7, 1))
    assert "already stopped" in errors_of(excinfo)["stopped_on"][0]


# --- monthly entries --------------------------------------------------------------------------

def test_one_entry_per_business_and_month_a_duplicate_names_the_month(world, warung):
    services.entry_record(actor=world.facilitator, business=warung, month=date(2024, 5, 17), revenue=1_500_000, expenses=900_000)
    entry = MonthlyEntry.objects.get(business=warung)
    assert entry.month == date(2024, 5, 1) and entry.net == 600_000
    with pytest.raises(ValidationError) as excinfo:
        services.entry_record(actor=world.facilitator, business=warung, month=date(2024, 5, 1), revenue=1, expenses=0)
    assert "May 2024 is already recorded" in errors_of(excinfo)["month"][0]
    assert MonthlyEntry.objects.filter(business=warung).count() == 1


def test_the_database_also_refuses_a_second_entry_for_the_month(world, warung):
    EntryFactory(business=warung, month=date(2024, 5, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        EntryFactory(business=warung, month=date(2024, 5, 1))


def test_entries_before_the_start_month_are_refused(world, warung):
    # Started 15 January 2024: January itself may be recorded, December 2023 may not.
    services.entry_record(actor=world.facilitator, business=warung, month=date(2024, 1, 1), revenue=100_000, expenses=0)
    with pytest.raises(ValidationError) as excinfo:
        services.entry_record(actor=world.facilitator, business=warung, month=date(2023, 12, 1), revenue=1, expenses=0)
    assert "December 2023 is before the business started" in errors_of(excinfo)["month"][0]


def test_entries_after_the_stop_or_in_a_month_not_begun_are_refused(world, warung):
    next_month = add_months(month_start(timezone.localdate()), 1)
    with pytest.raises(ValidationError) as excinfo:
        services.entry_record(actor=world.facilitator, business=warung, month=next_month, revenue=1, expenses=0)
    assert "has not begun" in errors_of(excinfo)["month"][0]
    services.business_stop(actor=world.facilitator, business=warung, stopped_on=date(2024, 3, 10))
    with pytest.raises(ValidationError) as excinfo:
        services.entry_record(actor=world.facilitator, business=warung, month=date(2024, 4, 1), revenue=1, expenses=0)
    assert "April 2024 is after the business stopped" in errors_of(excinfo)["month"][0]


def test_a_month_where_expenses_exceed_revenue_is_recorded_with_a_negative_net(world, warung):
    entry = services.entry_record(actor=world.facilitator, business=warung, month=date(2024, 3, 1), revenue=400_000, expenses=650_000)
    assert entry.net == -250_000


def test_correcting_an_entry_is_audited_and_cannot_take_another_recorded_month(world, warung):
    march = EntryFactory(business=warung, month=date(2024, 3, 1), revenue=1_000_000, expenses=0)
    EntryFactory(business=warung, month=date(2024, 4, 1))
    services.entry_update(actor=world.facilitator, entry=march, data={"revenue": 1_200_000})
    event = AuditEvent.objects.get(object_type="livelihood.monthlyentry", object_id=str(march.pk))
    assert event.changes == {"revenue": [1_000_000, 1_200_000]}
    with pytest.raises(ValidationError) as excinfo:
        services.entry_update(actor=world.facilitator, entry=march, data={"month": date(2024, 4, 1)})
    assert "April 2024" in errors_of(excinfo)["month"][0]


# --- referrals --------------------------------------------------------------------------------

def test_the_seeded_jakpreneur_program_carries_the_seed_article_terms(jakpreneur):
    assert (jakpreneur.min_months_running, jakpreneur.max_loan_amount, str(jakpreneur.interest_rate)) == (6, 10_000_000, "6.00")


def test_referring_a_business_younger_than_the_program_asks_needs_a_confirmation(world, warung, jakpreneur):
    # Started 15 January 2024: on 1 May it has run 3 completed months; Jakpreneur asks for 6.
    with pytest.raises(services.BelowMinimumMonths) as excinfo:
        services.referral_create(actor=world.facilitator, business=warung, program=jakpreneur, referred_on=date(2024, 5, 1))
    message = errors_of(excinfo)["confirm_below_minimum"][0]
    assert "3 month" in message and "Jakpreneur" in message and "at least 6" in message
    assert not CreditReferral.objects.exists()
    referral = services.referral_create(actor=world.facilitator, business=warung, program=jakpreneur,
                                        referred_on=date(2024, 5, 1), confirm_below_minimum=True)
    assert referral.below_minimum_confirmed and referral.months_running_at_referral == 3
    assert referral.steps.get().status == "referred"


def test_a_business_running_long_enough_is_referred_without_a_warning(world, warung, jakpreneur):
    referral = services.referral_create(actor=world.facilitator, business=warung, program=jakpreneur, referred_on=date(2024, 7, 15))
    assert not referral.below_minimum_confirmed and referral.months_running_at_referral == 6


def test_one_open_referral_per_program_and_no_referral_of_a_stopped_business(world, warung, jakpreneur):
    services.referral_create(actor=world.facilitator, business=warung, program=jakpreneur, referred_on=date(2024, 8, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.referral_create(actor=world.facilitator, business=warung, program=jakpreneur, referred_on=date(2024, 8, 2))
    assert "already has an open referral" in errors_of(excinfo)["program"][0]
    services.business_stop(actor=world.facilitator, business=warung, stopped_on=date(2024, 9, 1))
    kur = CreditProgramFactory(name="KUR Mikro", min_months_running=6, max_loan_amount=100_000_000)
    with pytest.raises(ValidationError) as excinfo:
        services.referral_create(actor=world.facilitator, business=warung, program=kur, referred_on=date(2024, 9, 5))
    assert "stopped" in errors_of(excinfo)["referred_on"][0]


def test_an_approved_loan_cannot_exceed_the_programs_maximum(world, warung):
    program = CreditProgramFactory(name="Modal Usaha", max_loan_amount=10_000_000, requires_training=False)
    referral = make_referral(warung, program)
    with pytest.raises(ValidationError) as excinfo:
        services.referral_status_change(actor=world.facilitator, referral=referral, status="approved",
                                        on=date(2024, 10, 1), loan_amount=12_000_000)
    assert "Rp10.000.000" in errors_of(excinfo)["loan_amount"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.referral_status_change(actor=world.facilitator, referral=referral, status="approved", on=date(2024, 10, 1))
    assert "loan_amount" in errors_of(excinfo)
    services.referral_status_change(actor=world.facilitator, referral=referral, status="approved",
                                    on=date(2024, 10, 1), loan_amount=10_000_000)
    referral.refresh_from_db()
    assert (referral.status, referral.loan_amount) == ("approved", 10_000_000)
    assert [s.status for s in referral.steps.all()] == ["referred", "approved"]


def test_a_program_that_trains_first_approves_only_after_training(world, warung, jakpreneur):
    referral = make_referral(warung, jakpreneur)
    with pytest.raises(ValidationError) as excinfo:
        services.referral_status_change(actor=world.facilitator, referral=referral, status="approved",
                                        on=date(2024, 10, 1), loan_amount=5_000_000)
    assert "training first" in errors_of(excinfo)["status"][0]
    services.referral_status_change(actor=world.facilitator, referral=referral, status="trained", on=date(2024, 10, 1))
    services.referral_status_change(actor=world.facilitator, referral=referral, status="approved",
                                    on=date(2024, 11, 1), loan_amount=5_000_000)
    assert CreditReferral.objects.get(pk=referral.pk).status == "approved"


def test_a_declined_referral_needs_a_reason_and_then_is_closed(world, warung, jakpreneur):
    referral = make_referral(warung, jakpreneur)
    with pytest.raises(ValidationError) as excinfo:
        services.referral_status_change(actor=world.facilitator, referral=referral, status="declined", on=date(2024, 10, 1))
    assert "reason" in errors_of(excinfo)
    services.referral_status_change(actor=world.facilitator, referral=referral, status="declined",
                                    on=date(2024, 10, 1), reason="Belum punya NIB")
    with pytest.raises(ValidationError) as excinfo:
        services.referral_status_change(actor=world.facilitator, referral=referral, status="trained", on=date(2024, 10, 2))
    assert "closed" in errors_of(excinfo)["status"][0]
    # A new referral to the same program may start again.
    services.referral_create(actor=world.facilitator, business=warung, program=jakpreneur, referred_on=date(2024, 11, 1))


def test_a_status_date_before_the_previous_step_is_refused(world, warung, jakpreneur):
    referral = make_referral(warung, jakpreneur, on=date(2024, 9, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.referral_status_change(actor=world.facilitator, referral=referral, status="trained", on=date(2024, 8, 1))
    assert "on" in errors_of(excinfo)


# --- KUBE ---------------------------------------------------------------------------------------

def test_a_facilitator_forms_a_kube_of_their_families_with_a_chairperson(world):
    kube = services.kube_create(actor=world.facilitator, name="KUBE Melati", kelurahan=world.household.kelurahan,
                                facilitator=None, formed_on=date(2024, 1, 10))
    assert kube.facilitator == world.facilitator  # a facilitator's KUBE is theirs
    neighbour = make_family(facilitator=world.facilitator, kelurahan=world.household.kelurahan_id)
    services.kube_member_add(actor=world.facilitator, kube=kube, household=world.household, joined_on=date(2024, 1, 10),
                             make_chairperson=True)
    services.kube_member_add(actor=world.facilitator, kube=kube, household=neighbour, joined_on=date(2024, 2, 1))
    kube.refresh_from_db()
    assert kube.chairperson == world.household
    assert kube.memberships.filter(left_on__isnull=True).count() == 2
    assert AuditEvent.objects.filter(object_type="livelihood.kubemembership", household_id=neighbour.pk).exists()


def test_a_family_joins_a_kube_once_from_the_kubes_kelurahan_and_only_from_the_users_caseload(world):
    kube = kube_of(world.household)
    with pytest.raises(ValidationError) as excinfo:
        services.kube_member_add(actor=world.facilitator, kube=kube, household=world.household, joined_on=date(2024, 1, 1))
    assert "already a member" in errors_of(excinfo)["household"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.kube_member_add(actor=world.facilitator, kube=kube, household=world.other_household, joined_on=date(2024, 1, 1))
    assert "household" in errors_of(excinfo)  # another facilitator's family
    elsewhere = make_family(facilitator=world.facilitator, kelurahan="31.75.02.1001")
    with pytest.raises(ValidationError) as excinfo:
        services.kube_member_add(actor=world.facilitator, kube=kube, household=elsewhere, joined_on=date(2024, 1, 1))
    assert "Only families of" in errors_of(excinfo)["household"][0]


def test_the_chairperson_cannot_leave_before_another_is_chosen(world):
    kube = kube_of(world.household, chairperson=world.household)
    membership = kube.memberships.get()
    with pytest.raises(ValidationError) as excinfo:
        services.kube_member_leave(actor=world.facilitator, membership=membership, left_on=date(2024, 5, 1))
    assert "chairperson" in errors_of(excinfo)
    services.kube_update(actor=world.facilitator, kube=kube, data={"chairperson": None})
    services.kube_member_leave(actor=world.facilitator, membership=membership, left_on=date(2024, 5, 1))
    membership.refresh_from_db()
    assert membership.left_on == date(2024, 5, 1)


def test_only_a_current_member_can_chair_the_kube(world):
    kube = kube_of(world.household)
    with pytest.raises(ValidationError) as excinfo:
        services.kube_update(actor=world.facilitator, kube=kube, data={"chairperson": world.other_household})
    assert "chairperson" in errors_of(excinfo)


def test_a_coordinator_gives_a_kube_only_to_a_facilitator_of_its_city(world):
    kube = services.kube_create(actor=world.coordinator, name="KUBE Anggrek", kelurahan=world.household.kelurahan,
                                facilitator=world.other_facilitator, formed_on=date(2024, 1, 1))
    assert kube.facilitator == world.other_facilitator
    with pytest.raises(ValidationError) as excinfo:
        services.kube_update(actor=world.coordinator, kube=kube, data={"facilitator": world.facilitator_b})
    assert "facilitator" in errors_of(excinfo)


def test_a_kube_business_has_the_same_monthly_budget(world):
    kube = kube_of(world.household)
    business = services.business_create(actor=world.facilitator, kube=kube, data={
        "kind": "crafts", "name": "Kerajinan Bambu", "started_on": date(2024, 2, 1)})
    entry = services.entry_record(actor=world.facilitator, business=business, month=date(2024, 3, 1),
                                  revenue=3_000_000, expenses=1_000_000)
    assert entry.net == 2_000_000
    event = AuditEvent.objects.get(object_type="livelihood.monthlyentry")
    assert (event.household_id, event.city_code) == (None, "31.75")
