"""Saving records, results, suspension proposals and mediation cases, decisions: the services."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from beneficiaries.models import Household, HouseholdStatusChange
from compliance import services
from compliance import verification as v
from compliance.models import CommitmentRecord, FacilityLink, HouseholdResult, SuspensionProposal
from core.models import AuditEvent
from mediation.models import Case
from tests.compliance.conftest import Q1, Q2, Q3, Q4, TODAY, fail_school, pass_school, pupils, save


def result(household, period):
    return HouseholdResult.objects.get(household=household, period=period.code)


# --- saving -------------------------------------------------------------------------------------

def test_saving_records_stores_the_result_and_audits_each_row(world):
    boy, girl = pupils(world.household)
    summary = save(world.facilitator, Q3, (boy, v.EDUCATION, {"attendance_percent": 92}))
    assert (summary.created, summary.households) == (1, 1)
    stored = result(world.household, Q3)
    assert (stored.status, stored.members_to_verify, stored.members_recorded) == ("not_verified", 2, 1)
    assert [m["member_id"] for m in stored.missing] == [girl.pk]
    save(world.facilitator, Q3, (girl, v.EDUCATION, {"attendance_percent": 70}))
    stored.refresh_from_db()
    assert stored.status == "non_compliant" and stored.reasons[0]["member"] == girl.name
    events = AuditEvent.objects.filter(object_type="compliance.commitmentrecord")
    assert events.count() == 2 and {e.household_id for e in events} == {world.household.pk}
    assert events.filter(actor=world.facilitator, action="create").count() == 2


def test_saving_the_same_values_again_changes_nothing(world):
    boy, _girl = pupils(world.household)
    save(world.facilitator, Q3, (boy, v.EDUCATION, {"attendance_percent": 92}))
    summary = save(world.facilitator, Q3, (boy, v.EDUCATION, {"attendance_percent": 92}))
    assert (summary.changed, summary.unchanged) == (0, 1)
    assert AuditEvent.objects.filter(object_type="compliance.commitmentrecord").count() == 1


def test_emptying_a_row_removes_the_record_and_the_result_goes_back_to_not_verified(world):
    boy, girl = pupils(world.household)
    pass_school(world.facilitator, world.household, Q3)
    assert result(world.household, Q3).status == "compliant"
    summary = save(world.facilitator, Q3, (boy, v.EDUCATION, {"attendance_percent": None}))
    assert summary.cleared == 1
    assert not CommitmentRecord.objects.filter(member=boy).exists()
    assert result(world.household, Q3).status == "not_verified"
    assert AuditEvent.objects.filter(object_type="compliance.commitmentrecord", action="delete").count() == 1


def test_one_invalid_row_saves_nothing_and_the_error_names_the_member_and_the_field(world):
    boy, girl = pupils(world.household)
    other_boy, _ = pupils(world.other_household)
    with pytest.raises(ValidationError) as raised:
        save(world.coordinator, Q3, (boy, v.EDUCATION, {"attendance_percent": 90}),
             (other_boy, v.EDUCATION, {"attendance_percent": 88}),
             (girl, v.EDUCATION, {"attendance_percent": 120}))
    errors = raised.value.message_dict
    assert list(errors) == [f"m{girl.pk}-education.attendance_percent"]
    assert errors[f"m{girl.pk}-education.attendance_percent"] == [
        f"{girl.name} — attendance (%): Enter a number between 0 and 100."]
    assert not CommitmentRecord.objects.exists() and not HouseholdResult.objects.exists()
    assert not AuditEvent.objects.filter(object_type="compliance.commitmentrecord").exists()


def test_a_member_without_that_commitment_cannot_get_a_record(world):
    mother = world.household.members.get(is_pengurus=True)
    with pytest.raises(ValidationError) as raised:
        save(world.facilitator, Q3, (mother, v.EDUCATION, {"attendance_percent": 90}))
    assert raised.value.message_dict[f"m{mother.pk}-education.commitment"] == [
        f"{mother.name} — commitment: not verified for this commitment in 2026-Q3."]


def test_records_are_refused_outside_the_caseload_and_for_auditors(world):
    boy, _ = pupils(world.other_household)
    with pytest.raises(ValidationError):
        save(world.facilitator, Q3, (boy, v.EDUCATION, {"attendance_percent": 90}))
    with pytest.raises(PermissionDenied):
        save(world.auditor, Q3, (boy, v.EDUCATION, {"attendance_percent": 90}))
    assert not CommitmentRecord.objects.exists()


def test_a_period_that_has_not_begun_cannot_be_recorded(world):
    boy, _ = pupils(world.household)
    with pytest.raises(ValidationError) as raised:
        save(world.facilitator, Q4.next(), (boy, v.EDUCATION, {"attendance_percent": 90}))
    assert "period" in raised.value.message_dict


def test_values_of_the_evidence_link_the_member_to_the_facility(world, school):
    boy, _ = pupils(world.household)
    entry = services.Entry(member=boy, commitment=v.EDUCATION, values={"attendance_percent": 90},
                           link=services.SET, link_facility=school)
    save(world.facilitator, Q3, entry, evidence=school)
    link = FacilityLink.objects.get(member=boy)
    assert (link.commitment, link.facility, link.linked_by) == (v.EDUCATION, school, world.facilitator)
    assert CommitmentRecord.objects.get(member=boy).facility == school


def test_a_school_cannot_give_evidence_of_posyandu_visits(world, school):
    from tests.compliance.conftest import add_member

    child = add_member(world.household, birth_date=date(2024, 1, 1))
    with pytest.raises(ValidationError) as raised:
        save(world.facilitator, Q3, (child, v.EARLY_CHILDHOOD, {"month_1_visited": True}), evidence=school)
    assert "facility" in raised.value.message_dict


# --- proposals and mediation cases ---------------------------------------------------------------------

def test_two_non_compliant_periods_in_a_row_make_exactly_one_proposal_and_one_case(world):
    fail_school(world.facilitator, world.household, Q2)
    assert not SuspensionProposal.objects.exists()
    fail_school(world.facilitator, world.household, Q3)
    fail_school(world.facilitator, world.household, Q3, attendance=40)  # recomputed again: no duplicate
    proposal = SuspensionProposal.objects.get()
    assert (proposal.household, proposal.status, proposal.periods_label) == (world.household, "pending", "2026-Q2, 2026-Q3")
    case = Case.objects.get()
    assert (case.pk, case.household, case.category, case.source, case.source_ref) == (
        proposal.case_id, world.household, "PENDIDIKAN", "compliance", f"{world.household.pk}:2026-Q3")
    boy, _ = pupils(world.household)
    assert case.member == boy
    assert boy.name in case.description and "2026-Q2" in case.description
    assert AuditEvent.objects.filter(object_type="compliance.suspensionproposal", action="create").count() == 1


def test_a_period_without_data_breaks_the_run(world):
    fail_school(world.facilitator, world.household, Q1)
    boy, girl = pupils(world.household)
    save(world.facilitator, Q2, (girl, v.EDUCATION, {"attendance_percent": 95}))  # the boy's school not visited yet
    assert result(world.household, Q2).status == "not_verified"
    fail_school(world.facilitator, world.household, Q3)
    assert not SuspensionProposal.objects.exists()


def test_one_failure_counts_even_while_other_data_is_missing(world):
    fail_school(world.facilitator, world.household, Q1)
    boy, _girl = pupils(world.household)
    save(world.facilitator, Q2, (boy, v.EDUCATION, {"attendance_percent": 30}))  # the girl not recorded
    assert result(world.household, Q2).status == "non_compliant"
    assert SuspensionProposal.objects.get().periods_label == "2026-Q1, 2026-Q2"


def test_a_period_recorded_late_completes_an_earlier_run(world):
    fail_school(world.facilitator, world.household, Q3)
    fail_school(world.facilitator, world.household, Q2)  # entered afterwards
    assert SuspensionProposal.objects.get().periods_label == "2026-Q2, 2026-Q3"


def test_a_health_failure_opens_a_health_case(world):
    mother = world.household.members.get(is_pengurus=True)
    mother.pregnant, mother.expected_delivery_date = True, date(2026, 12, 30)
    mother.save()
    for period in (Q3, Q4):
        pass_school(world.facilitator, world.household, period)
        save(world.facilitator, period, (mother, v.ANTENATAL, {"checkups_in_period": 0, "checkups_total": 1}))
    assert Case.objects.get().category == "KESEHATAN"


def test_correcting_records_withdraws_a_pending_proposal(world):
    fail_school(world.facilitator, world.household, Q2)
    fail_school(world.facilitator, world.household, Q3)
    pass_school(world.facilitator, world.household, Q3)  # the school corrected its register
    proposal = SuspensionProposal.objects.get()
    assert proposal.status == "withdrawn" and "no longer" in proposal.decision_note


def test_a_rejected_proposal_is_not_proposed_again_for_the_same_periods(world):
    fail_school(world.facilitator, world.household, Q2)
    fail_school(world.facilitator, world.household, Q3)
    proposal = SuspensionProposal.objects.get()
    services.suspension_proposal_decide(actor=world.coordinator, proposal=proposal, approve=False,
                                        note="Anak sakit, surat dokter ada")
    fail_school(world.facilitator, world.household, Q4)  # Q3–Q4 overlaps the rejected proposal
    assert SuspensionProposal.objects.count() == 1
    fail_school(world.facilitator, world.household, Q4, attendance=10)
    assert SuspensionProposal.objects.count() == 1


def test_approving_suspends_the_household_with_its_history(world):
    fail_school(world.facilitator, world.household, Q2)
    fail_school(world.facilitator, world.household, Q3)
    proposal = SuspensionProposal.objects.get()
    services.suspension_proposal_decide(actor=world.coordinator, proposal=proposal, approve=True,
                                        effective_date=date(2026, 10, 1), note="Sudah dimediasi")
    household = Household.objects.get(pk=world.household.pk)
    assert (household.status, household.status_since) == ("suspended", date(2026, 10, 1))
    change = HouseholdStatusChange.objects.get(household=household)
    assert change.status == "suspended" and change.changed_by == world.coordinator
    assert change.reason == "Commitments not met in 2026-Q2, 2026-Q3. Sudah dimediasi"
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.effective_date) == ("approved", world.coordinator, date(2026, 10, 1))
    # A suspended household gets no new proposal while suspended.
    fail_school(world.facilitator, world.household, Q4)
    assert SuspensionProposal.objects.count() == 1
    with pytest.raises(ValidationError):
        services.suspension_proposal_decide(actor=world.coordinator, proposal=proposal, approve=False, note="x")


def test_only_coordinators_decide_and_a_rejection_needs_a_reason(world):
    fail_school(world.facilitator, world.household, Q2)
    fail_school(world.facilitator, world.household, Q3)
    proposal = SuspensionProposal.objects.get()
    for persona in (world.facilitator, world.auditor):
        with pytest.raises(PermissionDenied):
            services.suspension_proposal_decide(actor=persona, proposal=proposal, approve=True, effective_date=TODAY)
    with pytest.raises(ValidationError) as raised:
        services.suspension_proposal_decide(actor=world.coordinator, proposal=proposal, approve=False, note=" ")
    assert "note" in raised.value.message_dict
    assert SuspensionProposal.objects.get().status == "pending"


def test_the_number_of_periods_is_data(world):
    from compliance.models import VerificationRules

    VerificationRules.objects.update(consecutive_periods_for_suspension=3)
    fail_school(world.facilitator, world.household, Q2)
    fail_school(world.facilitator, world.household, Q3)
    assert not SuspensionProposal.objects.exists()
    fail_school(world.facilitator, world.household, Q4, attendance=20)
    assert SuspensionProposal.objects.get().periods_label == "2026-Q2, 2026-Q3, 2026-Q4"


# --- recomputing a city ---------------------------------------------------------------------------

def test_refreshing_a_city_stores_results_for_every_family_it_sees(world):
    summary = services.results_refresh(actor=world.coordinator, period=Q4, city_code="31.75")
    assert summary["households"] == 3 and summary["not_verified"] == 3
    assert set(HouseholdResult.objects.values_list("household_id", flat=True)) == {
        world.household.pk, world.other_household.pk, world.unassigned.pk}
    with pytest.raises(PermissionDenied):
        services.results_refresh(actor=world.facilitator, period=Q4)


def test_refresh_command_runs_as_the_given_user(world, capsys):
    call_command("compliance_refresh", "--user", world.coordinator_b.username, "--period", "2026-Q3")
    assert list(HouseholdResult.objects.values_list("household_id", flat=True)) == [world.household_b.pk]
    assert "households: 1" in capsys.readouterr().out
