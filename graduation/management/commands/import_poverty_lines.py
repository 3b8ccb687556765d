"""Import the regional poverty lines (BPS garis kemiskinan, rupiah per person per month):

    python manage.py import_poverty_lines garis_kemiskinan.csv [--source "BPS, Maret 2025"]

A CSV (comma or semicolon, UTF-8) or XLSX file with the columns kode,tahun,garis_kemiskinan (and
optionally sumber): kode is a province (31) or regency/city (31.75) of the region list. Nothing is written
when any row is wrong; re-running a file updates the amounts.
"""

from django.core.management.base import BaseCommand, CommandError

from graduation.poverty_lines import poverty_lines_import


class Command(BaseCommand):
    help = "Import poverty lines per province or regency/city and year: a CSV/XLSX with kode,tahun,garis_kemiskinan."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", default="", help="where the figures come from, for rows without a sumber column")

    def handle(self, *args, file, source, **options):
        try:
            with open(file, "rb") as handle:
                result = poverty_lines_import(handle, default_source=source)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        for row, column, message in result.errors[:100]:
            self.stderr.write(f"row {row}, column {column or '-'}: {message}")
        if len(result.errors) > 100:
            self.stderr.write(f"... and {len(result.errors) - 100} more")
        if not result.ok:
            raise CommandError(f"{len(result.errors)} error(s); nothing was imported.")
        self.stdout.write(self.style.SUCCESS(
            f"{result.rows} rows: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
        ))
