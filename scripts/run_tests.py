#!/usr/bin/env python
"""Run the test suite on the best services available, and say which.

PostgreSQL and Redis are used when DATABASE_URL / CELERY_BROKER_URL point at them, or when they
answer on 127.0.0.1:5432 (user postgres, trust auth) and 127.0.0.1:6379; otherwise the suite
falls back to SQLite and eager (in-process) Celery tasks.
"""

import hashlib
import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    if url:
        return None  # explicitly something else (e.g. sqlite)
    if not answers("127.0.0.1", 5432):
        return None
    try:
        import psycopg2

        psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - any failure means: do not use it
        print(f"PostgreSQL answers on 127.0.0.1:5432 but refuses user postgres ({exc.__class__.__name__}); using SQLite.")
        return None
    # One database name per checkout, so two checkouts testing at once do not drop each other's test DB.
    suffix = hashlib.sha1(str(ROOT).encode()).hexdigest()[:8]
    return f"postgres://postgres@127.0.0.1:5432/pkh_case_{suffix}"


def redis_url() -> str | None:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url:
        return url if url.startswith("redis://") else None
    if not answers("127.0.0.1", 6379):
        return None
    try:
        import redis

        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    except Exception:  # noqa: BLE001
        return None
    return "redis://127.0.0.1:6379/15"


def main() -> int:
    env = dict(os.environ)
    database = postgres_url()
    broker = redis_url()
    env["DATABASE_URL"] = database or "sqlite:///test-db.sqlite3"
    env["PKH_TEST_BROKER_URL"] = broker or ""
    env.pop("CELERY_BROKER_URL", None)  # tests decide per test: eager, or a real worker on PKH_TEST_BROKER_URL
    # The real worker of the task tests consumes one queue of its own (tests/conftest.py): every task, imports
    # and reports included, goes to it (settings CELERY_TASK_ROUTES are for production's workers per queue).
    env["CELERY_SINGLE_QUEUE"] = "1"
    print("=" * 70)
    print(f"Database: {'PostgreSQL ' + database.rsplit('@', 1)[-1] if database else 'SQLite (PostgreSQL not reachable)'}")
    print(f"Broker:   {'Redis ' + broker + ' with a real Celery worker for task tests' if broker else 'none: Celery tasks run eagerly (Redis not reachable)'}")
    print("=" * 70, flush=True)
    args = [sys.executable, "-m", "pytest", *sys.argv[1:]]
    os.execve(sys.executable, args, env)


if __name__ == "__main__":
    sys.exit(main())
