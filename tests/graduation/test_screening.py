"""The screening on the database: the same answers as the pure classifier, a fixed number of queries,
stored results that replace the old ones, the command's JSON, the monthly Celery job and the refresh a
coordinator starts from the screening page."""

import io
import json
import re
import time
from datetime import date, datetime, time as clock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from beneficiaries.components import MemberFacts
from beneficiaries.models import Household
from beneficiaries.rules import RuleBook, member_facts
from core.models import Job
from graduation import classifier, screening
from graduation.models import Assessment, GraduationRules, PovertyLine, ScreeningResult
from livelihood.models import Business, MonthlyEntry
from livelihood.selectors import business_summaries
from p2k2.models import Attendance, Group, GroupMembership, Meeting, ModuleSession
from tests.conftest import make_family
from tests.factories import FacilitatorFactory, MemberFactory, region

D = date(2026, 12, 31)


def assess(household, *, assessed_on=date(2026, 10, 1), assessor=None, **values):
    """A recorded assessment that passes every criterion unless told otherwise (4 people, Rp1,500,000 each)."""
    number = Assessment.objects.filter(household=household).count() + 1
    fields = dict(household_size=4, income_work=6_000_000, work_stability="permanent", savings_amount=3_000_000,
                  monthly_spending=2_500_000, has_motorcycle=True, has_television=True, has_smartphone=True,
                  floor="tile", walls="brick", roof="tile", toilet="own", water="piped", school_age_children=2,
                  children_in_school=2, jkn="all", wants_to_graduate=True)
    fields.update(values)
    return Assessment.objects.create(household=household, number=number, assessed_on=assessed_on,
                                     assessor=assessor or household.facilitator, **fields)


def p2k2_meetings(household, attendance: list[tuple[date, str]], *, held=True):
    """Meetings of the household's group on the given dates, with its attendance."""
    group = Group.objects.filter(memberships__household=household).first()
    if group is None:
        group = Group.objects.create(name=f"Kelompok {household.id_kpm}", facilitator=household.facilitator,
                                     kelurahan=household.kelurahan, formed_on=date(2024, 1, 1))
        GroupMembership.objects.create(group=group, household=household, joined_on=date(2024, 1, 1))
    session = ModuleSession.objects.order_by("number").first()
    for day, status in attendance:
        meeting = Meeting.objects.create(group=group, module_session=session, date=day, start_time=clock(9),
                                         place="Balai RW", status="held" if held else "scheduled")
        Attendance.objects.create(meeting=meeting, household=household, status=status)


def business(household, *, started_on, months: dict[date, tuple[int, int]], stopped_on=None, name="Warung"):
    item = Business.objects.create(household=household, kind="warung", name=name, started_on=started_on,
                                   stopped_on=stopped_on)
    for month, (revenue, expenses) in months.items():
        MonthlyEntry.objects.create(business=item, month=month, revenue=revenue, expenses=expenses)
    return item


def rows(households):
    return {s.household_id: s for s in screening.screen(Household.objects.filter(pk__in=[h.pk for h in households]),
                                                          as_of=D)}


# --- the same answers as the pure classifier ----------------------------------------------------

def test_screening_on_the_database_agrees_with_the_pure_classifier(world):
    city, province = region("31.75"), region("31")
    PovertyLine.objects.create(region=province, year=2026, amount=800_000)
    PovertyLine.objects.create(region=city, year=2025, amount=850_000)
    candidate = world.household  # SD (born 2015) and SMP (born 2011); 4 members
    old = assess(candidate, assessed_on=date(2025, 6, 1), income_work=1_000_000)
    latest = assess(candidate, assessed_on=date(2026, 10, 1), income_work=2_000_000)
    assess(candidate, assessed_on=date(2027, 1, 5))  # after D: not used on D
    shop = business(candidate, started_on=date(2026, 3, 15), name="Warung Bu Ani",
                    months={date(2026, m, 1): (2_000_000, 1_400_000) for m in range(4, 13)})
    p2k2_meetings(candidate, [(date(2026, m, 10), "present") for m in (2, 4, 6, 8)]
                  + [(date(2026, 10, 10), "absent"), (date(2025, 11, 20), "absent")])  # the last: > 12 months
    p2k2_meetings(candidate, [(date(2026, 12, 20), "absent")], held=False)  # scheduled, not held

    adults = make_family(facilitator=world.facilitator)
    adults.members.filter(relationship="ANAK").delete()
    soon = make_family(facilitator=world.facilitator)
    soon.members.filter(relationship="ANAK").delete()
    MemberFactory(household=soon, name="Adik", birth_date=date(2020, 1, 1), relationship="ANAK")
    rich = make_family(facilitator=world.facilitator, decile=6)
    no_assessment = world.other_household

    screened = rows([candidate, adults, soon, rich, no_assessment])
    book = RuleBook()
    rules, stored_rules = screening.rules_on(D)
    assert stored_rules.version == 1 and rules.version == 1

    def pure(household, **inputs):
        members = [member_facts(m) for m in household.members.order_by("pk")]
        return classifier.classify(
            household=classifier.HouseholdFacts(household.pk, household.decile, household.joined_year),
            members=members, as_of=D, rules=rules, year_rules=book.rules_for(D),
            horizon_year_rules=book.rules_for(classifier.add_months(D, 6)), **inputs)

    expected = pure(candidate, assessment=latest, businesses=business_summaries([candidate.pk], on=D)[candidate.pk],
                    p2k2=(4, 5), poverty_line=850_000)
    got = screened[candidate.pk].result
    assert got.classification == expected.classification == classifier.KANDIDAT_MANDIRI
    assert got.checks == expected.checks
    checks = {c.key: c for c in got.checks}
    assert checks["assessment_recent"].data["number"] == latest.number != old.number
    assert checks["income_per_capita"].data["poverty_line"] == 850_000  # the city's 2025 line, not the province's
    assert checks["business_running"].data == {"group": "economy", "min_months": 6, "source": "records",
                                               "name": shop.name, "months": 9, "net": 600_000}
    assert checks["p2k2_attendance"].data["present"] == 4 and checks["p2k2_attendance"].data["meetings"] == 5
    assert got.components == ["SMP", "SD"] and got.annual_entitlement == 2_400_000

    for household, classification in ((adults, classifier.ALAMIAH), (soon, classifier.ALAMIAH_SEGERA),
                                      (rich, classifier.ALAMIAH), (no_assessment, classifier.BELUM)):
        expected = pure(household, p2k2=(0, 0), poverty_line=850_000)
        assert screened[household.pk].result.classification == expected.classification == classification
        assert screened[household.pk].result.checks == expected.checks
        assert screened[household.pk].id_kpm == household.id_kpm


def test_classify_household_is_the_screening_of_one_household(world):
    assess(world.household)
    PovertyLine.objects.create(region=region("31.75"), year=2026, amount=850_000)
    alone = screening.classify_household(world.household, as_of=D)
    assert alone == rows([world.household, world.other_household])[world.household.pk].result


# --- poverty lines: the city's, else the province's, of the latest year on or before D's ----------

def test_poverty_line_lookup_city_then_province_then_the_latest_earlier_year(world):
    jakarta, east = region("31"), region("31.75")
    west_java, bogor = region("32"), region("32.01")
    PovertyLine.objects.bulk_create([
        PovertyLine(region=jakarta, year=2024, amount=790_000), PovertyLine(region=jakarta, year=2026, amount=846_000),
        PovertyLine(region=east, year=2023, amount=700_000), PovertyLine(region=east, year=2025, amount=830_000),
        PovertyLine(region=west_java, year=2026, amount=520_000), PovertyLine(region=bogor, year=2027, amount=600_000),
    ])
    lines = screening.PovertyLines()
    assert lines.for_village("31.75.01.1001", 2025) == 830_000  # the city's own line of the year
    assert lines.for_village("31.75.01.1001", 2026) == 830_000  # the city's latest earlier year beats the province
    assert lines.for_village("31.75.01.1001", 2024) == 700_000
    assert lines.for_village("31.74.01.1001", 2026) == 846_000  # no city line: the province's
    assert lines.for_village("31.74.01.1001", 2025) == 790_000  # ... of its latest earlier year
    assert lines.for_village("31.74.01.1001", 2023) is None  # nothing that early
    assert lines.for_village("32.01.01.2001", 2026) == 520_000  # a later city line is not used for 2026
    assert lines.for_village("33.01.01.2001", 2026) is None

    assess(world.household_b)
    result = rows([world.household_b])[world.household_b.pk].result
    income = next(c for c in result.checks if c.key == "income_per_capita")
    assert income.data["poverty_line"] == 846_000 and income.data["needed"] == 1_269_000


# --- a fixed number of queries --------------------------------------------------------------------

def caseload(facilitator, count: int):
    """Families with members, an assessment for every other one, a business and P2K2 for every third."""
    households = [make_family(facilitator=facilitator) for _ in range(count)]
    for number, household in enumerate(households):
        if number % 2 == 0:
            assess(household)
        if number % 3 == 0:
            business(household, started_on=date(2026, 1, 10), months={date(2026, 11, 1): (900_000, 500_000)})
            p2k2_meetings(household, [(date(2026, 11, 5), "present")])
    return households


def test_screening_and_storing_take_the_same_queries_for_3_and_30_households(world, django_assert_num_queries):
    small, large = FacilitatorFactory(cities=[region("31.75")]), FacilitatorFactory(cities=[region("31.75")])
    caseload(small, 3)
    caseload(large, 30)
    PovertyLine.objects.create(region=region("31.75"), year=2026, amount=850_000)
    for facilitator, count in ((small, 3), (large, 30)):
        households = Household.objects.filter(facilitator=facilitator)
        # rules version; benefit year + indexes for D's year and for the horizon's; poverty lines; the ids;
        # then per batch of 2,000: households, members, latest assessments, businesses, P2K2 attendance
        with django_assert_num_queries(12):
            assert len(list(screening.screen(households, as_of=D))) == count
        # the same, inside a savepoint (SAVEPOINT, RELEASE), plus one upsert per batch
        with django_assert_num_queries(15):
            counts = screening.store_results(households, as_of=D)
        assert sum(counts.values()) == count


# --- stored results --------------------------------------------------------------------------------

def test_stored_results_replace_the_old_ones(world):
    households = Household.objects.filter(pk=world.household.pk)
    screening.store_results(households, as_of=date(2026, 11, 1))
    first = ScreeningResult.objects.get(household=world.household)
    assert first.classification == classifier.BELUM and first.score is None
    PovertyLine.objects.create(region=region("31.75"), year=2026, amount=850_000)
    assess(world.household, assessed_on=date(2026, 11, 20))
    GraduationRules.objects.create(version=2, valid_from=date(2026, 12, 1), score_threshold=80, note="stricter")
    counts = screening.store_results(households, as_of=D)
    assert counts == {classifier.KANDIDAT_MANDIRI: 1}
    second = ScreeningResult.objects.get(household=world.household)
    assert ScreeningResult.objects.count() == 1
    assert (second.as_of, second.classification, second.rules_version, second.score) == (
        D, classifier.KANDIDAT_MANDIRI, 2, 80)  # no P2K2 meeting: 80, exactly the new threshold
    assert second.computed_at > first.computed_at
    assert [c["key"] for c in second.checks][:3] == ["no_components", "decile_above_cutoff", "no_components_at_horizon"]
    assert second.components == ["SMP", "SD"] and second.annual_entitlement == 2_400_000


def test_refresh_city_drops_the_results_of_families_that_left_and_leaves_other_cities_alone(world):
    screening.refresh_city("31.75", as_of=D)
    screening.refresh_city("31.74", as_of=D)
    city_a = {world.household.pk, world.other_household.pk, world.unassigned.pk}
    assert set(ScreeningResult.objects.values_list("household_id", flat=True)) == city_a | {world.household_b.pk}
    Household.objects.filter(pk=world.household.pk).update(status=Household.Status.GRADUATED)
    Household.objects.filter(pk=world.other_household.pk).update(status=Household.Status.EXITED)
    Household.objects.filter(pk=world.unassigned.pk).update(status=Household.Status.SUSPENDED)
    counts = screening.refresh_city("31.75", as_of=D)
    assert counts == {classifier.BELUM: 1}  # the suspended family is still in the program
    assert set(ScreeningResult.objects.values_list("household_id", flat=True)) == {world.unassigned.pk,
                                                                                  world.household_b.pk}


def test_only_coordinators_and_admins_refresh_and_only_their_cities(world):
    for user in (world.facilitator, world.auditor, world.coordinator_b):
        with pytest.raises(PermissionDenied):
            screening.screening_refresh(actor=user, city_code="31.75", as_of=D)
    steps = []
    result = screening.screening_refresh(actor=world.coordinator, city_code="31.75", as_of=D,
                                         progress=lambda done, total, stage: steps.append((done, total, stage)))
    assert result == {"households": 3, "ALAMIAH": 0, "ALAMIAH_SEGERA": 0, "KANDIDAT_MANDIRI": 0, "BELUM": 3}
    assert steps == [(3, 3, "Families screened")]
    assert not ScreeningResult.objects.filter(household=world.household_b).exists()


# --- the command ------------------------------------------------------------------------------------

def test_the_command_writes_one_object_per_household_with_indonesian_reasons(world, tmp_path):
    PovertyLine.objects.create(region=region("31.75"), year=2026, amount=850_000)
    assess(world.household)
    Household.objects.filter(pk=world.unassigned.pk).update(status=Household.Status.GRADUATED)
    output, out = tmp_path / "screening.json", io.StringIO()
    call_command("graduation_screen", "--city", "31.75", "--as-of", "2026-12-31", "--output", str(output), stdout=out)
    data = json.loads(output.read_text(encoding="utf-8"))
    assert [row["id_kpm"] for row in data] == sorted([world.household.id_kpm, world.other_household.id_kpm],
                                                      key=lambda id_kpm: Household.objects.get(id_kpm=id_kpm).pk)
    row = next(r for r in data if r["id_kpm"] == world.household.id_kpm)
    assert set(row) == {"id_kpm", "status", "components", "annual_entitlement", "classification", "score", "reasons",
                        "rules_version", "as_of"}
    assert row["status"] == "active" and row["components"] == ["SMP", "SD"] and row["annual_entitlement"] == 2_400_000
    assert row["classification"] == "KANDIDAT_MANDIRI" and row["score"] == 80  # no P2K2 meeting recorded
    assert row["rules_version"] == 1 and row["as_of"] == "2026-12-31"
    assert len(row["reasons"]) == 15
    # Bahasa Indonesia: dates in Indonesian whatever the shell's language
    assert "31 Desember 2026" in row["reasons"][0] and "30 Juni 2027" in row["reasons"][2]
    other = next(r for r in data if r["id_kpm"] == world.other_household.id_kpm)
    assert other["classification"] == "BELUM" and other["score"] is None and len(other["reasons"]) == 4
    summary = out.getvalue()
    assert re.search(r"Jakarta Timur \(31\.75\) as of 2026-12-31: 2 households screened in \d+\.\d s", summary)
    assert re.search(r"KANDIDAT_MANDIRI +1\n", summary) and re.search(r"BELUM +1\n", summary)
    assert re.search(r"ALAMIAH +0\n", summary)
    assert not ScreeningResult.objects.exists()  # without --store nothing is saved


def test_the_command_stores_the_results_with_store_and_writes_to_standard_output(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("graduation_screen", "--city", "31.75", "--output", "-", "--store", stdout=out, stderr=err)
    data = json.loads(out.getvalue())
    assert len(data) == 3 and {row["as_of"] for row in data} == {timezone.localdate().isoformat()}
    assert ScreeningResult.objects.filter(as_of=timezone.localdate()).count() == 3
    assert "3 households screened" in err.getvalue() and "results stored" in err.getvalue()


def test_a_city_without_families_gives_an_empty_list(world, tmp_path):
    region("31.71", "Kota Administrasi Jakarta Pusat")
    output = tmp_path / "empty.json"
    call_command("graduation_screen", "--city", "31.71", "--output", str(output), stdout=io.StringIO())
    assert json.loads(output.read_text()) == []


@pytest.mark.parametrize("arguments, message", [
    (["--city", "31.99", "--output", "x.json"], "unknown regency/city '31.99'"),
    (["--city", "31.75.01", "--output", "x.json"], "unknown regency/city '31.75.01'"),
    (["--city", "31.75", "--as-of", "31-12-2026", "--output", "x.json"], "is not a date"),
    (["--city", "31.75", "--as-of", "2026-02-30", "--output", "x.json"], "is not a date"),
    (["--city", "31.75"], "nothing to do"),
    (["--city", "31.75", "--output", "/no/such/folder/x.json"], "cannot write"),
])
def test_the_command_says_what_is_wrong(world, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("graduation_screen", *arguments, stdout=io.StringIO())


# --- the screening page -----------------------------------------------------------------------------

def test_the_page_shows_when_each_city_was_screened_and_how_many_of_each(world, client_for):
    screening.refresh_city("31.75", as_of=D)
    screening.refresh_city("31.74", as_of=D)
    response = client_for(world.coordinator).get(reverse("graduation_screening_refresh"))
    assert response.status_code == 200
    cities = response.context["cities"]
    assert [(c.code, c.households, c.screened, c.as_of) for c in cities] == [("31.75", 3, 3, D)]
    assert cities[0].counts == {"BELUM": 3} and cities[0].computed_at is not None
    html = response.content.decode()
    assert "Kota Administrasi Jakarta Timur" in html and "Jakarta Selatan" not in html
    assert [choice[0] for choice in response.context["form"].fields["city"].choices] == ["31.75"]

    response = client_for(world.admin).get(reverse("graduation_screening_refresh"))
    assert [c.code for c in response.context["cities"]] == ["31.74", "31.75"]


def test_a_city_not_screened_yet_says_so(world, client_for):
    response = client_for(world.coordinator_b).get(reverse("graduation_screening_refresh"))
    (city,) = response.context["cities"]
    assert (city.code, city.households, city.computed_at, city.counts) == ("31.74", 1, None, {})


def test_the_page_takes_the_same_queries_for_few_and_many_families(world, client_for):
    client = client_for(world.coordinator)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("graduation_screening_refresh")).status_code == 200
        return len(captured)

    screening.refresh_city("31.75", as_of=D)
    few = queries()
    for _ in range(12):
        make_family(facilitator=world.facilitator)
    screening.refresh_city("31.75", as_of=D)
    assert queries() == few


def test_a_coordinator_cannot_screen_another_city(world, client_for):
    response = client_for(world.coordinator).post(reverse("graduation_screening_refresh"), {"city": "31.74"})
    assert response.status_code == 200 and response.context["form"].errors["city"]
    assert not Job.objects.exists()


def test_a_second_refresh_of_the_same_city_shows_the_running_one(world, client_for):
    from graduation.tasks import GRADUATION_SCREENING

    active = Job.objects.create(kind=GRADUATION_SCREENING, created_by=world.coordinator, city_code="31.75",
                                lock_key="31.75", params={"city": "31.75", "as_of": D.isoformat()})
    response = client_for(world.coordinator).post(reverse("graduation_screening_refresh"), {"city": "31.75"})
    assert response["Location"] == reverse("job_detail", kwargs={"pk": active.pk})
    assert Job.objects.count() == 1


def test_the_monthly_job_is_scheduled_on_the_first_at_two_in_jakarta(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["graduation-monthly-screening"]
    assert entry["task"] == "graduation.tasks.monthly_screening_task"
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {2}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Jakarta"


# --- with a real Celery worker ------------------------------------------------------------------------

def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not done after {seconds} s")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_monthly_job_screens_every_city_as_of_that_day(world, celery_worker):
    from graduation.tasks import monthly_screening_task

    ScreeningResult.objects.create(household=world.household, as_of=date(2026, 1, 1), classification="ALAMIAH",
                                   rules_version=1, computed_at=timezone.make_aware(datetime(2026, 1, 1, 2)))
    Household.objects.filter(pk=world.other_household.pk).update(status=Household.Status.GRADUATED)
    monthly_screening_task.delay()
    today = timezone.localdate()
    stored = wait_for(lambda: ScreeningResult.objects.filter(as_of=today).count() == 3 and
                      dict(ScreeningResult.objects.values_list("household_id", "classification")))
    assert stored == {world.household.pk: "BELUM", world.unassigned.pk: "BELUM", world.household_b.pk: "BELUM"}


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_starts_the_screening_and_follows_its_progress(world, client, celery_worker):
    client.force_login(world.coordinator)
    response = client.post(reverse("graduation_screening_refresh"), {"city": "31.75"})
    assert response.status_code == 302
    job = Job.objects.get(kind="graduation_screening")
    assert response["Location"] == reverse("job_detail", kwargs={"pk": job.pk})
    job = wait_for(lambda: (j := Job.objects.get(pk=job.pk)) and not j.is_active and j)
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.result == {"households": 3, "ALAMIAH": 0, "ALAMIAH_SEGERA": 0, "KANDIDAT_MANDIRI": 0, "BELUM": 3}
    assert (job.city_code, job.params["city"], job.created_by) == ("31.75", "31.75", world.coordinator)
    assert job.progress_done == job.progress_total == 3
    assert "Kota Administrasi Jakarta Timur" in job.message and "31.75" not in job.message  # the city by name
    status = client.get(reverse("job_status", kwargs={"pk": job.pk})).json()
    assert status["finished"] and status["percent"] == 100
    assert ScreeningResult.objects.filter(as_of=timezone.localdate()).count() == 3
    page = client.get(reverse("graduation_screening_refresh"))
    (city,) = page.context["cities"]
    assert city.screened == 3 and city.computed_at is not None


def test_members_facts_are_read_as_stored(world):
    """The screening reads exactly the member fields the component rules use."""
    member = world.household.members.order_by("pk").first()
    assert set(screening.MEMBER_FIELDS) - {"household_id"} == set(MemberFacts.__dataclass_fields__)
    assert member_facts(member).birth_date == member.birth_date
