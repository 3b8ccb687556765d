"""The monthly report's Celery tasks, on a real worker on Redis when it is available (eagerly otherwise): the
schedule builds the previous month once per city and a second run adds identical versions; a build
interrupted midway leaves nothing and the retry completes it; the on-demand job shows its progress."""

import os
import time
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, Job
from monitoring import report_tasks, reports
from monitoring.models import BankEvent, Match, MonthlyReport

PREVIOUS = reports.Month.of(timezone.localdate()).previous()


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not done after {seconds} s")


def credit(household, on):
    """The entitlement of a stage credited to a family (make_family: 600,000 a quarter)."""
    BankEvent.objects.create(bank="BRI", ref=f"T{household.pk}-{on:%Y%m%d}", id_kpm=household.id_kpm,
                             kks_number=household.kks_number, year=on.year, stage=(on.month - 1) // 3 + 1,
                             kind="SALUR", occurred_on=on, amount=600_000, household=household, match=Match.MATCHED,
                             city_code=household.kelurahan_id[:5])


@pytest.fixture
def credited(world):
    """A credit in the previous month for one family of each city."""
    credit(world.household, PREVIOUS.first.replace(day=5))
    credit(world.household_b, PREVIOUS.first.replace(day=6))
    return world


def reports_by_city() -> dict:
    found = {}
    for city, version, checksum in MonthlyReport.objects.order_by("city_id", "version").values_list(
            "city_id", "version", "checksum"):
        found.setdefault(city, []).append((version, checksum))
    return found


def test_the_monthly_reports_are_scheduled_on_the_first_at_two_in_jakarta(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["monitoring-monthly-reports"]
    assert entry["task"] == "monitoring.report_tasks.monthly_reports_task"
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {2}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Jakarta"
    assert "monitoring.report_tasks" in settings.CELERY_IMPORTS  # the worker registers the tasks


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_schedule_builds_the_previous_month_once_per_city_and_again_as_new_versions(credited, celery_worker):
    report_tasks.monthly_reports_task.delay()
    first = wait_for(lambda: MonthlyReport.objects.count() == 2 and reports_by_city())
    assert set(first) == {"31.74", "31.75"} and all(versions[0][0] == 1 for versions in first.values())
    assert {r.month for r in MonthlyReport.objects.all()} == {PREVIOUS.first}
    report = MonthlyReport.objects.get(city_id="31.75")
    assert report.content["totals"]["credited_households"] == 1 and report.params["trigger"] == "schedule"
    assert report.generated_by is None

    report_tasks.monthly_reports_task.delay()
    second = wait_for(lambda: MonthlyReport.objects.count() == 4 and reports_by_city())
    for city, versions in second.items():
        assert [v for v, _ in versions] == [1, 2], city
        assert versions[0][1] == versions[1][1], f"{city}: the same data gives the same figures"
    time.sleep(1)  # nothing else is on its way
    assert MonthlyReport.objects.count() == 4


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_delivered_again_does_not_build_a_city_twice(credited, celery_worker):
    """The broker delivers a task again when its worker was lost (acks_late): same task id, same run."""
    report_tasks.monthly_reports_task.apply_async(task_id="monthly-run-1")
    wait_for(lambda: MonthlyReport.objects.count() == 2)
    report_tasks.monthly_reports_task.apply_async(task_id="monthly-run-1")
    report_tasks.monthly_reports_task.apply_async(kwargs={"month": PREVIOUS.key}, task_id="monthly-run-2")
    wait_for(lambda: MonthlyReport.objects.count() == 4)
    time.sleep(1)
    assert sorted(MonthlyReport.objects.values_list("city_id", "version", "params__run")) == [
        ("31.74", 1, "monthly-run-1"), ("31.74", 2, "monthly-run-2"),
        ("31.75", 1, "monthly-run-1"), ("31.75", 2, "monthly-run-2")]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_build_interrupted_midway_leaves_nothing_and_the_retry_completes_it(credited, celery_worker, monkeypatch):
    interrupted = []

    def worker_lost(step):
        # City 31.75 is interrupted once, after its report row was written and before the commit.
        if step == "stored" and not interrupted and MonthlyReport.objects.filter(city_id="31.75").exists():
            interrupted.append(step)
            raise RuntimeError("worker lost in the middle of the build")

    monkeypatch.setattr(reports, "_checkpoint", worker_lost)
    monkeypatch.setattr(report_tasks, "RETRY_SECONDS", 0)
    if celery_worker is None:  # no Redis: eagerly, where a retry runs at once instead of raising
        report_tasks.monthly_reports_task.apply(throw=False)
    else:
        report_tasks.monthly_reports_task.delay()
    built = wait_for(lambda: MonthlyReport.objects.count() == 2 and reports_by_city())
    time.sleep(1)  # a retry building a second version would show now
    assert interrupted == ["stored"]
    assert {city: [v for v, _ in versions] for city, versions in built.items()} == {"31.74": [1], "31.75": [1]}
    assert MonthlyReport.objects.count() == 2
    assert AuditEvent.objects.filter(object_type="monitoring.monthlyreport").count() == 2  # none for the lost one
    assert MonthlyReport.objects.get(city_id="31.75").content["totals"]["credited_households"] == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_builds_on_demand_follows_the_progress_and_builds_again_after_a_failure(
        credited, client, celery_worker, monkeypatch, settings):
    settings.LANGUAGE_CODE = "en"  # the job's messages are in the language of the page that started it

    def worker_lost(step):
        if step == "entitlements":
            raise RuntimeError("worker lost in the middle of the build")

    client.force_login(credited.coordinator)
    monkeypatch.setattr(reports, "_checkpoint", worker_lost)
    response = client.post(reverse("monitoring_report_build"), {"city": "31.75", "month": PREVIOUS.key})
    job = Job.objects.get(kind=report_tasks.MONTHLY_REPORT)
    assert response["Location"] == reverse("job_detail", kwargs={"pk": job.pk})
    job = wait_for(lambda: (j := Job.objects.get(pk=job.pk)) and not j.is_active and j)
    assert job.status == Job.Status.FAILED and "Nothing was changed" in job.message
    assert not MonthlyReport.objects.exists()

    monkeypatch.setattr(reports, "_checkpoint", lambda step: None)
    client.post(reverse("monitoring_report_build"), {"city": "31.75", "month": PREVIOUS.key})
    job = Job.objects.filter(kind=report_tasks.MONTHLY_REPORT).latest("pk")
    job = wait_for(lambda: (j := Job.objects.get(pk=job.pk)) and not j.is_active and j)
    assert job.status == Job.Status.SUCCEEDED, job.message
    report = MonthlyReport.objects.get()
    assert (report.version, report.job_id, report.generated_by, job.city_code) == (1, job.pk, credited.coordinator,
                                                                                   "31.75")
    # The other two families of city A were entitled to the stage and not credited: TIDAK_SALUR twice.
    assert job.result == {"version": 1, "households": 3, "credited_households": 1, "flags": 2}
    assert job.progress_done == job.progress_total == 5
    status = client.get(reverse("job_status", kwargs={"pk": job.pk})).json()
    assert status["finished"] and status["percent"] == 100


def test_a_job_delivered_again_after_storing_finds_its_report(credited):
    """The worker stored the report and was lost before marking the job finished: the job runs again."""
    job = Job.objects.create(kind=report_tasks.MONTHLY_REPORT, created_by=credited.coordinator, city_code="31.75",
                             params={"city": "31.75", "month": PREVIOUS.key, "language": "en"})
    report_tasks.report_build_task(job.pk)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    report_tasks.report_build_task(job.pk)
    assert MonthlyReport.objects.count() == 1
    assert Job.objects.get(pk=job.pk).result["version"] == 1


def test_the_schedule_skips_no_city_and_builds_a_given_month(credited):
    report_tasks.monthly_reports_task.apply(kwargs={"month": "2026-01"})
    assert sorted(MonthlyReport.objects.values_list("city_id", "month")) == [
        ("31.74", date(2026, 1, 1)), ("31.75", date(2026, 1, 1))]


def test_an_eager_retry_builds_only_the_city_that_failed(credited, monkeypatch):
    failures = []

    def fail_once(step):
        if step == "stored" and not failures:
            failures.append(step)
            raise RuntimeError("interrupted")

    monkeypatch.setattr(reports, "_checkpoint", fail_once)
    report_tasks.monthly_reports_task.apply(throw=False)
    assert failures == ["stored"]
    assert sorted(MonthlyReport.objects.values_list("city_id", "version")) == [("31.74", 1), ("31.75", 1)]


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="concurrent writers need PostgreSQL (SQLite locks the whole database)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_builds_of_one_month_at_once_take_the_next_versions_one_after_the_other(credited, monkeypatch):
    """The schedule and a coordinator building the same month together: versions 1 and 2, never a clash. Each
    build waits (up to 2 s) for the other in the middle of its computation: were they not serialised, both would
    take version 1 there."""
    import threading

    from django.db import connections

    month, errors = reports.Month.parse(PREVIOUS.key), []
    meet = threading.Barrier(2)

    def rendezvous(step):
        if step == "totals":
            try:
                meet.wait(timeout=2)
            except threading.BrokenBarrierError:
                pass  # the other build waits for this one's transaction: as it should

    monkeypatch.setattr(reports, "_checkpoint", rendezvous)

    def build():
        try:
            reports.report_build(actor=None, city_code="31.75", month=month)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(MonthlyReport.objects.values_list("version", flat=True)) == [1, 2]
    assert len(set(MonthlyReport.objects.values_list("checksum", flat=True))) == 1
