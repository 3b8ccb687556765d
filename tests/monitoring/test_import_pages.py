"""The bank-data import page and its background job, per role: coordinators and administrators upload,
auditors see their cities' imports read-only, facilitators have no import page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.jobs import file_fingerprint
from core.models import Job
from monitoring.import_tasks import BANK_IMPORT, bank_import_task
from monitoring.models import BankEvent, Flag
from tests.monitoring.test_import_rules import csv_bytes, row


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def upload(data: bytes, name="bank.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def good_file(world) -> bytes:
    h = world.household
    return csv_bytes([row(h, ref="S1"), row(h, ref="T1", jenis="TARIK", tanggal="2026-01-22", waktu="10:15"),
                      row(None, ref="S2", id_kpm="KPM-BARU")])


def post(client, data, city="31.75", capture=None):
    if capture is None:
        return client.post(reverse("bank_import"), {"file": upload(data), "city": city})
    with capture(execute=True):
        return client.post(reverse("bank_import"), {"file": upload(data), "city": city})


def test_a_coordinator_uploads_a_file_and_it_is_imported_in_the_background(world, client,
                                                                          django_capture_on_commit_callbacks):
    client.force_login(world.coordinator)
    response = post(client, good_file(world), capture=django_capture_on_commit_callbacks)
    job = Job.objects.get(kind=BANK_IMPORT)
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", kwargs={"pk": job.pk})
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.created_by == world.coordinator and job.city_code == "31.75"
    assert (job.result["rows"], job.result["new"], job.result["unknown_kpm"], job.result["written"]) == (3, 3, 1, True)
    assert job.input_name == "bank.csv" and not job.report_file
    assert BankEvent.objects.filter(job=job).count() == 3
    # The reconciliation ran: the row of an ID KPM not in the registry is flagged.
    assert Flag.objects.filter(code="TIDAK_DIKENAL", id_kpm="KPM-BARU").exists()
    page = client.get(reverse("job_detail", kwargs={"pk": job.pk})).content.decode()
    assert "Bank data import" in page and "New events" in page and job.message in page


def test_a_file_with_errors_imports_nothing_and_offers_the_report(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.coordinator)
    data = csv_bytes([row(world.household, ref="S1"), row(world.household, ref="S2", nominal="enam ratus")])
    post(client, data, capture=django_capture_on_commit_callbacks)
    job = Job.objects.get(kind=BANK_IMPORT)
    assert job.status == Job.Status.SUCCEEDED and job.result["written"] is False and job.result["errors"] == 1
    assert "Nothing was imported: the file has 1 error." in job.message
    assert not BankEvent.objects.exists()
    report = client.get(reverse("job_report", kwargs={"pk": job.pk}))
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == ["row,column,message",
                                 "3,nominal,“enam ratus” is not an amount in whole rupiah (e.g. 1500000 or 1.500.000)"]
    listing = client.get(reverse("bank_import")).content.decode()
    assert "Not imported: errors" in listing and reverse("job_report", kwargs={"pk": job.pk}) in listing


def test_the_same_file_cannot_run_twice_at_once(world, client):
    data = good_file(world)
    active = Job.objects.create(kind=BANK_IMPORT, created_by=world.coordinator, city_code="31.75",
                                lock_key=file_fingerprint(upload(data)))
    client.force_login(world.coordinator)
    response = post(client, data)
    assert response["Location"] == reverse("job_detail", kwargs={"pk": active.pk})
    assert Job.objects.count() == 1


@pytest.mark.parametrize("persona", ["auditor", "facilitator"])
def test_facilitators_and_auditors_cannot_upload(world, client, persona, django_capture_on_commit_callbacks):
    client.force_login(getattr(world, persona))
    response = post(client, good_file(world), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not Job.objects.exists() and not BankEvent.objects.exists()


def test_a_coordinator_imports_only_for_their_city(world, client):
    client.force_login(world.coordinator)
    response = post(client, good_file(world), city="31.74")
    assert response.status_code == 400 and not Job.objects.exists()
    assert "Select a valid choice" in response.content.decode()
    form = response.context["form"]
    assert [code for code, _label in form.fields["city"].choices] == ["31.75"]


def test_only_csv_and_xlsx_files_are_accepted(world, client):
    client.force_login(world.coordinator)
    response = client.post(reverse("bank_import"), {"file": upload(b"%PDF-1.4", name="bank.pdf"), "city": "31.75"})
    assert response.status_code == 400 and "Upload a .csv or .xlsx file." in response.content.decode()
    assert not Job.objects.exists()


def test_the_upload_form_is_for_coordinators_and_the_list_for_auditors_too(world, client):
    Job.objects.create(kind=BANK_IMPORT, created_by=world.coordinator, city_code="31.75", input_name="januari.csv",
                       status=Job.Status.SUCCEEDED, result={"rows": 10, "new": 8, "skipped": 2, "unknown_kpm": 1,
                                                            "kks_mismatch": 0, "errors": 0, "written": True})
    Job.objects.create(kind=BANK_IMPORT, created_by=world.coordinator_b, city_code="31.74", input_name="selatan.csv")
    Job.objects.create(kind="household_import", created_by=world.coordinator, city_code="31.75", input_name="kpm.csv")
    for persona, sees_form in (("coordinator", True), ("auditor", False), ("admin", True)):
        client.force_login(getattr(world, persona))
        page = client.get(reverse("bank_import")).content.decode()
        assert ('type="file"' in page) is sees_form, persona
        assert "januari.csv" in page and "8 new, 2 already imported" in page and "unmatched: 1 unknown ID KPM" in page
        assert ("selatan.csv" in page) is (persona == "admin")
        assert "kpm.csv" not in page
    client.force_login(world.auditor_b)
    page = client.get(reverse("bank_import")).content.decode()
    assert "selatan.csv" in page and "januari.csv" not in page


def test_the_import_list_runs_the_same_queries_for_few_and_many_imports(world, client, django_assert_num_queries):
    client.force_login(world.coordinator)
    client.get(reverse("bank_import"))  # warm the session

    def make(count):
        Job.objects.bulk_create([Job(kind=BANK_IMPORT, created_by=world.coordinator, city_code="31.75",
                                     input_name=f"file{n}.csv", result={"rows": n, "written": True, "new": n,
                                                                         "skipped": 0, "unknown_kpm": 0,
                                                                         "kks_mismatch": 0})
                                 for n in range(count)])

    make(2)
    # session, user, the user's cities (scope), the cities of the form, count and page of the imports
    with django_assert_num_queries(6):
        assert client.get(reverse("bank_import")).status_code == 200
    make(30)
    with django_assert_num_queries(6):
        page = client.get(reverse("bank_import")).content.decode()
    assert "Page 1 of 2" in page


def test_the_sample_file_is_a_valid_bank_file(world, client):
    client.force_login(world.auditor)
    response = client.get(reverse("bank_import_sample"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    from monitoring.importer import import_bank_events

    result = import_bank_events(response.content, city_code="31.75", method="generic")
    assert result.written and result.new == 3 and result.unknown_kpm == 3


def test_the_task_refuses_a_user_who_lost_the_right_to_import(world):
    job = Job.objects.create(kind=BANK_IMPORT, created_by=world.auditor, city_code="31.75")
    job.input_file.save("bank.csv", upload(good_file(world)), save=True)
    bank_import_task(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and not BankEvent.objects.exists()
