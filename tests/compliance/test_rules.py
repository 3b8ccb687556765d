"""The result of a period, per commitment: the rules of compliance.verification on real members."""

from datetime import date
from decimal import Decimal

import pytest

from compliance import verification as v
from compliance.models import VerificationRules
from compliance.reasons import reason_texts
from tests.compliance.conftest import Q3, Q4, add_member, pupils, record, verdict_of
from tests.conftest import make_family


def test_exactly_85_percent_attendance_complies_and_84_9_does_not(world):
    boy, girl = pupils(world.household)
    verdict = verdict_of(world.household, Q4, [record(boy, v.EDUCATION, attendance_percent=Decimal("85")),
                                               record(girl, v.EDUCATION, attendance_percent=Decimal("100"))])
    assert verdict.status == v.COMPLIANT
    verdict = verdict_of(world.household, Q4, [record(boy, v.EDUCATION, attendance_percent=Decimal("84.9")),
                                               record(girl, v.EDUCATION, attendance_percent=Decimal("100"))])
    assert verdict.status == v.NON_COMPLIANT
    assert reason_texts(verdict.reasons) == [
        f"{boy.name} (SD): attended 84.9% of school days; at least 85% is required."]


def test_missing_data_is_not_yet_verified_never_non_compliant(world):
    boy, girl = pupils(world.household)
    verdict = verdict_of(world.household, Q4, [record(boy, v.EDUCATION, attendance_percent=Decimal("90"))])
    assert verdict.status == v.NOT_VERIFIED
    assert (verdict.to_verify, verdict.recorded) == (2, 1)
    assert reason_texts(verdict.missing) == [f"{girl.name} (SMP): school attendance not recorded yet."]
    assert verdict_of(world.household, Q4).status == v.NOT_VERIFIED


def test_one_failure_makes_the_family_non_compliant_even_with_data_missing(world):
    boy, _girl = pupils(world.household)
    verdict = verdict_of(world.household, Q4, [record(boy, v.EDUCATION, attendance_percent=Decimal("40"))])
    assert verdict.status == v.NON_COMPLIANT
    assert len(verdict.reasons) == 1 and len(verdict.missing) == 1


def test_the_attendance_threshold_is_data_versioned_by_date(world):
    VerificationRules.objects.create(valid_from=date(2026, 10, 1), min_attendance_percent=90)
    boy, girl = pupils(world.household)
    records = [record(boy, v.EDUCATION, attendance_percent=Decimal("87")),
               record(girl, v.EDUCATION, attendance_percent=Decimal("95"))]
    assert verdict_of(world.household, Q3, records).status == v.COMPLIANT  # July–September: still 85%
    verdict = verdict_of(world.household, Q4, records)
    assert verdict.status == v.NON_COMPLIANT
    assert "at least 90%" in reason_texts(verdict.reasons)[0]


def test_a_family_without_components_has_nothing_to_verify(db):
    household = make_family()
    household.members.filter(relationship="ANAK").delete()
    assert verdict_of(household, Q4).status == v.NOTHING_TO_VERIFY


# --- pregnant women ---------------------------------------------------------------------------------

@pytest.fixture
def mother(world):
    mother = world.household.members.get(is_pengurus=True)
    mother.pregnant, mother.pregnancy_order = True, 2
    return mother


def _pregnancy(mother, due):
    mother.expected_delivery_date = due
    mother.save()
    return mother


def test_a_pregnancy_going_on_needs_a_check_up_in_the_period(world, mother):
    _pregnancy(mother, date(2027, 3, 1))
    verdict = verdict_of(world.household, Q4, [record(mother, v.ANTENATAL, checkups_in_period=0, checkups_total=2)])
    assert verdict.status == v.NON_COMPLIANT
    assert reason_texts(verdict.reasons) == [
        f"{mother.name} (Pregnant): no antenatal check-up in this period; at least 1 is required."]
    verdict = verdict_of(world.household, Q4, [record(mother, v.ANTENATAL, checkups_in_period=1)])
    assert [o.status for o in verdict.outcomes if o.due.commitment == v.ANTENATAL] == [v.MET]


def test_a_pregnancy_ending_in_the_period_is_judged_on_the_whole_pregnancy(world, mother):
    _pregnancy(mother, date(2026, 11, 10))  # expected delivery within October–December
    three = verdict_of(world.household, Q4, [record(mother, v.ANTENATAL, checkups_in_period=2, checkups_total=3)])
    assert [r["code"] for r in three.reasons] == ["antenatal_total_low"]
    assert "after 3 antenatal check-ups; at least 4 are required" in reason_texts(three.reasons)[0]
    # Four over the pregnancy complies even without a check-up in the period itself.
    four = verdict_of(world.household, Q4, [record(mother, v.ANTENATAL, checkups_in_period=0, checkups_total=4)])
    assert not [r for r in four.reasons if r["commitment"] == v.ANTENATAL]
    # Not knowing the total yet is "not yet verified".
    unknown = verdict_of(world.household, Q4, [record(mother, v.ANTENATAL, checkups_in_period=1)])
    assert [r["code"] for r in unknown.missing if r["commitment"] == v.ANTENATAL] == ["antenatal_total_missing"]


def test_a_recorded_early_end_of_pregnancy_applies_the_total_rule(world, mother):
    _pregnancy(mother, date(2027, 1, 20))  # expected next period, ended early in November
    verdict = verdict_of(world.household, Q4, [record(mother, v.ANTENATAL, checkups_in_period=1, checkups_total=2,
                                                       pregnancy_ended_on=date(2026, 11, 2))])
    assert [r["code"] for r in verdict.reasons] == ["antenatal_total_low"]


def test_a_pregnancy_is_verified_only_in_the_weeks_before_its_due_date(world, mother):
    _pregnancy(mother, date(2027, 6, 30))  # conceived around late September 2026
    def commitments(period):
        return {o.due.commitment for o in verdict_of(world.household, period).outcomes}

    assert v.ANTENATAL in commitments(Q4)
    assert v.ANTENATAL not in commitments(Q3)  # the registry's pregnant flag says nothing about July


def test_a_third_pregnancy_is_not_a_component_so_not_verified(world, mother):
    mother.pregnancy_order = 3
    _pregnancy(mother, date(2027, 2, 1))
    assert v.ANTENATAL not in {o.due.commitment for o in verdict_of(world.household, Q4).outcomes}


# --- early childhood ------------------------------------------------------------------------------

def test_a_child_turning_7_mid_period_is_verified_only_for_the_months_before(world):
    child = add_member(world.household, birth_date=date(2019, 11, 15))  # 7 on 15 November 2026, not in school
    due = next(o.due for o in verdict_of(world.household, Q4).outcomes if o.due.member_id == child.pk)
    assert (due.commitment, due.months) == (v.EARLY_CHILDHOOD, (1, 2))  # October and November
    verdict = verdict_of(world.household, Q4, [record(child, v.EARLY_CHILDHOOD, month_1_visited=True, month_2_visited=True)])
    assert [o.status for o in verdict.outcomes if o.due.member_id == child.pk] == [v.MET]


def test_a_missed_posyandu_month_names_the_month(world):
    child = add_member(world.household, birth_date=date(2024, 2, 1))
    verdict = verdict_of(world.household, Q4, [record(child, v.EARLY_CHILDHOOD, month_1_visited=True,
                                                      month_2_visited=False, month_3_visited=None)])
    assert [text for text in reason_texts(verdict.reasons) if child.name in text] == [
        f"{child.name} (Early childhood): no posyandu visit in November."]
    partial = verdict_of(world.household, Q4, [record(child, v.EARLY_CHILDHOOD, month_1_visited=True, month_2_visited=True)])
    assert [r["months"] for r in partial.missing if r["member_id"] == child.pk] == [[12]]


def test_a_baby_born_during_the_period_is_verified_from_the_next_month(world):
    baby = add_member(world.household, birth_date=date(2026, 10, 20))
    due = next(o.due for o in verdict_of(world.household, Q4).outcomes if o.due.member_id == baby.pk)
    assert due.months == (2, 3)


# --- elderly and severe disability ------------------------------------------------------------------

def test_elderly_need_an_activity_in_the_period(world):
    grandmother = add_member(world.household, birth_date=date(1950, 1, 1), relationship="ORANG TUA", sex="P")
    none = verdict_of(world.household, Q4, [record(grandmother, v.WELFARE, activity_done=False)])
    assert f"{grandmother.name} (Elderly): no health or social-welfare activity in this period." in reason_texts(none.reasons)
    done = verdict_of(world.household, Q4, [record(grandmother, v.WELFARE, activity_done=True, activity="Posyandu lansia")])
    assert [o.status for o in done.outcomes if o.due.member_id == grandmother.pk] == [v.MET]


def test_a_member_with_a_record_stays_verified_after_their_data_changed(world, mother):
    _pregnancy(mother, date(2026, 12, 20))
    records = [record(mother, v.ANTENATAL, checkups_in_period=1, checkups_total=5)]
    mother.pregnant = False  # the birth was recorded and the flag cleared
    mother.save()
    verdict = verdict_of(world.household, Q4, records)
    assert [o.status for o in verdict.outcomes if o.due.member_id == mother.pk] == [v.MET]
