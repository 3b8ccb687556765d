"""The demo's graduation data: poverty lines, assessments, proposals, follow-up visits and the stored
screening are there, keep the app's rules, come out the same for the same seed, and fill the statistics."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse

from beneficiaries.models import Household
from casework.models import HomeVisit
from graduation.models import Assessment, PovertyLine, Proposal, ScreeningResult
from graduation.statistics import StatisticsFilters, graduation_statistics
from org.demo.seed import REFERENCE_DATE, seed_demo
from org.models import User

SEED = dict(households=500, seed=7)


@pytest.fixture
def demo(db):
    return seed_demo(**SEED)


def graduation_dump():
    return (
        list(Assessment.objects.order_by("household__id_kpm", "number").values_list(
            "household__id_kpm", "number", "assessed_on", "assessor__username", "income_work", "income_business",
            "business_months", "savings_amount", "floor", "jkn", "skills", "goals", "wants_to_graduate")),
        list(Proposal.objects.order_by("household__id_kpm", "proposed_at").values_list(
            "household__id_kpm", "kind", "status", "effective_date", "classification", "proposed_at",
            "decided_at", "justification", "confirmation")),
        list(ScreeningResult.objects.order_by("household__id_kpm").values_list(
            "household__id_kpm", "classification", "score")),
        list(HomeVisit.objects.filter(purpose=HomeVisit.Purpose.POST_GRADUATION).order_by(
            "household__id_kpm", "visited_at").values_list("household__id_kpm", "visited_at", "latitude")),
    )


def test_the_demo_has_poverty_lines_assessments_and_proposals(demo):
    lines = {line.year: line for line in PovertyLine.objects.filter(region__code="31")}
    assert sorted(lines) == [2024, 2025, 2026]
    assert lines[2025].amount == 897_768 and "BPS" in lines[2025].source
    assert "bukan angka BPS" in lines[2026].source  # the estimate says it is one

    assessed = Assessment.objects.values("household").distinct().count()
    active = Household.objects.filter(status=Household.Status.ACTIVE).count()
    assert 0.2 * active < assessed < 0.5 * active
    repeated = Assessment.objects.filter(number__gt=1).values("household").distinct().count()
    assert repeated >= 0.1 * assessed
    sample = Assessment.objects.exclude(skills="").first()
    assert sample.support_network and sample.goals  # the strength perspective, in Bahasa Indonesia

    coordinator = User.objects.get(username="koordinator")
    demo_counts = demo.fieldwork.counts
    assert str(demo_counts["home visits"]).startswith(str(HomeVisit.objects.count()))
    for household in Household.objects.filter(status=Household.Status.GRADUATED).prefetch_related(
            "graduation_proposals", "status_changes"):
        proposal, = household.graduation_proposals.all()
        reason = household.status_changes.all()[0].reason
        assert proposal.status == Proposal.Status.APPROVED and proposal.decided_by == coordinator
        assert proposal.kind == (Proposal.Kind.MANDIRI if "mandiri" in reason else Proposal.Kind.ALAMIAH), reason
        assert proposal.effective_date == household.status_since
        assert proposal.checks and proposal.rules_version == 1
        if proposal.kind == Proposal.Kind.MANDIRI:
            assert proposal.confirmation == Proposal.Confirmation.RECORDED and proposal.confirmation_note
            assert proposal.assessment is None or proposal.assessment.assessed_on <= proposal.effective_date
        agrees = {"alamiah": ("ALAMIAH", "ALAMIAH_SEGERA"), "mandiri": ("KANDIDAT_MANDIRI",)}[proposal.kind]
        assert bool(proposal.justification) == (proposal.classification not in agrees)
    for household in Household.objects.filter(status=Household.Status.EXITED).prefetch_related("graduation_proposals"):
        proposal, = household.graduation_proposals.all()
        assert proposal.status == Proposal.Status.APPROVED and not proposal.is_graduation

    pending = Proposal.objects.filter(status=Proposal.Status.PENDING)
    assert pending.filter(kind=Proposal.Kind.MANDIRI, confirmation=Proposal.Confirmation.RECORDED).exists()
    assert pending.filter(kind=Proposal.Kind.ALAMIAH).exists()
    disagreeing = pending.filter(kind=Proposal.Kind.MANDIRI).exclude(classification="KANDIDAT_MANDIRI")
    assert disagreeing.exists() and all(p.justification for p in disagreeing)
    rejected = Proposal.objects.get(status=Proposal.Status.REJECTED)
    assert rejected.decided_by == coordinator and rejected.decision_reason
    assert all(p.household.status in ("active", "suspended") for p in pending.select_related("household"))

    follow_ups = HomeVisit.objects.filter(purpose=HomeVisit.Purpose.POST_GRADUATION).select_related("household")
    assert follow_ups.exists()
    for visit in follow_ups:
        assert visit.household.status == Household.Status.GRADUATED
        assert visit.facilitator_id == visit.household.facilitator_id
        assert visit.household.status_since < visit.visited_at.date() < REFERENCE_DATE


def test_the_demo_rows_keep_the_apps_rules(demo):
    for assessment in Assessment.objects.all():
        assessment.full_clean()
        assert assessment.assessed_on <= REFERENCE_DATE
    for proposal in Proposal.objects.all():
        proposal.full_clean()
        assert proposal.proposed_at.date() <= REFERENCE_DATE
        if proposal.decided_at:
            assert proposal.proposed_at <= proposal.decided_at
    numbers = list(Assessment.objects.order_by("household", "number").values_list("household", "number", "assessed_on"))
    for (household, number, day), (next_household, next_number, next_day) in zip(numbers, numbers[1:]):
        if household == next_household:
            assert next_number == number + 1 and next_day > day
    # the planted "quiet" facilitator stays silent in the 20 days before the reference date
    quiet = User.objects.get(username=dict((key, name) for key, name, _ in demo.fieldwork.patterns)["quiet"])
    since = REFERENCE_DATE - timedelta(days=20)
    assert not Assessment.objects.filter(assessor=quiet, assessed_on__gt=since).exists()
    assert not Proposal.objects.filter(proposed_by=quiet, proposed_at__date__gt=since).exists()
    # the stored screening covers exactly the families in the program, as the monthly job leaves it
    in_program = set(Household.objects.filter(status__in=("active", "suspended")).values_list("pk", flat=True))
    assert set(ScreeningResult.objects.values_list("household", flat=True)) == in_program
    assert set(ScreeningResult.objects.values_list("as_of", flat=True)) == {REFERENCE_DATE}


def test_planted_families_pass_as_candidates_or_just_below_with_a_clear_shortfall(demo):
    counts = demo.fieldwork.counts["  planted: candidates / just below / to reassess"]
    strong, near, stale = (int(n) for n in counts.split(" / "))
    assert strong >= 3 and near >= 3 and stale >= 1
    assert ScreeningResult.objects.filter(classification="KANDIDAT_MANDIRI").count() >= strong
    assessed = [r for r in ScreeningResult.objects.filter(classification="BELUM")
                if any(c["key"] == "score" for c in r.checks)]  # got as far as the score: assessed and recent
    shortfalls = []
    for result in assessed:
        failed = {c["key"] for c in result.checks if c["passed"] is False and c["kind"] in ("required", "score")}
        economy = {"income_per_capita", "business_running"}
        if economy <= failed:  # the two are alternatives: missing only when neither passed
            failed.add("economy")
        shortfalls.append(failed - economy)
    one_shortfall = [failed.pop() for failed in shortfalls if len(failed) == 1]
    assert len(one_shortfall) >= near  # each planted family misses exactly one thing
    assert {"economy", "housing"} <= set(one_shortfall) <= {"economy", "housing", "children_in_school", "score"}


def test_the_same_seed_gives_the_same_graduation_rows(db):
    dumps = []
    for _ in range(2):
        with transaction.atomic():
            seed_demo(households=200, seed=5)
            dumps.append(graduation_dump())
            transaction.set_rollback(True)
    assert dumps[0] == dumps[1]
    assert all(dumps[0])


def test_the_statistics_page_has_numbers_for_the_coordinator(demo, client):
    coordinator = User.objects.get(username="koordinator")
    every_year = graduation_statistics(coordinator, StatisticsFilters(year=None), today=REFERENCE_DATE)
    graduated = Household.objects.filter(status=Household.Status.GRADUATED).count()
    assert every_year.total.graduations == graduated > 0
    assert every_year.total.other == Household.objects.filter(status=Household.Status.EXITED).count()
    assert {row.group for row in every_year.backgrounds} == {"social_welfare", "other_volunteer", "other"}
    assert every_year.candidates.candidates > 0 and every_year.candidates.acted_on > 0
    assert every_year.caseload.long_in_program > 0

    client.force_login(coordinator)
    html = client.get(reverse("graduation_statistics"), {"year": "all"}).content.decode()
    assert f'id="total-graduations">{graduated}<' in html
    for key in ("per_month", "share", "per_year", "kelurahan", "facilitator", "background", "long", "candidates"):
        assert f'id="table-{key}"' in html, key
