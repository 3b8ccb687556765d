"""The demo's bank data: credits of the entitlements and withdrawals for the 2026 stages, every flag code
planted (and nothing that was not planted clustering), the same rows for the same seed, and flags waiting
on the first facilitator's day page."""

from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.urls import reverse

from monitoring.models import BankEvent, Flag, FlagCode, Match
from org.demo.seed import REFERENCE_DATE, seed_demo
from org.models import User

SEED = dict(households=600, seed=7)


@pytest.fixture
def demo(db):
    return seed_demo(**SEED)


def events_dump():
    return list(BankEvent.objects.order_by("bank", "ref").values_list(
        "bank", "ref", "id_kpm", "kks_number", "stage", "kind", "occurred_on", "occurred_time", "amount", "location",
        "match"))


def test_the_demo_has_bank_rows_for_the_2026_stages_up_to_the_reference_date(demo):
    events = BankEvent.objects.all()
    assert set(events.values_list("year", flat=True).distinct()) == {2026}
    assert set(events.values_list("stage", flat=True).distinct()) == {1, 2, 3, 4}
    assert not events.filter(occurred_on__gte=REFERENCE_DATE).exists()
    assert set(events.values_list("city_code", flat=True).distinct()) == {"31.75"}
    kinds = Counter(events.values_list("kind", flat=True))
    assert kinds["TARIK"] >= 0.9 * kinds["SALUR"]
    # most credits are withdrawn within a week, at an agent, e-warong or ATM
    withdrawals = defaultdict(list)
    for card, day in events.filter(kind="TARIK").values_list("kks_number", "occurred_on"):
        withdrawals[card].append(day)
    credits = list(events.filter(kind="SALUR", match=Match.MATCHED).values_list("kks_number", "occurred_on"))
    soon = sum(1 for card, day in credits if any(0 <= (w - day).days <= 7 for w in withdrawals[card]))
    assert soon >= 0.8 * len(credits)
    assert not events.filter(kind="TARIK", location="").exists()
    line = next(iter(demo.fieldwork.counts[k] for k in demo.fieldwork.counts if k.startswith("bank events")))
    assert line.startswith(str(events.count()))


def test_every_flag_code_is_planted_and_stored(demo):
    counts = Counter(Flag.objects.values_list("code", flat=True))
    assert set(counts) == set(FlagCode.values), counts
    flags_line = demo.fieldwork.counts[f"transaction flags {REFERENCE_DATE:%Y-%m-%d}"]
    assert f"{counts['TIDAK_SALUR']} TIDAK_SALUR" in flags_line


def test_only_the_planted_facilitators_families_withdraw_clustered(demo):
    clustered = Flag.objects.filter(code="TARIK_MENGELOMPOK")
    assert set(clustered.values_list("stage", flat=True)) == {3, 4}
    assert clustered.values("facilitator").distinct().count() == 1
    per_stage = Counter(clustered.values_list("stage", flat=True))
    assert per_stage == {3: 6, 4: 6}
    username = clustered.first().facilitator.username
    assert username in demo.fieldwork.counts["  planted: clustered withdrawals"] and username != "pendamping01"
    assert all(f.detail["households"] == 6 and f.detail["location"].endswith("-77") for f in clustered)


def test_amounts_differ_only_where_planted(demo):
    nominal = Flag.objects.filter(code="NOMINAL_TIDAK_SESUAI")
    doubles = {(f.household_id, f.year, f.stage) for f in Flag.objects.filter(code="SALUR_GANDA")
               if "same_household" in f.detail["reasons"]}
    assert len(doubles) == 3
    planted_shift = [f for f in nominal if (f.household_id, f.year, f.stage) not in doubles]
    assert len(planted_shift) == 5 and {f.stage for f in planted_shift} == {3}
    assert all(f.expected > 0 and f.credited != f.expected for f in planted_shift)
    # the card credited for two families, and the unknown ID KPM
    unknown = Flag.objects.filter(code="TIDAK_DIKENAL")
    assert unknown.filter(household__isnull=True).count() == 8  # 4 ID KPM × (credit + withdrawal)
    assert unknown.filter(household__isnull=False, detail__match="kks_mismatch").exists()
    assert sum(1 for f in Flag.objects.filter(code="SALUR_GANDA") if f.detail["reasons"] == ["same_card"]) == 2


def test_money_not_withdrawn_shows_in_every_bucket(demo):
    buckets = Counter(Flag.objects.filter(code="DANA_MENGENDAP").values_list("detail__bucket", flat=True))
    assert {30, 60, 90} <= set(buckets), buckets
    stage_four = Flag.objects.filter(code="DANA_MENGENDAP", stage=4)
    assert not stage_four.exists()  # credited in October: under 30 days on the reference date


def test_the_first_facilitator_finds_flags_waiting_on_the_day_page(demo, client):
    user = User.objects.get(username="pendamping01")
    assert Flag.objects.filter(household__facilitator=user, code__in=["NOMINAL_TIDAK_SESUAI", "TIDAK_SALUR"]).count() >= 2
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(reverse("today")).content.decode()
    assert "Transaction flags waiting for you" in html


def test_the_same_seed_gives_the_same_bank_rows_and_flags(db):
    dumps = []
    for _ in range(2):
        with transaction.atomic():
            seed_demo(households=200, seed=5)
            flags = defaultdict(int)
            for key in Flag.objects.values_list("code", "id_kpm", "year", "stage"):
                flags[key] += 1
            dumps.append((events_dump(), dict(flags)))
            transaction.set_rollback(True)
    assert dumps[0] == dumps[1]
    assert dumps[0][0] and dumps[0][1]
