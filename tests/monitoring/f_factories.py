"""Shared test data of reconciliation: bank rows, the ordinary paid family, and a city where every flag
is planted once next to look-alike families that must not be flagged (helper F's factories)."""

import itertools
from datetime import date, time

from beneficiaries.models import Household, HouseholdStatusChange, KKSCustody
from monitoring.models import BankEvent, Match
from tests.conftest import make_family
from tests.factories import FacilitatorFactory, HouseholdFactory, MemberFactory, region

CITY = "31.75"
AS_OF = date(2026, 5, 20)
STAGE_AMOUNT = 600_000  # make_family: SD (900,000) + SMP (1,500,000) a year, a quarter per stage
_refs = itertools.count(1)


def event(household, kind, stage, on, amount=STAGE_AMOUNT, *, at=None, location="", kks=None, id_kpm=None,
          bank=None, match=Match.MATCHED, year=2026):
    """One bank row. `household` may be None for an ID KPM the registry does not know."""
    return BankEvent.objects.create(
        bank=bank or (household.bank if household else "BRI"), ref=f"R{next(_refs):07d}",
        id_kpm=id_kpm or household.id_kpm, kks_number=kks if kks is not None else household.kks_number,
        year=year, stage=stage, kind=kind, occurred_on=on, occurred_time=at, amount=amount, location=location,
        household=household, match=match, city_code=household.city_code if household else CITY)


def paid(household, *stages, withdrawn=True):
    """The ordinary case: the entitlement credited mid-stage and withdrawn two days later."""
    for stage in stages:
        credited_on = date(2026, 3 * stage - 2, 20)
        event(household, "SALUR", stage, credited_on)
        if withdrawn:
            event(household, "TARIK", stage, credited_on.replace(day=22), amount=STAGE_AMOUNT)


def keys(rows) -> set:
    return {row.key for row in rows}


def plant(world) -> dict:
    """The world's city A families (all paid, both stages) plus one family per planted flag, and controls."""
    for household in (world.household, world.other_household, world.unassigned):
        paid(household, 1, 2)
    paid(world.household_b, 1, 2)  # another city: never in city A's flags
    f = world.facilitator
    p = {}

    # NOMINAL_TIDAK_SESUAI: stage 1 short by 150,000.
    p["nominal"] = make_family(facilitator=f)
    event(p["nominal"], "SALUR", 1, date(2026, 1, 20), amount=450_000)
    event(p["nominal"], "TARIK", 1, date(2026, 1, 21), amount=450_000)
    paid(p["nominal"], 2)

    # SALUR_KE_NONAKTIF: graduated on 1 March; credited in stage 2 anyway (stage 1 was still fine).
    p["graduated"] = make_family(facilitator=f, status=Household.Status.GRADUATED, status_since=date(2026, 3, 1))
    HouseholdStatusChange.objects.create(household=p["graduated"], status="active", effective_date=date(2018, 1, 1))
    HouseholdStatusChange.objects.create(household=p["graduated"], status="graduated", effective_date=date(2026, 3, 1))
    paid(p["graduated"], 1, 2)

    # TIDAK_SALUR: stage 2 never credited though BRI paid that stage.
    p["missing"] = make_family(facilitator=f)
    paid(p["missing"], 1)
    # ... not flagged: Mandiri paid no one in the data; no component; suspended before the stage.
    make_family(facilitator=f, bank="MANDIRI", kks_number="6013099999999999")
    no_component = HouseholdFactory(facilitator=f, kelurahan=region("31.75.01.1001"))
    MemberFactory(household=no_component, birth_date=date(1990, 1, 1), is_pengurus=True)
    suspended = make_family(facilitator=f, status=Household.Status.SUSPENDED, status_since=date(2025, 12, 1))
    HouseholdStatusChange.objects.create(household=suspended, status="active", effective_date=date(2018, 1, 1))
    HouseholdStatusChange.objects.create(household=suspended, status="suspended", effective_date=date(2025, 12, 1))
    # ... nor one suspended after the stage began but before BRI's first credit of it (5 April).
    mid_stage = make_family(facilitator=f, status=Household.Status.SUSPENDED, status_since=date(2026, 4, 2))
    paid(mid_stage, 1)
    HouseholdStatusChange.objects.create(household=mid_stage, status="active", effective_date=date(2018, 1, 1))
    HouseholdStatusChange.objects.create(household=mid_stage, status="suspended", effective_date=date(2026, 4, 2))

    # SALUR_GANDA: credited twice in stage 1 (so its sum is also off: NOMINAL_TIDAK_SESUAI)...
    p["double"] = make_family(facilitator=f)
    paid(p["double"], 1, 2)
    event(p["double"], "SALUR", 1, date(2026, 1, 21))
    # ... and one card credited in stage 2 for its own family and for another (whose row therefore mismatches).
    p["card_owner"] = make_family(facilitator=f)
    p["card_borrower"] = make_family(facilitator=f)
    paid(p["card_owner"], 1, 2)
    paid(p["card_borrower"], 1)
    event(p["card_borrower"], "SALUR", 2, date(2026, 4, 20), kks=p["card_owner"].kks_number, match=Match.KKS_MISMATCH)

    # DANA_MENGENDAP: stage 2 credited 40 days before the as-of date, never withdrawn.
    p["dormant"] = make_family(facilitator=f)
    paid(p["dormant"], 1)
    event(p["dormant"], "SALUR", 2, date(2026, 4, 10))
    # ... not flagged: credited 19 days ago (may still be withdrawn in time); withdrawn late, after 45 days.
    p["recent"] = make_family(facilitator=f)
    paid(p["recent"], 1)
    event(p["recent"], "SALUR", 2, date(2026, 5, 1))
    p["late"] = make_family(facilitator=f)
    paid(p["late"], 1)
    event(p["late"], "SALUR", 2, date(2026, 4, 5))
    event(p["late"], "TARIK", 2, date(2026, 5, 20))

    # TARIK_MENGELOMPOK: five families of one facilitator withdraw at one agent within 50 minutes.
    holder = FacilitatorFactory(username="pendamping_kartu", cities=[region(CITY)], profile=[region("31.75.01.1001")])
    p["cluster"] = [make_family(facilitator=holder) for _ in range(5)]
    for minute, household in zip((0, 10, 20, 35, 50), p["cluster"]):
        paid(household, 1)
        event(household, "SALUR", 2, date(2026, 4, 20))
        event(household, "TARIK", 2, date(2026, 4, 22), at=time(10, minute), location="AGEN-0042")
    # ... not flagged: four families of another facilitator at the same agent in the same hour, one of the
    # cluster's facilitator two hours later, one the same minute without a time.
    other = FacilitatorFactory(username="pendamping_lain", cities=[region(CITY)], profile=[region("31.75.01.1001")])
    p["other_cluster"] = [make_family(facilitator=other) for _ in range(4)]
    for minute, household in zip((5, 15, 25, 30), p["other_cluster"]):
        paid(household, 1)
        event(household, "SALUR", 2, date(2026, 4, 20))
        event(household, "TARIK", 2, date(2026, 4, 22), at=time(10, minute), location="AGEN-0042")
    for at in (time(12, 55), None):
        household = make_family(facilitator=holder)
        paid(household, 1)
        event(household, "SALUR", 2, date(2026, 4, 20))
        event(household, "TARIK", 2, date(2026, 4, 22), at=at, location="AGEN-0042")

    # KKS_BUKAN_KELUARGA: the card held by the facilitator since June 2025.
    p["held"] = make_family(facilitator=f, kks_holder=Household.KKSHolder.FACILITATOR)
    KKSCustody.objects.create(household=p["held"], holder="pengurus", since=date(2018, 1, 1))
    KKSCustody.objects.create(household=p["held"], holder="facilitator", holder_name="Pak Pendamping",
                              since=date(2025, 6, 1))
    paid(p["held"], 1, 2)
    # ... not flagged: held by another family member; held outside the family by a family that left the program.
    family_held = make_family(facilitator=f, kks_holder=Household.KKSHolder.FAMILY_MEMBER)
    paid(family_held, 1, 2)
    make_family(facilitator=f, kks_holder=Household.KKSHolder.OTHER, status=Household.Status.EXITED,
                status_since=date(2024, 1, 1))

    # TIDAK_DIKENAL: an ID KPM nobody knows, credited and withdrawn in stage 2 (two rows, two flags).
    event(None, "SALUR", 2, date(2026, 4, 20), id_kpm="3175999999990001", kks="6013000000009999",
          match=Match.UNKNOWN_KPM)
    event(None, "TARIK", 2, date(2026, 4, 23), id_kpm="3175999999990001", kks="6013000000009999",
          match=Match.UNKNOWN_KPM)

    # After the as-of date: not known yet.
    event(p["dormant"], "TARIK", 2, date(2026, 5, 25))
    return p


def expected_keys(p) -> set:
    return {
        ("NOMINAL_TIDAK_SESUAI", p["nominal"].id_kpm, 2026, 1),
        ("SALUR_KE_NONAKTIF", p["graduated"].id_kpm, 2026, 2),
        ("TIDAK_SALUR", p["missing"].id_kpm, 2026, 2),
        ("SALUR_GANDA", p["double"].id_kpm, 2026, 1),
        ("NOMINAL_TIDAK_SESUAI", p["double"].id_kpm, 2026, 1),
        ("SALUR_GANDA", p["card_owner"].id_kpm, 2026, 2),
        ("SALUR_GANDA", p["card_borrower"].id_kpm, 2026, 2),
        ("TIDAK_DIKENAL", p["card_borrower"].id_kpm, 2026, 2),
        ("DANA_MENGENDAP", p["dormant"].id_kpm, 2026, 2),
        *{("TARIK_MENGELOMPOK", h.id_kpm, 2026, 2) for h in p["cluster"]},
        ("KKS_BUKAN_KELUARGA", p["held"].id_kpm, None, None),
        ("TIDAK_DIKENAL", "3175999999990001", 2026, 2),
    }
