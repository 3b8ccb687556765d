"""Long jobs from the browser: the registry import runs as a Celery task with progress and a report."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from beneficiaries.models import Household
from beneficiaries.tasks import HOUSEHOLD_IMPORT
from core.jobs import file_fingerprint
from core.models import AuditEvent, Job
from tests.test_import_households import csv_bytes, family

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def upload(rows, name="kpm.csv"):
    return SimpleUploadedFile(name, csv_bytes(rows).getvalue(), content_type="text/csv")


def wait_for(job_id, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if not job.is_active:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.status} after {seconds} s")


@pytest.mark.celery_worker
def test_a_coordinator_imports_a_file_and_follows_its_progress(world, client, celery_worker):
    client.force_login(world.coordinator)
    response = client.post(reverse("household_import"), {"file": upload(family("KPM-9", pendamping=world.facilitator.username))})
    assert response.status_code == 302
    job = Job.objects.get(kind=HOUSEHOLD_IMPORT)
    assert response["Location"] == reverse("job_detail", kwargs={"pk": job.pk})
    job = wait_for(job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.result["households_created"] == 1
    status = client.get(reverse("job_status", kwargs={"pk": job.pk})).json()
    assert status["finished"] and status["percent"] == 100
    assert Household.objects.get(id_kpm="KPM-9").facilitator == world.facilitator
    page = client.get(reverse("job_detail", kwargs={"pk": job.pk}))
    assert page.status_code == 200 and job.message in page.content.decode()
    assert job.created_by == world.coordinator and job.city_code == "31.75"


@pytest.mark.celery_worker
def test_a_file_with_errors_imports_nothing_and_offers_the_report(world, client, celery_worker):
    rows = family("KPM-9")
    rows[1]["nik"] = "123"
    client.force_login(world.coordinator)
    client.post(reverse("household_import"), {"file": upload(rows)})
    job = wait_for(Job.objects.get(kind=HOUSEHOLD_IMPORT).pk)
    assert job.status == Job.Status.SUCCEEDED and job.result["written"] is False
    assert not Household.objects.filter(id_kpm="KPM-9").exists()
    report = client.get(reverse("job_report", kwargs={"pk": job.pk}))
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert "3,nik,KPM-9" in text
    # The report repeats the file's rows (names, NIK): downloading it is recorded as an export.
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="core.job", object_id=str(job.pk))
    assert event.actor == world.coordinator and event.city_code == "31.75"


def test_the_same_file_cannot_run_twice_at_once(world, client):
    content = csv_bytes(family("KPM-9")).getvalue()
    active = Job.objects.create(kind=HOUSEHOLD_IMPORT, created_by=world.coordinator, city_code="31.75",
                                lock_key=file_fingerprint(SimpleUploadedFile("a.csv", content)))
    client.force_login(world.coordinator)
    response = client.post(reverse("household_import"), {"file": SimpleUploadedFile("again.csv", content)})
    assert response["Location"] == reverse("job_detail", kwargs={"pk": active.pk})
    assert Job.objects.count() == 1


def test_when_the_queue_is_down_the_page_says_so_and_nothing_changes(world, client, monkeypatch):
    from kombu.exceptions import OperationalError

    from beneficiaries.tasks import household_import_task

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(household_import_task, "apply_async", broker_down)
    client.force_login(world.coordinator)
    response = client.post(reverse("household_import"), {"file": upload(family("KPM-9"))}, follow=True)
    assert response.status_code == 200
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.message in response.content.decode()
    assert not Household.objects.filter(id_kpm="KPM-9").exists()


def test_progress_is_written_while_a_job_runs(world):
    from core.jobs import Progress

    job = Job.objects.create(kind="test")
    progress = Progress(job.pk, interval=0)
    progress(5, 10, "Reading rows")
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, job.stage, job.percent) == (5, 10, "Reading rows", 50)


def test_a_rerun_of_a_finished_job_does_nothing(world):
    from core.jobs import run_job

    job = Job.objects.create(kind="test", status=Job.Status.SUCCEEDED)
    calls = []
    run_job(job.pk, lambda job, progress: calls.append(1))
    assert calls == []


def test_a_failing_job_is_marked_failed_with_a_message(world):
    from core.jobs import run_job

    job = Job.objects.create(kind="test")

    def boom(job, progress):
        raise RuntimeError("disk full")

    job = run_job(job.pk, boom)
    assert job.status == Job.Status.FAILED and "RuntimeError" in job.message


def test_a_finished_job_shows_all_of_its_progress(world):
    """The job page shows 10 / 10 when a job that reported its total during the work has finished."""
    from core.jobs import run_job

    job = Job.objects.create(kind="test")

    def work(job, progress):
        progress(3, 10, "Working")
        return {}, "done", None

    run_job(job.pk, work)
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total, job.percent) == (Job.Status.SUCCEEDED, 10, 10, 100)
