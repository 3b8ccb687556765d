"""Importing the bank's data: benefits credited to KKS accounts (SALUR) and withdrawals (TARIK), from a CSV
(comma or semicolon, UTF-8 with or without BOM) or XLSX file, one row per event.

The rules (README, "Bank data import"):
- columns, header names case-insensitive and in any order (others are ignored): `ref`, `bank`, `id_kpm`,
  `no_kks`, `tahun`, `tahap`, `jenis`, `tanggal`, `nominal`, and optionally `waktu`, `saldo`, `lokasi`;
- the whole file is checked before anything is written and every problem names its row and column; a file
  with any error writes nothing (the result carries the problems for the downloadable report);
- (`bank`, `ref`) identifies an event: a row already stored with the same content is skipped, with different
  content it is an error, and so is the same (`bank`, `ref`) twice in the file with different content; so
  importing a file again changes nothing;
- the bank's data is evidence, never input to the registry: an unknown `id_kpm` is kept as `unknown_kpm`, a
  `no_kks` that is not the household's KKS number as `kks_mismatch`.

Two implementations give the same results and the same messages: on PostgreSQL the file goes by COPY into a
staging table and is checked and merged with a few set-based statements (`monitoring.import_sql`); elsewhere
(SQLite) row by row here. Validity is defined once, by the `clean_*` functions of this module: the SQL mirrors
each of them, and asks them for the message of every cell it finds invalid. Checks against other rows, the
stored events and the registry apply to rows whose cells are all valid.
"""

import csv
import io
import re
import string
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dt_time

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from beneficiaries.models import Bank
from core.audit import audit_record
from core.models import AuditEvent
from core.parsing import digits_only, parse_amount, parse_date, parse_int
from core.tabular import TableError, normalise_header, open_table
from monitoring.models import BankEvent, EventKind, Match

COLUMNS = ("ref", "bank", "id_kpm", "no_kks", "tahun", "tahap", "jenis", "tanggal", "waktu", "nominal", "saldo",
           "lokasi")
OPTIONAL = frozenset({"waktu", "saldo", "lokasi"})
REQUIRED = frozenset(COLUMNS) - OPTIONAL
# The columns that make an event's content: a stored (bank, ref) must come back with exactly these values.
CONTENT = COLUMNS[2:]
BANKS = tuple(Bank.values)
KINDS = tuple(EventKind.values)
FIRST_DATE = date(2007, 1, 1)  # PKH began in 2007
YEARS = (2007, 2100)
MAX_AMOUNT_DIGITS = 12  # up to 999.999.999.999 rupiah
MAX_TEXT = 64  # ref and lokasi (BankEvent columns)
MAX_ID_KPM = 40
MAX_ERRORS = 10_000  # problems kept for the report; the count covers them all
# Every character Python's str.strip() removes (str.isspace), so that both implementations trim alike.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
# Bank imports run one at a time (PostgreSQL advisory lock): a file is checked against the stored events
# and merged before the next one looks.
LOCK_KEY = 7_310_005

_ID_KPM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
_INT = re.compile(r"-?[0-9]+")
_AMOUNT_PLAIN = re.compile(r"[0-9]+")
_AMOUNT_DOTTED = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+")
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_KKS = re.compile(r"[0-9]{16}")


# --- the values of one cell ----------------------------------------------------------------------------

def _missing():
    return ValueError(_("The value is missing."))


def clean_ref(text: str, **kwargs) -> str:
    if not text:
        raise _missing()
    if len(text) > MAX_TEXT:
        raise ValueError(_("The reference is longer than %(max)s characters.") % {"max": MAX_TEXT})
    return text


def clean_bank(text: str, **kwargs) -> str:
    if not text:
        raise _missing()
    bank = text.translate(ASCII_UPPER)
    if bank not in BANKS:
        raise ValueError(_("“%(value)s” is not a bank (BNI, BRI, MANDIRI, BTN, BSI or POS).") % {"value": text[:20]})
    return bank


def clean_id_kpm(text: str, **kwargs) -> str:
    if not text:
        raise _missing()
    if not _ID_KPM.fullmatch(text):
        raise ValueError(_("ID KPM is missing or has characters other than letters, digits, . _ / -."))
    if len(text) > MAX_ID_KPM:
        raise ValueError(_("ID KPM is longer than %(max)s characters.") % {"max": MAX_ID_KPM})
    return text


def clean_no_kks(text: str, **kwargs) -> str:
    if not text:
        raise _missing()
    number = digits_only(text)
    if not _KKS.fullmatch(number):
        raise ValueError(_("The KKS number must be exactly 16 digits."))
    return number


def _whole_number(text: str, minimum: int, maximum: int) -> int:
    if not text:
        raise _missing()
    if not (text.isascii() and _INT.fullmatch(text)):
        raise ValueError(_("“%(value)s” is not a whole number") % {"value": text[:20]})
    sign, significant = ("-" if text.startswith("-") else ""), text.lstrip("-").lstrip("0")
    if len(significant) > 9:  # far outside the range; int() of a huge text is slow or refused
        raise ValueError(_("%(value)s is outside %(min)s–%(max)s") % {"value": text[:20], "min": minimum, "max": maximum})
    return parse_int(sign + (significant or "0"), minimum=minimum, maximum=maximum)


def clean_tahun(text: str, **kwargs) -> int:
    return _whole_number(text, *YEARS)


def clean_tahap(text: str, **kwargs) -> int:
    return _whole_number(text, 1, 4)


def clean_jenis(text: str, **kwargs) -> str:
    if not text:
        raise _missing()
    kind = text.translate(ASCII_UPPER)
    if kind not in KINDS:
        raise ValueError(_("“%(value)s” is not SALUR or TARIK.") % {"value": text[:20]})
    return kind


def clean_tanggal(text: str, *, today: date, **kwargs) -> date:
    if not text:
        raise _missing()
    if not text.isascii():
        raise ValueError(_("“%(value)s” is not a date (use YYYY-MM-DD or DD/MM/YYYY)") % {"value": text[:40]})
    day = parse_date(text)
    if day < FIRST_DATE:
        raise ValueError(_("The date %(date)s is before 2007, when PKH began.") % {"date": day.isoformat()})
    if day > today:
        raise ValueError(_("The date %(date)s is in the future.") % {"date": day.isoformat()})
    return day


def clean_waktu(text: str, **kwargs) -> dt_time | None:
    if not text:
        return None
    match = _TIME.fullmatch(text) if text.isascii() else None
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(_("“%(value)s” is not a time (use HH:MM, e.g. 14:05).") % {"value": text[:20]})
    return dt_time(int(match.group(1)), int(match.group(2)))


def _amount(text: str, *, zero_allowed: bool) -> int:
    if not (text.isascii() and (_AMOUNT_PLAIN.fullmatch(text) or _AMOUNT_DOTTED.fullmatch(text))):
        raise ValueError(_("“%(value)s” is not an amount in whole rupiah (e.g. 1500000 or 1.500.000)") % {"value": text[:40]})
    significant = text.replace(".", "").lstrip("0")
    if len(significant) > MAX_AMOUNT_DIGITS:
        raise ValueError(_("The amount is larger than 999.999.999.999 rupiah."))
    amount = parse_amount(text) if len(text) <= 40 else int(significant or "0")
    if amount == 0 and not zero_allowed:
        raise ValueError(_("The amount must be more than 0."))
    return amount


def clean_nominal(text: str, **kwargs) -> int:
    if not text:
        raise _missing()
    return _amount(text, zero_allowed=False)


def clean_saldo(text: str, **kwargs) -> int | None:
    return _amount(text, zero_allowed=True) if text else None


def clean_lokasi(text: str, **kwargs) -> str:
    if len(text) > MAX_TEXT:
        raise ValueError(_("The agent / ATM / e-warong ID is longer than %(max)s characters.") % {"max": MAX_TEXT})
    return text


CLEANERS = {
    "ref": clean_ref, "bank": clean_bank, "id_kpm": clean_id_kpm, "no_kks": clean_no_kks, "tahun": clean_tahun,
    "tahap": clean_tahap, "jenis": clean_jenis, "tanggal": clean_tanggal, "waktu": clean_waktu,
    "nominal": clean_nominal, "saldo": clean_saldo, "lokasi": clean_lokasi,
}


def date_forms(day: date) -> set[str]:
    """Every text `clean_tanggal` reads as this date: YYYY-MM-DD and DD/MM/YYYY, with or without leading zeros."""
    months = {str(day.month), f"{day.month:02d}"}
    days = {str(day.day), f"{day.day:02d}"}
    return ({f"{day.year:04d}-{m}-{d}" for m in months for d in days}
            | {f"{d}/{m}/{day.year:04d}" for m in months for d in days})


def time_forms() -> dict[str, dt_time]:
    """Every text `clean_waktu` accepts, with its value."""
    return {f"{h}:{m:02d}": dt_time(hour, m) for hour in range(24) for h in {str(hour), f"{hour:02d}"}
            for m in range(60)}


def cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV file would hold (dates as YYYY-MM-DD, times as HH:MM)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip(WHITESPACE)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dt_time):
        return value.strftime("%H:%M") if not value.second else value.strftime("%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- results -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str
    kind: int = 0  # order of problems in one cell: 0 the cell, 1 the registry, 2 the file, 3 stored events

    @property
    def sort_key(self) -> tuple:
        return self.row, COLUMNS.index(self.column) if self.column in COLUMNS else -1, self.kind, self.message


@dataclass
class ImportResult:
    rows: int = 0  # data rows read
    new: int = 0  # events stored by this import
    skipped: int = 0  # rows already stored (or repeated in the file) with the same content
    unknown_kpm: int = 0  # of the file's events: ID KPM not in the registry
    kks_mismatch: int = 0  # of the file's events: KKS number not the household's
    error_count: int = 0
    errors: list = field(default_factory=list)  # the first MAX_ERRORS problems, in row and column order
    written: bool = False
    method: str = ""  # "postgresql" (COPY and set-based SQL) or "generic"
    cities: list = field(default_factory=list)  # city codes of the file's events
    stages: list = field(default_factory=list)  # (year, stage) of the file's events
    seconds: float = 0.0

    def counts(self) -> dict:
        return {"rows": self.rows, "new": self.new, "skipped": self.skipped, "unknown_kpm": self.unknown_kpm,
                "kks_mismatch": self.kks_mismatch, "errors": self.error_count, "written": self.written}

    def add_problems(self, problems: list[Problem], total: int | None = None) -> None:
        """Merge problems (each list sorted) keeping the first MAX_ERRORS; `total` when more exist than given."""
        self.errors = sorted(self.errors + problems, key=lambda p: p.sort_key)[:MAX_ERRORS]
        self.error_count += len(problems) if total is None else total


@dataclass
class Context:
    """Who imports, for which city, and the day the dates are checked against."""

    actor: object = None
    city_code: str = ""  # the city unmatched rows belong to
    allowed_cities: frozenset | None = None  # None: any household's events may be imported
    job_id: int | None = None
    today: date = field(default_factory=timezone.localdate)
    progress: Callable = field(default=lambda done, total, stage: None)


def report_csv(result: ImportResult) -> str:
    """The report users download: one line per problem (row, column, message)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("row"), _("column"), _("message")])
    for problem in result.errors:
        writer.writerow([problem.row, problem.column, problem.message])
    if result.error_count > len(result.errors):
        writer.writerow(["", "", _("… and %(count)s more problems (correct these and check the file again).")
                         % {"count": result.error_count - len(result.errors)}])
    return out.getvalue()


def show(value) -> str:
    """A value as messages quote it."""
    if value is None or value == "":
        return _("(empty)")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dt_time):
        return value.strftime("%H:%M")
    return str(value)


def differences(first: tuple, other: tuple) -> list[tuple[str, object]]:
    """The content columns where two events (tuples in COLUMNS order) differ, with `first`'s value."""
    return [(column, first[index]) for index, column in enumerate(COLUMNS) if column in CONTENT
            and first[index] != other[index]]


def in_file_problems(row: int, event: tuple, first_row: int, first: tuple) -> list[Problem]:
    return [Problem(row, column, _("Reference %(ref)s of %(bank)s is also in row %(row)s, where %(column)s is "
                                   "%(value)s: one reference is one event.")
                    % {"ref": event[0], "bank": event[1], "row": first_row, "column": column, "value": show(value)}, 2)
            for column, value in differences(first, event)]


def stored_problems(row: int, event: tuple, stored: tuple) -> list[Problem]:
    return [Problem(row, column, _("Reference %(ref)s of %(bank)s was imported before with %(column)s %(value)s: an "
                                   "imported event is never changed.")
                    % {"ref": event[0], "bank": event[1], "column": column, "value": show(value)}, 3)
            for column, value in differences(stored, event)]


def scope_problem(row: int, id_kpm: str, city: str) -> Problem:
    return Problem(row, "id_kpm", _("Household %(id_kpm)s is in city %(city)s, outside your cities: its events "
                                    "cannot be imported by you.") % {"id_kpm": id_kpm, "city": city}, 1)


def cell_problem(row: int, column: str, text: str, today: date) -> Problem:
    """The message for a cell the SQL found invalid, from the same rule the generic import applies."""
    try:
        CLEANERS[column](text, today=today)
    except ValueError as exc:
        return Problem(row, column, str(exc))
    # The SQL and the rule above disagree: a defect, reported rather than hidden.
    return Problem(row, column, _("This value is not accepted."))


# --- reading the file ----------------------------------------------------------------------------------

def read_bytes(source) -> bytes:
    """The file's bytes, from a path, an (uploaded) file object, or bytes."""
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if hasattr(source, "read"):
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    with open(source, "rb") as handle:
        return handle.read()


@dataclass
class Table:
    headers: list  # CSV: every header of the first line (normalised), in order; XLSX: the known ones
    known: list  # the known columns present
    rows: object  # iterator of (row number, {column: text}) for the known columns
    delimiter: str = ","
    is_xlsx: bool = False


class FileError(Exception):
    """The file as a whole cannot be read: not CSV or XLSX, no usable header (reported on row 1)."""


def open_bank_table(raw: bytes, *, header_only: bool = False) -> Table:
    """Check the header (core.tabular) and return the rows as text. Raises FileError.

    `header_only` (a CSV whose first line holds the header; see import_sql) reads nothing past the header: the
    rows then come by COPY, and a file PostgreSQL refuses is opened again in full.
    """
    is_xlsx = raw[:4] == b"PK\x03\x04"
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    end = raw.find(b"\n", start)
    first_line = b"" if is_xlsx else raw[start:end if end >= 0 else len(raw)]
    try:
        table = open_table(io.BytesIO(first_line if header_only else raw), required=set(REQUIRED),
                           known=set(COLUMNS))
        headers, delimiter = [h for h in table.headers if h in COLUMNS], ","
        if not is_xlsx:
            line = first_line.decode("utf-8")
            delimiter = ";" if line.count(";") > line.count(",") else ","
            headers = [normalise_header(h) for h in next(csv.reader([line.rstrip("\r")], delimiter=delimiter), [])]
    except TableError as exc:
        raise FileError(str(exc)) from None
    known = [h for h in table.headers if h in COLUMNS]

    def rows():
        for number, row in table.rows:
            yield number, {column: cell_text(row.get(column)) for column in known}

    return Table(headers=headers, known=known, rows=iter(()) if header_only else rows(), delimiter=delimiter,
                 is_xlsx=is_xlsx)


# --- the import ----------------------------------------------------------------------------------------

def import_bank_events(source, *, actor=None, city_code: str = "", allowed_cities=None, job_id: int | None = None,
                       progress: Callable | None = None, method: str = "auto", today: date | None = None) -> ImportResult:
    """Check a bank file and, when it has no error, store its new events in one transaction (audited).

    `city_code`: the city the import is for (unmatched rows are kept under it); `allowed_cities`: the cities whose
    households' events the actor may import (None: any). `method`: "auto" (PostgreSQL when available),
    "postgresql" or "generic".
    """
    started = time.monotonic()
    ctx = Context(actor=actor, city_code=city_code or "", allowed_cities=None if allowed_cities is None else
                  frozenset(allowed_cities), job_id=job_id, today=today or timezone.localdate(),
                  progress=progress or (lambda done, total, stage: None))
    if ctx.city_code:
        from org.models import Region

        if not Region.objects.filter(code=ctx.city_code, level=Region.Level.REGENCY).exists():
            raise ValidationError({"city": _("Unknown city %(code)s.") % {"code": ctx.city_code}})
    if method == "auto":
        method = "postgresql" if connection.vendor == "postgresql" else "generic"
    result = ImportResult(method=method)
    ctx.progress(0, 0, _("Reading the file"))
    raw = read_bytes(source)
    try:
        if method == "postgresql":
            from monitoring import import_sql

            import_sql.run(raw, ctx, result)
        else:
            _run_generic(open_bank_table(raw), ctx, result)
    except FileError as exc:
        result.add_problems([Problem(1, "", str(exc))])
    except TableError as exc:  # a row the CSV reader cannot read (the message names it)
        result.add_problems([Problem(result.rows + 2, "", str(exc))])
    if not result.error_count and result.rows == 0:
        result.add_problems([Problem(2, "", _("The file has a header but no data rows."))])
    result.seconds = time.monotonic() - started
    return result


def audit_import(ctx: Context, result: ImportResult) -> None:
    """One audit record per stored import (the events themselves carry the job and their row)."""
    from core.models import Job

    job = Job.objects.filter(pk=ctx.job_id).first() if ctx.job_id else None
    audit_record(actor=ctx.actor, action=AuditEvent.Action.IMPORT, obj=job,
                 object_type="" if job else "monitoring.bankevent",
                 object_repr="" if job else _("Bank data import"), city_code=ctx.city_code,
                 changes={"new": result.new, "skipped": result.skipped, "unknown_kpm": result.unknown_kpm,
                          "kks_mismatch": result.kks_mismatch, "rows": result.rows},
                 message=ngettext("bank data import: %(count)s new event", "bank data import: %(count)s new events",
                                  result.new) % {"count": result.new})


def _run_generic(table: Table, ctx: Context, result: ImportResult) -> None:
    """The row-by-row implementation (SQLite, and a reference for the SQL one)."""
    cleaners = [(column, CLEANERS[column]) for column in COLUMNS]
    events: list[tuple[int, tuple]] = []
    problems: list[Problem] = []
    for number, row in table.rows:
        result.rows += 1
        if result.rows % 5000 == 0:
            ctx.progress(result.rows, 0, _("Checking the rows"))
        values, ok = [], True
        for column, clean in cleaners:
            try:
                values.append(clean(row.get(column, ""), today=ctx.today))
            except ValueError as exc:
                problems.append(Problem(number, column, str(exc)))
                values.append(None)
                ok = False
        if ok:
            events.append((number, tuple(values)))
    total = result.rows
    if not total:
        return
    ctx.progress(0, total, _("Checking against the registry and earlier imports"))

    # The same (bank, ref) twice in the file: the first is the event, an identical repeat is skipped.
    first: dict[tuple, tuple[int, tuple]] = {}
    distinct: list[tuple[int, tuple]] = []
    repeats = 0
    for number, event in events:
        key = (event[1], event[0])
        earlier = first.get(key)
        if earlier is None:
            first[key] = (number, event)
            distinct.append((number, event))
        else:
            found = in_file_problems(number, event, earlier[0], earlier[1])
            problems.extend(found)
            repeats += not found

    households = {}
    ids = sorted({event[2] for _number, event in events})
    from beneficiaries.models import Household

    for start in range(0, len(ids), 500):
        for pk, id_kpm, kks, village in Household.objects.filter(id_kpm__in=ids[start:start + 500]).values_list(
                "pk", "id_kpm", "kks_number", "kelurahan_id"):
            households[id_kpm] = (pk, kks, village[:5])
    stored = {}
    by_bank: dict[str, list[str]] = {}
    for _number, event in distinct:
        by_bank.setdefault(event[1], []).append(event[0])
    for bank, refs in by_bank.items():
        for start in range(0, len(refs), 500):
            for row in BankEvent.objects.filter(bank=bank, ref__in=refs[start:start + 500]).values_list(
                    "ref", "bank", "id_kpm", "kks_number", "year", "stage", "kind", "occurred_on", "occurred_time",
                    "amount", "balance", "location", "job_id"):
                stored[(row[1], row[0])] = (row[:12], row[12])

    if ctx.allowed_cities is not None:
        for number, event in events:
            household = households.get(event[2])
            if household and household[2] not in ctx.allowed_cities:
                problems.append(scope_problem(number, event[2], household[2]))
    new_events, matches, cities, stages = [], Counter(), set(), set()
    stored_same = mine = 0
    for number, event in distinct:
        household = households.get(event[2])
        previous = stored.get((event[1], event[0]))
        if previous is not None:
            found = stored_problems(number, event, previous[0])
            problems.extend(found)
            if not found:
                if ctx.job_id is not None and previous[1] == ctx.job_id:
                    mine += 1
                else:
                    stored_same += 1
        match = Match.UNKNOWN_KPM if household is None else (
            Match.MATCHED if household[1] == event[3] else Match.KKS_MISMATCH)
        city = household[2] if household else ctx.city_code
        matches[match] += 1
        if city:
            cities.add(city)
        stages.add((event[4], event[5]))
        if previous is None:
            new_events.append(BankEvent(
                ref=event[0], bank=event[1], id_kpm=event[2], kks_number=event[3], year=event[4], stage=event[5],
                kind=event[6], occurred_on=event[7], occurred_time=event[8], amount=event[9], balance=event[10],
                location=event[11], household_id=household[0] if household else None, match=match, city_code=city,
                job_id=ctx.job_id, row_number=number))

    if problems:
        problems.sort(key=lambda p: p.sort_key)
        result.add_problems(problems)
        return
    ctx.progress(total // 2, total, _("Saving the new events"))
    now = timezone.now()
    for event in new_events:
        event.imported_at = now
    with transaction.atomic():
        BankEvent.objects.bulk_create(new_events, batch_size=1000)
        result.new = len(new_events) + mine
        result.skipped = repeats + stored_same
        result.unknown_kpm = matches[Match.UNKNOWN_KPM]
        result.kks_mismatch = matches[Match.KKS_MISMATCH]
        result.cities = sorted(cities)
        result.stages = sorted(stages)
        result.written = True
        audit_import(ctx, result)
    ctx.progress(total, total, _("Done"))


def refresh_flags_after(result: ImportResult) -> dict[str, int]:
    """Recompute the reconciliation flags of the cities and stages the file covers (after it was stored)."""
    from monitoring.reconcile import refresh_flags

    if not result.written or not result.cities:
        return {}
    return refresh_flags(city_codes=set(result.cities), stages={tuple(stage) for stage in result.stages})
