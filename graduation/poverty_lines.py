"""Importing the regional poverty lines (*garis kemiskinan*, BPS; rupiah per person per month) from a CSV
or XLSX file with the columns `kode,tahun,garis_kemiskinan` (and optionally `sumber`).

The whole file is checked first and every error names its row and column; nothing is written when any
row is wrong. Lines are keyed by (region, year): re-running a file updates the amounts and never adds a
second line for the same region and year. Every line created or changed is audited.
"""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record_many, build_event
from core.models import AuditEvent
from core.tabular import TableError, open_table
from graduation.models import PovertyLine
from org.models import Region

COLUMNS = {"kode", "tahun", "garis_kemiskinan"}
OPTIONAL = {"sumber"}
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_AMOUNT = 10_000_000  # far above any regional line: a larger figure is a yearly or household amount
THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$|^\d{1,3}(,\d{3})+$")


@dataclass
class PovertyLineImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (row, column, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def _year(value) -> int | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def _amount(value) -> int | None:
    """Whole rupiah: 850000, 850.000 or 850,000 (thousands separators), Rp850.000, or a spreadsheet number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip().replace(" ", "")
    if text[:2].lower() == "rp":
        text = text[2:]
    if THOUSANDS.match(text):
        text = text.replace(".", "").replace(",", "")
    return int(text) if text.isdigit() else None


def poverty_lines_import(source, *, actor=None, default_source: str = "") -> PovertyLineImportResult:
    """Check the whole file, then write it in one transaction (nothing is written if any row is wrong)."""
    result = PovertyLineImportResult()
    try:
        table = open_table(source, required=COLUMNS, known=COLUMNS | OPTIONAL)
    except TableError as exc:
        result.errors.append((1, "", str(exc)))
        return result

    parsed = []  # (row number, code, year, amount, source) of the rows whose values parse
    try:
        for number, row in table.rows:
            result.rows += 1
            code = str(row.get("kode", "") or "").strip()
            year_value, amount_value = row.get("tahun", ""), row.get("garis_kemiskinan", "")
            text_source = " ".join(str(row.get("sumber", "") or "").split()) or default_source
            errors = []
            if not code:
                errors.append((number, "kode", _("The region code is missing.")))
            year = _year(year_value)
            if year is None or not MIN_YEAR <= year <= MAX_YEAR:
                errors.append((number, "tahun", _("“%(value)s” is not a year between %(min)s and %(max)s.") % {
                    "value": str(year_value)[:20], "min": MIN_YEAR, "max": MAX_YEAR}))
            amount = _amount(amount_value)
            if amount is None or amount <= 0:
                errors.append((number, "garis_kemiskinan", _(
                    "“%(value)s” is not an amount in whole rupiah (e.g. 850000 or 850.000).") % {
                    "value": str(amount_value)[:20]}))
            elif amount > MAX_AMOUNT:
                errors.append((number, "garis_kemiskinan", _(
                    "%(value)s is too high for rupiah per person per month (at most %(max)s).") % {
                    "value": f"{amount:,}".replace(",", "."), "max": f"{MAX_AMOUNT:,}".replace(",", ".")}))
            if len(text_source) > 255:
                errors.append((number, "sumber", _("The source is longer than 255 characters.")))
            result.errors.extend(errors)
            parsed.append((number, code, year, amount, text_source, not errors))
    except TableError as exc:
        result.errors.append((result.rows + 2, "", str(exc)))
        return result

    # The regions, in one query: a province or a regency/city of the region list.
    levels = dict(Region.objects.filter(code__in={code for _n, code, *_rest in parsed if code})
                  .values_list("code", "level"))
    wanted: dict[tuple[str, int], tuple[int, str]] = {}
    row_of: dict[tuple[str, int], int] = {}
    for number, code, year, amount, text_source, valid in parsed:
        if not code:
            continue
        level = levels.get(code)
        if level is None:
            result.errors.append((number, "kode", _("Region %(code)s is not in the region list.") % {"code": code[:20]}))
            continue
        if level not in (Region.Level.PROVINCE, Region.Level.REGENCY):
            result.errors.append((number, "kode", _("%(code)s is a district or village: poverty lines are per "
                                                    "province (31) or regency/city (31.75).") % {"code": code}))
            continue
        if not valid:
            continue
        if (code, year) in wanted:
            result.errors.append((number, "tahun", _("%(code)s already has a line for %(year)s in row %(row)s.") % {
                "code": code, "year": year, "row": row_of[code, year]}))
            continue
        wanted[code, year] = (amount, text_source)
        row_of[code, year] = number
    if not result.errors and not wanted:
        result.errors.append((2, "", _("The file has a header but no data rows.")))
    if result.errors:
        result.errors.sort(key=lambda error: (error[0], error[1]))
        return result

    existing = {(line.region_id, line.year): line for line in
                PovertyLine.objects.filter(region_id__in={code for code, _year in wanted})}
    changed, events = [], []
    for (code, year), (amount, text_source) in wanted.items():
        before = existing.get((code, year))
        if before is not None and before.amount == amount and before.source == text_source:
            result.unchanged += 1
            continue
        line = PovertyLine(region_id=code, year=year, amount=amount, source=text_source)
        changed.append(line)
        if before is None:
            result.created += 1
            action, changes = AuditEvent.Action.CREATE, {"amount": [None, amount], "source": [None, text_source]}
        else:
            result.updated += 1
            action, changes = AuditEvent.Action.UPDATE, {"amount": [before.amount, amount],
                                                         "source": [before.source, text_source]}
        events.append(build_event(
            actor=actor, action=action, object_type="graduation.povertyline", object_id=f"{code}/{year}",
            object_repr=f"{code} {year}: Rp{amount:,}".replace(",", "."), city_code=code if len(code) == 5 else "",
            changes=changes, message=_("Poverty line imported"),
        ))
    with transaction.atomic():
        PovertyLine.objects.bulk_create(changed, update_conflicts=True, unique_fields=["region", "year"],
                                        update_fields=["amount", "source"])
        audit_record_many(events)
    return result
