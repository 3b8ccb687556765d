from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from beneficiaries.importer import import_households, report_csv
from org.models import User


class Command(BaseCommand):
    help = "Import KPM households from a registry export (CSV or XLSX, one row per member)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--skip-invalid", action="store_true",
                            help="Import the households without errors and report the rest (default: any error imports nothing).")
        parser.add_argument("--report", help="Write the error/warning report (CSV) to this file.")
        parser.add_argument("--user", help="Import as this user (default: the system, unrestricted).")

    def handle(self, *args, file, skip_invalid, report, user, verbosity, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user {user!r}.")
        last = [-1]

        def progress(done, total, stage):
            if verbosity > 1 and stage != last[0]:
                last[0] = stage
                self.stdout.write(f"  {stage} {done}/{total or '?'}")

        try:
            with open(file, "rb") as source:
                result = import_households(source, actor=actor, skip_invalid=skip_invalid, progress=progress)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        if report:
            Path(report).write_text(report_csv(result), encoding="utf-8-sig")
        for problem in result.errors[:50]:
            self.stderr.write(f"row {problem.row}, column {problem.column or '-'} [{problem.id_kpm}]: {problem.message}")
        if len(result.errors) > 50:
            self.stderr.write(f"... and {len(result.errors) - 50} more (use --report FILE for all).")
        for problem in result.warnings[:20]:
            self.stdout.write(f"warning: row {problem.row}, column {problem.column or '-'} [{problem.id_kpm}]: {problem.message}")
        if not result.written:
            raise CommandError(f"{len(result.errors)} error(s) in {result.rows} rows; nothing was imported.")
        self.stdout.write(self.style.SUCCESS(
            f"{result.rows} rows, {result.households_in_file} households: {result.households_created} created, "
            f"{result.households_updated} updated, {result.households_unchanged} unchanged, {result.households_skipped} skipped; "
            f"members {result.members_created} created, {result.members_updated} updated, {result.members_unchanged} unchanged; "
            f"{result.assignments_changed} assignment(s) changed; {len(result.errors)} error(s), {len(result.warnings)} warning(s)."
        ))
