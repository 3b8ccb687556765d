#!/usr/bin/env python
"""Benchmark of the bank-data import (issue 5): `python bench/transactions_import.py [--rows 1000000]`.

Builds a synthetic city (bench/transactions_data.py) with enough households for `--rows` bank rows, writes the
bank file, and measures on PostgreSQL:
  1. a bare COPY of the file into an unindexed table of text columns (the floor);
  2. the import end to end (read, parse, validate, merge: monitoring.importer.import_bank_events) into the
     empty event table, in rows/s and as a multiple of the bare COPY (targets: >= 100,000 rows/s, <= 3x);
  3. the same file again (every row already imported: nothing changes);
  4. a file of 10 % more rows (another year) into the table that now holds the first file (the incremental
     path, indexes kept);
  and with --reconcile the refresh of the city's reconciliation flags that the background job runs next.

Runs in a database of its own (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
pkh_bench_transactions), dropped and created again unless --reuse. Figures only; targets are printed beside
them, never asserted. `run(rows=..., ...)` returns the figures as a dict.
"""

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pkh_bench_transactions"
CITY = "31.75"


def _fresh_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                                  password=parts.password or None, dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                       "AND pid <> pg_backend_pid()", [name])
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def _setup_django(url: str) -> None:
    os.environ.update({"DATABASE_URL": url, "DEBUG": "0", "LOG_LEVEL": "WARNING",
                       "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnop"})
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pkh_case.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _line(name: str, figure: str, note: str = "") -> None:
    print(f"  {name:<52} {figure:>22}   {note}", flush=True)


def _load() -> str:
    return "load %.1f/%.1f/%.1f" % os.getloadavg()


def bare_copy_seconds(path: Path) -> float:
    """COPY the file as it is into a fresh unindexed table with a text column per header column."""
    from django.db import connection

    header = path.open("r", encoding="utf-8-sig").readline().strip()
    delimiter = ";" if header.count(";") > header.count(",") else ","
    columns = [f"c{i}" for i, _ in enumerate(header.split(delimiter))]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_copy")
        cursor.execute(f"CREATE TABLE bench_bare_copy ({', '.join(c + ' text' for c in columns)})")
        start = time.perf_counter()
        with path.open("rb") as source:
            cursor.copy_expert(f"COPY bench_bare_copy FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER "
                               f"'{delimiter}')", source, 1 << 20)
        seconds = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_bare_copy")
    return seconds


def _import(path: Path):
    from monitoring.importer import import_bank_events

    start = time.perf_counter()
    result = import_bank_events(str(path), city_code=CITY, method="postgresql")
    seconds = time.perf_counter() - start
    if not result.written:
        raise SystemExit(f"the bank file has errors: {[(p.row, p.column, p.message) for p in result.errors[:5]]}")
    return result, seconds


def run(*, rows: int = 1_000_000, seed: int = 2026, reuse: bool = False, reconcile: bool = False,
        url: str | None = None, workdir: str | None = None) -> dict:
    url = url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not reuse:
        _fresh_database(url)
    _setup_django(url)
    from bench.transactions_data import create_households, households_for_rows, template_entitlements, write_bank_csv
    from django.db import connection

    from beneficiaries.models import Household

    figures: dict = {"rows": rows}
    print(f"Bank-data import benchmark: {rows:,} rows, PostgreSQL {urlsplit(url).path.lstrip('/')}, "
          f"{os.cpu_count()} CPUs, {_load()}", flush=True)
    households = households_for_rows(rows)
    start = time.perf_counter()
    if Household.objects.filter(id_kpm__startswith="BT").exists():
        from bench.transactions_data import Population, ensure_city

        population = Population(city_code=CITY, count=households, seed=seed, year=2025,
                                villages=tuple(ensure_city(CITY)), entitlements=template_entitlements(2025))
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE monitoring_flag, monitoring_bankevent")
    else:
        population = create_households(city_code=CITY, count=households, seed=seed, year=2025)
    _line("setup: households with members (COPY)", f"{households:,} in {time.perf_counter() - start:.1f} s")

    folder = Path(workdir or tempfile.mkdtemp(prefix="pkh-bank-bench-"))
    first, second = folder / "bank_2025.csv", folder / "bank_2024.csv"
    start = time.perf_counter()
    stats = write_bank_csv(first, population, max_rows=rows)
    _line("setup: bank file written", f"{stats.rows:,} rows, {first.stat().st_size / 2**20:.0f} MB",
          f"{time.perf_counter() - start:.1f} s; planted {dict(stats.planted)}")
    figures["file_rows"] = stats.rows

    copy = bare_copy_seconds(first)
    figures["bare_copy_s"] = copy
    _line("bare COPY into an unindexed table", f"{copy:.2f} s", f"{stats.rows / copy:,.0f} rows/s; {_load()}")

    result, seconds = _import(first)
    figures.update(import_s=seconds, import_rows_per_s=stats.rows / seconds, ratio=seconds / copy)
    _line("import (parse + validate + merge), empty table", f"{seconds:.2f} s",
          f"{stats.rows / seconds:,.0f} rows/s (target >= 100,000); {seconds / copy:.1f}x the bare COPY "
          f"(target <= 3x); {result.new:,} new, {result.unknown_kpm} unknown ID KPM, {result.kks_mismatch} KKS "
          f"mismatch; {_load()}")

    again, seconds = _import(first)
    figures["reimport_s"] = seconds
    _line("the same file again (nothing changes)", f"{seconds:.2f} s",
          f"{stats.rows / seconds:,.0f} rows/s; {again.new} new, {again.skipped:,} skipped")

    other = dataclasses.replace(population, year=2024, entitlements=template_entitlements(2024))
    extra = write_bank_csv(second, other, max_rows=max(1, rows // 10))
    result, seconds = _import(second)
    figures.update(incremental_s=seconds, incremental_rows_per_s=extra.rows / seconds)
    _line(f"{extra.rows:,} more rows into {stats.rows:,} stored", f"{seconds:.2f} s",
          f"{extra.rows / seconds:,.0f} rows/s (indexes kept); {result.new:,} new")

    if reconcile:
        from monitoring.importer import refresh_flags_after

        start = time.perf_counter()
        flags = refresh_flags_after(result)
        seconds = time.perf_counter() - start
        figures["reconcile_s"] = seconds
        _line("then: reconciliation flags of the city", f"{seconds:.2f} s", f"{sum(flags.values()):,} flags")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the bank file (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="keep the database and its households")
    parser.add_argument("--reconcile", action="store_true", help="also time the reconciliation after the import")
    parser.add_argument("--workdir", help="where to write the bank files (default: a temporary folder)")
    args = parser.parse_args()
    run(rows=args.rows, seed=args.seed, reuse=args.reuse, reconcile=args.reconcile, workdir=args.workdir)


if __name__ == "__main__":
    main()
