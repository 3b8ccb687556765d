"""The component rules of domain.md, case by case (pure functions, no database)."""

from datetime import date

import pytest

from beneficiaries.components import (
    MemberFacts,
    YearRules,
    age_on,
    household_components,
    stage_amount,
)

RULES_2024 = YearRules(
    year=2020,
    indexes={"HAMIL": 3_000_000, "ANAK_USIA_DINI": 3_000_000, "SD": 900_000, "SMP": 1_500_000, "SMA": 2_000_000,
             "DISABILITAS_BERAT": 2_400_000, "LANSIA": 2_400_000},
)
D = date(2026, 7, 1)
_ids = iter(range(1, 10_000))


def person(birth, **kw):
    return MemberFacts(id=next(_ids), birth_date=birth, **kw)


def codes(members, on=D, rules=RULES_2024):
    return sorted(household_components(members, on, rules).codes)


@pytest.mark.parametrize("birth, on, expected", [
    (date(2000, 7, 1), date(2026, 7, 1), 26),   # birthday today
    (date(2000, 7, 2), date(2026, 7, 1), 25),   # birthday tomorrow
    (date(2004, 2, 29), date(2026, 2, 28), 21),  # leap-day birthday: not yet 22 on 28 Feb
    (date(2004, 2, 29), date(2026, 3, 1), 22),
])
def test_age_is_in_completed_years(birth, on, expected):
    assert age_on(birth, on) == expected


CASES = [
    # (description, members, expected codes)
    ("child aged 6 not in school is early childhood", [person(date(2019, 7, 2))], ["ANAK_USIA_DINI"]),
    ("child turning 7 today is no longer early childhood", [person(date(2019, 7, 1))], []),
    ("6-year-old enrolled in SD counts as SD", [person(date(2020, 1, 1), school="SD")], ["SD"]),
    ("MI, MTS, MA map to SD, SMP, SMA",
     [person(date(2016, 1, 1), school="MI"), person(date(2012, 1, 1), school="MTS"), person(date(2009, 1, 1), school="MA")],
     ["SD", "SMA", "SMP"]),
    ("SMK and Paket C count as SMA", [person(date(2008, 1, 1), school="SMK"), person(date(2006, 1, 1), school="PAKET C")],
     ["SMA", "SMA"]),
    ("aged 21 in SMA still counts", [person(date(2004, 7, 2), school="SMA")], ["SMA"]),
    ("22nd birthday today: no longer counts", [person(date(2004, 7, 1), school="SMA")], []),
    ("a third child under 7 does not count (youngest two do)",
     [person(date(2021, 1, 1)), person(date(2023, 1, 1)), person(date(2025, 1, 1))],
     ["ANAK_USIA_DINI", "ANAK_USIA_DINI"]),
    ("pregnant with delivery date today counts", [person(date(1990, 1, 1), pregnant=True, expected_delivery_date=D)], ["HAMIL"]),
    ("delivery date yesterday: no longer counts",
     [person(date(1990, 1, 1), pregnant=True, expected_delivery_date=date(2026, 6, 30))], []),
    ("third pregnancy does not count",
     [person(date(1990, 1, 1), pregnant=True, expected_delivery_date=date(2026, 9, 1), pregnancy_order=3)], []),
    ("second pregnancy counts",
     [person(date(1990, 1, 1), pregnant=True, expected_delivery_date=date(2026, 9, 1), pregnancy_order=2)], ["HAMIL"]),
    ("pregnancy without a number counts",
     [person(date(1990, 1, 1), pregnant=True, expected_delivery_date=date(2026, 9, 1))], ["HAMIL"]),
    ("pregnancy without delivery date does not count", [person(date(1990, 1, 1), pregnant=True)], []),
    ("elderly from 60", [person(date(1966, 7, 1))], ["LANSIA"]),
    ("59 is not elderly", [person(date(1966, 7, 2))], []),
    ("disabled elderly counts once (same index: disability first in order)",
     [person(date(1950, 1, 1), severe_disability=True)], ["DISABILITAS_BERAT"]),
    ("disabled SD child counts once, at the higher disability index",
     [person(date(2016, 1, 1), school="SD", severe_disability=True)], ["DISABILITAS_BERAT"]),
    ("deceased member counts for nothing",
     [person(date(1950, 1, 1), exit_reason="deceased", exit_date=date(2026, 1, 1))], []),
    ("member who died after D still counts on D",
     [person(date(1950, 1, 1), exit_reason="deceased", exit_date=date(2026, 8, 1))], ["LANSIA"]),
    ("moved out without a date counts for nothing", [person(date(1950, 1, 1), exit_reason="moved_out")], []),
    ("child born after D does not exist yet", [person(date(2026, 8, 1))], []),
    ("adult not in school, not elderly: nothing", [person(date(1985, 1, 1))], []),
]


@pytest.mark.parametrize("description, members, expected", CASES, ids=[c[0] for c in CASES])
def test_components(description, members, expected):
    assert codes(members) == sorted(expected)


def test_more_than_four_components_keep_the_four_highest():
    members = [
        person(date(1990, 1, 1), pregnant=True, expected_delivery_date=date(2026, 9, 1)),  # 3,000,000
        person(date(2024, 1, 1)),  # early childhood 3,000,000
        person(date(1950, 1, 1)),  # elderly 2,400,000
        person(date(2009, 1, 1), school="SMA"),  # 2,000,000
        person(date(2016, 1, 1), school="SD"),  # 900,000: dropped
    ]
    result = household_components(members, D, RULES_2024)
    assert sorted(result.codes) == ["ANAK_USIA_DINI", "HAMIL", "LANSIA", "SMA"]
    assert [c.code for c in result.dropped_by_cap] == ["SD"]
    assert result.annual_entitlement == 3_000_000 + 3_000_000 + 2_400_000 + 2_000_000


def test_a_third_young_child_who_is_disabled_still_counts_for_disability():
    members = [person(date(2021, 1, 1), severe_disability=True), person(date(2023, 1, 1)), person(date(2025, 1, 1))]
    assert codes(members) == ["ANAK_USIA_DINI", "ANAK_USIA_DINI", "DISABILITAS_BERAT"]


def test_children_7_to_18_out_of_school_are_flagged_not_counted():
    dropout = person(date(2012, 1, 1))
    result = household_components([dropout, person(date(2005, 1, 1))], D, RULES_2024)
    assert result.codes == []
    assert result.out_of_school == [dropout]


def test_thresholds_come_from_the_year_rules():
    older_rule = YearRules(year=2016, indexes=RULES_2024.indexes, elderly_min_age=70)
    assert codes([person(date(1960, 1, 1))], rules=older_rule) == []
    assert codes([person(date(1950, 1, 1))], rules=older_rule) == ["LANSIA"]


def test_family_amount_is_added_only_when_a_component_counts():
    rules_2019 = YearRules(year=2019, indexes=RULES_2024.indexes, family_amount=550_000)
    assert household_components([person(date(1950, 1, 1))], D, rules_2019).annual_entitlement == 2_950_000
    assert household_components([person(date(1985, 1, 1))], D, rules_2019).annual_entitlement == 0


@pytest.mark.parametrize("annual, months, expected", [
    (900_000, 3, 225_000), (2_400_000, 3, 600_000), (3_000_000, 1, 250_000), (1_000_001, 3, 250_000), (1_000_002, 3, 250_001),
])
def test_stage_amount_is_a_share_of_the_year_in_whole_rupiah(annual, months, expected):
    assert stage_amount(annual, months) == expected


def test_without_any_benefit_year_the_pages_still_work_and_say_why(world, client_for):
    from beneficiaries.models import BenefitYear

    BenefitYear.objects.all().delete()
    response = client_for(world.facilitator).get(f"/households/{world.household.pk}/")
    assert response.status_code == 200
    assert response.context["components"].rules.missing
    assert sorted(response.context["components"].codes) == ["SD", "SMP"]
