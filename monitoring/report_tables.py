"""The monthly report's figures as tables: the XLSX sheets (the page's download and `monthly_report
--output FILE.xlsx`), the CSV rows (`--output FILE.csv`) and a one-line reading of each flag's detail. One
definition of the columns, so that every format carries the same figures."""

import csv
import io
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import number_format

from django.utils.translation import gettext as _

from beneficiaries.models import Household
from core.exports import Column, Sheet
from core.templatetags.pkh import rupiah as _rupiah
from monitoring.models import FlagCode, Match

FIGURE_KEYS = ("active_households", "entitled_households", "credited_households", "total_credited",
               "total_expected", "withdrawn_households", "withdrawal_cohort", "withdrawn_within_window",
               "withdrawn_within_window_share")


def figure_columns(window_days: int) -> list[Column]:
    return [
        Column(_("Active families"), Column.INTEGER),
        Column(_("Families with an entitlement"), Column.INTEGER),
        Column(_("Families credited"), Column.INTEGER),
        Column(_("Total credited (Rp)"), Column.RUPIAH),
        Column(_("Total expected (Rp)"), Column.RUPIAH),
        Column(_("Families with a withdrawal"), Column.INTEGER),
        Column(_("Credited %(days)s days before (cohort)") % {"days": window_days}, Column.INTEGER),
        Column(_("Withdrawn within %(days)s days") % {"days": window_days}, Column.INTEGER),
        Column(_("Share withdrawn within %(days)s days") % {"days": window_days}, Column.PERCENT),
    ]


def bucket_label(name: str) -> str:
    """`30-59` → "Not withdrawn 30–59 days"; `90+` → "Not withdrawn 90 days or more"."""
    if name.endswith("+"):
        return _("Not withdrawn %(days)s days or more") % {"days": name[:-1]}
    low, high = name.split("-")
    return _("Not withdrawn %(low)s–%(high)s days") % {"low": low, "high": high}


def _row_values(row: dict, buckets: list[str]) -> list:
    return ([row[key] for key in FIGURE_KEYS] + [row["not_withdrawn"].get(name, 0) for name in buckets]
            + [row["flags"].get(code, 0) for code in FlagCode.values])


def bucket_names(content: dict) -> list[str]:
    """The age buckets in order (`0-29`, `30-59`, ..., `90+`): a stored report's JSON keeps no key order."""
    return sorted(content["totals"]["not_withdrawn"], key=lambda name: int(name.split("-")[0].rstrip("+")))


def _figures_header(window_days: int, buckets: list[str]) -> list[Column]:
    return (figure_columns(window_days) + [Column(bucket_label(name), Column.INTEGER) for name in buckets]
            + [Column(code, Column.INTEGER) for code in FlagCode.values])


def report_sheets(content: dict, *, window_days: int) -> list[Sheet]:
    """The sheets of a report's content (or of a facilitator's view of it): totals, each level, the flags."""
    buckets = bucket_names(content)
    figures = _figures_header(window_days, buckets)
    sheets = [Sheet(_("Totals"), [Column(_("Code")), Column(_("Name")), Column(_("Month"))] + figures,
                    [[content["totals"]["code"], content["totals"]["name"], content["month"]]
                     + _row_values(content["totals"], buckets)])]
    if content["by_kecamatan"]:
        sheets.append(Sheet(_("By kecamatan"), [Column(_("Code")), Column(_("Kecamatan"))] + figures,
                            [[row["code"], row["name"]] + _row_values(row, buckets) for row in content["by_kecamatan"]]))
    if content["by_kelurahan"]:
        sheets.append(Sheet(_("By kelurahan"), [Column(_("Code")), Column(_("Kelurahan")), Column(_("Kecamatan"))] + figures,
                            [[row["code"], row["name"], row["kecamatan"]] + _row_values(row, buckets)
                             for row in content["by_kelurahan"]]))
    sheets.append(Sheet(_("By facilitator"), [Column(_("Username")), Column(_("Facilitator"))] + figures,
                        [[row["username"], facilitator_name(row)] + _row_values(row, buckets)
                         for row in content["by_facilitator"]]))
    sheets.append(Sheet(_("Flagged families"), [
        Column(_("ID KPM")), Column(_("Flag")), Column(_("Meaning")), Column(_("Facilitator")), Column(_("Kelurahan")),
        Column(_("Year")), Column(_("Stage")), Column(_("Date"), Column.DATE), Column(_("Expected (Rp)"), Column.RUPIAH),
        Column(_("Credited (Rp)"), Column.RUPIAH), Column(_("Detail"), width=60)],
        [[flag["id_kpm"], flag["code"], str(FlagCode(flag["code"]).label), flag["facilitator"], flag["kelurahan"],
          flag["year"], flag["stage"], _date(flag["occurred_on"]), flag["expected"], flag["credited"],
          flag_summary(flag)] for flag in content["flags"]]))
    return sheets


def _date(text):
    from datetime import date

    return date.fromisoformat(text) if text else None


def facilitator_name(row: dict) -> str:
    if row.get("id") is None:
        return _("Not assigned")
    return f"{row['name']} ({row['username']})" if row.get("name") else row.get("username", "")


# --- CSV ------------------------------------------------------------------------------------------

def csv_text(content: dict) -> str:
    """One table: a row per area (`level` city, kecamatan, kelurahan, facilitator) with every figure, then a
    row per flagged household (`level` flag). Headers are the JSON keys, the same in every language."""
    buckets = bucket_names(content)
    header = (["level", "code", "name", "kecamatan", *FIGURE_KEYS, *[f"not_withdrawn_{b}" for b in buckets],
               *[f"flags_{code}" for code in FlagCode.values],
               "id_kpm", "flag", "facilitator", "kelurahan", "year", "stage", "occurred_on", "expected", "credited",
               "detail"])
    blank_flag = [""] * 10
    blank_figures = [""] * (len(FIGURE_KEYS) + len(buckets) + len(FlagCode.values))
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(header)
    writer.writerow(["city", content["totals"]["code"], content["totals"]["name"], ""]
                    + _csv_values(content["totals"], buckets) + blank_flag)
    for row in content["by_kecamatan"]:
        writer.writerow(["kecamatan", row["code"], row["name"], ""] + _csv_values(row, buckets) + blank_flag)
    for row in content["by_kelurahan"]:
        writer.writerow(["kelurahan", row["code"], row["name"], row["kecamatan"]] + _csv_values(row, buckets)
                        + blank_flag)
    for row in content["by_facilitator"]:
        writer.writerow(["facilitator", row["username"], row["name"], ""] + _csv_values(row, buckets) + blank_flag)
    for flag in content["flags"]:
        writer.writerow(["flag", "", "", ""] + blank_figures + [
            flag["id_kpm"], flag["code"], flag["facilitator"], flag["kelurahan"], _blank(flag["year"]),
            _blank(flag["stage"]), flag["occurred_on"] or "", _blank(flag["expected"]), _blank(flag["credited"]),
            json.dumps(flag["detail"], ensure_ascii=False, sort_keys=True)])
    return output.getvalue()


def _blank(value):
    return "" if value is None else value


def _csv_values(row: dict, buckets: list[str]) -> list:
    return [_blank(value) for value in _row_values(row, buckets)]


# --- reading a flag -------------------------------------------------------------------------------

def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "–")


def flag_summary(flag: dict) -> str:
    """One line a facilitator understands: the figures behind the flag."""
    detail = flag.get("detail") or {}
    code = flag["code"]
    if code == FlagCode.NOMINAL_TIDAK_SESUAI:
        components = ", ".join(c.get("code", "") for c in detail.get("components", []))
        return _("Credited %(credited)s, expected %(expected)s (components: %(components)s).") % {
            "credited": _rupiah(flag.get("credited")), "expected": _rupiah(flag.get("expected")),
            "components": components or "–"}
    if code == FlagCode.SALUR_KE_NONAKTIF:
        return _("Credited %(amount)s on %(date)s while the family's status was %(status)s.") % {
            "amount": _rupiah(flag.get("credited")), "date": flag.get("occurred_on") or "–",
            "status": _label(Household.Status, detail.get("status")) if detail.get("status") != "not_registered"
            else _("not yet registered")}
    if code == FlagCode.TIDAK_SALUR:
        return _("Expected %(expected)s for this stage; nothing was credited although the bank paid this stage.") % {
            "expected": _rupiah(flag.get("expected"))}
    if code == FlagCode.SALUR_GANDA:
        parts = []
        if "salur" in detail:
            parts.append(_("%(count)s credits in the same stage") % {"count": len(detail["salur"])})
        if detail.get("others"):
            parts.append(_("the card was also credited for %(others)s") % {"others": ", ".join(detail["others"])})
        return "; ".join(parts) + "." if parts else ""
    if code == FlagCode.DANA_MENGENDAP:
        return _("%(amount)s credited on %(date)s not withdrawn for %(days)s days.") % {
            "amount": _rupiah(flag.get("credited")), "date": detail.get("date") or flag.get("occurred_on") or "–",
            "days": detail.get("age_days", "–")}
    if code == FlagCode.TARIK_MENGELOMPOK:
        return _("%(count)s families withdrew at %(place)s between %(start)s and %(end)s.") % {
            "count": detail.get("households", "–"), "place": detail.get("location") or "–",
            "start": (detail.get("start") or "")[11:16], "end": (detail.get("end") or "")[11:16]}
    if code == FlagCode.KKS_BUKAN_KELUARGA:
        holder = _label(Household.KKSHolder, detail.get("holder"))
        name = detail.get("holder_name") or ""
        return _("The KKS card is held by %(holder)s.") % {"holder": f"{holder} ({name})" if name else holder or "–"}
    if code == FlagCode.TIDAK_DIKENAL:
        return _("Bank row %(ref)s (%(kind)s, %(amount)s): %(match)s.") % {
            "ref": detail.get("ref") or "–", "kind": detail.get("kind") or "–",
            "amount": _rupiah(detail.get("amount")), "match": _label(Match, detail.get("match"))}
    return ""


# --- the page -------------------------------------------------------------------------------------

@dataclass
class Cell:
    text: str
    numeric: bool = True
    href: str = ""


@dataclass
class PageRow:
    label: str
    detail: str
    href: str  # the flagged families of this row
    cells: list


def _int(value) -> Cell:
    return Cell(number_format(value or 0, force_grouping=True))


def _share(part, whole) -> str:
    if not whole:
        return "–"
    return f"{number_format(round(100 * part / whole, 1), 1, force_grouping=True)}%"


def not_withdrawn_total(row: dict) -> int:
    return sum(row["not_withdrawn"].values())


class ReportPage:
    """The figures of a report view as the page shows them: headline figures, one table per level (the main
    figures; the XLSX has every column), the flags by type and the chart data."""

    def __init__(self, view, *, flags_url: str, live_flags_url: str):
        self.view = view
        self.flags_url = flags_url
        self.live_flags_url = live_flags_url
        self.window = view.window_days

    def flags_href(self, **params) -> str:
        query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return f"{self.flags_url}?{query}" if query else self.flags_url

    @property
    def totals(self) -> dict:
        return self.view.totals

    @property
    def credited_share(self) -> str:
        return _share(self.totals["total_credited"], self.totals["total_expected"])

    @property
    def withdrawn_share(self) -> str:
        return _share(self.totals["withdrawn_within_window"], self.totals["withdrawal_cohort"])

    @property
    def flag_total(self) -> int:
        return sum(self.totals["flags"].values())

    @property
    def not_withdrawn(self) -> int:
        return not_withdrawn_total(self.totals)

    def columns(self) -> list[str]:
        return [_("Active families"), _("With an entitlement"), _("Credited"), _("Credited (Rp)"), _("Expected (Rp)"),
                _("Credited / expected"), _("With a withdrawal"),
                _("Withdrawn within %(days)s days") % {"days": self.window}, _("Not withdrawn"), _("Flags")]

    def _cells(self, row: dict, href: str) -> list[Cell]:
        flags = sum(row["flags"].values())
        return [
            _int(row["active_households"]), _int(row["entitled_households"]), _int(row["credited_households"]),
            Cell(_rupiah(row["total_credited"])), Cell(_rupiah(row["total_expected"])),
            Cell(_share(row["total_credited"], row["total_expected"])), _int(row["withdrawn_households"]),
            Cell(_("%(share)s (%(part)s of %(whole)s)") % {
                "share": _share(row["withdrawn_within_window"], row["withdrawal_cohort"]),
                "part": row["withdrawn_within_window"], "whole": row["withdrawal_cohort"]}
                 if row["withdrawal_cohort"] else "–"),
            _int(not_withdrawn_total(row)),
            Cell(number_format(flags, force_grouping=True), href=href if flags else ""),
        ]

    def levels(self) -> list[tuple[str, str, list[PageRow]]]:
        view = self.view
        levels = []
        if view.by_kecamatan:
            levels.append(("kecamatan", _("By kecamatan"), [
                PageRow(row["name"] or row["code"], row["code"], "", self._cells(row, ""))
                for row in view.by_kecamatan]))
        if view.by_kelurahan:
            levels.append(("kelurahan", _("By kelurahan"), [
                PageRow(row["name"] or row["code"], row["code"], self.flags_href(kelurahan=row["code"]),
                        self._cells(row, self.flags_href(kelurahan=row["code"])))
                for row in view.by_kelurahan]))
        if view.by_facilitator and not view.own:
            levels.append(("facilitator", _("By facilitator"), [
                PageRow(facilitator_name(row), "", "",
                        self._cells(row, self.flags_href(facilitator="none" if row["id"] is None else row["id"])))
                for row in view.by_facilitator]))
        return levels

    def flag_rows(self) -> list[dict]:
        return [{"code": code, "label": label, "count": self.totals["flags"].get(code, 0),
                 "href": self.flags_href(code=code), "live": f"{self.live_flags_url}?{urlencode({'code': code})}"}
                for code, label in FlagCode.choices]

    def bucket_rows(self) -> list[tuple[str, int]]:
        return [(bucket_label(name), self.totals["not_withdrawn"][name]) for name in bucket_names(self.view.content)]

    def chart_data(self) -> dict:
        view = self.view
        areas = view.by_kecamatan or view.by_facilitator
        names = [row["name"] or row["code"] for row in view.by_kecamatan] if view.by_kecamatan else [
            _("My caseload")] * len(view.by_facilitator)
        return {
            "series": {"credited": _("Credited (Rp)"), "expected": _("Expected (Rp)"),
                       "share": _("Withdrawn within %(days)s days (%%)") % {"days": self.window},
                       "flags": _("Flags")},
            "money": {"labels": names, "credited": [row["total_credited"] for row in areas],
                      "expected": [row["total_expected"] for row in areas]},
            "withdrawal": {"labels": names, "share": [
                round(100 * row["withdrawn_within_window"] / row["withdrawal_cohort"], 1)
                if row["withdrawal_cohort"] else None for row in areas]},
            "flags": {"codes": list(FlagCode.values), "labels": [str(label) for label in FlagCode.labels],
                      "counts": [self.totals["flags"].get(code, 0) for code in FlagCode.values]},
        }


def flag_rows(flags: list[dict], links: dict[str, int], *, kelurahan_names: dict[str, str]) -> list[dict]:
    """The flagged families of a page of the drill-down, with the household page when the user may open it."""
    return [{**flag, "label": str(FlagCode(flag["code"]).label), "summary": flag_summary(flag),
             "household_url": reverse("household_detail", args=[links[flag["id_kpm"]]]) if flag["id_kpm"] in links
             else "", "kelurahan_name": kelurahan_names.get(flag["kelurahan"], flag["kelurahan"])}
            for flag in flags]
