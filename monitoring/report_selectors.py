"""Reads of the monthly report pages (the report itself is built by monitoring.reports): the reports of the
cities a user sees (org.access), a city's months with their versions, and what each role sees of one report
— everything for the city's roles; for a facilitator, a report only when it has figures of their caseload,
and then only those figures and their own flagged families."""

from dataclasses import dataclass
from datetime import date, datetime

from django.http import Http404
from django.utils.translation import gettext_lazy

from monitoring.models import MonthlyReport
from org import access

LIST_FIELDS = ("pk", "city_id", "city__name", "month", "version", "checksum", "generated_at", "generated_by_id",
               "generated_by__username", "generated_by__first_name", "generated_by__last_name", "row_counts",
               "params__trigger")
TRIGGERS = {"schedule": gettext_lazy("the monthly schedule"), "command": gettext_lazy("the command line")}


def visible_reports(user):
    """The reports of the cities the user sees (facilitators: see `facilitator_sees`)."""
    return MonthlyReport.objects.filter(city__in=access.visible_cities(user))


def _facilitator_ids(by_facilitator) -> set:
    return {row.get("id") for row in by_facilitator or ()}


def facilitator_sees(user, report: MonthlyReport) -> bool:
    """A facilitator sees a report of their city that has figures of their own caseload."""
    return user.pk in _facilitator_ids(report.content.get("by_facilitator"))


def get_report_or_404(user, pk) -> MonthlyReport:
    try:
        report = visible_reports(user).select_related("city", "generated_by").get(pk=pk)
    except (MonthlyReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not access.can_view_city(user) and not facilitator_sees(user, report):
        raise Http404
    return report


@dataclass
class ReportVersion:
    pk: int
    version: int
    checksum: str
    generated_at: datetime
    generated_by: str
    row_counts: dict
    trigger: str = ""

    @property
    def built_by(self) -> str:
        """Who built it: a person, else the schedule or the command line."""
        return self.generated_by or str(TRIGGERS.get(self.trigger, gettext_lazy("the system")))


@dataclass
class MonthReports:
    """A city's month: its versions, newest first."""

    city_code: str
    city_name: str
    month: date
    versions: list

    @property
    def latest(self) -> ReportVersion:
        return self.versions[0]

    @property
    def figures_changed(self) -> bool:
        return len({v.checksum for v in self.versions}) > 1


def _version(row: dict) -> ReportVersion:
    name = f"{row['generated_by__first_name']} {row['generated_by__last_name']}".strip()
    who = (f"{name} ({row['generated_by__username']})" if name else row["generated_by__username"]) \
        if row["generated_by_id"] else ""
    return ReportVersion(row["pk"], row["version"], row["checksum"], row["generated_at"], who, row["row_counts"],
                         row["params__trigger"] or "")


def report_months(user, *, city: str = "") -> list[MonthReports]:
    """Every city-month the user may open, newest month first, with its versions. One query (two for a
    facilitator, whose list keeps the reports with figures of their caseload)."""
    reports = visible_reports(user)
    if city:
        reports = reports.filter(city_id=city)
    rows = list(reports.order_by("-month", "city_id", "-version").values(*LIST_FIELDS))
    if not access.can_view_city(user):
        mine = {pk for pk, by_facilitator in reports.values_list("pk", "content__by_facilitator")
                if user.pk in _facilitator_ids(by_facilitator)}
        rows = [row for row in rows if row["pk"] in mine]
    months: dict[tuple, MonthReports] = {}
    for row in rows:
        key = (row["month"], row["city_id"])
        if key not in months:
            months[key] = MonthReports(row["city_id"], row["city__name"], row["month"], [])
        months[key].versions.append(_version(row))
    return list(months.values())


def report_versions(report: MonthlyReport) -> list[ReportVersion]:
    """Every version of the report's city and month, newest first (one query)."""
    rows = (MonthlyReport.objects.filter(city_id=report.city_id, month=report.month).order_by("-version")
            .values(*LIST_FIELDS))
    return [_version(row) for row in rows]


@dataclass
class ReportView:
    """What a user sees of a report: everything for the city's roles; a facilitator's own row as the totals,
    no area tables, and their own flagged households."""

    report: MonthlyReport
    own: bool  # True: a facilitator's restricted view
    totals: dict
    by_kecamatan: list
    by_kelurahan: list
    by_facilitator: list
    flags: list

    @property
    def content(self) -> dict:
        return {"city": self.report.content["city"], "month": self.report.content["month"],
                "generated_at": self.report.content["generated_at"], "totals": self.totals,
                "by_kecamatan": self.by_kecamatan, "by_kelurahan": self.by_kelurahan,
                "by_facilitator": self.by_facilitator, "flags": self.flags}

    @property
    def stages(self) -> list:
        return self.report.params.get("stages", [])

    @property
    def window_days(self) -> int:
        return self.report.params.get("withdrawal_window_days", 30)


def report_view(user, report: MonthlyReport) -> ReportView:
    content = report.content
    if access.can_view_city(user):
        return ReportView(report, False, content["totals"], content["by_kecamatan"], content["by_kelurahan"],
                          content["by_facilitator"], content["flags"])
    mine = [row for row in content["by_facilitator"] if row.get("id") == user.pk]
    totals = {**content["totals"], **{k: v for k, v in mine[0].items() if k not in ("id", "username", "name")}} \
        if mine else content["totals"]
    return ReportView(report, True, totals, [], [], mine,
                      [flag for flag in content["flags"] if flag.get("facilitator_id") == user.pk])


@dataclass(frozen=True)
class FlagFilters:
    code: str = ""
    kelurahan: str = ""
    facilitator: str = ""  # a facilitator's id, "none" for households without one


def filter_flags(flags: list, filters: FlagFilters) -> list:
    selected = flags
    if filters.code:
        selected = [f for f in selected if f["code"] == filters.code]
    if filters.kelurahan:
        selected = [f for f in selected if f["kelurahan"] == filters.kelurahan]
    if filters.facilitator == "none":
        selected = [f for f in selected if not f.get("facilitator_id")]
    elif filters.facilitator:
        selected = [f for f in selected if str(f.get("facilitator_id")) == filters.facilitator]
    return selected


def household_links(user, id_kpms) -> dict[str, int]:
    """The household ids of the ID KPMs the user may open (one query): the flag lists link to them."""
    return dict(access.visible_households(user).filter(id_kpm__in=set(id_kpms)).values_list("id_kpm", "pk"))
