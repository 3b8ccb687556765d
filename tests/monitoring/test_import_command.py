"""`python manage.py import_transactions FILE [--city] [--user] [--report]`."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.models import Job
from monitoring.import_tasks import BANK_IMPORT
from monitoring.models import BankEvent
from tests.monitoring.test_import_rules import csv_bytes, row


@pytest.fixture(autouse=True)
def _english(settings):
    """The job (and so the command's messages) speaks the interface language: English here."""
    settings.LANGUAGE_CODE = "en"


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_transactions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def bank_file(tmp_path, world):
    path = tmp_path / "bank.csv"
    h = world.household
    path.write_bytes(csv_bytes([row(h, ref="S1"), row(h, ref="T1", jenis="TARIK"),
                                row(None, ref="S2", id_kpm="KPM-BARU")]))
    return path


def test_the_command_imports_and_prints_the_counts_and_the_time(bank_file):
    out, err = command(str(bank_file), "--city", "31.75")
    assert "3 rows in " in out and " s (" in out and "rows/s" in out
    assert "3 new, 0 already imported; unmatched: 1 unknown ID KPM, 0 KKS number not the household's" in out
    assert "Reconciliation flags now: " in out and "TIDAK_DIKENAL 1" in out
    job = Job.objects.get(kind=BANK_IMPORT)
    assert job.status == Job.Status.SUCCEEDED and job.created_by is None and job.input_name == "bank.csv"
    assert BankEvent.objects.filter(job=job).count() == 3
    assert BankEvent.objects.get(ref="S2").city_code == "31.75"
    out, err = command(str(bank_file), "--city", "31.75")
    assert "0 new, 3 already imported" in out and BankEvent.objects.count() == 3


def test_errors_name_row_and_column_exit_with_status_1_and_import_nothing(tmp_path, world):
    path, report = tmp_path / "bank.csv", tmp_path / "errors.csv"
    h = world.household
    path.write_bytes(csv_bytes([row(h, ref="S1"), row(h, ref="S2", tahap="6", bank="BCA")]))
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_transactions", str(path), "--report", str(report), stderr=err, stdout=io.StringIO())
    assert error.value.returncode == 1
    assert str(error.value).startswith("2 error(s) in 2 rows; nothing was imported")
    assert err.getvalue().splitlines() == [
        "row 3, column bank: “BCA” is not a bank (BNI, BRI, MANDIRI, BTN, BSI or POS).",
        "row 3, column tahap: 6 is outside 1–4",
    ]
    assert list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines()))[1:] == [
        ["3", "bank", "“BCA” is not a bank (BNI, BRI, MANDIRI, BTN, BSI or POS)."], ["3", "tahap", "6 is outside 1–4"]]
    assert not BankEvent.objects.exists()


def test_as_a_coordinator_the_import_is_limited_to_their_city(tmp_path, world):
    path = tmp_path / "bank.csv"
    path.write_bytes(csv_bytes([row(world.household, ref="S1"), row(world.household_b, ref="S2")]))
    with pytest.raises(CommandError, match="1 error"):
        command(str(path), "--user", world.coordinator.username)
    job = Job.objects.get(kind=BANK_IMPORT)
    assert job.created_by == world.coordinator and job.city_code == "31.75"  # the coordinator's one city
    out, _err = command(str(path), "--user", world.admin.username, "--city", "31.74")
    assert "2 new" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--user", "pendamping_a1"], "pendamping_a1 may not import bank data"),
    (["--user", "nobody"], "No active user 'nobody'."),
    (["--user", "korkot_a", "--city", "31.74"], "31.74 is not one of korkot_a's cities (31.75)."),
    (["--city", "99.99"], "Unknown regency/city '99.99'"),
])
def test_wrong_options_are_refused_before_anything_runs(bank_file, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        command(str(bank_file), *args)
    assert not Job.objects.exists()


def test_a_missing_file_is_refused(world, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        command(str(tmp_path / "missing.csv"))


def test_the_same_file_cannot_be_imported_twice_at_once(bank_file, world):
    import hashlib

    active = Job.objects.create(kind=BANK_IMPORT, lock_key=hashlib.sha256(bank_file.read_bytes()).hexdigest())
    with pytest.raises(CommandError, match=f"already being imported \\(job #{active.pk}\\)"):
        command(str(bank_file))
