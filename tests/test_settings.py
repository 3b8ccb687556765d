"""Settings come from the environment; production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pkh_case.settings import database_from_url

ROOT = Path(__file__).resolve().parent.parent


def test_database_urls():
    assert database_from_url("postgres://pkh:s%40cret@db:5433/pkh_case") == database_from_url(
        "postgresql://pkh:s%40cret@db:5433/pkh_case")
    postgres = database_from_url("postgres://pkh:s%40cret@db:5433/pkh_case")
    assert (postgres["ENGINE"], postgres["USER"], postgres["PASSWORD"], postgres["HOST"], postgres["PORT"], postgres["NAME"]) == (
        "django.db.backends.postgresql", "pkh", "s@cret", "db", "5433", "pkh_case")
    sqlite = database_from_url("sqlite:///db.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3" and sqlite["NAME"] == str(ROOT / "db.sqlite3")
    assert database_from_url("sqlite:////tmp/x.db")["NAME"] == "/tmp/x.db"
    with pytest.raises(Exception, match="not supported"):
        database_from_url("mysql://x@y/z")


def _manage(*args, **env):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser tests only; a real deployment never has it.
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)


def test_production_settings_pass_the_deployment_checks():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0", ALLOWED_HOSTS="pkh.example.go.id",
                     SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnopq")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="pkh.example.go.id")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
