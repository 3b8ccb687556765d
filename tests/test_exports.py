"""The XLSX export helper every export uses: a workbook a spreadsheet user can work with, and an audit
record for each export of personal data."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from core.exports import Column, Sheet, sheet_title, write_workbook, xlsx_response
from core.models import AuditEvent
from tests.factories import UserFactory

COLUMNS = [Column("Nama"), Column("Jumlah", Column.INTEGER), Column("Porsi", Column.PERCENT),
           Column("Per 100", Column.DECIMAL), Column("Tanggal", Column.DATE), Column("Dicatat", Column.DATETIME),
           Column("Pendapatan", Column.RUPIAH), Column("Bulan", Column.MONTH)]
ROW = ["Siti Aminah", 1234, 0.29, Decimal("12.5"), date(2026, 3, 1),
       datetime(2026, 3, 1, 2, 30, tzinfo=ZoneInfo("UTC")), 2_500_000, date(2026, 3, 1)]


def workbook_of(sheets):
    buffer = io.BytesIO()
    rows = write_workbook(sheets, buffer)
    return load_workbook(io.BytesIO(buffer.getvalue())), rows


def test_values_keep_their_type_and_the_header_is_bold_and_frozen():
    workbook, rows = workbook_of([Sheet("Ringkasan", COLUMNS, [ROW, ["Budi", None, None, None, None, None, None, None]])])
    sheet = workbook.active
    assert rows == 2
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert all(c.font.b for c in sheet[1]) and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:H3"
    name, count, share, per_100, day, recorded, income, month = sheet[2]
    assert (count.value, count.number_format) == (1234, "#,##0")
    assert (share.value, share.number_format) == (0.29, "0.0%")
    assert (per_100.value, per_100.number_format) == (12.5, "#,##0.0")
    assert (day.value, day.number_format) == (datetime(2026, 3, 1), "dd/mm/yyyy")
    # aware times are written in Jakarta time (the workbook has no time zone)
    assert recorded.value == datetime(2026, 3, 1, 9, 30)
    assert (income.value, income.number_format) == (2_500_000, "#,##0")
    assert month.number_format == "mmm yyyy"
    assert [c.value for c in sheet[3]] == ["Budi"] + [None] * 7


def test_columns_are_as_wide_as_their_content_within_limits():
    long_name = "Kelurahan Pondok Kelapa, Kecamatan Duren Sawit " * 3
    workbook, _ = workbook_of([Sheet("A", [Column("No"), Column("Nama"), Column("Catatan", width=30)],
                                     [["1", "Ani", long_name]])])
    widths = workbook.active.column_dimensions
    assert widths["A"].width == 8  # at least the minimum
    assert widths["B"].width == 8
    assert widths["C"].width == 30  # the column's own width wins
    workbook, _ = workbook_of([Sheet("A", [Column("Nama")], [[long_name]])])
    assert workbook.active.column_dimensions["A"].width == 60  # at most the maximum


def test_text_that_looks_like_a_formula_stays_text():
    workbook, _ = workbook_of([Sheet("A", [Column("Nama")], [['=HYPERLINK("http://example.org","klik")'], ["+62 812"]])])
    sheet = workbook.active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=HYPERLINK")
    assert sheet["A3"].value == "+62 812"


def test_sheet_titles_follow_excels_rules_and_stay_unique():
    taken = set()
    assert sheet_title("Lulus per bulan: 2026/2027 [semua]", taken) == "Lulus per bulan 2026 2027 semua"
    assert len(sheet_title("x" * 40, taken)) == 31
    assert sheet_title("X" * 40, taken) == "X" * 27 + " (2)"
    workbook, _ = workbook_of([Sheet("Data", [Column("a")]), Sheet("data", [Column("a")])])
    assert workbook.sheetnames == ["Data", "data (2)"]


def test_rows_may_come_from_a_generator_longer_than_the_width_sample():
    workbook, rows = workbook_of([Sheet("Banyak", [Column("No", Column.INTEGER)], ([n] for n in range(1200)))])
    assert rows == 1200 and workbook.active.max_row == 1201 and workbook.active["A1201"].value == 1199


@pytest.mark.django_db
def test_an_export_of_personal_data_is_a_download_and_is_audited():
    user = UserFactory(username="korkot")
    response = xlsx_response([Sheet("Keluarga", COLUMNS, [ROW])], filename="keluarga 31.75.xlsx", actor=user,
                             subject="beneficiaries.household", city_code="31.75", details={"filters": {"status": "active"}})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="keluarga-31.75.xlsx"'
    assert response["Cache-Control"] == "no-store"
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["Keluarga"]
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_type, event.city_code) == (
        AuditEvent.Action.EXPORT, user, "beneficiaries.household", "31.75")
    assert event.changes == {"file": "keluarga 31.75.xlsx", "rows": 1, "sheets": ["Keluarga"],
                             "filters": {"status": "active"}}


@pytest.mark.django_db
def test_an_export_without_personal_data_leaves_no_audit_record():
    xlsx_response([Sheet("Wilayah", [Column("Kode")], [["31.75"]])], filename="wilayah.xlsx", actor=None,
                  subject="org.region", personal_data=False)
    assert not AuditEvent.objects.exists()
