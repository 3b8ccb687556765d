"""`make backup` / `make restore` (scripts/pg_backup.py): a dump of a database with data restores into a new
database with the same rows; a restore never overwrites a database with data unless asked to."""

import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from tests.conftest import make_family

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import pg_backup  # noqa: E402

MAIN_TABLES = (
    "org_user", "org_region", "beneficiaries_household", "beneficiaries_member", "casework_homevisit",
    "core_auditevent", "core_job",
)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql" or not all(shutil.which(tool) for tool in ("pg_dump", "pg_restore", "psql")):
        pytest.skip("backups are of PostgreSQL with its client tools (pg_dump, pg_restore, psql)")
    db = connection.settings_dict
    base = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
    created = []

    def url(name: str) -> str:
        return base + name

    def new_database() -> str:
        name = f"{db['NAME']}_restore_{uuid.uuid4().hex[:8]}"
        created.append(name)
        return url(name)

    url.source = url(db["NAME"])
    url.new_database = new_database
    yield url
    admin = psycopg2.connect(**_params(db, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        for name in created:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _params(db: dict, name: str) -> dict:
    return {"dbname": name, "user": db["USER"], "password": db["PASSWORD"], "host": db["HOST"] or "127.0.0.1",
            "port": db["PORT"] or 5432}


def counts(url: str) -> dict:
    name = url.rsplit("/", 1)[-1]
    conn = psycopg2.connect(**_params(connection.settings_dict, name))
    try:
        with conn.cursor() as cursor:
            result = {}
            for table in MAIN_TABLES:
                cursor.execute(f"SELECT count(*) FROM {table}")
                result[table] = cursor.fetchone()[0]
            return result
    finally:
        conn.close()


def _some_data(world):
    from casework.models import HomeVisit
    from django.utils import timezone

    for number in range(5):
        make_family(facilitator=world.facilitator, id_kpm=f"KPM-B{number}")
    HomeVisit.objects.create(household=world.household, facilitator=world.facilitator, visited_at=timezone.now(),
                             purpose="data", met="pengurus", geo_status="denied")


def test_a_backup_restores_into_a_new_database_with_the_same_rows(world, postgres, tmp_path):
    _some_data(world)
    before = counts(postgres.source)
    assert before["beneficiaries_household"] == 9 and before["casework_homevisit"] == 1

    dump = pg_backup.backup(postgres.source, tmp_path / "backups")
    assert dump.suffix == ".dump" and dump.name.startswith(connection.settings_dict["NAME"] + "-")
    target = postgres.new_database()
    pg_backup.restore(dump, target)
    assert counts(target) == before


def test_a_restore_refuses_a_database_with_data_unless_forced(world, postgres, tmp_path):
    dump = pg_backup.backup(postgres.source, tmp_path)
    target = postgres.new_database()
    pg_backup.restore(dump, target)
    with pytest.raises(pg_backup.BackupError, match="already has"):
        pg_backup.restore(dump, target)

    _some_data(world)  # the live database moves on; the forced restore brings the target up to it
    newer = pg_backup.backup(postgres.source, tmp_path / "newer")
    pg_backup.restore(newer, target, force=True)
    assert counts(target) == counts(postgres.source)


def test_make_backup_and_restore_from_the_command_line(world, postgres, tmp_path):
    env = {"DATABASE_URL": postgres.source, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "scripts/pg_backup.py", "backup", "--dir", str(tmp_path)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    dump = next(tmp_path.glob("*.dump"))
    assert f"Backed up {connection.settings_dict['NAME']} to {dump}" in out.stdout

    refused = subprocess.run([sys.executable, "scripts/pg_backup.py", "restore", str(dump)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "already has" in refused.stderr and "FORCE=1" in refused.stderr

    target = postgres.new_database()
    done = subprocess.run([sys.executable, "scripts/pg_backup.py", "restore", str(dump), "--database-url", target],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert counts(target) == counts(postgres.source)


def test_a_backup_needs_postgresql():
    with pytest.raises(pg_backup.BackupError, match="PostgreSQL"):
        pg_backup.connection("sqlite:///db.sqlite3")
