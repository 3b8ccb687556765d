"""The bank-data import on a real Celery worker (Redis, when available), and its safety when a worker dies."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Job
from monitoring import import_tasks, importer
from monitoring.import_tasks import BANK_IMPORT, bank_import_task
from monitoring.models import BankEvent, Flag
from tests.monitoring.test_import_rules import csv_bytes, row

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def bank_file(world) -> bytes:
    h = world.household
    return csv_bytes([row(h, ref="S1"), row(h, ref="T1", jenis="TARIK", tanggal="2026-01-22", waktu="10:15"),
                      row(world.other_household, ref="S3", no_kks="6013999999999999")])


def wait_for(job_id, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if not job.is_active:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.status} after {seconds} s")


@pytest.mark.celery_worker
def test_a_coordinator_uploads_and_follows_the_import_to_the_end(world, client, celery_worker):
    client.force_login(world.coordinator)
    response = client.post(reverse("bank_import"), {
        "file": SimpleUploadedFile("bank.csv", bank_file(world), content_type="text/csv"), "city": "31.75"})
    job = Job.objects.get(kind=BANK_IMPORT)
    assert response["Location"] == reverse("job_detail", kwargs={"pk": job.pk})
    job = wait_for(job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert (job.result["new"], job.result["kks_mismatch"], job.result["written"]) == (3, 1, True)
    status = client.get(reverse("job_status", kwargs={"pk": job.pk})).json()
    assert status["finished"] and status["percent"] == 100 and status["message"] == job.message
    assert BankEvent.objects.filter(job=job).count() == 3
    assert Flag.objects.filter(code="TIDAK_DIKENAL", household=world.other_household).exists()
    page = client.get(reverse("bank_import")).content.decode()
    assert "bank.csv" in page and "3 new, 0 already imported" in page


def _job(world) -> Job:
    job = Job.objects.create(kind=BANK_IMPORT, created_by=world.coordinator, city_code="31.75",
                             status=Job.Status.RUNNING)
    job.input_file.save("bank.csv", SimpleUploadedFile("bank.csv", bank_file(world)), save=True)
    return job


def test_a_worker_lost_during_the_merge_leaves_nothing_and_the_retry_imports(world, monkeypatch):
    job = _job(world)

    def crash(ctx, result):
        raise SystemExit("worker killed")  # not an Exception: like a lost worker, the job stays running

    monkeypatch.setattr(importer, "audit_import", crash)
    with pytest.raises(SystemExit):
        bank_import_task(job.pk)
    assert not BankEvent.objects.exists()
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING  # redelivered by the broker (acks_late)
    monkeypatch.undo()
    bank_import_task(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2
    assert (job.result["new"], job.result["skipped"]) == (3, 0) and BankEvent.objects.count() == 3


def test_a_worker_lost_after_the_merge_is_retried_to_the_flags_without_duplicates(world, monkeypatch):
    job = _job(world)

    def crash(result):
        raise SystemExit("worker killed")

    monkeypatch.setattr(import_tasks, "refresh_flags_after", crash)
    with pytest.raises(SystemExit):
        bank_import_task(job.pk)
    assert BankEvent.objects.filter(job=job).count() == 3 and not Flag.objects.exists()
    monkeypatch.undo()
    bank_import_task(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.result["new"], job.result["skipped"]) == (3, 0)  # the job's own events, found again
    assert BankEvent.objects.count() == 3 and Flag.objects.filter(code="TIDAK_DIKENAL").exists()


def test_the_import_task_acknowledges_late():
    assert bank_import_task.acks_late is True
