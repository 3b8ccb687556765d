"""Region list import: the official kode,nama file, idempotent, checked before writing."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from org.models import Region
from org.regions import regions_import

SHARED_FILE = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "wilayah_kemendagri_2025.csv"
DEMO_FILE = Path(__file__).resolve().parent.parent / "org" / "demo" / "jakarta_timur.csv"


def csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


SMALL = "kode,nama\n31,DKI Jakarta\n31.75,Kota Administrasi Jakarta Timur\n31.75.01,Matraman\n31.75.01.1001,Pisangan Baru\n"


def test_it_builds_the_hierarchy_from_the_codes(db):
    result = regions_import(csv(SMALL))
    assert (result.created, result.errors) == (4, [])
    village = Region.objects.get(code="31.75.01.1001")
    assert (village.level, village.parent.code, village.parent.parent.code) == (4, "31.75.01", "31.75")
    assert village.is_kelurahan and Region.objects.get(code="31.75").is_city


def test_rerunning_updates_names_and_never_duplicates(db):
    regions_import(csv(SMALL))
    result = regions_import(csv(SMALL.replace("Pisangan Baru", "Pisangan Baru (baru)")))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    assert Region.objects.count() == 4
    assert Region.objects.get(code="31.75.01.1001").name == "Pisangan Baru (baru)"


@pytest.mark.parametrize("line, column, message", [
    ("31.75.01.10X1,Rusak", "kode", "not a region code"),
    ("31.75.01.1002,", "nama", "missing"),
    ("31.75.02.1001,Tanpa Induk", "kode", "parent region 31.75.02"),
    ("31.75.01.1001,Ganda", "kode", "also appears in row 5"),
])
def test_bad_rows_are_named_and_nothing_is_written(db, line, column, message):
    result = regions_import(csv(SMALL + line + "\n"))
    assert [(row, col) for row, col, _ in result.errors] == [(6, column)]
    assert message in result.errors[0][2]
    assert Region.objects.count() == 0


def test_the_command_reports_errors_as_a_failure(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("kode;nama\nxx;Rusak\n")
    with pytest.raises(CommandError):
        call_command("import_regions", str(path))


def test_the_demo_region_file_has_jakarta_timur(db):
    regions_import(DEMO_FILE.open("rb"))
    assert Region.objects.filter(code__startswith="31.75.", level=Region.Level.DISTRICT).count() == 10
    assert Region.objects.filter(code__startswith="31.75.", level=Region.Level.VILLAGE).count() == 65


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_FILE.exists(), reason="../shared/data is not present beside the project")
def test_the_national_file_imports_completely(db):
    result = regions_import(SHARED_FILE.open("rb"), code_list="Kepmendagri 300.2.2-2138/2025")
    assert result.errors == []
    assert Region.objects.count() == 91_599
    counts = {level: Region.objects.filter(level=level).count() for level in (1, 2, 3, 4)}
    assert counts == {1: 38, 2: 514, 3: 7_285, 4: 83_762}
