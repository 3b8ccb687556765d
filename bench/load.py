#!/usr/bin/env python
"""Load test: `python bench/load.py [--households 25000] [--duration 120] [--facilitators 100] [--coordinators 5]`
(or `make load`, which installs locust from requirements-bench.txt into .venv first).

1. A PostgreSQL database with the demo (`seed_demo --households 25000`, ≈70 s; an existing demo is reused):
   BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/pkh_bench_load.
2. gunicorn with 2 × cores + 1 sync workers, DEBUG off (static files collected into a temporary folder and served
   by WhiteNoise), Redis as the Celery broker (BENCH_BROKER_URL, default redis://127.0.0.1:6379/0).
3. locust, headless, for `--duration` seconds: 100 facilitators (sign in, open the caseload, a family's page, log a
   visit through the form with its CSRF token, the day page) and 5 coordinators (the dashboard, the activity
   audit, the city overview), each waiting 1–3 s between steps like a person on a phone.
4. Prints requests/s and the median and 95th percentile per page; exits 1 on any failed request.

This file is also the locustfile: locust imports it (not as __main__) and finds the two user classes below.
"""

import argparse
import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/pkh_bench_load"
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
PASSWORD = "pkh-demo-2026"
FACILITATOR_ACCOUNTS = 55  # pendamping01 … pendamping55 of the demo
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
HOUSEHOLD_LINK = re.compile(r'href="/households/(\d+)/"')
# The family's status badge on its page (beneficiaries.templatetags.registry.STATUS_CLASSES): a graduated family
# is visited only as a follow-up after graduation, a family that left (grey badge) not at all.
STATUS_BADGE = re.compile(r'<span class="badge (text-bg-[a-z]+)">')


# --- the driver -------------------------------------------------------------------------------------------

def run(command: list[str], env: dict, **kwargs) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True, **kwargs)


def households_in(env: dict) -> int:
    out = subprocess.run(
        [str(BIN / "python"), "manage.py", "shell", "-c",
         "from beneficiaries.models import Household; print(Household.objects.count())"],
        cwd=ROOT, env=env, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 and out.stdout.strip() else -1


def prepare_database(env: dict, households: int) -> None:
    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[-1]
    base = url.rsplit("/", 1)[0] + "/postgres"
    import psycopg2

    admin = psycopg2.connect(base)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    run([str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"], env)
    found = households_in(env)
    if found > 0:
        print(f"Reusing the demo in {name}: {found:,} households.", flush=True)
        return
    print(f"Seeding {name} with the demo ({households:,} households; about 70 s for 25,000) …", flush=True)
    started = time.monotonic()
    run([str(BIN / "python"), "manage.py", "seed_demo", "--households", str(households)], env,
        stdout=subprocess.DEVNULL)
    print(f"Seeded in {time.monotonic() - started:.0f} s.", flush=True)


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds} s")


def print_figures(stats_csv: Path, duration: int) -> tuple[int, int]:
    with stats_csv.open() as source:
        rows = list(csv.DictReader(source))
    print()
    print(f"{'page':<44} {'requests':>9} {'failures':>9} {'req/s':>7} {'median ms':>10} {'p95 ms':>8}")
    total_requests = total_failures = 0
    for row in rows:
        name = row["Name"] if row["Type"] != "" else "Aggregated"
        if row["Name"] == "Aggregated":
            total_requests, total_failures = int(row["Request Count"]), int(row["Failure Count"])
            print("-" * 92)
        label = f"{row['Type']} {name}".strip()
        print(f"{label:<44} {row['Request Count']:>9} {row['Failure Count']:>9} {float(row['Requests/s']):>7.1f} "
              f"{row['Median Response Time']:>10} {row['95%']:>8}")
    print(f"\n{total_requests:,} requests in {duration} s: {total_requests / duration:.1f} requests/s, "
          f"{total_failures} failed.")
    return total_requests, total_failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=25_000)
    parser.add_argument("--facilitators", type=int, default=100)
    parser.add_argument("--coordinators", type=int, default=5)
    parser.add_argument("--duration", type=int, default=120, help="seconds of load (default 120)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="pkh-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE),
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER),
        "DJANGO_SETTINGS_MODULE": "pkh_case.settings",
    }
    env.pop("CELERY_SINGLE_QUEUE", None)
    prepare_database(env, args.households)

    # Production settings on plain HTTP on this machine: no HTTPS redirect, no secure-only cookies.
    web_env = {**env, "DEBUG": "0", "SECRET_KEY": "load-test-only-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1",
               "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0", "SECURE_HSTS_SECONDS": "0",
               "STATIC_ROOT": str(work / "static"), "MEDIA_ROOT": str(work / "media"), "LOG_LEVEL": "WARNING",
               # 105 people sign in from one address in the first seconds: not an attack.
               "LOGIN_LOCKOUT_ADDRESS_FAILURES": "1000"}
    run([str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"], web_env)
    host = f"http://127.0.0.1:{args.port}"
    print(f"gunicorn: {args.workers} workers on {host}; broker {env['CELERY_BROKER_URL']}", flush=True)
    gunicorn = subprocess.Popen(
        [str(BIN / "gunicorn"), "pkh_case.wsgi", "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
         "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=web_env, start_new_session=True)
    try:
        wait_until_up(f"{host}/healthz/")
        users = args.facilitators + args.coordinators
        locust_env = {**env, "LOAD_FACILITATORS": str(args.facilitators), "LOAD_COORDINATORS": str(args.coordinators)}
        print(f"locust: {args.facilitators} facilitators + {args.coordinators} coordinators for {args.duration} s …",
              flush=True)
        subprocess.run(
            [str(BIN / "locust"), "-f", str(Path(__file__).resolve()), "--headless", "--host", host,
             "--users", str(users), "--spawn-rate", "20", "--run-time", f"{args.duration}s", "--stop-timeout", "10",
             "--csv", str(work / "load"), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env=locust_env, check=False, timeout=args.duration + 180)
        _requests, failures = print_figures(work / "load_stats.csv", args.duration)
        failures_csv = work / "load_failures.csv"
        if failures and failures_csv.exists():
            print(failures_csv.read_text())
        return 1 if failures else 0
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(gunicorn.pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)


# --- the simulated people (locust imports this file as its locustfile) ------------------------------------

if __name__ == "__main__":
    sys.exit(main())
else:
    import itertools
    import random
    from datetime import datetime, timedelta, timezone

    from locust import HttpUser, SequentialTaskSet, between, task

    JAKARTA = timezone(timedelta(hours=7))
    facilitator_numbers = itertools.count()

    def sign_in(user, username: str) -> None:
        page = user.client.get("/accounts/login/", name="login (form)")
        token = CSRF.search(page.text).group(1)
        with user.client.post("/accounts/login/", name="login", allow_redirects=False, catch_response=True,
                              data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
                              headers={"Referer": f"{user.host}/accounts/login/"}) as response:
            if response.status_code != 302:
                response.failure(f"{username} could not sign in: {response.status_code}")

    class FieldDay(SequentialTaskSet):
        """A facilitator's round: the caseload, a family, a home visit logged on the form, the day page."""

        @task
        def caseload(self):
            page = self.client.get(f"/households/?page={random.randint(1, 3)}", name="/households/ (caseload)")
            found = HOUSEHOLD_LINK.findall(page.text)
            if found:
                self.user.households = sorted(set(found))

        @task
        def household(self):
            if not self.user.households:
                return
            pk = random.choice(self.user.households)
            page = self.client.get(f"/households/{pk}/", name="/households/[id]/")
            badge = STATUS_BADGE.search(page.text)
            status = badge.group(1) if badge else "text-bg-success"
            self.user.current = None if status == "text-bg-secondary" else pk
            self.user.purpose = "post_graduation" if status == "text-bg-info" else None

        @task
        def log_visit(self):
            if not self.user.current:
                return
            url = f"/visits/new/?household={self.user.current}"
            form = self.client.get(url, name="/visits/new/ (form)")
            token, key = CSRF.search(form.text), SUBMISSION_KEY.search(form.text)
            if not (token and key):
                return
            visited = datetime.now(JAKARTA) - timedelta(minutes=random.randint(5, 90))
            data = {
                "csrfmiddlewaretoken": token.group(1), "submission_key": key.group(1),
                "household": self.user.current, "fixed_household": self.user.current,
                "visited_at": visited.strftime("%Y-%m-%dT%H:%M"), "purpose": self.user.purpose or random.choice(["commitment", "data", "p2k2"]),
                "met": "pengurus", "notes": "Kunjungan rutin (uji beban).", "outcome": "Keluarga dalam keadaan baik",
                "latitude": "", "longitude": "", "accuracy_m": "", "geo_status": "denied",
                "geo_error": "User denied Geolocation",
            }
            with self.client.post(url, data=data, name="/visits/new/ (save)", allow_redirects=False,
                                  catch_response=True, headers={"Referer": f"{self.user.host}{url}"}) as response:
                if response.status_code != 302:
                    errors = re.findall(r'invalid-feedback[^>]*>\s*(?:<strong>)?([^<]+)', response.text)
                    response.failure(f"visit not saved ({response.status_code}): {[e.strip() for e in errors[:3]]}")

        @task
        def day(self):
            self.client.get("/today/", name="/today/ (day page)")

    class Facilitator(HttpUser):
        fixed_count = int(os.environ.get("LOAD_FACILITATORS", "100"))
        wait_time = between(1, 3)
        tasks = [FieldDay]

        def on_start(self):
            self.households, self.current, self.purpose = [], None, None
            number = next(facilitator_numbers) % FACILITATOR_ACCOUNTS + 1
            sign_in(self, f"pendamping{number:02d}")

    class Coordinator(HttpUser):
        fixed_count = int(os.environ.get("LOAD_COORDINATORS", "5"))
        wait_time = between(1, 3)

        def on_start(self):
            sign_in(self, "koordinator")

        @task
        def dashboard(self):
            self.client.get("/oversight/dashboard/", name="/oversight/dashboard/")

        @task
        def audit(self):
            self.client.get("/oversight/", name="/oversight/ (activity audit)")

        @task
        def city(self):
            self.client.get("/city/", name="/city/ (city overview)")
