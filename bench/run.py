#!/usr/bin/env python
"""pkh-case benchmarks: `make bench` (or `python bench/run.py [section ...]`). Prints figures.

Runs against PostgreSQL on 127.0.0.1:5432 (user postgres) in a database of its own (`pkh_bench`,
dropped and re-created; override with BENCH_DATABASE_URL). Targets come from the issues; they are
printed beside the measured figures and never asserted in tests.

Sections (default: all, in this order):
  regions     import the national region list (../shared/data, 91,599 rows), then re-run it
  seed        seed the demo city with 25,000 households (55 facilitators)
  pages       caseload page of a facilitator with ~450 families; city overview (55 facilitators)
  import      import 50,000 member rows (new), the same file again (no-op), and with changes
  casework    a facilitator with ~450 families and 6 months of visits: log a visit (POST to
              redirect) and the day page ("Hari ini")
  graduation  screening the demo city (25,000 households with the demo's assessments, businesses, P2K2
              and poverty lines): refresh_city (classify and store) and `graduation_screen --output`

`--reuse` keeps the database of an earlier run (no drop, no re-seed when it has households).
"""

import csv
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SHARED_REGIONS = ROOT.parent / "shared" / "data" / "wilayah_kemendagri_2025.csv"
DEMO_REGIONS = ROOT / "org" / "demo" / "jakarta_timur.csv"
sys.path.insert(0, str(ROOT))

SECTIONS = ("regions", "seed", "pages", "import", "casework", "graduation")
RESULTS: list[tuple[str, str, str]] = []


def report(name: str, figure: str, target: str = "") -> None:
    RESULTS.append((name, figure, target))
    print(f"  {name:<58} {figure:>18}   {target}", flush=True)


def fresh_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                                  password=parts.password or None, dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name])
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def setup_django(url: str) -> None:
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    os.environ.update({
        "DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "testserver,localhost", "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0",
        "STATIC_ROOT": str(out / "static"), "MEDIA_ROOT": str(out / "media"), "LOG_LEVEL": "WARNING",
    })
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pkh_case.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


# --- sections ---------------------------------------------------------------------------------

def bench_regions():
    from org.regions import regions_import

    source = SHARED_REGIONS if SHARED_REGIONS.exists() else DEMO_REGIONS
    label = "national region list" if source == SHARED_REGIONS else "demo region list (../shared absent)"
    seconds, result = timed(lambda: regions_import(source.open("rb"), code_list="Kepmendagri 300.2.2-2138/2025"))
    assert result.ok, result.errors[:3]
    report(f"import_regions, {label}: {result.rows:,} rows (first run)", f"{seconds:.2f} s", "target < 30 s")
    seconds, result = timed(lambda: regions_import(source.open("rb")))
    report(f"import_regions, same file again ({result.unchanged:,} unchanged)", f"{seconds:.2f} s")


def bench_seed(households=25_000):
    from django.core.management import call_command

    from beneficiaries.models import Household
    from org.regions import regions_import

    existing = Household.objects.count()
    if existing:  # --reuse: an earlier run's data
        report(f"seed_demo skipped: {existing:,} households already there (--reuse)", "")
        return
    regions_import(DEMO_REGIONS.open("rb"))
    seconds, _ = timed(call_command, "seed_demo", households=households, seed=2026, allow_production=True, verbosity=0, stdout=open(os.devnull, "w"))
    report(f"seed_demo --households {households:,}", f"{seconds:.1f} s")
    analyze()


def analyze():
    """Refresh the planner's statistics after a bulk load, as autovacuum would on a live server."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _median_ms(client, url, params=None, runs=40, warmup=5):
    for _ in range(warmup):
        assert client.get(url, params or {}).status_code == 200
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, params or {})
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def bench_pages():
    from django.test import Client
    from django.urls import reverse

    from beneficiaries.models import Household
    from org.models import User

    facilitator, _families = _facilitator_near(450)
    client = Client()
    client.force_login(facilitator)
    total = Household.objects.filter(facilitator=facilitator).count()
    for label, params in (("", None), (", search by name", None), (", component filter SD", {"component": "SD"}),
                          (", page 10 sorted by ID", {"sort": "id_kpm", "page": 10})):
        url = reverse("household_list")
        if label == ", search by name":
            response = client.post(url, {"q": "Siti"})
            url = response["Location"]
        median, p95 = _median_ms(client, url, params)
        report(f"caseload page, facilitator with {total} families{label}", f"{median:.1f} ms (p95 {p95:.0f})",
               "target median ≤ 150 ms" if not label else "")
    median, p95 = _median_ms(client, reverse("household_detail", args=[Household.objects.filter(facilitator=facilitator).first().pk]))
    report("household page", f"{median:.1f} ms (p95 {p95:.0f})")
    coordinator = User.objects.get(username="koordinator")
    client.force_login(coordinator)
    facilitators = User.objects.filter(role="facilitator").count()
    households = Household.objects.count()
    median, p95 = _median_ms(client, reverse("city_overview"))
    report(f"city overview, {facilitators} facilitators / {households:,} households", f"{median:.1f} ms (p95 {p95:.0f})",
           "target median ≤ 150 ms")
    median, p95 = _median_ms(client, reverse("household_list"))
    report(f"caseload page as coordinator ({households:,} households)", f"{median:.1f} ms (p95 {p95:.0f})")
    median, p95 = _median_ms(client, reverse("household_list"), {"component": "LANSIA"}, runs=10, warmup=2)
    report("  ... with component filter LANSIA (city-wide)", f"{median:.1f} ms (p95 {p95:.0f})")


def write_member_file(path: Path, member_rows: int, *, address_suffix: str = "") -> tuple[int, int]:
    """A registry export of at least `member_rows` member rows (whole families, ~4 members) in Jakarta Timur."""
    import random

    from org.models import Region

    villages = list(Region.objects.filter(code__startswith="31.75.", level=4).values_list("code", flat=True))
    rng = random.Random(7)
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id_kpm", "no_kk", "kode_wilayah", "alamat", "nik", "nama", "jenis_kelamin", "tanggal_lahir",
                         "hubungan", "pengurus", "hamil", "hpl", "sekolah", "disabilitas_berat", "no_kks", "bank",
                         "tahun_kepesertaan", "desil"])
        serial = 0
        number = -1
        while rows < member_rows:
            number += 1
            village = villages[number % len(villages)]
            members = [("P", date(1980 + number % 15, 1 + number % 12, 1 + number % 28), "ISTRI", "Y", ""),
                       ("L", date(1976 + number % 15, 1 + number % 12, 2 + number % 27), "KEPALA KELUARGA", "N", "")]
            for child in range(rng.choice((1, 2, 2, 3))):
                year = 2008 + (number + child * 3) % 17
                school = "SMA" if year <= 2010 else "SMP" if year <= 2013 else "SD" if year <= 2019 else ""
                members.append(("L" if child % 2 else "P", date(year, 1 + child, 10 + child), "ANAK", "N", school))
            for sex, birth, relation, pengurus, school in members:
                serial += 1
                writer.writerow([f"B{number:09d}", f"3275{number:012d}", village, f"Jl. Bench {number}{address_suffix}",
                                 _unique_nik(serial, birth, sex),
                                 f"Warga {serial}", sex, birth.isoformat(), relation, pengurus, "N", "", school, "N",
                                 f"9{number:015d}", "BRI", 2015 + number % 10, 1 + number % 4])
                rows += 1
    return rows, number + 1


def _unique_nik(serial: int, birth: date, sex: str) -> str:
    """Unique NIKs that never collide with the demo's (its district digits are 3175xx; these use 32xxxx)."""
    day = birth.day + (40 if sex == "P" else 0)
    return f"32{serial // 10000:04d}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial % 10000:04d}"


def bench_import(member_rows=50_000):
    from beneficiaries.importer import import_households
    from beneficiaries.models import Member

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kpm.csv"
        rows, households = write_member_file(path, member_rows)
        before = Member.objects.count()
        seconds, result = timed(lambda: import_households(path.open("rb")))
        assert result.written, result.errors[:3]
        report(f"import_households, {rows:,} member rows / {households:,} households (new)",
               f"{seconds:.1f} s ({rows / seconds:,.0f} rows/s)", "target < 60 s")
        assert Member.objects.count() - before == rows
        seconds, result = timed(lambda: import_households(path.open("rb")))
        report(f"  ... same file again (no change: {result.households_unchanged:,} unchanged)", f"{seconds:.1f} s")
        write_member_file(path, member_rows, address_suffix=" (pindah)")
        seconds, result = timed(lambda: import_households(path.open("rb")))
        report(f"  ... with every address changed ({result.households_updated:,} updated)", f"{seconds:.1f} s")


def _facilitator_near(families: int):
    from django.db.models import Count

    from beneficiaries.models import Household
    from org.models import User

    loads = (Household.objects.filter(status="active").exclude(facilitator=None).values("facilitator")
             .annotate(n=Count("pk")).order_by("facilitator"))
    facilitator_id, count = min(((row["facilitator"], row["n"]) for row in loads), key=lambda item: abs(item[1] - families))
    return User.objects.get(pk=facilitator_id), count


def bench_casework():
    import random
    import uuid
    from datetime import timedelta

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from beneficiaries.models import Household
    from casework.models import HomeVisit

    facilitator, families = _facilitator_near(450)
    # Families in the program (a graduated family only takes follow-up visits, an exited one none).
    households = list(Household.objects.filter(facilitator=facilitator, status__in=("active", "suspended"))
                      .values_list("pk", flat=True))
    rng = random.Random(3)
    now = timezone.now()
    visits = []
    for pk in households:  # about 3 visits per family over 6 months, some with a follow-up date
        for _ in range(rng.choice((1, 2, 3, 4, 5))):
            at = now - timedelta(days=rng.randint(0, 180), hours=rng.randint(0, 10))
            visits.append(HomeVisit(
                household_id=pk, facilitator=facilitator, visited_at=at, received_at=at + timedelta(hours=1),
                purpose="commitment", met="pengurus", outcome="ok", geo_status="ok", latitude=-6.2, longitude=106.86,
                accuracy_m=10, next_follow_up=(at + timedelta(days=rng.randint(7, 60))).date() if rng.random() < 0.4 else None,
            ))
    HomeVisit.objects.bulk_create(visits, batch_size=2000)
    analyze()
    client = Client()
    client.force_login(facilitator)
    median, p95 = _median_ms(client, reverse("today"))
    report(f"day page, facilitator with {families} families, {len(visits):,} visits", f"{median:.1f} ms (p95 {p95:.0f})",
           "target median ≤ 100 ms")

    samples = []
    for number in range(45):
        household = households[number % len(households)]
        data = {
            "household": household, "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "purpose": "data",
            "met": "pengurus", "outcome": "bench", "submission_key": uuid.uuid4().hex, "geo_status": "ok",
            "latitude": "-6.2001", "longitude": "106.8601", "accuracy_m": "9",
        }
        start = time.perf_counter()
        response = client.post(f"{reverse('visit_create')}?household={household}", data)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 302, response.status_code
        if number >= 5:
            samples.append(elapsed)
    samples.sort()
    report("log a visit (POST to redirect)", f"{statistics.median(samples):.1f} ms (p95 {samples[int(len(samples) * .95) - 1]:.0f})",
           "target median ≤ 100 ms")
    median, p95 = _median_ms(client, f"{reverse('visit_create')}?household={households[0]}")
    report("visit form (GET, one family)", f"{median:.1f} ms (p95 {p95:.0f})")
    median, p95 = _median_ms(client, reverse("visit_create"))
    report(f"visit form (GET, choose among {families} families)", f"{median:.1f} ms (p95 {p95:.0f})")


def _graduation_data(as_of: date, share: float = 0.4) -> int:
    """Poverty lines for Jakarta and Jakarta Timur and a socio-economic assessment for `share` of the
    households in the program, spread from weak to strong families: only when the demo has none."""
    import random

    from beneficiaries.models import Household
    from graduation.models import Assessment, PovertyLine
    from org.models import Region, User

    if not PovertyLine.objects.exists():  # the demo enters its own
        PovertyLine.objects.bulk_create([
            PovertyLine(region_id=code, year=year, amount=amount)
            for code, year, amount in (("31", 2024, 792_515), ("31", 2025, 846_085), ("31", 2026, 870_000),
                                       ("31.75", 2025, 850_000))
            if Region.objects.filter(code=code).exists()])
    if Assessment.objects.exists():  # --reuse, or the demo already assesses families
        return 0
    rng = random.Random(11)
    fallback = User.objects.filter(role="coordinator").first()
    rows = []
    households = (Household.objects.filter(status__in=("active", "suspended")).order_by("pk")
                  .values_list("pk", "facilitator_id"))
    for pk, facilitator_id in households:
        if rng.random() >= share:
            continue
        strong = rng.random() < 0.35
        size = rng.randint(3, 6)
        rows.append(Assessment(
            household_id=pk, number=1, assessed_on=as_of - timedelta(days=rng.randint(5, 420)),
            assessor_id=facilitator_id or fallback.pk, household_size=size,
            income_work=size * rng.randint(900_000 if strong else 300_000, 1_900_000 if strong else 1_100_000),
            income_business=rng.choice((0, 0, 500_000, 1_500_000)), work_stability="permanent" if strong else "daily",
            business_months=rng.choice((None, None, 4, 9, 30)), business_net_income=rng.choice((None, -100_000, 800_000)),
            savings_amount=rng.choice((0, 500_000, 4_000_000)), monthly_spending=rng.randint(1_500_000, 4_000_000),
            has_motorcycle=rng.random() < 0.7, has_refrigerator=strong, has_television=rng.random() < 0.8,
            has_smartphone=rng.random() < 0.8, has_gold_or_land=strong and rng.random() < 0.3,
            floor=rng.choice(("wood", "tile", "tile") if strong else ("earth", "wood")),
            walls=rng.choice(("wood", "brick") if strong else ("bamboo", "wood")), roof=rng.choice(("zinc", "tile")),
            toilet=rng.choice(("shared", "own")), water=rng.choice(("well", "piped")),
            school_age_children=2, children_in_school=2 if strong or rng.random() < 0.8 else 1,
            jkn=rng.choice(("all", "all", "some", "none")), wants_to_graduate=strong and rng.random() < 0.6,
            skills="Menjahit, memasak", goals="Usaha katering kecil",
        ))
    Assessment.objects.bulk_create(rows, batch_size=2000)
    analyze()
    return len(rows)


def _runs(fn, count=3):
    """Median, min and max seconds of `count` runs (the machine is shared: one run says little)."""
    samples = []
    for _ in range(count):
        seconds, value = timed(fn)
        samples.append(seconds)
    return f"{statistics.median(samples):.2f} s ({min(samples):.1f}–{max(samples):.1f})", value


def bench_graduation(city="31.75"):
    from django.core.management import call_command
    from django.db import connection

    from graduation.models import Assessment, ScreeningResult
    from graduation.screening import program_households, refresh_city
    from org.demo.seed import REFERENCE_DATE

    as_of = REFERENCE_DATE  # the demo's field work (P2K2, businesses, assessments) runs up to this date
    created = _graduation_data(as_of)
    households = program_households(city).count()
    report(f"assessments: {Assessment.objects.count():,} ({created:,} added here)", "")
    # A settled database, as the monthly job finds it: the seed's millions of writes flushed and vacuumed.
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute("VACUUM ANALYZE graduation_screeningresult")
    if not ScreeningResult.objects.exists():
        seconds, counts = timed(refresh_city, city, as_of=as_of)
        report(f"refresh_city({city}), {households:,} households, first run (results inserted)", f"{seconds:.2f} s",
               "target ≤ 10 s")
    figure, counts = _runs(lambda: refresh_city(city, as_of=as_of))
    report(f"refresh_city({city}), {households:,} households (results replaced)", figure, "target ≤ 10 s")
    report("  classifications: " + ", ".join(f"{code} {count:,}" for code, count in sorted(counts.items())), "")
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "screening.json"

        def command(**options):
            return call_command("graduation_screen", city=city, as_of=as_of.isoformat(), output=str(output),
                                stdout=open(os.devnull, "w"), **options)

        figure, _ = _runs(command)
        report(f"graduation_screen --city {city} --output ({output.stat().st_size / 2**20:.1f} MiB JSON)", figure,
               "target ≤ 10 s")
        figure, _ = _runs(lambda: command(store=True))
        report(f"graduation_screen --city {city} --output --store", figure, "target ≤ 10 s")


def main(argv):
    wanted = [a for a in argv if not a.startswith("-")] or list(SECTIONS)
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        sys.exit(f"unknown section(s): {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pkh_bench")
    print(f"pkh-case benchmarks on {url.rsplit('@', 1)[-1]} ({os.cpu_count()} CPUs), sections: {', '.join(wanted)}")
    if "--reuse" not in argv:
        fresh_database(url)
    setup_django(url)
    for needs_seed in ("pages", "casework", "graduation"):
        if needs_seed in wanted and "seed" not in wanted:
            wanted.insert(0, "seed")
    for section in SECTIONS:
        if section in wanted:
            print(f"\n[{section}]", flush=True)
            globals()[f"bench_{section}"]()
    print("\nSummary")
    for name, figure, target in RESULTS:
        print(f"  {name:<58} {figure:>18}   {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
