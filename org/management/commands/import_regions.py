from django.core.management.base import BaseCommand, CommandError

from org.regions import regions_import


class Command(BaseCommand):
    help = "Import the Kemendagri region list: a CSV with columns kode,nama (re-running updates names)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--code-list", default="Kepmendagri 300.2.2-2138/2025",
                            help="Which official code list the file is (kept on each row).")

    def handle(self, *args, file, code_list, **options):
        try:
            with open(file, "rb") as source:
                result = regions_import(source, code_list=code_list)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        for row, column, message in result.errors[:100]:
            self.stderr.write(f"row {row}, column {column or '-'}: {message}")
        if not result.ok:
            raise CommandError(f"{len(result.errors)} error(s); nothing was imported.")
        self.stdout.write(self.style.SUCCESS(
            f"{result.rows} rows: {result.created} created, {result.updated} renamed, {result.unchanged} unchanged."
        ))
