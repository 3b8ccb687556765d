"""XLSX exports: one helper that turns titled tables into a downloadable workbook, so that every export
looks the same and every export of personal data leaves a trace in the audit trail.

    sheets = [Sheet(_("By kelurahan"), [Column(_("Kelurahan")), Column(_("Graduations"), Column.INTEGER)], rows)]
    return xlsx_response(sheets, filename="graduation-statistics.xlsx", actor=request.user,
                         subject="graduation.statistics", city_code="31.75", details={"year": 2026})

- the header row is bold, frozen and filterable; column widths follow the content (or the column's width);
- numbers stay numbers (integers, decimals, percentages stored as fractions with a % format), dates and
  times stay dates and times (in the local time zone, shown day/month/year), empty cells stay empty;
- text is always written as text: a value such as "=HYPERLINK(…)" typed into a name never becomes a formula;
- the workbook is written in openpyxl's write-only mode, so a long list (a whole city's families) does not
  hold a cell object per value in memory.

What to export and to whom is decided by the caller's selectors (org.access): this module never reads
the registry.
"""

import io
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditEvent

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIN_WIDTH, MAX_WIDTH = 8, 60
WIDTH_SAMPLE_ROWS = 500  # column widths are measured on the first rows only (long lists stay streamable)
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]\:\*\?\/\\]")


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its header and how its values are written."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"  # one decimal place
    PERCENT = "percent"  # a fraction (0.29) shown as 29.0%
    RUPIAH = "rupiah"  # whole rupiah with thousands separators
    DATE = "date"
    MONTH = "month"  # a date (the month's first day) shown as "Nov 2026"
    DATETIME = "datetime"

    header: str
    kind: str = TEXT
    width: int | None = None  # in characters; measured from the content when None

    @property
    def number_format(self) -> str:
        return {
            self.INTEGER: "#,##0",
            self.DECIMAL: "#,##0.0",
            self.PERCENT: "0.0%",
            self.RUPIAH: "#,##0",
            self.DATE: "dd/mm/yyyy",
            self.MONTH: "mmm yyyy",
            self.DATETIME: "dd/mm/yyyy hh:mm",
        }.get(self.kind, "General")


@dataclass
class Sheet:
    """One titled table: a header row from the columns, then one row per sequence of values."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence] = field(default_factory=list)


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique worksheet title: at most 31 characters, none of []:*?/\\ (Excel's rules)."""
    base = re.sub(r"\s+", " ", _SHEET_TITLE_FORBIDDEN.sub(" ", str(title))).strip().strip("'") or "Sheet"
    candidate, number = base[:31], 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = base[:31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _cell_value(value, column: Column):
    """The value as openpyxl should store it: numbers as numbers, dates as (naive, local) dates."""
    if value is None or value == "":
        return None
    if column.kind == Column.DATETIME and isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if column.kind in (Column.DATE, Column.MONTH) and isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value) if column.kind in (Column.DECIMAL, Column.PERCENT) else value
    if isinstance(value, (bool, int, float, date)):
        return value
    return str(value)


def _display_length(value, column: Column) -> int:
    if value is None:
        return 0
    if column.kind in (Column.DATE, Column.MONTH):
        return 10
    if column.kind == Column.DATETIME:
        return 16
    if column.kind == Column.PERCENT and isinstance(value, (int, float)):
        return len(f"{value * 100:.1f}%")
    if isinstance(value, float):
        return len(f"{value:,.1f}")
    if isinstance(value, int) and not isinstance(value, bool):
        return len(f"{value:,}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def _widths(columns: Sequence[Column], sample: list[list]) -> list[int]:
    widths = []
    for index, column in enumerate(columns):
        if column.width:
            widths.append(column.width)
            continue
        longest = max([len(column.header)] + [_display_length(row[index], column) for row in sample if index < len(row)])
        widths.append(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def write_workbook(sheets: Sequence[Sheet], output) -> int:
    """Write the sheets as an XLSX workbook to a binary file object. Returns the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    taken: set[str] = set()
    total = 0
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet_title(sheet.title, taken))
        columns = list(sheet.columns)
        rows = iter(sheet.rows)
        sample = [[_cell_value(v, c) for v, c in zip(row, columns)] for row in itertools.islice(rows, WIDTH_SAMPLE_ROWS)]
        for index, width in enumerate(_widths(columns, sample), start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = width
        worksheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(worksheet, value=str(column.header))
            cell.font, cell.alignment = bold, wrap
            header.append(cell)
        worksheet.append(header)
        count = 0
        for values in itertools.chain(sample, ([_cell_value(v, c) for v, c in zip(row, columns)] for row in rows)):
            cells = []
            for value, column in zip(values, columns):
                cell = WriteOnlyCell(worksheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                elif column.number_format != "General":
                    cell.number_format = column.number_format
                cells.append(cell)
            worksheet.append(cells)
            count += 1
        if columns:
            worksheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
        total += count
    if not sheets:
        workbook.create_sheet("Sheet")
    workbook.save(output)
    return total


def xlsx_response(sheets: Sequence[Sheet], *, filename: str, actor, subject: str, city_code: str = "",
                  household_id: int | None = None, details: dict | None = None,
                  personal_data: bool = True) -> HttpResponse:
    """The workbook as a download. An export of personal data (the default: names of families, members
    or staff, their figures) is written to the audit trail as who exported what, with the scope the
    caller gives (`city_code`, `household_id` when it is one family's data, `details` such as the filters),
    and the number of rows per sheet."""
    sheets = list(sheets)
    buffer = io.BytesIO()
    rows = write_workbook(sheets, buffer)
    if personal_data:
        audit_record(
            actor=actor, action=AuditEvent.Action.EXPORT, object_type=subject, object_repr=filename,
            city_code=city_code or "", household_id=household_id,
            changes={"file": filename, "rows": rows, "sheets": [str(s.title) for s in sheets], **(details or {})},
            message=f"XLSX export {filename}: {rows} rows",
        )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "export.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["Cache-Control"] = "no-store"  # personal data: never kept by a shared cache or the browser
    return response
