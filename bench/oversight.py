#!/usr/bin/env python
"""Benchmark of the facilitator activity audit: `python bench/oversight.py [--reuse] [--runs N]`.

Runs against PostgreSQL on 127.0.0.1:5432 (user postgres) in a database of its own (`pkh_bench_oversight`,
dropped and re-created unless --reuse finds the data; override with BENCH_DATABASE_URL). The data is
synthetic: a city (31.75) of 55 facilitators and 25,000 households (bench/transactions_data.py: members,
status history, assignments, KKS custody) with a year of activity (November 2025 – October 2026) written with
bulk_create: ≈150,000 home visits (geotag, far, late, evening visits), ≈5,000 held P2K2 meetings with
attendance, 5,000 mediation cases with their steps, 600 graduation proposals and 3,000 transaction flags;
and 1,000,000 change-history rows (the history page pages through them without counting them).

1. `store_city_month` of October 2026 (what the monthly job does for the city). Target ≤ 30 s.
2. The pages of that city-month, GET with the test client as the coordinator, median and p95 of 30 runs:
   the audit page (target median ≤ 200 ms), the dashboard, a facilitator's page, records, map, history.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, time as dtime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.transactions_report import fresh_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pkh_bench_oversight"
CITY = "31.75"
HOUSEHOLDS = 25_000
FACILITATORS = 55
VISITS = 150_000
MEETINGS = 5_000
CASES = 5_000
PROPOSALS = 600
FLAGS = 3_000
FIRST_DAY, LAST_DAY = date(2025, 11, 1), date(2026, 10, 31)
MONTH = date(2026, 10, 1)
BATCH = 5_000


def report(name: str, figure: str, target: str = "") -> None:
    print(f"  {name:<60} {figure:>18}   {target}", flush=True)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - start, value


def _moment(day: date, minutes: int) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, dtime(minutes // 60, minutes % 60)))


def build_data() -> None:
    from django.db import transaction

    from bench.transactions_data import create_households
    from beneficiaries.models import Household
    from casework.models import HomeVisit
    from graduation.models import Classification, Proposal
    from mediation.models import Case, CaseEvent, Category
    from monitoring.models import Flag, FlagCode
    from org.models import User
    from p2k2.models import Attendance, Group, GroupMembership, Meeting, ModuleSession

    rng = random.Random(2026)
    create_households(city_code=CITY, count=HOUSEHOLDS, year=2026, caseload=-(-HOUSEHOLDS // FACILITATORS))
    homes = list(Household.objects.filter(kelurahan__code__startswith=f"{CITY}.", facilitator__isnull=False)
                 .values_list("pk", "facilitator_id", "kelurahan_id", "id_kpm"))
    by_facilitator: dict = {}
    for row in homes:
        by_facilitator.setdefault(row[1], []).append(row)
    days = [(FIRST_DAY + timedelta(days=i)) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    workdays = [d for d in days if d.isoweekday() <= 5]
    coordinator, _ = User.objects.get_or_create(username="bench_koordinator", defaults={"role": User.Role.COORDINATOR})
    coordinator.cities.add(CITY)

    with transaction.atomic():
        visits = []
        for n in range(VISIT_COUNT):
            pk, facilitator, _village, _kpm = rng.choice(homes)
            day = rng.choice(workdays)
            minutes = rng.randint(8 * 60, 17 * 60) if rng.random() > 0.08 else rng.randint(19 * 60, 22 * 60)
            at = _moment(day, minutes)
            geotag = rng.random() > 0.1
            distance = (rng.uniform(1200, 4000) if rng.random() < 0.03 else rng.uniform(0, 150)) if geotag else None
            visits.append(HomeVisit(
                household_id=pk, facilitator_id=facilitator, visited_at=at,
                received_at=at + timedelta(hours=30 if rng.random() < 0.06 else 1), purpose="commitment", met="pengurus",
                geo_status="ok" if geotag else "denied",
                latitude=Decimal(f"{-6.2 - rng.random() / 10:.6f}") if geotag else None,
                longitude=Decimal(f"{106.9 + rng.random() / 10:.6f}") if geotag else None,
                distance_m=distance, flag_far=bool(distance and distance > 1000), flag_no_geotag=not geotag,
                flag_late=False))
            if len(visits) >= BATCH:
                HomeVisit.objects.bulk_create(visits)
                visits = []
        HomeVisit.objects.bulk_create(visits)

        sessions = list(ModuleSession.objects.values_list("pk", flat=True)) or [None]
        groups, members = [], []
        for facilitator, rows in by_facilitator.items():
            for g in range(0, len(rows), 25):
                groups.append(Group(name=f"Kelompok {facilitator}-{g // 25}", facilitator_id=facilitator,
                                    kelurahan_id=rows[g][2], formed_on=date(2025, 1, 1)))
        Group.objects.bulk_create(groups, batch_size=BATCH)
        group_rows = {}
        for group in groups:
            group_rows[group.pk] = by_facilitator[group.facilitator_id][
                int(group.name.rsplit("-", 1)[1]) * 25:(int(group.name.rsplit("-", 1)[1]) + 1) * 25]
            members += [GroupMembership(group=group, household_id=row[0], joined_on=date(2025, 1, 1))
                        for row in group_rows[group.pk]]
        GroupMembership.objects.bulk_create(members, batch_size=BATCH)
        meetings, used = [], set()
        while len(meetings) < MEETINGS:
            group = rng.choice(groups)
            day = rng.choice(workdays)
            if (group.pk, day) in used:
                continue
            used.add((group.pk, day))
            meetings.append(Meeting(group=group, module_session_id=rng.choice(sessions), date=day,
                                    start_time=dtime(rng.choice((9, 10, 14, 19)), 0), place="Balai warga",
                                    status=Meeting.Status.HELD))
        Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        attendance = [Attendance(meeting=m, household_id=row[0], status="present" if rng.random() < 0.8 else "absent")
                      for m in meetings for row in group_rows[m.group_id][:12]]
        Attendance.objects.bulk_create(attendance, batch_size=BATCH)

        cases, events = [], []
        for n in range(CASES):
            pk, facilitator, _village, _kpm = rng.choice(homes)
            opened = _moment(rng.choice(workdays), 9 * 60)
            finished = opened + timedelta(days=rng.randint(3, 60)) if rng.random() < 0.6 else None
            if finished and finished.date() > LAST_DAY:
                finished = None
            cases.append(Case(household_id=pk, category=rng.choice(Category.values), title="Kasus",
                              status="resolved" if finished else "open", due_date=opened.date() + timedelta(days=14),
                              opened_at=opened, finished_at=finished, source="manual", opened_by_id=facilitator))
        Case.objects.bulk_create(cases, batch_size=BATCH)
        for case in cases:
            events.append(CaseEvent(case=case, kind="opened", to_status="open", actor_id=case.opened_by_id,
                                    at=case.opened_at))
            if case.finished_at:
                events.append(CaseEvent(case=case, kind="status", from_status="open", to_status="resolved",
                                        actor_id=case.opened_by_id, at=case.finished_at))
        CaseEvent.objects.bulk_create(events, batch_size=BATCH)

        proposals, proposed = [], set()
        while len(proposals) < PROPOSALS:
            pk, facilitator, _village, _kpm = rng.choice(homes)
            if pk in proposed:
                continue
            proposed.add(pk)
            at = _moment(rng.choice(workdays), 10 * 60)
            approved = rng.random() < 0.5
            proposals.append(Proposal(household_id=pk, kind=rng.choice(Proposal.GRADUATIONS), effective_date=at.date(),
                                      notes="-", classification=Classification.ALAMIAH, rules_version=1,
                                      status="approved" if approved else "pending", proposed_by_id=facilitator,
                                      proposed_at=at, decided_by=coordinator if approved else None,
                                      decided_at=at + timedelta(days=5) if approved else None))
        Proposal.objects.bulk_create(proposals, batch_size=BATCH)

        flags = []
        for n in range(FLAGS):
            pk, facilitator, _village, kpm = rng.choice(homes)
            code = rng.choice(FlagCode.values[:-1])
            day = rng.choice(days)
            flags.append(Flag(code=code, household_id=pk, id_kpm=kpm, city_code=CITY, facilitator_id=facilitator,
                              year=day.year, stage=(day.month - 1) // 3 + 1, occurred_on=day))
        Flag.objects.bulk_create(flags, batch_size=BATCH)


VISIT_COUNT = VISITS


AUDIT_EVENTS = 1_000_000


def build_audit_trail() -> None:
    """A year of change history for the city: AUDIT_EVENTS rows (visits logged and changed, sign-ins), written
    in SQL (generate_series): the trigger only refuses UPDATE and DELETE."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM beneficiaries_household")
        first, last = cursor.fetchone()
        cursor.execute("SELECT array_agg(id ORDER BY id), array_agg(username ORDER BY id) FROM org_user "
                       "WHERE role = 'facilitator'")
        ids, names = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO core_auditevent (at, actor_id, actor_username, action, object_type, object_id, object_repr,
                                         household_id, city_code, changes, message, request_id, ip_address)
            SELECT timestamp with time zone '2025-11-01 08:00+07' + (n * interval '31 seconds'),
                   (%(ids)s::bigint[])[1 + n %% %(staff)s], (%(names)s::text[])[1 + n %% %(staff)s],
                   CASE WHEN n %% 10 = 0 THEN 'login' WHEN n %% 3 = 0 THEN 'update' ELSE 'create' END,
                   CASE WHEN n %% 10 = 0 THEN 'org.user' ELSE 'casework.homevisit' END,
                   n::text, 'KPM' || n, %(first)s + n %% (%(last)s - %(first)s + 1),
                   CASE WHEN n %% 10 = 0 THEN '' ELSE %(city)s END,
                   CASE WHEN n %% 3 = 0 THEN '{"notes": ["lama", "baru"]}'::jsonb ELSE '{}'::jsonb END,
                   '', md5(n::text), '10.0.0.1'
            FROM generate_series(1, %(count)s) AS n
            """,
            {"ids": ids, "names": names, "staff": len(ids), "first": first, "last": last, "city": CITY,
             "count": AUDIT_EVENTS},
        )
        cursor.execute("ANALYZE core_auditevent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run and its data")
    parser.add_argument("--runs", type=int, default=30, help="page requests to time (default 30)")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not args.reuse:
        fresh_database(url)
    setup_django(url)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from beneficiaries.models import Household
    from bench.transactions_report import analyze
    from casework.models import HomeVisit
    from org.models import User
    from oversight.compute import store_city_month

    print(f"Facilitator activity audit benchmark ({connection.vendor}, {url.rsplit('/', 1)[-1]})")
    if HomeVisit.objects.exists():
        report("data", "reused")
    else:
        seconds, _ = timed(build_data)
        build_audit_trail()
        analyze()
        report(f"data: {HOUSEHOLDS:,} households, {VISITS:,} visits, {MEETINGS:,} meetings", f"{seconds:.1f} s")

    seconds, count = timed(store_city_month, CITY, MONTH)
    report(f"store_city_month {CITY} {MONTH:%Y-%m} ({count} facilitators)", f"{seconds:.2f} s", "target ≤ 30 s")
    seconds, count = timed(store_city_month, CITY, MONTH)
    report("store_city_month, second run", f"{seconds:.2f} s", "target ≤ 30 s")

    settings.ALLOWED_HOSTS = ["testserver"]
    # No collectstatic here: plain static URLs instead of the manifest (as the tests do).
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    client = Client()
    client.force_login(User.objects.get(username="bench_koordinator"))
    facilitator = User.objects.filter(role=User.Role.FACILITATOR).order_by("username").first()
    month = f"{MONTH:%Y-%m}"
    household = Household.objects.filter(facilitator=facilitator).order_by("pk").first()
    pages = [
        ("audit page", reverse("oversight_audit"), {"kota": CITY, "bulan": month}, "target ≤ 200 ms"),
        ("coordinator dashboard", reverse("oversight_dashboard"), {"kota": CITY}, ""),
        ("facilitator page (stored month)", reverse("oversight_facilitator", kwargs={"pk": facilitator.pk}),
         {"kota": CITY, "bulan": month}, ""),
        ("records: the month's visits", reverse("oversight_records", kwargs={"pk": facilitator.pk, "figure": "visits"}),
         {"kota": CITY, "bulan": month}, ""),
        ("map of a facilitator's month", reverse("oversight_map", kwargs={"pk": facilitator.pk}),
         {"kota": CITY, "bulan": month}, ""),
        ("change history of the city (1M rows)", reverse("history"), {"kota": CITY}, ""),
        ("… of one facilitator", reverse("history"), {"kota": CITY, "facilitator": facilitator.pk}, ""),
        ("… of one family", reverse("history"), {"kota": CITY, "household": household.pk}, ""),
    ]
    for name, path, params, target in pages:
        response = client.get(path, params)
        if response.status_code != 200:
            report(name, f"status {response.status_code}")
            continue
        durations = []
        for _ in range(args.runs):
            start = time.perf_counter()
            client.get(path, params)
            durations.append((time.perf_counter() - start) * 1000)
        durations.sort()
        p95 = durations[max(0, int(round(len(durations) * 0.95)) - 1)]
        report(f"{name} ({args.runs} runs): median / p95",
               f"{statistics.median(durations):.0f} / {p95:.0f} ms", target)

if __name__ == "__main__":
    main()
