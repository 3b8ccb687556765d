"""The monthly transaction-monitoring report of a regency/city, from the shell:

    python manage.py monthly_report --city 31.75 --month 2026-10 --output FILE [--store]

The format follows the extension of FILE: `.json` (the report: keys city, month, generated_at, totals,
by_kecamatan, by_kelurahan, by_facilitator, flags), `.xlsx` (a sheet per table, as the page's download) or
`.csv` (one table: a row per area with every figure, then a row per flagged household; see
monitoring.report_tables.csv_text). `--store` also stores it as the next version of that month (as the
monthly schedule does), and the file is then that stored version. Without --output, --store is required.
"""

import json
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from core.exports import write_workbook
from monitoring import report_tables, reports
from org.models import Region

FORMATS = (".json", ".xlsx", ".csv")


class Command(BaseCommand):
    help = "Build the monthly transaction-monitoring report of a regency/city; write it (JSON, XLSX, CSV) and/or store it."

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True, help="regency/city code, e.g. 31.75")
        parser.add_argument("--month", required=True, help="the month, YYYY-MM, e.g. 2026-10")
        parser.add_argument("--output", help="the file to write: .json, .xlsx or .csv")
        parser.add_argument("--store", action="store_true", help="also store it as the next version of that month")

    def handle(self, *args, city, month, output, store, **options):
        if not output and not store:
            raise CommandError("nothing to do: give --output FILE (.json, .xlsx or .csv) and/or --store")
        suffix = Path(output).suffix.lower() if output else ""
        if output and suffix not in FORMATS:
            raise CommandError(f"--output {output!r}: the extension gives the format, one of {', '.join(FORMATS)}")
        region = Region.objects.filter(code=city, level=Region.Level.REGENCY).first()
        if region is None:
            raise CommandError(f"unknown regency/city {city!r}: give a code like 31.75 from the region list")
        try:
            target = reports.Month.parse(month)
        except ValidationError:
            raise CommandError(f"--month {month!r} is not a month: give it as YYYY-MM, e.g. 2026-10") from None

        start = time.perf_counter()
        if store:
            report = reports.report_build(actor=None, city_code=city, month=target, trigger="command")
            content, window = report.content, report.params["withdrawal_window_days"]
        else:
            content, params = reports.build_content(city, target)
            window = params["withdrawal_window_days"]
        seconds = time.perf_counter() - start
        if output:
            try:
                self._write(Path(output), suffix, content, window)
            except OSError as exc:
                raise CommandError(f"cannot write {output}: {exc}") from None

        totals = content["totals"]
        self.stdout.write(
            f"{region.name} ({city}) {target.key}: {totals['active_households']} active households, "
            f"{totals['credited_households']} credited (Rp {totals['total_credited']:,} of Rp {totals['total_expected']:,} "
            f"expected), {len(content['flags'])} flags; built in {seconds:.1f} s"
            + (f", stored as version {report.version} (checksum {report.checksum[:12]})" if store else "")
            + (f", written to {output}" if output else ""))

    def _write(self, path: Path, suffix: str, content: dict, window: int) -> None:
        if suffix == ".json":
            path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        elif suffix == ".csv":
            path.write_text(report_tables.csv_text(content), encoding="utf-8-sig")
        else:
            with translation.override("id"), path.open("wb") as handle:  # sheets for people: Bahasa Indonesia
                write_workbook(report_tables.report_sheets(content, window_days=window), handle)
