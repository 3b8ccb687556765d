"""Faults: the broker (Redis) down, the database connection lost in the middle of an import, a Celery worker
killed in the middle of a monthly report. Each leaves the system usable: pages answer, a long job says it could
not be queued and can be started again, an import either completes on retry or leaves nothing behind, and a
report is whole or absent.

Bounded in time: the broker is a closed port (refused at once), the database faults are fired by a hook at a
point the test chooses, and the killed worker is a subprocess the test starts and kills itself.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Household, Member
from beneficiaries.tasks import HOUSEHOLD_IMPORT, household_import_task
from core.models import Job
from monitoring.import_tasks import BANK_IMPORT, bank_import_task
from monitoring.models import BankEvent, MonthlyReport
from tests.monitoring.test_import_rules import csv_bytes as bank_csv_bytes
from tests.monitoring.test_import_rules import row as bank_row
from tests.test_import_households import csv_bytes, family

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parent.parent
CLOSED_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused at once
PERSONAS = ("facilitator", "coordinator", "auditor", "admin")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _last_month() -> str:
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")



def test_a_job_whose_queueing_fails_in_any_way_is_not_left_active(world, monkeypatch):
    """Not only the broker's own errors: whatever the publisher raises, the job row does not block a retry."""
    from core.jobs import job_start

    def broken(*args, **kwargs):
        raise TimeoutError("the broker did not answer")

    monkeypatch.setattr(household_import_task, "apply_async", broken)
    job = job_start(actor=world.coordinator, kind=HOUSEHOLD_IMPORT, task=household_import_task, lock_key="same")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    again = job_start(actor=world.coordinator, kind=HOUSEHOLD_IMPORT, task=household_import_task, lock_key="same")
    assert again.pk != job.pk


# --- b. the database connection is lost in the middle of an import ----------------------------------------

@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("kills a PostgreSQL backend with pg_terminate_backend; SQLite has no server connection to lose")


def terminate_this_connection() -> None:
    """Kill the backend serving Django's connection from another connection, as a database restart or a
    network cut would: the next statement on it fails."""
    import psycopg2

    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    other = psycopg2.connect(**{key: value for key, value in params.items() if key in (
        "dbname", "user", "password", "host", "port")})
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()


def _file_job(world, kind: str, name: str, content: bytes) -> Job:
    job = Job.objects.create(kind=kind, created_by=world.coordinator, city_code="31.75", params={"language": "en"})
    job.input_file.save(name, SimpleUploadedFile(name, content), save=True)
    return job


def _restart(job: Job) -> Job:
    """The coordinator uploads the same file again: a new job, free to start because the first one failed."""
    from core.jobs import job_start

    with job.input_file.open("rb") as source:
        upload = SimpleUploadedFile(job.input_name or "again.csv", source.read())
    task = household_import_task if job.kind == HOUSEHOLD_IMPORT else bank_import_task
    return job_start(actor=job.created_by, kind=job.kind, task=task, city_code=job.city_code, input_file=upload,
                     lock_key=job.lock_key, params={"language": "en"})


def _registry_counts() -> dict:
    from core.models import AuditEvent

    return {"households": Household.objects.count(), "members": Member.objects.count(),
            "audit": AuditEvent.objects.count(), "bank_events": BankEvent.objects.count()}


def test_a_household_import_cut_off_from_the_database_leaves_nothing_and_a_retry_imports(
        world, postgres_only, monkeypatch):
    from core import jobs

    content = csv_bytes(family("KPM-9", pendamping=world.facilitator.username)
                        + family("KPM-10", pendamping=world.facilitator.username)).getvalue()
    job = _file_job(world, HOUSEHOLD_IMPORT, "kpm.csv", content)
    before = _registry_counts()
    fired = []

    class CutAfterTheHouseholds(jobs.Progress):
        def __call__(self, done, total, stage=""):
            # "Writing members": the households of the file are inserted, the transaction is still open.
            if stage == "Writing members" and not fired:
                fired.append(Household.objects.filter(id_kpm__in=["KPM-9", "KPM-10"]).count())
                terminate_this_connection()
            super().__call__(done, total, stage)

    monkeypatch.setattr(jobs, "Progress", CutAfterTheHouseholds)
    household_import_task(job.pk)
    job.refresh_from_db()
    assert fired == [2], "the connection was to be cut after the households were written"
    assert job.status == Job.Status.FAILED, job.status
    assert "unexpected error" in job.message and "Nothing was changed" in job.message
    assert _registry_counts() == before

    monkeypatch.setattr(jobs, "Progress", CutAfterTheHouseholds.__mro__[1])
    again = _restart(job)
    again.refresh_from_db()
    assert again.status == Job.Status.SUCCEEDED, again.message
    assert again.result["households_created"] == 2
    assert Member.objects.filter(household__id_kpm__in=["KPM-9", "KPM-10"]).count() == 2 * len(family("KPM-9"))


def test_a_bank_import_cut_off_from_the_database_while_saving_leaves_nothing_and_a_retry_imports(
        world, postgres_only, monkeypatch):
    from monitoring import importer

    h = world.household
    content = bank_csv_bytes([bank_row(h, ref="S1"), bank_row(h, ref="T1", jenis="TARIK", tanggal="2026-01-22"),
                              bank_row(world.other_household, ref="S3")])
    job = _file_job(world, BANK_IMPORT, "bank.csv", content)
    before = _registry_counts()
    original = importer.audit_import
    fired = []

    def cut_after_the_events(ctx, result):
        # Inside the merge's transaction, after the events were inserted and before the audit record.
        fired.append(BankEvent.objects.filter(job=job).count())
        terminate_this_connection()
        return original(ctx, result)

    monkeypatch.setattr(importer, "audit_import", cut_after_the_events)
    bank_import_task(job.pk)
    job.refresh_from_db()
    assert fired == [3]
    assert job.status == Job.Status.FAILED and "Nothing was changed" in job.message
    assert _registry_counts() == before

    monkeypatch.setattr(importer, "audit_import", original)
    again = _restart(job)
    again.refresh_from_db()
    assert again.status == Job.Status.SUCCEEDED, again.message
    assert (again.result["new"], again.result["skipped"]) == (3, 0)
    assert BankEvent.objects.count() == 3


def test_a_connection_lost_outside_any_transaction_still_marks_the_job_failed(world, postgres_only, monkeypatch):
    """The connection dies between two statements in autocommit (a progress write): the job row must still be
    written with the outcome, on a fresh connection, not stay 'running' for ever."""
    from core import jobs

    content = csv_bytes(family("KPM-9")).getvalue()
    job = _file_job(world, HOUSEHOLD_IMPORT, "kpm.csv", content)
    fired = []

    class CutWhileReading(jobs.Progress):
        def __call__(self, done, total, stage=""):
            if not fired:
                fired.append(stage)
                terminate_this_connection()
            super().__call__(done, total, stage)

    monkeypatch.setattr(jobs, "Progress", CutWhileReading)
    household_import_task(job.pk)
    assert fired
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "Nothing was changed" in job.message
    assert not Household.objects.filter(id_kpm="KPM-9").exists()


def test_a_job_abandoned_by_its_worker_no_longer_blocks_a_new_start(world):
    """A running job nobody works on any more (worker killed, message lost) is failed by the next start."""
    from core.jobs import job_start

    old = Job.objects.create(kind="monitoring_report", lock_key="31.75:2026-01", status=Job.Status.RUNNING,
                             created_by=world.coordinator, started_at=timezone.now() - timedelta(hours=4))
    recent = Job.objects.create(kind="monitoring_report", lock_key="31.74:2026-01", status=Job.Status.RUNNING,
                                created_by=world.coordinator, started_at=timezone.now() - timedelta(minutes=5))
    from monitoring.report_tasks import report_build_task

    new = job_start(actor=world.coordinator, kind="monitoring_report", task=report_build_task, lock_key="31.75:2026-01",
                    params={"city": "31.75", "month": "2026-01"})
    old.refresh_from_db()
    assert old.status == Job.Status.FAILED and "abandoned" in old.message and new.pk != old.pk
    from core.jobs import JobAlreadyActive

    with pytest.raises(JobAlreadyActive):  # a job still within its time keeps its lock
        job_start(actor=world.coordinator, kind="monitoring_report", task=report_build_task, lock_key="31.74:2026-01")
    recent.refresh_from_db()
    assert recent.status == Job.Status.RUNNING


def test_imports_and_reports_have_queues_of_their_own_in_production():
    """CELERY_TASK_ROUTES as a deployment without CELERY_SINGLE_QUEUE sees them (the test run sets it)."""
    code = ("import django, json; django.setup(); from pkh_case.celery import app; print(json.dumps({t: "
            "app.amqp.router.route({}, t)['queue'].name for t in ("
            "'beneficiaries.tasks.household_import_task', 'monitoring.import_tasks.bank_import_task', "
            "'monitoring.report_tasks.report_build_task', 'monitoring.report_tasks.monthly_reports_task', "
            "'graduation.tasks.screening_refresh_task', 'oversight.tasks.activity_refresh_task', "
            "'compliance.tasks.results_refresh_task')}))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pkh_case.settings", "CELERY_SINGLE_QUEUE": "0",
           "CELERY_BROKER_URL": "redis://127.0.0.1:1/0"}
    import json

    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "beneficiaries.tasks.household_import_task": "imports", "monitoring.import_tasks.bank_import_task": "imports",
        "monitoring.report_tasks.report_build_task": "reports", "monitoring.report_tasks.monthly_reports_task": "reports",
        "graduation.tasks.screening_refresh_task": "reports", "oversight.tasks.activity_refresh_task": "reports",
        "compliance.tasks.results_refresh_task": "celery",
    }


# --- c. a Celery worker killed in the middle of a monthly report ------------------------------------------

# The worker process of these tests: a real `celery worker` whose report build stops once, right after the
# report row was saved inside the build's transaction, writes its pid to a marker file and waits to be killed.
WORKER = """
import os, sys, time
import django
django.setup()
from monitoring import reports
marker = os.environ["PKH_FAULT_MARKER"]

def pause_once(step):
    if step == "stored" and not os.path.exists(marker):
        with open(marker + ".tmp", "w") as out:
            out.write(str(os.getpid()))
        os.replace(marker + ".tmp", marker)
        time.sleep(300)

reports._checkpoint = pause_once
from pkh_case.celery import app
app.worker_main(["worker", "-Q", os.environ["PKH_FAULT_QUEUE"], "--pool", os.environ["PKH_FAULT_POOL"],
                 "--concurrency", "1", "--without-heartbeat", "--without-mingle", "--without-gossip",
                 "--hostname", "fault-%s@%%h" % os.environ["PKH_FAULT_QUEUE"], "--loglevel", "WARNING"])
"""


@pytest.fixture
def killable_worker(tmp_path):
    """Start real Celery worker processes (on PKH_TEST_BROKER_URL, against the test database) that the test
    can kill; all of them are stopped, and their queue emptied, at the end."""
    broker = os.environ.get("PKH_TEST_BROKER_URL")
    if connection.vendor != "postgresql" or not broker:
        pytest.skip("needs PostgreSQL and Redis (run through scripts/run_tests.py): a worker process of its own")
    from pkh_case.celery import app

    queue = f"pkh-fault-{uuid.uuid4().hex[:12]}"
    marker = tmp_path / "paused"
    processes = []
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    def start(pool: str = "solo") -> subprocess.Popen:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pkh_case.settings", "DATABASE_URL": database_url,
               "CELERY_BROKER_URL": broker, "CELERY_SINGLE_QUEUE": "1", "PKH_FAULT_MARKER": str(marker),
               "PKH_FAULT_QUEUE": queue, "PKH_FAULT_POOL": pool, "MEDIA_ROOT": str(tmp_path / "media")}
        process = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"worker-{len(processes)}.log", "w"))
        processes.append(process)
        return process

    previous = (app.conf.task_default_queue, app.conf.task_always_eager)
    app.conf.task_default_queue, app.conf.task_always_eager = queue, False
    start.marker = marker
    start.queue = queue
    try:
        yield start
    finally:
        app.conf.task_default_queue, app.conf.task_always_eager = previous
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        _forget_queue(broker, queue)


def _forget_queue(broker: str, queue: str) -> None:
    """Remove the test queue and the unacknowledged messages of the killed worker from Redis."""
    import json

    import redis

    client = redis.Redis.from_url(broker)
    client.delete(queue)
    for tag, raw in client.hgetall("unacked").items():
        try:
            routing_key = json.loads(raw)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def _assert_whole(report: MonthlyReport) -> None:
    from monitoring.reports import content_checksum, row_counts

    assert report.checksum == content_checksum(report.content) and report.row_counts == row_counts(report.content)
    assert report.content["totals"]["active_households"] >= 3


def _build_from_the_page(client) -> Job:
    before = set(Job.objects.values_list("pk", flat=True))
    response = client.post(reverse("monitoring_report_build"), {"city": "31.75", "month": _last_month()})
    assert response.status_code == 302
    return Job.objects.exclude(pk__in=before).get(kind="monitoring_report")


def test_a_worker_killed_mid_report_leaves_no_report_and_the_abandoned_job_is_restarted(world, client, killable_worker):
    client.force_login(world.coordinator)
    first = killable_worker("solo")
    job = _build_from_the_page(client)
    pid = int(_wait(lambda: killable_worker.marker.exists() and killable_worker.marker.read_text(), 90,
                    "the worker reaching the middle of the build"))
    assert pid == first.pid
    os.kill(pid, signal.SIGKILL)  # the whole worker: nobody will acknowledge or finish the task
    first.wait(timeout=30)

    # The build's transaction died with the process: no report row, no half figures.
    _wait(lambda: not MonthlyReport.objects.filter(city_id="31.75").exists(), 30, "the rollback")
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING  # abandoned: its message sits unacknowledged in Redis

    # Within its time the abandoned job still holds the lock: the page shows its progress.
    response = client.post(reverse("monitoring_report_build"), {"city": "31.75", "month": _last_month()})
    assert response["Location"] == reverse("job_detail", kwargs={"pk": job.pk})

    # Hours later it no longer blocks: the coordinator builds the month again, on a new worker.
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=4))
    killable_worker("solo")
    again = _build_from_the_page(client)
    again = _wait(lambda: (j := Job.objects.get(pk=again.pk)).status not in Job.ACTIVE_STATUSES and j, 90,
                  "the rebuild")
    assert again.status == Job.Status.SUCCEEDED, again.message
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "abandoned" in job.message
    reports = list(MonthlyReport.objects.filter(city_id="31.75"))
    assert [r.version for r in reports] == [1] and reports[0].job_id == again.pk
    _assert_whole(reports[0])


def test_a_pool_process_killed_mid_report_is_redelivered_and_builds_one_whole_report(world, client, killable_worker):
    """The prefork pool's child dies (the kernel's OOM killer, a segfault): the task is given back to the queue
    (acks_late + reject_on_worker_lost), runs again and builds the report once."""
    client.force_login(world.coordinator)
    parent = killable_worker("prefork")
    job = _build_from_the_page(client)
    pid = int(_wait(lambda: killable_worker.marker.exists() and killable_worker.marker.read_text(), 90,
                    "the pool process reaching the middle of the build"))
    assert pid != parent.pid
    os.kill(pid, signal.SIGKILL)
    job = _wait(lambda: (j := Job.objects.get(pk=job.pk)).status not in Job.ACTIVE_STATUSES and j, 90,
                "the redelivered build")
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.attempts == 2
    reports = list(MonthlyReport.objects.filter(city_id="31.75"))
    assert [r.version for r in reports] == [1]
    _assert_whole(reports[0])
