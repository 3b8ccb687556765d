"""Importing the Kemendagri region list (`kode,nama` CSV: province › regency/city › district › village).

Re-running updates names and never duplicates: rows are keyed by code. On PostgreSQL the changed
rows are upserted in large batches (INSERT ... ON CONFLICT), so the national list of ~91,600 rows
loads in seconds.
"""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core.tabular import TableError, open_table
from org.models import Region

CODE_PATTERNS = {
    1: re.compile(r"^\d{2}$"),
    2: re.compile(r"^\d{2}\.\d{2}$"),
    3: re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
    4: re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"),
}


@dataclass
class RegionImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (row, column, message)

    @property
    def ok(self) -> bool:
        return not self.errors


def level_of(code: str) -> int | None:
    level = code.count(".") + 1
    pattern = CODE_PATTERNS.get(level)
    return level if pattern and pattern.match(code) else None


def regions_import(source, *, code_list: str = "") -> RegionImportResult:
    """Check the whole file, then write it in one transaction (nothing is written if any row is wrong)."""
    result = RegionImportResult()
    try:
        table = open_table(source, required={"kode", "nama"}, known={"kode", "nama"})
    except TableError as exc:
        result.errors.append((1, "", str(exc)))
        return result
    wanted: dict[str, tuple[str, int]] = {}
    rows_of: dict[str, int] = {}
    try:
        for number, row in table.rows:
            result.rows += 1
            code = str(row.get("kode", "")).strip()
            name = " ".join(str(row.get("nama", "") or "").split())
            level = level_of(code)
            if level is None:
                result.errors.append((number, "kode", _("“%(code)s” is not a region code (31, 31.75, 31.75.01 or 31.75.01.1001).") % {"code": code[:20]}))
                continue
            if not name:
                result.errors.append((number, "nama", _("The name is missing.")))
                continue
            if len(name) > 200:
                result.errors.append((number, "nama", _("The name is longer than 200 characters.")))
                continue
            if code in wanted:
                result.errors.append((number, "kode", _("Code %(code)s also appears in row %(row)s.") % {"code": code, "row": rows_of[code]}))
                continue
            wanted[code] = (name, level)
            rows_of[code] = number
    except TableError as exc:
        result.errors.append((result.rows + 2, "", str(exc)))
        return result

    existing = dict(Region.objects.values_list("code", "name"))
    for code, (name, level) in wanted.items():
        parent = code.rsplit(".", 1)[0] if level > 1 else None
        if parent and parent not in wanted and parent not in existing:
            result.errors.append((rows_of[code], "kode", _("The parent region %(parent)s of %(code)s is neither in the file nor in the database.") % {"parent": parent, "code": code}))
    if result.errors or not wanted:
        if not wanted and not result.errors:
            result.errors.append((2, "", _("The file has a header but no data rows.")))
        result.errors.sort()
        return result

    changed = []
    for code, (name, level) in wanted.items():
        if code not in existing:
            result.created += 1
        elif existing[code] != name:
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        parent = code.rsplit(".", 1)[0] if level > 1 else None
        changed.append(Region(code=code, name=name, level=level, parent_id=parent, code_list=code_list))
    changed.sort(key=lambda r: (r.level, r.code))  # parents first, for databases that check at once
    with transaction.atomic():
        Region.objects.bulk_create(
            changed, batch_size=5000, update_conflicts=True, unique_fields=["code"],
            update_fields=["name", "level", "parent", "code_list"],
        )
    return result
