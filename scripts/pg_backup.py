#!/usr/bin/env python
"""Back up and restore the PostgreSQL database of DATABASE_URL (`make backup`, `make restore FILE=...`).

    python scripts/pg_backup.py backup [--dir backups]
    python scripts/pg_backup.py restore FILE [--database-url URL] [--force]

A backup is `pg_dump --format=custom` (compressed; pg_restore can restore all of it or single tables) written to
backups/<database>-<YYYYmmdd-HHMMSS>.dump. A restore goes into DATABASE_URL's database (or --database-url),
created when missing; it refuses a database that already has tables unless --force, which drops and recreates
the dumped objects (pg_restore --clean). Uploaded files (MEDIA_ROOT) are not in the database: back them up with
the media volume (README "Backups and restore").
"""

import argparse
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent


class BackupError(Exception):
    pass


def connection(url: str) -> dict:
    """libpq environment and database name of a postgres:// URL."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise BackupError(f"DATABASE_URL must be a PostgreSQL URL (postgres://...), not {parts.scheme or 'empty'}")
    env = {"PGHOST": parts.hostname or "127.0.0.1", "PGPORT": str(parts.port or 5432),
           "PGUSER": unquote(parts.username or "postgres")}
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return {"env": env, "name": unquote(parts.path.lstrip("/")) or "pkh_case"}


def _run(command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result


def _psql(conn: dict, database: str, sql: str) -> str:
    return _run(["psql", "--no-psqlrc", "--tuples-only", "--no-align", "--dbname", database, "--command", sql],
                conn["env"]).stdout.strip()


def backup(url: str, directory: Path) -> Path:
    conn = connection(url)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{conn['name']}-{datetime.now():%Y%m%d-%H%M%S}.dump"
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path), conn["name"]],
         conn["env"])
    return path


def restore(path: Path, url: str, *, force: bool = False) -> None:
    if not path.is_file():
        raise BackupError(f"no such backup file: {path}")
    conn = connection(url)
    name = conn["name"]
    exists = _psql(conn, "postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name.replace(chr(39), '')}'")
    if not exists:
        _run(["createdb", name], conn["env"])
    else:
        tables = int(_psql(conn, name, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"))
        if tables and not force:
            raise BackupError(f"database {name} already has {tables} tables: restore into a new database "
                              "(DATABASE_URL=postgres://.../new_name) or add FORCE=1 to replace its contents")
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
               "--dbname", name]
    if exists and force:
        command += ["--clean", "--if-exists"]
    _run(command + [str(path)], conn["env"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    make = sub.add_parser("backup")
    make.add_argument("--dir", default=str(ROOT / "backups"))
    back = sub.add_parser("restore")
    back.add_argument("file")
    back.add_argument("--database-url", default="")
    back.add_argument("--force", action="store_true", help="replace the contents of a database that has tables")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    try:
        if args.action == "backup":
            path = backup(url, Path(args.dir))
            print(f"Backed up {connection(url)['name']} to {path} ({path.stat().st_size / 2**20:.1f} MB).")
        else:
            target = args.database_url or url
            restore(Path(args.file), target, force=args.force)
            print(f"Restored {args.file} into {connection(target)['name']}.")
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
