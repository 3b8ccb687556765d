"""Reading the rows of an uploaded CSV (comma or semicolon, UTF-8 with or without BOM) or XLSX file.

Rows come back as dicts keyed by lower-cased header names, with the row number a spreadsheet
user sees (the header is row 1), so every error can name the row and the column.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class TableError(ValueError):
    """The file as a whole cannot be read (wrong format, no header, missing columns)."""


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, dict]]


def normalise_header(name) -> str:
    return str(name if name is not None else "").strip().lstrip("\ufeff").strip().lower()


def _is_xlsx(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


def open_table(path_or_file, *, required: set[str], known: set[str]) -> Table:
    """Open a CSV/XLSX file and check its header. Raises TableError for file-level problems."""
    raw = path_or_file.read() if hasattr(path_or_file, "read") else open(path_or_file, "rb").read()
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if not raw.strip():
        raise TableError(_("The file is empty."))
    if _is_xlsx(raw[:4]):
        headers, rows = _read_xlsx(raw)
    else:
        headers, rows = _read_csv(raw)
    missing = sorted(required - set(headers))
    if missing:
        raise TableError(
            ngettext("Required column missing in the header (row 1): %(columns)s",
                     "Required columns missing in the header (row 1): %(columns)s", len(missing)) % {"columns": ", ".join(missing)}
        )
    duplicates = sorted({h for h in headers if h and headers.count(h) > 1})
    if duplicates:
        raise TableError(ngettext("A column appears more than once in the header: %(columns)s",
                                  "Columns appear more than once in the header: %(columns)s", len(duplicates))
                         % {"columns": ", ".join(duplicates)})
    return Table(headers=[h for h in headers if h in known], rows=rows)


def _read_csv(raw: bytes):
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TableError(
            _("The file is not UTF-8 text or an XLSX workbook (byte %(position)s). Save it as CSV UTF-8 or XLSX.")
            % {"position": exc.start}
        ) from None
    if "\x00" in text:
        raise TableError(_("The file contains binary data; upload a CSV (UTF-8) or XLSX file."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header_row = next(reader)
    except (StopIteration, csv.Error):
        raise TableError(_("The file has no header row.")) from None
    headers = [normalise_header(h) for h in header_row]

    def rows():
        number = 1
        try:
            for values in reader:
                number += 1
                if not any(v.strip() for v in values):
                    continue
                yield number, _row_dict(headers, values)
        except csv.Error as exc:
            raise TableError(_("Row %(row)s cannot be read as CSV: %(error)s") % {"row": number + 1, "error": exc}) from None

    return headers, rows()


def _read_xlsx(raw: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise TableError(_("The XLSX workbook cannot be opened: %(error)s") % {"error": str(exc)[:200]}) from None
    except Exception as exc:  # openpyxl raises many kinds for malformed workbooks
        raise TableError(_("The XLSX workbook cannot be opened: %(error)s") % {"error": str(exc)[:200]}) from None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise TableError(_("The workbook has no sheet."))
    iterator = sheet.iter_rows(values_only=True)
    try:
        header_row = next(iterator)
    except StopIteration:
        raise TableError(_("The file has no header row.")) from None
    except Exception as exc:
        raise TableError(_("The XLSX workbook cannot be read: %(error)s") % {"error": str(exc)[:200]}) from None
    headers = [normalise_header(h) for h in header_row]

    def rows():
        number = 1
        try:
            for values in iterator:
                number += 1
                if not any(v is not None and str(v).strip() for v in values):
                    continue
                yield number, _row_dict(headers, ["" if v is None else v for v in values])
        except Exception as exc:
            raise TableError(_("Row %(row)s of the workbook cannot be read: %(error)s") % {"row": number, "error": str(exc)[:200]}) from None
        finally:
            workbook.close()

    return headers, rows()


def _row_dict(headers: list[str], values: list) -> dict:
    row = {}
    for index, header in enumerate(headers):
        if not header:
            continue
        value = values[index] if index < len(values) else ""
        row[header] = value.strip() if isinstance(value, str) else value
    return row
