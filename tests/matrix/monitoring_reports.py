"""Monthly transaction-monitoring reports: the list and the build page, and one report's page, flagged
families and XLSX download.

A report belongs to a city; a facilitator sees it only when it has figures of their own caseload. The
factory stores, for each world household, a report of that household's city (its own month, so the targets
never share one) whose facilitator rows are only that household's facilitator's (none for the unassigned
household): it is in scope exactly when the household is.
"""

from datetime import date

from monitoring.models import FlagCode, MonthlyReport

MONTHS = {"household": 1, "other_household": 2, "unassigned": 3, "household_b": 4}


def _figures() -> dict:
    return {"active_households": 1, "entitled_households": 1, "credited_households": 1, "total_credited": 600_000,
            "total_expected": 600_000, "withdrawn_households": 1, "withdrawal_cohort": 0,
            "withdrawn_within_window": 0, "withdrawn_within_window_share": None,
            "not_withdrawn": {"0-29": 0, "30-59": 0, "60-89": 0, "90+": 0},
            "flags": dict.fromkeys(FlagCode.values, 0)}


def _report(world, household):
    month = date(2026, next(n for name, n in MONTHS.items() if getattr(world, name).pk == household.pk), 1)
    city = household.kelurahan.parent.parent
    found = MonthlyReport.objects.filter(city=city, month=month).first()
    if found is not None:
        return found
    kelurahan = household.kelurahan
    facilitator = household.facilitator
    content = {
        "city": city.code, "month": f"{month:%Y-%m}", "generated_at": "2026-11-01T02:00:00+07:00",
        "totals": {"code": city.code, "name": city.name, **_figures()},
        "by_kecamatan": [{"code": kelurahan.parent_id, "name": kelurahan.parent.name, **_figures()}],
        "by_kelurahan": [{"code": kelurahan.code, "name": kelurahan.name, "kecamatan": kelurahan.parent_id,
                          **_figures()}],
        "by_facilitator": [{"id": facilitator.pk if facilitator else None,
                            "username": facilitator.username if facilitator else "", "name": "", **_figures()}],
        "flags": [{"id_kpm": household.id_kpm, "code": "TIDAK_SALUR", "facilitator": "",
                   "facilitator_id": facilitator.pk if facilitator else None, "kelurahan": kelurahan.code,
                   "year": 2026, "stage": 1, "occurred_on": None, "expected": 600_000, "credited": 0, "detail": {}}],
    }
    return MonthlyReport.objects.create(city=city, month=month, version=1, content=content, checksum="0" * 64,
                                        params={"withdrawal_window_days": 30, "stages": []})


OBJECT_URLS = {
    "monitoring_report_detail": ("get", "read", _report),
    "monitoring_report_flags": ("get", "read", _report),
    "monitoring_report_export": ("get", "read", _report),
}

PAGE_URLS = {
    "monitoring_report_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "monitoring_report_build": {"facilitator": 403, "coordinator": 200, "auditor": 403, "admin": 200},
}
