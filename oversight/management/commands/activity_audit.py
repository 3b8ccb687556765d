"""The facilitator activity audit of a regency/city and month, from the command line:

    python manage.py activity_audit --city 31.75 --month 2026-10 [--store] [--output FILE.json|FILE.xlsx]

Computes every facilitator's row (oversight.compute) up to the month's last day (today for the current
month); `--store` replaces the stored table of that city-month (what the audit pages show); `--output`
writes the rows as JSON (one object per facilitator, every field) or as an XLSX table. A summary line goes
to standard output (standard error when the JSON goes to standard output with `--output -`).
"""

import json
import sys
import time
from collections import Counter
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_record
from core.exports import Column, Sheet, write_workbook
from core.models import AuditEvent
from org.models import Region, User
from oversight.compute import compute_city_month, store_city_month
from oversight.models import FacilitatorMonth

SKIP = {"id", "facilitator", "city", "job", "computed_at"}


def row_json(row: FacilitatorMonth, username: str) -> dict:
    values = {"facilitator": username, "facilitator_id": row.facilitator_id, "city": row.city_id}
    for model_field in FacilitatorMonth._meta.concrete_fields:
        if model_field.name in SKIP:
            continue
        value = getattr(row, model_field.attname)
        values[model_field.name] = value.isoformat() if isinstance(value, date) else value
    return values


def table_sheet(rows: list[dict]) -> Sheet:
    names = [name for name in rows[0] if name != "work_hours"] if rows else ["facilitator"]
    columns = [Column(name, Column.INTEGER if rows and isinstance(rows[0][name], int) else Column.TEXT)
               for name in names]
    return Sheet("activity", columns, [[row[name] for name in names] for row in rows])


class Command(BaseCommand):
    help = "Compute the facilitator activity audit of a regency/city and month; store it and/or write it."

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True, help="regency/city code, e.g. 31.75")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--store", action="store_true", help="replace the stored table of that month")
        parser.add_argument("--output", default="", help="FILE.json, FILE.xlsx, or - for JSON on standard output")

    def handle(self, *args, city, month, store, output, **options):
        try:
            first = date.fromisoformat(f"{month}-01")
        except ValueError:
            raise CommandError(f"--month must be YYYY-MM, not {month!r}") from None
        if not Region.objects.filter(code=city, level=Region.Level.REGENCY).exists():
            raise CommandError(f"no regency/city with code {city!r}")
        if not store and not output:
            raise CommandError("say what to do: --store and/or --output FILE")
        start = time.monotonic()
        if store:
            store_city_month(city, first)
            rows = list(FacilitatorMonth.objects.filter(city_id=city, month=first).order_by("facilitator__username"))
        else:
            rows = compute_city_month(city, first)
        names = dict(User.objects.filter(pk__in=[r.facilitator_id for r in rows]).values_list("pk", "username"))
        rows = sorted(rows, key=lambda r: names.get(r.facilitator_id, ""))
        data = [row_json(row, names.get(row.facilitator_id, "")) for row in rows]
        summary_out = self.stdout
        if output == "-":
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
            summary_out = self.stderr
        elif output.lower().endswith(".xlsx"):
            with open(output, "wb") as handle:
                write_workbook([table_sheet(data)], handle)
        elif output:
            with open(output, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=1)
        if output:
            audit_record(actor=None, action=AuditEvent.Action.EXPORT, object_type="oversight.activity",
                         object_repr=output, city_code=city,
                         changes={"file": output, "rows": len(data), "month": f"{first:%Y-%m}", "source": "command"},
                         message=f"activity_audit export {output}: {len(data)} rows")
        classes = Counter(row.activity_class for row in rows)
        summary_out.write(
            f"{city} {first:%Y-%m} as of {rows[0].as_of if rows else '-'}: {len(rows)} facilitators "
            f"({', '.join(f'{k} {v}' for k, v in sorted(classes.items()))})"
            f"{'; stored' if store else ''}{f'; written to {output}' if output and output != '-' else ''} "
            f"in {time.monotonic() - start:.1f} s")
