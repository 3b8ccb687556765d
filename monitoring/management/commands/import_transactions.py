"""Import the bank's transaction data from the shell (the same rules and job record as the upload page):

    python manage.py import_transactions FILE [--city 31.75] [--user USERNAME] [--report ERRORS.csv]

Prints the counts and the time; every error with its row and column (the first 50; --report writes them all)
and exits with status 1 when the file has errors (nothing is then imported). `--city`: the city the rows whose
ID KPM is not in the registry are kept under (default: the user's city when they have one). `--user`: import as
this coordinator or administrator, limited to the households of their cities (default: the system, any city).
"""

import hashlib
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.jobs import JobAlreadyActive, run_job
from monitoring.import_tasks import bank_import_work, import_scope, job_for_command
from monitoring.importer import report_csv
from org import access
from org.models import Region, User


class Command(BaseCommand):
    help = "Import the bank's disbursement (SALUR) and withdrawal (TARIK) events from a CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--city", default="", help="regency/city code for rows not in the registry, e.g. 31.75")
        parser.add_argument("--user", help="import as this coordinator or administrator (default: the system)")
        parser.add_argument("--report", help="write every error (CSV: row, column, message) to this file")

    def handle(self, *args, file, city, user, report, verbosity, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Cannot read {file}: no such file.")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {user!r}.")
            if not access.can_manage_caseloads(actor):
                raise CommandError(f"{user} may not import bank data (coordinators and administrators may).")
            cities = sorted(import_scope(actor))
            if not city and len(cities) == 1:
                city = cities[0]
            if city and city not in cities:
                raise CommandError(f"{city} is not one of {user}'s cities ({', '.join(cities) or 'none'}).")
        if city and not Region.objects.filter(code=city, level=Region.Level.REGENCY).exists():
            raise CommandError(f"Unknown regency/city {city!r}: give a code like 31.75 from the region list.")

        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        try:
            job = job_for_command(actor=actor, city_code=city, name=path.name, fingerprint=digest.hexdigest(),
                                  language=settings.LANGUAGE_CODE)
        except JobAlreadyActive as exc:
            raise CommandError(f"This file is already being imported (job #{exc.job.pk}).") from None
        last = [None]

        def progress(done, total, stage):
            if verbosity > 1 and stage != last[0]:
                last[0] = stage
                self.stdout.write(f"  {stage} {done}/{total or '?'}")

        results = []

        def work(job, job_progress):
            def both(done, total, stage=""):
                job_progress(done, total, stage)
                progress(done, total, stage)
            return bank_import_work(job, both, path=str(path), results=results)

        start = time.monotonic()
        job = run_job(job.pk, work)
        seconds = time.monotonic() - start
        if job.status == job.Status.FAILED or not results:
            raise CommandError(job.message)
        result, counts = results[0], job.result
        if report:
            Path(report).write_text(report_csv(result), encoding="utf-8-sig")
        if not result.written:
            for problem in result.errors[:50]:
                self.stderr.write(f"row {problem.row}, column {problem.column or '-'}: {problem.message}")
            if result.error_count > 50:
                self.stderr.write(f"... and {result.error_count - 50} more"
                                  + (f" (in {report})." if report else " (use --report FILE for them)."))
            raise CommandError(f"{result.error_count} error(s) in {result.rows} rows; nothing was imported "
                               f"(job #{job.pk}, {seconds:.1f} s).")
        flags = {key[6:]: value for key, value in counts.items() if key.startswith("flags_")}
        self.stdout.write(self.style.SUCCESS(
            f"{result.rows} rows in {seconds:.1f} s ({result.rows / max(seconds, 1e-6):,.0f} rows/s; the import "
            f"itself {result.seconds:.1f} s, then the reconciliation): {result.new} new, {result.skipped} already "
            f"imported; unmatched: {result.unknown_kpm} unknown ID KPM, {result.kks_mismatch} KKS number not the "
            f"household's (job #{job.pk})."))
        if flags:
            self.stdout.write("Reconciliation flags now: " + ", ".join(f"{code} {n}" for code, n in sorted(flags.items())))
