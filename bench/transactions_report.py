#!/usr/bin/env python
"""Benchmark of the monthly transaction-monitoring report: `python bench/transactions_report.py` (prints
figures; `run()` does the same from Python and returns them).

Runs against PostgreSQL on 127.0.0.1:5432 (user postgres) in a database of its own (`pkh_bench_report`,
dropped and re-created; override with BENCH_DATABASE_URL). The data is synthetic (bench/transactions_data.py):
families with members, status history and KKS custody, and the bank's rows of one year (4 stages: a SALUR per
entitled family and stage, usually a TARIK days later, with planted anomalies), loaded by COPY straight into
the events table with the registry match computed as the importer does (this measures the report, not the
import).

1. City: Jakarta Timur (31.75) with 25,000 families × 4 stages: the report of October 2025 (the month of the
   4th stage's credits), as `build_content` (figures only, with `compute_flags` timed on its own) and as
   `report_build` (stored as a new version, what the schedule does). Target ≤ 5 s per city.
2. Growth: cities of 25,000 families added up to a national-like load (default 1,000,000 families, 40 cities);
   at 100k, 250k, 500k and 1M the report of every city is built (as the monthly schedule builds them): time per
   city and in total. A report reads only its own city, so the time per city should stay flat and the total
   grow linearly with the families.

Options: --households N (families of the city, default 25,000), --national N (largest load, default 1,000,000;
0 skips the growth section), --runs N (repetitions of the city's timings, default 3), --reuse (keep the
database of an earlier run and its data).
"""

import argparse
import csv
import io
import os
import statistics
import sys
import time
from datetime import date, datetime
from datetime import timezone as dt_timezone
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pkh_bench_report"
CITY = "31.75"
YEAR = 2025
MONTH = "2025-10"  # the 4th stage is credited from 5 to 24 October
CITY_SIZE = 25_000
GROWTH_STEPS = (100_000, 250_000, 500_000, 1_000_000)
RESULTS: list[tuple[str, str, str]] = []


def report(name: str, figure: str, target: str = "") -> None:
    RESULTS.append((name, figure, target))
    print(f"  {name:<66} {figure:>20}   {target}", flush=True)


def fresh_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                                  password=parts.password or None, dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                       [name])
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def setup_django(url: str) -> None:
    os.environ.update({
        "DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "testserver,localhost", "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
    })
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pkh_case.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- loading ----------------------------------------------------------------------------------------

EVENT_COLUMNS = ("bank", "ref", "id_kpm", "kks_number", "year", "stage", "kind", "occurred_on", "occurred_time",
                 "amount", "balance", "location", "household_id", "match", "city_code", "imported_at")


def _date(text: str) -> date:
    if "/" in text:
        day, month, year = text.split("/")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(text)


def load_events(population) -> int:
    """The population's bank rows COPYed into the events table, matched against the registry (known ID KPM:
    its household; KKS number not the household's: kks_mismatch; unknown ID KPM: no household)."""
    from django.db import connection

    from bench.transactions_data import bank_rows
    from beneficiaries.models import Household
    from monitoring.models import BankEvent, Match

    registry = {id_kpm: (pk, kks) for id_kpm, pk, kks in Household.objects.filter(
        kelurahan__code__startswith=f"{population.city_code}.").values_list("id_kpm", "pk", "kks_number")}
    now = datetime.now(dt_timezone.utc).isoformat()
    rows = 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def flush(cursor):
        buffer.seek(0)
        cursor.copy_expert(f"COPY {BankEvent._meta.db_table} ({', '.join(EVENT_COLUMNS)}) FROM STDIN WITH "
                           f"(FORMAT csv, NULL '\\N')", buffer, 1 << 20)
        buffer.seek(0)
        buffer.truncate()

    with connection.cursor() as cursor:
        for ref, bank, id_kpm, kks, year, stage, kind, when, at, nominal, balance, place in bank_rows(population):
            found = registry.get(id_kpm)
            if found is None:
                household, match = "\\N", Match.UNKNOWN_KPM
            else:
                household, match = found[0], Match.MATCHED if kks == found[1] else Match.KKS_MISMATCH
            writer.writerow([bank, ref, id_kpm, kks, year, stage, kind, _date(when).isoformat(), at or "\\N",
                             nominal.replace(".", ""), balance or "\\N", place, household, match,
                             population.city_code, now])
            rows += 1
            if rows % 200_000 == 0:
                flush(cursor)
        flush(cursor)
    return rows


def add_city(city_code: str, count: int, *, seed: int) -> int:
    """A city of `count` synthetic families with one year of bank rows; returns the number of rows."""
    from bench.transactions_data import create_households

    population = create_households(city_code=city_code, count=count, seed=seed, year=YEAR)
    return load_events(population)


def _median(samples: list[float]) -> str:
    return f"{statistics.median(samples):.2f} s ({min(samples):.2f}–{max(samples):.2f})"


# --- the sections -----------------------------------------------------------------------------------

def bench_city(households: int, runs: int) -> None:
    from beneficiaries.models import Household
    from monitoring import reconcile, reports
    from monitoring.models import BankEvent, MonitoringSettings

    month = reports.Month.parse(MONTH)
    if not Household.objects.filter(kelurahan__code__startswith=f"{CITY}.").exists():
        start = time.perf_counter()
        rows = add_city(CITY, households, seed=2026)
        analyze()
        report(f"load {households:,} families and {rows:,} bank rows of {YEAR} (COPY)", f"{time.perf_counter() - start:.1f} s")
    families = Household.objects.filter(kelurahan__code__startswith=f"{CITY}.").count()
    events = BankEvent.objects.filter(city_code=CITY).count()

    flags, figures, stored = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        reconcile.compute_flags(CITY, as_of=month.last, settings=MonitoringSettings.current())
        flags.append(time.perf_counter() - start)
        start = time.perf_counter()
        content, _params = reports.build_content(CITY, month)
        figures.append(time.perf_counter() - start)
        start = time.perf_counter()
        built = reports.report_build(actor=None, city_code=CITY, month=month, trigger="bench")
        stored.append(time.perf_counter() - start)
    label = f"{CITY}, {families:,} families, {events:,} bank rows, {MONTH}"
    report(f"compute_flags alone ({label})", _median(flags))
    report("build_content (figures incl. compute_flags)", _median(figures), "target ≤ 5 s")
    report(f"report_build (stored as version {built.version}, one transaction)", _median(stored), "target ≤ 5 s")
    totals = content["totals"]
    size = len(reports.canonical_json(content).encode()) / 2**20
    report(f"  active {totals['active_households']:,}, credited {totals['credited_households']:,} "
           f"(Rp {totals['total_credited']:,} of Rp {totals['total_expected']:,})", "")
    report(f"  flags {len(content['flags']):,}: " + ", ".join(f"{k} {v}" for k, v in totals["flags"].items() if v),
           f"{size:.1f} MiB JSON")


def bench_growth(national: int, runs_at=GROWTH_STEPS) -> None:
    from beneficiaries.models import Household
    from monitoring import reports

    month = reports.Month.parse(MONTH)
    cities = [CITY] + [f"33.{n:02d}" for n in range(1, national // CITY_SIZE)]
    steps = [step for step in runs_at if step <= national]
    for step in steps:
        wanted = cities[:max(1, step // CITY_SIZE)]
        start, rows = time.perf_counter(), 0
        present = set(reports.cities_with_households())
        added = [code for code in wanted if code not in present]
        for number, code in enumerate(added):
            rows += add_city(code, CITY_SIZE, seed=3000 + number)
        if added:
            analyze()
            report(f"load {len(added)} more cities of {CITY_SIZE:,} families ({rows:,} bank rows)",
                   f"{time.perf_counter() - start:.1f} s")
        total = Household.objects.count()
        times = []
        started = time.perf_counter()
        for code in wanted:
            start = time.perf_counter()
            reports.report_build(actor=None, city_code=code, month=month, trigger="bench")
            times.append(time.perf_counter() - start)
        elapsed = time.perf_counter() - started
        report(f"{total:,} families, {len(wanted)} cities: report per city (median, min–max)", _median(times),
               "target ≤ 5 s")
        report("  every city, as the monthly schedule builds them: total", f"{elapsed:.1f} s "
               f"({elapsed * 1_000_000 / total:.1f} s per 1M families)")


def run(*, households: int = CITY_SIZE, national: int = 1_000_000, runs: int = 3, reuse: bool = False) -> list:
    """Run the benchmark; returns the (name, figure, target) rows it printed."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    RESULTS.clear()
    print(f"Transaction-monitoring report benchmark on {urlsplit(url).path.lstrip('/')} ({os.cpu_count()} CPUs)")
    if not reuse:
        fresh_database(url)
    setup_django(url)
    print("City:")
    bench_city(households, runs)
    if national:
        print("Growth:")
        bench_growth(national)
    return list(RESULTS)


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=CITY_SIZE)
    parser.add_argument("--national", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    options = parser.parse_args(argv)
    run(households=options.households, national=options.national, runs=options.runs, reuse=options.reuse)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
