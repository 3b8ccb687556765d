"""Reconciliation: a hand-made city where every flag is planted once, next to families that look alike but
must not be flagged; `compute_flags` finds exactly the planted ones. Thresholds come from the settings;
the number of queries does not grow with the number of families; `refresh_flags` replaces stored flags."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring.models import Flag, MonitoringSettings
from monitoring.reconcile import compute_flags, refresh_flags
from tests.conftest import make_family
from tests.monitoring.f_factories import AS_OF, CITY, STAGE_AMOUNT, event, expected_keys, keys, paid, plant


@pytest.fixture
def planted(world):
    return plant(world)


def by_code(rows, code, household=None):
    found = [r for r in rows if r.code == code and (household is None or r.household_id == household.pk)]
    assert len(found) == 1, found
    return found[0]


# --- exactly the planted flags --------------------------------------------------------------------

def test_compute_flags_finds_exactly_the_planted_flags(planted):
    rows = compute_flags(CITY, as_of=AS_OF)
    assert keys(rows) == expected_keys(planted)
    # one row per planted finding (TIDAK_DIKENAL: one per unknown row)
    assert len(rows) == len(expected_keys(planted)) + 1


def test_the_details_show_the_figures_behind_each_flag(planted, world):
    p = planted
    rows = compute_flags(CITY, as_of=AS_OF)

    nominal = by_code(rows, "NOMINAL_TIDAK_SESUAI", p["nominal"])
    assert (nominal.expected, nominal.credited) == (600_000, 450_000)
    assert nominal.detail["difference"] == -150_000
    assert {(c["code"], c["amount"]) for c in nominal.detail["components"]} == {("SD", 900_000), ("SMP", 1_500_000)}
    assert nominal.detail["stage_first_day"] == "2026-01-01" and nominal.facilitator_id == world.facilitator.pk

    inactive = by_code(rows, "SALUR_KE_NONAKTIF")
    assert inactive.detail["status"] == "graduated" and inactive.detail["status_since"] == "2026-03-01"
    assert inactive.occurred_on == date(2026, 4, 20) and inactive.credited == STAGE_AMOUNT

    missing = by_code(rows, "TIDAK_SALUR")
    assert (missing.expected, missing.credited) == (600_000, 0) and missing.detail["bank"] == "BRI"

    double = by_code(rows, "SALUR_GANDA", p["double"])
    assert double.detail["reasons"] == ["same_household"] and len(double.detail["salur"]) == 2
    shared = by_code(rows, "SALUR_GANDA", p["card_owner"])
    assert shared.detail["reasons"] == ["same_card"] and shared.detail["others"] == [p["card_borrower"].id_kpm]
    assert shared.detail["kks"].endswith(p["card_owner"].kks_number[-4:]) and "•" in shared.detail["kks"]

    dormant = by_code(rows, "DANA_MENGENDAP")
    assert (dormant.detail["age_days"], dormant.detail["bucket"]) == (40, 30)

    cluster = [r for r in rows if r.code == "TARIK_MENGELOMPOK"]
    assert {r.facilitator_id for r in cluster} == {p["cluster"][0].facilitator_id}
    first = next(r for r in cluster if r.household_id == p["cluster"][0].pk)
    assert first.detail["location"] == "AGEN-0042" and first.detail["households"] == 5
    assert (first.detail["start"], first.detail["end"]) == ("2026-04-22T10:00:00", "2026-04-22T10:50:00")
    assert sorted(first.detail["others"]) == sorted(h.id_kpm for h in p["cluster"][1:])

    held = by_code(rows, "KKS_BUKAN_KELUARGA")
    assert held.detail["holder"] == "facilitator" and held.detail["holder_name"] == "Pak Pendamping"
    assert held.occurred_on == date(2025, 6, 1)

    unknown = [r for r in rows if r.code == "TIDAK_DIKENAL" and r.household_id is None]
    assert len(unknown) == 2 and {r.facilitator_id for r in unknown} == {None}
    borrower = by_code(rows, "TIDAK_DIKENAL", p["card_borrower"])
    assert borrower.detail["match"] == "kks_mismatch"


def test_events_after_the_as_of_date_are_not_known_yet(planted):
    later = compute_flags(CITY, as_of=date(2026, 5, 31))
    # the withdrawal of 25 May is known by then: the money is no longer sitting on the card
    assert ("DANA_MENGENDAP", planted["dormant"].id_kpm, 2026, 2) not in keys(later)
    early = compute_flags(CITY, as_of=date(2026, 3, 31))  # stage 2 not paid yet: nothing of stage 2
    assert {k for k in keys(early) if k[2:] == (2026, 2)} == set()
    assert ("NOMINAL_TIDAK_SESUAI", planted["nominal"].id_kpm, 2026, 1) in keys(early)


def test_stages_limit_the_findings_to_those_stages(planted):
    rows = compute_flags(CITY, as_of=AS_OF, stages={(2026, 1)})
    assert keys(rows) == {k for k in expected_keys(planted) if k[2:] in {(2026, 1), (None, None)}}


def test_a_year_without_benefit_rules_checks_no_amounts(planted):
    from beneficiaries.models import BenefitYear

    BenefitYear.objects.all().delete()
    codes = {row.code for row in compute_flags(CITY, as_of=AS_OF)}
    assert "NOMINAL_TIDAK_SESUAI" not in codes and "TIDAK_SALUR" not in codes
    assert "SALUR_GANDA" in codes


# --- thresholds are data ----------------------------------------------------------------------------

def test_the_dormant_threshold_and_buckets_come_from_the_settings(planted):
    settings = MonitoringSettings.current()
    settings.dormant_days, settings.dormant_buckets = 45, "30,60,90"
    settings.save()
    assert "DANA_MENGENDAP" not in {r.code for r in compute_flags(CITY, as_of=AS_OF)}

    settings.dormant_days, settings.dormant_buckets = 14, "14,35"
    settings.save()
    dormant = {r.household_id: r for r in compute_flags(CITY, as_of=AS_OF) if r.code == "DANA_MENGENDAP"}
    assert set(dormant) == {planted["dormant"].pk, planted["recent"].pk}
    assert dormant[planted["dormant"].pk].detail["bucket"] == 35
    assert dormant[planted["recent"].pk].detail["bucket"] == 14


def test_the_cluster_thresholds_come_from_the_settings(planted):
    settings = MonitoringSettings.current()
    settings.cluster_min_households = 6
    settings.save()
    assert "TARIK_MENGELOMPOK" not in {r.code for r in compute_flags(CITY, as_of=AS_OF)}

    settings.cluster_min_households, settings.cluster_window_minutes = 4, 30
    settings.save()
    cluster = {r.household_id for r in compute_flags(CITY, as_of=AS_OF) if r.code == "TARIK_MENGELOMPOK"}
    # the other facilitator's four (10:05–10:30) now count; the planted five never have four within 30 minutes
    others = {h.pk for h in planted["other_cluster"]}
    assert cluster == others
    settings.cluster_window_minutes = 35  # 10:00, 10:10, 10:20 and 10:35
    settings.save()
    cluster = {r.household_id for r in compute_flags(CITY, as_of=AS_OF) if r.code == "TARIK_MENGELOMPOK"}
    assert cluster == others | {h.pk for h in planted["cluster"][:4]}


# --- speed: a fixed number of queries ---------------------------------------------------------------

def _count_queries(**kwargs) -> int:
    MonitoringSettings.current()  # created on first use: not part of the count
    with CaptureQueriesContext(connection) as queries:
        compute_flags(CITY, as_of=AS_OF, **kwargs)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_families(world):
    for household in (world.household, world.other_household, world.unassigned):
        paid(household, 1, 2)
    small = _count_queries()
    for _ in range(12):
        household = make_family(facilitator=world.facilitator)
        paid(household, 1, 2)
        event(household, "SALUR", 2, date(2026, 4, 25))
    assert _count_queries() == small
    # settings, events, households, members, status history, KKS custody; the 2026 rules and stages
    assert small == 9


# --- storing ----------------------------------------------------------------------------------------

def test_refresh_flags_stores_the_findings_and_replaces_them_on_the_next_run(planted, world):
    other_city = Flag.objects.create(code="TIDAK_DIKENAL", city_code="31.74", id_kpm="X", year=2026, stage=1)
    counts = refresh_flags(city_codes={CITY}, as_of=AS_OF)
    stored = {(f.code, f.id_kpm, f.year, f.stage) for f in Flag.objects.filter(city_code=CITY)}
    assert stored == expected_keys(planted)
    assert counts["TARIK_MENGELOMPOK"] == 5 and counts["TIDAK_DIKENAL"] == 3 and counts["TIDAK_SALUR"] == 1
    assert set(counts) == {c for c, _ in Flag._meta.get_field("code").choices}

    refresh_flags(city_codes={CITY}, as_of=AS_OF)
    assert Flag.objects.filter(city_code=CITY).count() == sum(counts.values())
    assert Flag.objects.filter(pk=other_city.pk).exists()


def test_refresh_of_some_stages_keeps_the_flags_of_the_others(planted):
    refresh_flags(city_codes={CITY}, as_of=AS_OF)
    stage_two = set(Flag.objects.filter(year=2026, stage=2).values_list("pk", flat=True))
    # the nominal mismatch of stage 1 is corrected by a second credit of the difference
    event(planted["nominal"], "SALUR", 1, date(2026, 3, 2), amount=150_000)
    refresh_flags(city_codes={CITY}, stages={(2026, 1)}, as_of=AS_OF)
    stored = {(f.code, f.id_kpm, f.year, f.stage) for f in Flag.objects.filter(city_code=CITY)}
    assert ("NOMINAL_TIDAK_SESUAI", planted["nominal"].id_kpm, 2026, 1) not in stored
    assert ("SALUR_GANDA", planted["nominal"].id_kpm, 2026, 1) in stored  # two credits now
    assert set(Flag.objects.filter(year=2026, stage=2).values_list("pk", flat=True)) == stage_two
    assert Flag.objects.filter(code="KKS_BUKAN_KELUARGA").count() == 1
