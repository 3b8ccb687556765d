"""Importing the regional poverty lines: CSV or XLSX, every error with its row and column, nothing written
on error, re-running updates the amounts."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from core.models import AuditEvent
from graduation.models import PovertyLine
from graduation.poverty_lines import poverty_lines_import
from tests.factories import region


@pytest.fixture
def regions(db):
    for code in ("31.75.01.1001", "31.74", "32.01"):
        region(code)


def csv_file(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def lines():
    return sorted(PovertyLine.objects.values_list("region_id", "year", "amount", "source"))


def test_a_csv_file_is_imported_and_audited(regions):
    result = poverty_lines_import(csv_file(
        "kode,tahun,garis_kemiskinan,sumber\n31,2025,846.085,BPS Maret 2025\n31.75,2025,\"850,000\",\n"
        "31.75,2026,Rp 870.000,\n32.01,2026,520000,BPS\n"), default_source="BPS (file)")
    assert result.ok, result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 4, 0, 0)
    assert lines() == [("31", 2025, 846_085, "BPS Maret 2025"), ("31.75", 2025, 850_000, "BPS (file)"),
                       ("31.75", 2026, 870_000, "BPS (file)"), ("32.01", 2026, 520_000, "BPS")]
    event = AuditEvent.objects.get(object_id="31.75/2026")
    assert (event.action, event.actor_username, event.city_code) == ("create", "system", "31.75")
    assert event.changes["amount"] == [None, 870_000]


def test_re_running_updates_the_amounts_and_never_duplicates(regions):
    poverty_lines_import(csv_file("kode;tahun;garis_kemiskinan\n31.75;2025;850000\n31.75;2026;870000\n"))
    result = poverty_lines_import(csv_file("kode;tahun;garis_kemiskinan\n31.75;2025;850000\n31.75;2026;875500\n"))
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert lines() == [("31.75", 2025, 850_000, ""), ("31.75", 2026, 875_500, "")]
    update = AuditEvent.objects.get(action="update")
    assert update.changes["amount"] == [870_000, 875_500]


def test_an_xlsx_workbook_with_numbers(regions):
    book = Workbook()
    sheet = book.active
    sheet.append(["Kode", "Tahun", "Garis_Kemiskinan"])
    sheet.append(["31.74", 2026, 846_085])
    sheet.append(["31", 2026.0, 846_085.0])
    content = io.BytesIO()
    book.save(content)
    content.seek(0)
    result = poverty_lines_import(content)
    assert result.ok, result.errors
    assert lines() == [("31", 2026, 846_085, ""), ("31.74", 2026, 846_085, "")]


def test_every_error_names_its_row_and_column_and_nothing_is_written(regions):
    result = poverty_lines_import(csv_file(
        "kode,tahun,garis_kemiskinan\n"
        "31.75,2025,850000\n"        # 2: fine, but not written because of the others
        "31.99,2025,850000\n"        # 3: unknown region
        "31.75.01,2025,850000\n"     # 4: a district
        "31.75.01.1001,2025,1\n"     # 5: a village
        "31.74,dua ribu,850000\n"    # 6: not a year
        "31.74,1999,850000\n"        # 7: too early
        "31.74,2025,850.000,50\n"    # 8: a decimal amount (the extra field is ignored; 850.000 parses)
        "31.74,2026,850000.5\n"      # 9: not whole rupiah
        "31.74,2027,0\n"             # 10: not positive
        "31.74,2028,10200000\n"      # 11: a yearly amount
        ",2025,850000\n"             # 12: no code
        "31.75,2025,860000\n"        # 13: twice in the file
    ))
    assert not result.ok
    assert [(row, column) for row, column, _message in result.errors] == [
        (3, "kode"), (4, "kode"), (5, "kode"), (6, "tahun"), (7, "tahun"), (9, "garis_kemiskinan"),
        (10, "garis_kemiskinan"), (11, "garis_kemiskinan"), (12, "kode"), (13, "tahun")]
    messages = {row: message for row, _column, message in result.errors}
    assert messages[3] == "Region 31.99 is not in the region list."
    assert messages[4] == "31.75.01 is a district or village: poverty lines are per province (31) or regency/city (31.75)."
    assert messages[6] == "“dua ribu” is not a year between 2000 and 2100."
    assert messages[9] == "“850000.5” is not an amount in whole rupiah (e.g. 850000 or 850.000)."
    assert messages[11] == "10.200.000 is too high for rupiah per person per month (at most 10.000.000)."
    assert messages[13] == "31.75 already has a line for 2025 in row 2."
    assert not PovertyLine.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize("content, message", [
    ("", "The file is empty."),
    ("kode,tahun\n31,2025\n", "Required column missing in the header (row 1): garis_kemiskinan"),
    ("kode,tahun,garis_kemiskinan\n", "The file has a header but no data rows."),
])
def test_file_level_problems(regions, content, message):
    result = poverty_lines_import(csv_file(content))
    assert [error[2] for error in result.errors] == [message]
    assert not PovertyLine.objects.exists()


def test_the_command_imports_and_reports(regions, tmp_path):
    path = tmp_path / "garis.csv"
    path.write_text("kode,tahun,garis_kemiskinan\n31.75,2026,870000\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_poverty_lines", str(path), "--source", "BPS Maret 2026", stdout=out)
    assert "1 rows: 1 created, 0 updated, 0 unchanged." in out.getvalue()
    assert lines() == [("31.75", 2026, 870_000, "BPS Maret 2026")]
    call_command("import_poverty_lines", str(path), "--source", "BPS Maret 2026", stdout=out)
    assert "1 rows: 0 created, 0 updated, 1 unchanged." in out.getvalue()


def test_the_command_refuses_a_file_with_errors(regions, tmp_path):
    path = tmp_path / "garis.csv"
    path.write_text("kode,tahun,garis_kemiskinan\n31.75,2026,870000\n31.75.01,2026,1\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"1 error\(s\); nothing was imported"):
        call_command("import_poverty_lines", str(path), stdout=io.StringIO(), stderr=err)
    assert "row 3, column kode: 31.75.01 is a district or village" in err.getvalue()
    assert not PovertyLine.objects.exists()
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_poverty_lines", str(tmp_path / "missing.csv"), stdout=io.StringIO())
