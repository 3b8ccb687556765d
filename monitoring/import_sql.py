"""The PostgreSQL implementation of the bank-data import (rules and messages: monitoring.importer).

1. The file goes by COPY into a temporary staging table of text columns. A plain CSV (no quote character, one
   kind of line ending) is sent as it is, with its delimiter; anything else (quotes, XLSX, a COPY refusal) is
   read by core.tabular and sent row by row, so both read a file exactly as the generic import does.
2. One statement converts and checks every cell into a typed temporary table, with an error bit per column and
   the household matched by ID KPM; lookups of every accepted date and time text stand in for parsing them.
3. A few statements find what needs other rows: households outside the actor's cities, stored events with
   different content, the same (bank, ref) twice in the file. Only the rows concerned reach Python, where
   importer.py words the problems.
4. No problem: one transaction inserts the new events (INSERT … SELECT) and records the audit event. A large
   load into a table not much larger drops the table's secondary indexes and foreign keys and builds them
   again after the insert (in the same transaction).

Most files name each (bank, ref) once, so the search for repeats (a grouping of every row) is skipped at first:
the unique constraint on (bank, ref) proves it during the merge. A file that repeats a reference, or has any
problem, is undone and goes the exact way, which looks for repeats first.

Imports run one at a time (a session advisory lock held from the check to the commit), so what the checks saw
of the stored events is still true when the merge commits. Temporary tables live in the session and are
dropped at the end; nothing is written to the real tables before step 4.
"""

import csv
import io
import logging
import re
from datetime import date, timedelta

import psycopg2
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring import importer
from monitoring.importer import COLUMNS, Context, ImportResult, Problem, Table

logger = logging.getLogger(__name__)
STAGE, TYPED, DUPS, SEEN, DATES, TIMES = (f"pkh_bank_{name}" for name in ("stage", "typed", "dups", "seen", "dates",
                                                                           "times"))
BIT = {column: 1 << index for index, column in enumerate(COLUMNS)}
# Bytes of the whitespace str.strip() removes other than space and line ends (UTF-8 encoded).
_EXOTIC_SPACE = re.compile(rb"[\t\x0b\x0c\x1c-\x1f]|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]"
                           rb"|\xe2\x81\x9f|\xe3\x80\x80")
_END_MARKER = re.compile(rb"(?:^|\n)\\\.\r?(?:\n|$)")  # a line `\.` ends COPY data early: never send it raw
_LOWER, _UPPER = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _literal_list(values) -> str:
    """A constant SQL list (values are ours, never the file's)."""
    return ", ".join("'" + str(v) + "'" for v in values)


BANK_LIST = _literal_list(importer.BANKS)
KIND_LIST = _literal_list(importer.KINDS)
YEAR_LIST = _literal_list(range(importer.YEARS[0], importer.YEARS[1] + 1))
STAGE_LIST = _literal_list(range(1, 5))


def run(raw: bytes, ctx: Context, result: ImportResult) -> None:
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    # A plain CSV is checked by its header alone here and sent as it is; any other file is read in full.
    as_is = _raw_copy_possible(raw, start)
    table = importer.open_bank_table(raw, header_only=as_is)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [importer.LOCK_KEY])
        if not cursor.fetchone()[0]:
            ctx.progress(0, 0, _("Waiting for another bank import to finish"))
            cursor.execute("SELECT pg_advisory_lock(%s)", [importer.LOCK_KEY])
        try:
            cursor.execute("SET work_mem = '256MB'")
            _check_and_merge(cursor, raw, table, as_is, ctx, result)
        finally:
            try:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGE}, {TYPED}, {DUPS}, {SEEN}, {DATES}, {TIMES}")
                cursor.execute("RESET work_mem")
                cursor.execute("SELECT pg_advisory_unlock(%s)", [importer.LOCK_KEY])
            except DatabaseError:
                # Only inside an outer transaction that an error aborted (tests): its end drops the tables, and
                # the lock is this session's (advisory locks are re-entrant), released when it closes.
                logger.warning("bank import: clean-up skipped after an error", exc_info=True)


def _check_and_merge(cursor, raw: bytes, table: Table, as_is: bool, ctx: Context, result: ImportResult) -> None:
    ctx.progress(0, 0, _("Loading the file"))
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}, {TYPED}, {DUPS}, {SEEN}, {DATES}, {TIMES}")
    layout, copied = _load(cursor, raw, table, as_is, result)
    if not copied:
        return
    _lookups(cursor, ctx.today)
    ctx.progress(0, 0, _("Checking the rows"))
    cursor.execute(_typed_sql(layout), {"ws": importer.WHITESPACE, "kks_strip": importer.WHITESPACE + ".-'",
                                        "city": ctx.city_code})
    # The plans below (hash aggregates and joins) need its size; a small sample tells it.
    cursor.execute("SET default_statistics_target = 10")
    cursor.execute(f"ANALYZE {TYPED} (errs)")
    cursor.execute("RESET default_statistics_target")
    error_sum = " + ".join(f"((errs >> {i}) & 1)" for i in range(len(COLUMNS)))
    cursor.execute(f"""
        SELECT city_code, year, stage, match, count(*), count(*) FILTER (WHERE errs <> 0), sum({error_sum})
        FROM {TYPED} GROUP BY 1, 2, 3, 4
    """)
    groups = cursor.fetchall()
    result.rows = sum(group[4] for group in groups)
    bad_rows = sum(group[5] for group in groups)
    cell_errors = sum(group[6] for group in groups)
    if not result.rows:
        return
    total = result.rows
    ctx.progress(total // 4, total, _("Checking against the registry and earlier imports"))
    if not bad_rows and _merge_if_references_are_unique(cursor, ctx, result, groups):
        ctx.progress(total, total, _("Done"))
        return
    # The exact way: find the repeated references first (a file with problems always comes here).
    cells = _cell_problems(cursor, layout, ctx) if bad_rows else []
    in_file = _duplicate_problems(cursor)
    scope, scope_count = _scope_problems(cursor, ctx)
    stored, identical, mine = _stored_problems(cursor, ctx, exclude_repeats=True)
    problems = cells + in_file + scope + stored
    if problems:
        # Cell and scope problems are fetched for the first importer.MAX_ERRORS rows only: enough for the report.
        result.add_problems(sorted(problems, key=lambda p: p.sort_key),
                            total=cell_errors + len(in_file) + scope_count + len(stored))
        return
    cursor.execute(f"SELECT coalesce(sum(n - 1), 0) FROM {DUPS}")
    repeats = cursor.fetchone()[0]
    if repeats:  # the counts per city, stage and match of the first occurrences only
        cursor.execute(f"""
            SELECT t.city_code, t.year, t.stage, t.match, count(*) FROM {TYPED} t
            WHERE NOT EXISTS (SELECT 1 FROM {DUPS} d WHERE d.bank = t.bank AND d.ref = t.ref AND d.first_row <> t.row_no)
            GROUP BY 1, 2, 3, 4
        """)
        groups = cursor.fetchall()
    with transaction.atomic():
        _merge(cursor, ctx, result, groups, expected_new=total - repeats - identical - mine, mine=mine)
    ctx.progress(total, total, _("Done"))


def _merge_if_references_are_unique(cursor, ctx: Context, result: ImportResult, groups) -> bool:
    """Most files name each (bank, ref) once: merge without looking for repeats first, and let the unique
    constraint prove it. False (nothing written) when the file needs the exact way: a repeated reference, a
    household outside the actor's cities, a stored event with other content."""
    if _scope_problems(cursor, ctx)[1]:
        return False
    cursor.execute(f"CREATE TEMP TABLE {DUPS} (bank text, ref text, first_row bigint, n bigint)")
    stored, identical, mine = _stored_problems(cursor, ctx, exclude_repeats=False, count_only=True)
    cursor.execute(f"SELECT count(*) <> count(DISTINCT event_id) FROM {SEEN}")
    if stored or cursor.fetchone()[0]:  # a stored event met twice is a repeated reference
        return False
    try:
        with transaction.atomic():
            _merge(cursor, ctx, result, groups, expected_new=result.rows - identical - mine, mine=mine)
    except IntegrityError as exc:
        if getattr(exc.__cause__, "pgcode", "") != "23505":  # unique_violation: the same (bank, ref) twice
            raise
        result.new = result.skipped = result.unknown_kpm = result.kks_mismatch = 0
        result.cities, result.stages, result.written = [], [], False
        return False
    return True


def _merge(cursor, ctx: Context, result: ImportResult, groups, *, expected_new: int, mine: int) -> None:
    """Insert the new events and fill in the counts (in the caller's transaction)."""
    ctx.progress(result.rows // 2, result.rows, _("Saving the new events"))
    if _bulk(cursor, expected_new):
        inserted = _insert_rebuilding_indexes(cursor, ctx)
    else:
        inserted = _insert(cursor, ctx)
    cities, stages = set(), set()
    for city, year, stage, match, count, *_counts in groups:
        if city:
            cities.add(city)
        stages.add((year, stage))
        if match == "unknown_kpm":
            result.unknown_kpm += count
        elif match == "kks_mismatch":
            result.kks_mismatch += count
    result.new = inserted + mine
    result.skipped = result.rows - result.new
    result.cities, result.stages = sorted(cities), sorted(stages)
    result.written = True
    importer.audit_import(ctx, result)


# --- 4. the merge --------------------------------------------------------------------------------------

EVENTS = "monitoring_bankevent"
# A load at least this large into a table at most BULK_RATIO times its size drops the table's indexes and
# foreign keys, inserts, and builds them again: sorting once beats updating every index for every row.
BULK_MIN_ROWS = 50_000
BULK_RATIO = 2


def _insert(cursor, ctx: Context) -> int:
    cursor.execute(f"""
        INSERT INTO {EVENTS} (bank, ref, id_kpm, kks_number, year, stage, kind, occurred_on, occurred_time, amount,
            balance, location, household_id, match, city_code, job_id, row_number, imported_at)
        SELECT t.bank, t.ref, t.id_kpm, t.kks, t.year, t.stage, t.kind, t.occurred_on, t.occurred_time, t.amount,
               t.balance, t.location, t.household_id, t.match, t.city_code, %(job)s, t.row_no, %(now)s
        FROM {TYPED} t
        WHERE NOT EXISTS (SELECT 1 FROM {DUPS} d WHERE d.bank = t.bank AND d.ref = t.ref AND d.first_row <> t.row_no)
          AND NOT EXISTS (SELECT 1 FROM {SEEN} s WHERE s.row_no = t.row_no)
    """, {"job": ctx.job_id, "now": timezone.now()})
    return cursor.rowcount


def _bulk(cursor, new_rows: int) -> bool:
    if new_rows < BULK_MIN_ROWS:
        return False
    cursor.execute(f"SELECT reltuples FROM pg_class WHERE oid = '{EVENTS}'::regclass")
    estimate = cursor.fetchone()[0]
    if estimate < 0:  # never analysed: count, up to the limit that matters
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {EVENTS} LIMIT %s) x", [BULK_RATIO * new_rows + 1])
        estimate = cursor.fetchone()[0]
    return estimate <= BULK_RATIO * new_rows


def _insert_rebuilding_indexes(cursor, ctx: Context) -> int:
    """Insert with the table's secondary indexes and foreign keys dropped, then restore them exactly as they were
    (definitions read from the catalogue), all in the caller's transaction: a failure restores everything."""
    # Foreign keys cannot be added while checks of this transaction's earlier writes wait for the commit.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(f"LOCK TABLE {EVENTS} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"""
        SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint
        WHERE conrelid = '{EVENTS}'::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname
    """)
    constraints = cursor.fetchall()
    cursor.execute(f"""
        SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i
        WHERE indrelid = '{EVENTS}'::regclass AND NOT indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
        ORDER BY 1
    """)
    indexes = cursor.fetchall()
    for name, _definition, _kind in constraints:
        cursor.execute(f'ALTER TABLE {EVENTS} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    ctx.progress(0, 0, _("Saving the new events"))
    inserted = _insert(cursor, ctx)
    ctx.progress(0, 0, _("Rebuilding the indexes"))
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition, kind in constraints:
        if kind == "f":  # checked by one join below instead of a trigger per row
            cursor.execute(f'ALTER TABLE {EVENTS} ADD CONSTRAINT "{name}" {definition} NOT VALID')
            cursor.execute(f'ALTER TABLE {EVENTS} VALIDATE CONSTRAINT "{name}"')
        else:
            cursor.execute(f'ALTER TABLE {EVENTS} ADD CONSTRAINT "{name}" {definition}')
    return inserted


# --- 1. staging --------------------------------------------------------------------------------------

class _ViewReader:
    """A file object over bytes without copying them (COPY reads it in chunks)."""

    def __init__(self, data: bytes, start: int):
        self.view = memoryview(data)[start:]
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.view) if size is None or size < 0 else self.position + size
        chunk = self.view[self.position:end]
        self.position += len(chunk)
        return chunk.tobytes()


class _RowReader:
    """The rows of core.tabular as CSV for COPY (row number first), read lazily; counts the rows."""

    def __init__(self, rows, columns: list[str], result: ImportResult):
        self.rows, self.columns, self.result = rows, columns, result
        self.buffer = b""
        self.error: Exception | None = None

    def read(self, size: int = -1) -> bytes:
        size = size if size and size > 0 else 1 << 20
        if len(self.buffer) < size and self.error is None:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            try:
                for number, row in self.rows:
                    self.result.rows += 1
                    writer.writerow([number, *(row.get(column, "") for column in self.columns)])
                    if out.tell() >= size:
                        break
            except Exception as exc:  # a row the reader refuses: end the data, raise after COPY
                self.error = exc
            self.buffer += out.getvalue().encode("utf-8")
        chunk, self.buffer = self.buffer[:size], self.buffer[size:]
        return chunk


def _raw_copy_possible(raw: bytes, start: int) -> bool:
    """Whether PostgreSQL's CSV reader sees exactly the rows core.tabular sees: no quote character, one kind of
    line ending, no line `\\.`, and the header on a non-blank first line. (PostgreSQL refuses the rest of the
    differences, blank lines and ragged rows, and the file is then read row by row.)"""
    if raw[:4] == b"PK\x03\x04" or b'"' in raw or (b"\\." in raw and _END_MARKER.search(raw, start)):
        return False
    if b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n"):
        return False
    return bool(raw[start:raw.find(b"\n", start) if b"\n" in raw else len(raw)].strip())


def _needs_trim(raw: bytes, start: int, delimiter: bytes) -> bool:
    """Whether any cell may start or end with whitespace (else the SQL can skip trimming every cell)."""
    body = raw.find(b"\n", start)
    if body < 0:
        return False
    if raw.isascii():
        if any(raw.find(bytes([c]), body) >= 0 for c in b"\t\x0b\x0c\x1c\x1d\x1e\x1f"):
            return True
    elif _EXOTIC_SPACE.search(raw, body):
        return True
    if raw.find(b" ", body) < 0:
        return False
    return raw.endswith(b" ") or any(raw.find(pattern, body) >= 0 for pattern in (
        delimiter + b" ", b" " + delimiter, b" \n", b"\n ", b" \r"))


def _load(cursor, raw: bytes, table: Table, as_is: bool, result: ImportResult) -> tuple[dict, int]:
    """COPY the file into the staging table (`as_is`: the bytes themselves); returns how to read each column of
    it, and the rows copied."""
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    if as_is:
        positions = list(enumerate(table.headers))
        names = [f"c{index}" for index, _ in positions]
        cursor.execute(f"CREATE TEMP TABLE {STAGE} (row_no bigint GENERATED ALWAYS AS IDENTITY (START WITH 2), "
                       + ", ".join(f"{name} text" for name in names) + ")")
        try:
            with transaction.atomic():
                cursor.copy_expert(
                    f"COPY {STAGE} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER "
                    f"'{table.delimiter}', FORCE_NOT_NULL ({', '.join(names)}))", _ViewReader(raw, start), 1 << 20)
                copied = cursor.rowcount
            known = {header: f"c{index}" for index, header in positions if header in COLUMNS}
            others = [f"c{index}" for index, header in positions if header not in COLUMNS]
            return {"columns": known, "others": others, "raw": True,
                    "trim": _needs_trim(raw, start, table.delimiter.encode())}, copied
        except (DatabaseError, psycopg2.Error):  # blank lines, ragged rows, not UTF-8: read row by row
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        table = importer.open_bank_table(raw)
    columns = [column for column in COLUMNS if column in table.known]
    names = [f"k_{column}" for column in columns]
    cursor.execute(f"CREATE TEMP TABLE {STAGE} (row_no bigint, " + ", ".join(f"{n} text" for n in names) + ")")
    reader = _RowReader(table.rows, columns, result)
    cursor.copy_expert(f"COPY {STAGE} (row_no, {', '.join(names)}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL "
                       f"({', '.join(names)}))", reader, 1 << 20)
    copied = cursor.rowcount
    if reader.error is not None:
        raise reader.error
    result.rows = 0  # counted again from the typed table (the same rows)
    return {"columns": dict(zip(columns, names)), "others": [], "raw": False, "trim": False}, copied


def _lookups(cursor, today: date) -> None:
    """Every accepted text of a date (2007 to today) and of a time, with its value."""
    buffer = io.StringIO()
    day = importer.FIRST_DATE
    while day <= today:
        iso = day.isoformat()
        for form in importer.date_forms(day):
            buffer.write(f"{form}\t{iso}\n")
        day += timedelta(days=1)
    buffer.seek(0)
    cursor.execute(f"CREATE TEMP TABLE {DATES} (t text PRIMARY KEY, d date NOT NULL)")
    cursor.copy_expert(f"COPY {DATES} FROM STDIN", buffer)
    buffer = io.StringIO("".join(f"{text}\t{value:%H:%M}\n" for text, value in importer.time_forms().items()))
    cursor.execute(f"CREATE TEMP TABLE {TIMES} (t text PRIMARY KEY, v time NOT NULL)")
    cursor.copy_expert(f"COPY {TIMES} FROM STDIN", buffer)
    cursor.execute(f"ANALYZE {DATES}")
    cursor.execute(f"ANALYZE {TIMES}")


# --- 2. the typed table --------------------------------------------------------------------------------

def _typed_sql(layout: dict) -> str:
    """Trim (when needed), convert and check every cell; match the household by ID KPM."""
    def source(column):
        name = layout["columns"].get(column)
        if name is None:
            return "''"
        return f"btrim({name}, %(ws)s)" if layout["trim"] else name

    selected = ", ".join(f"{source(column)} AS {column}" for column in COLUMNS)
    blank = ""
    if layout["raw"]:
        others = " OR ".join(f"btrim(s.{name}, %(ws)s) <> ''" for name in layout["others"])
        blank = "WHERE " + " OR ".join(f"s.{column} <> ''" for column in COLUMNS if column in layout["columns"]) \
            + (f" OR {others}" if others else "")
        selected += "".join(f", {name}" for name in layout["others"])

    def amount(column):
        # Whole rupiah, plain (1500000) or dotted (1.500.000), at most 12 significant digits. The usual short
        # values are cast directly; leading zeros take the longer way. (Bounded regex repetitions are slow, so
        # the first group of a dotted amount is measured by the position of its first dot.)
        v, most = f"s.{column}", importer.MAX_AMOUNT_DIGITS
        dotted = f"strpos({v}, '.') BETWEEN 2 AND 4 AND {v} ~ '^[0-9]+(\\.[0-9][0-9][0-9])+$'"
        digits = f"ltrim(replace({v}, '.', ''), '0')"
        return (f"CASE WHEN octet_length({v}) <= {most} AND {v} ~ '^[0-9]+$' THEN {v}::bigint "
                f"WHEN octet_length({v}) <= {most + most // 3 - 1} AND {dotted} THEN replace({v}, '.', '')::bigint "
                f"WHEN {v} ~ '^[0-9]+$' OR {dotted} "
                f"THEN CASE WHEN octet_length({digits}) <= {most} THEN ('0' || {digits})::bigint END END")

    def choice(column, values):
        upper = f"translate(s.{column}, '{_LOWER}', '{_UPPER}')"
        return f"CASE WHEN s.{column} IN ({values}) THEN s.{column} WHEN {upper} IN ({values}) THEN {upper} END"

    def number(column, values, kind):
        return (f"CASE WHEN s.{column} IN ({values}) THEN s.{column}::{kind} "
                f"WHEN s.{column} ~ '^0+[0-9]+$' AND ltrim(s.{column}, '0') IN ({values}) "
                f"THEN ltrim(s.{column}, '0')::{kind} END")

    kks_digits = "translate(s.no_kks, %(kks_strip)s, '')"
    bits = BIT
    return f"""
        CREATE TEMP TABLE {TYPED} AS
        SELECT v.row_no, v.ref, v.bank, v.id_kpm, v.kks, v.year, v.stage, v.kind, d.d AS occurred_on,
               tm.v AS occurred_time, v.amount, v.balance, v.location,
               (CASE WHEN v.ref_ok THEN 0 ELSE {bits['ref']} END
                | CASE WHEN v.bank IS NULL THEN {bits['bank']} ELSE 0 END
                | CASE WHEN v.id_kpm IS NULL THEN {bits['id_kpm']} ELSE 0 END
                | CASE WHEN v.kks IS NULL THEN {bits['no_kks']} ELSE 0 END
                | CASE WHEN v.year IS NULL THEN {bits['tahun']} ELSE 0 END
                | CASE WHEN v.stage IS NULL THEN {bits['tahap']} ELSE 0 END
                | CASE WHEN v.kind IS NULL THEN {bits['jenis']} ELSE 0 END
                | CASE WHEN d.d IS NULL THEN {bits['tanggal']} ELSE 0 END
                | CASE WHEN v.waktu = '' OR tm.v IS NOT NULL THEN 0 ELSE {bits['waktu']} END
                | CASE WHEN v.amount > 0 THEN 0 ELSE {bits['nominal']} END
                | CASE WHEN v.saldo = '' OR v.balance IS NOT NULL THEN 0 ELSE {bits['saldo']} END
                | CASE WHEN v.location_ok THEN 0 ELSE {bits['lokasi']} END) AS errs,
               h.id AS household_id,
               CASE WHEN h.id IS NULL THEN 'unknown_kpm' WHEN h.kks_number = v.kks THEN 'matched'
                    ELSE 'kks_mismatch' END AS match,
               coalesce(left(h.kelurahan_id, 5), %(city)s) AS city_code
        FROM (
            SELECT s.row_no, s.ref,
                   s.ref <> '' AND (octet_length(s.ref) <= {importer.MAX_TEXT}
                                    OR char_length(s.ref) <= {importer.MAX_TEXT}) AS ref_ok,
                   {choice('bank', BANK_LIST)} AS bank,
                   CASE WHEN octet_length(s.id_kpm) <= {importer.MAX_ID_KPM}
                        AND s.id_kpm ~ '^[A-Za-z0-9][A-Za-z0-9._/-]*$' THEN s.id_kpm END AS id_kpm,
                   CASE WHEN octet_length(s.no_kks) = 16 AND s.no_kks ~ '^[0-9]+$' THEN s.no_kks
                        WHEN {kks_digits} ~ '^[0-9]+$' AND char_length({kks_digits}) = 16 THEN {kks_digits} END AS kks,
                   {number('tahun', YEAR_LIST, 'smallint')} AS year,
                   {number('tahap', STAGE_LIST, 'smallint')} AS stage,
                   {choice('jenis', KIND_LIST)} AS kind,
                   s.tanggal, s.waktu, s.saldo,
                   {amount('nominal')} AS amount,
                   CASE WHEN s.saldo = '' THEN NULL ELSE {amount('saldo')} END AS balance,
                   s.lokasi AS location,
                   octet_length(s.lokasi) <= {importer.MAX_TEXT} OR char_length(s.lokasi) <= {importer.MAX_TEXT}
                       AS location_ok
            FROM (SELECT row_no, {selected} FROM {STAGE} OFFSET 0) s
            {blank}
            OFFSET 0
        ) v
        LEFT JOIN {DATES} d ON d.t = v.tanggal
        LEFT JOIN {TIMES} tm ON tm.t = v.waktu
        LEFT JOIN beneficiaries_household h ON h.id_kpm = v.id_kpm
    """


# --- 3. problems ---------------------------------------------------------------------------------------

def _cell_problems(cursor, layout: dict, ctx: Context) -> list[Problem]:
    """The first rows with invalid cells, worded by importer.cell_problem from the cells' text."""
    present = [column for column in COLUMNS if column in layout["columns"]]
    cursor.execute(f"""
        SELECT t.row_no, t.errs, {', '.join('s.' + layout['columns'][c] for c in present)}
        FROM {TYPED} t JOIN {STAGE} s ON s.row_no = t.row_no
        WHERE t.errs <> 0 ORDER BY t.row_no LIMIT {importer.MAX_ERRORS}
    """)
    problems = []
    for row_no, errs, *texts in cursor.fetchall():
        text_of = dict(zip(present, texts))
        for column in COLUMNS:
            if errs & BIT[column]:
                text = (text_of.get(column) or "").strip(importer.WHITESPACE)
                problems.append(importer.cell_problem(row_no, column, text, ctx.today))
    return problems


_EVENT = "ref, bank, id_kpm, kks, year, stage, kind, occurred_on, occurred_time, amount, balance, location"


def _duplicate_problems(cursor) -> list[Problem]:
    """The same (bank, ref) more than once among the valid rows: identical repeats are skipped, others wrong."""
    cursor.execute(f"DROP TABLE IF EXISTS {DUPS}")
    cursor.execute(f"""
        CREATE TEMP TABLE {DUPS} AS
        SELECT bank, ref, min(row_no) AS first_row, count(*) AS n
        FROM {TYPED} WHERE errs = 0 GROUP BY bank, ref HAVING count(*) > 1
    """)
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {DUPS})")
    if not cursor.fetchone()[0]:
        return []
    # A key's rows differ when any content column has two values (or is empty on some rows only).
    differs = " OR ".join(
        [f"min(t.{c}) <> max(t.{c})" for c in ("id_kpm", "kks", "year", "stage", "kind", "occurred_on", "amount",
                                               "location")]
        + [f"count(t.{c}) NOT IN (0, count(*)) OR min(t.{c}) <> max(t.{c})" for c in ("occurred_time", "balance")])
    cursor.execute(f"""
        SELECT t.row_no, {', '.join('t.' + c for c in _EVENT.split(', '))}
        FROM {TYPED} t JOIN (
            SELECT t.bank, t.ref FROM {TYPED} t JOIN {DUPS} d ON d.bank = t.bank AND d.ref = t.ref
            WHERE t.errs = 0 GROUP BY t.bank, t.ref HAVING {differs}
        ) k ON k.bank = t.bank AND k.ref = t.ref
        WHERE t.errs = 0 ORDER BY t.row_no
    """)
    first: dict[tuple, tuple] = {}
    problems = []
    for row_no, *event in cursor.fetchall():
        event = tuple(event)
        key = (event[1], event[0])
        if key not in first:
            first[key] = (row_no, event)
        else:
            problems.extend(importer.in_file_problems(row_no, event, *first[key]))
    return problems


def _scope_problems(cursor, ctx: Context) -> tuple[list[Problem], int]:
    if ctx.allowed_cities is None:
        return [], 0
    condition = (f"FROM {TYPED} t JOIN beneficiaries_household h ON h.id = t.household_id "
                 f"WHERE t.errs = 0 AND NOT (left(h.kelurahan_id, 5) = ANY(%s))")
    cursor.execute(f"SELECT count(*) {condition}", [sorted(ctx.allowed_cities)])
    count = cursor.fetchone()[0]
    if not count:
        return [], 0
    cursor.execute(f"SELECT t.row_no, t.id_kpm, left(h.kelurahan_id, 5) {condition} ORDER BY t.row_no LIMIT {importer.MAX_ERRORS}",
                   [sorted(ctx.allowed_cities)])
    return [importer.scope_problem(row_no, id_kpm, city) for row_no, id_kpm, city in cursor.fetchall()], count


def _stored_problems(cursor, ctx: Context, *, exclude_repeats: bool, count_only: bool = False):
    """Rows whose (bank, ref) is stored: same content is skipped (or is this job's own, on a retry), different
    content is an error per column. Returns (problems, or their number when `count_only`; identical; own)."""
    cursor.execute(f"DROP TABLE IF EXISTS {SEEN}")
    repeats = (f"AND NOT EXISTS (SELECT 1 FROM {DUPS} d WHERE d.bank = t.bank AND d.ref = t.ref "
               f"AND d.first_row <> t.row_no)") if exclude_repeats else ""
    cursor.execute(f"""
        CREATE TEMP TABLE {SEEN} AS
        SELECT t.row_no,
               (t.id_kpm, t.kks, t.year, t.stage, t.kind, t.occurred_on, t.occurred_time, t.amount, t.balance,
                t.location) IS NOT DISTINCT FROM
               (e.id_kpm::text, e.kks_number::text, e.year, e.stage, e.kind::text, e.occurred_on, e.occurred_time,
                e.amount, e.balance, e.location::text) AS same,
               e.job_id IS NOT DISTINCT FROM %(job)s::bigint AND %(job)s::bigint IS NOT NULL AS mine, e.id AS event_id
        FROM {TYPED} t JOIN monitoring_bankevent e ON e.bank = t.bank AND e.ref = t.ref
        WHERE t.errs = 0 {repeats}
    """, {"job": ctx.job_id})
    cursor.execute(f"SELECT count(*) FILTER (WHERE same AND NOT mine), count(*) FILTER (WHERE same AND mine), "
                   f"count(*) FILTER (WHERE NOT same) FROM {SEEN}")
    same, mine, different = cursor.fetchone()
    if count_only or not different:
        return different if count_only else [], same, mine
    cursor.execute(f"""
        SELECT t.row_no, {', '.join('t.' + c for c in _EVENT.split(', '))},
               e.ref, e.bank, e.id_kpm, e.kks_number, e.year, e.stage, e.kind, e.occurred_on, e.occurred_time,
               e.amount, e.balance, e.location
        FROM {SEEN} s JOIN {TYPED} t ON t.row_no = s.row_no JOIN monitoring_bankevent e ON e.id = s.event_id
        WHERE NOT s.same ORDER BY t.row_no
    """)
    problems = []
    for row in cursor.fetchall():
        problems.extend(importer.stored_problems(row[0], tuple(row[1:13]), tuple(row[13:25])))
    return problems, same, mine
