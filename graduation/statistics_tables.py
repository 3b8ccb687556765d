"""The graduation statistics as tables (cells with their links, and a chart each where it helps), built
once for the page and the XLSX export so both always show the same figures."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.models import Household
from core.exports import Column, Sheet
from graduation import candidates as candidate_list
from graduation import statistics as selectors
from graduation.models import Classification, Proposal
from org import access


# --- the tables, shared by the page and the export ------------------------------------------------

@dataclass
class Cell:
    value: object  # as written to the XLSX sheet
    text: str  # as shown on the page
    href: str = ""
    numeric: bool = False


@dataclass
class Table:
    key: str
    title: str
    caption: str
    columns: list  # core.exports.Column
    rows: list = field(default_factory=list)  # lists of Cell
    total: list | None = None  # the footer row, also the last row of the sheet
    empty: str = ""
    chart: str = ""  # the key of its chart in chart_data(), when it has one
    chart_label: str = ""  # what the chart shows, for screen readers (the table below has the figures)

    def sheet(self) -> Sheet:
        rows = [[cell.value for cell in row] for row in self.rows]
        if self.total and self.rows:
            rows.append([cell.value for cell in self.total])
        return Sheet(self.title, self.columns, rows)


def _one_decimal(value: float) -> str:
    """Rounded half up to one decimal, in the active language's format (Django's number_format truncates)."""
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return number_format(rounded, 1, force_grouping=True)


def integer(value: int, href: str = "") -> Cell:
    return Cell(value, number_format(value, force_grouping=True), href, True)


def percent(value: float | None) -> Cell:
    if value is None:
        return Cell(None, "–", numeric=True)
    return Cell(round(value, 4), f"{_one_decimal(value * 100)}%", numeric=True)


def decimal(value: float | None) -> Cell:
    if value is None:
        return Cell(None, "–", numeric=True)
    return Cell(round(value, 1), _one_decimal(value), numeric=True)


def text(value: str, href: str = "") -> Cell:
    return Cell(str(value), str(value), href)


class Links:
    """Links from a figure to the list behind it: the household list (beneficiaries' caseload filters), the
    candidate list and the proposal list, only where that list shows exactly the families counted."""

    def __init__(self, user, filters: selectors.StatisticsFilters):
        self.city_role = access.can_view_city(user)
        self.every_year = filters.year is None  # the proposal list has no year filter
        self.kelurahan = {"kelurahan": filters.kelurahan} if filters.kelurahan else {}
        self.city = {"kota": filters.city} if self.city_role and filters.city else {}

    def _url(self, name: str, params: dict) -> str:
        if not self.city_role:
            params.pop("facilitator", None)  # a facilitator's lists are their caseload already
        query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return f"{reverse(name)}?{query}" if query else reverse(name)

    def households(self, **params) -> str:
        return self._url("household_list", {**self.city, **self.kelurahan, **params})

    def candidates(self, **params) -> str:
        return self._url("graduation_candidates", {**self.kelurahan, **params})

    def approved(self, kind: str, **params) -> str:
        """Approved proposals of one kind: exact only over every year."""
        if not self.every_year:
            return ""
        return self._url("graduation_proposal_list", {
            "status": Proposal.Status.APPROVED, "kind": kind, **self.city, **self.kelurahan, **params})


def _exit_cells(exits: selectors.Exits, *, share: bool = False, links: Links | None = None, **where) -> list[Cell]:
    """Natural, independent-prosperous, graduations (and the mandiri share); the first two link to the
    approved proposals behind them when `links` is given (`where`: the row's kelurahan or facilitator)."""
    def approved(kind):
        return links.approved(kind, **where) if links else ""

    cells = [integer(exits.alamiah, approved(Proposal.Kind.ALAMIAH)),
             integer(exits.mandiri, approved(Proposal.Kind.MANDIRI)), integer(exits.graduations)]
    if share:
        cells.append(percent(exits.mandiri_share))
    return cells


def _facilitator_param(row: selectors.FacilitatorRow) -> str:
    return "none" if row.id is None else str(row.id)


def build_tables(stats: selectors.GraduationStatistics, *, links: Links, city_role: bool) -> list[Table]:
    ALAMIAH, MANDIRI, GRADUATIONS = _("Natural (alamiah)"), _("Independent-prosperous (mandiri)"), _("Graduations")
    OTHER = _("Other exits (not counted)")
    MANDIRI_SHARE, PER_100 = _("Mandiri share"), _("Graduations per 100 families served")
    SERVED = _("Families served")
    period = str(stats.filters.year) if stats.filters.year else _("all years")
    tables = []

    months = Table(
        "per_month", _("Graduations per month"),
        _("Approved graduations by the month of their effective date, %(period)s.") % {"period": period},
        [Column(_("Month"), Column.MONTH), Column(ALAMIAH, Column.INTEGER), Column(MANDIRI, Column.INTEGER),
         Column(GRADUATIONS, Column.INTEGER), Column(OTHER, Column.INTEGER)],
        empty=_("No graduation or exit was approved in this period."),
    )
    for row in stats.months:
        months.rows.append([Cell(row.month, date_format(row.month, "YEAR_MONTH_FORMAT"))] + _exit_cells(row.exits)
                           + [integer(row.exits.other)])
    months.total = [text(_("Total"))] + _exit_cells(stats.total) + [integer(stats.total.other)]
    if not stats.total.graduations and not stats.total.other:
        months.rows = []
    tables.append(months)

    years = Table(
        "per_year", _("Graduations per year"), _("Every year in your scope; the year filter does not apply here."),
        [Column(_("Year")), Column(ALAMIAH, Column.INTEGER), Column(MANDIRI, Column.INTEGER),
         Column(GRADUATIONS, Column.INTEGER), Column(MANDIRI_SHARE, Column.PERCENT), Column(OTHER, Column.INTEGER)],
        empty=_("No graduation or exit has been approved yet."),
    )
    total = selectors.Exits()
    for row in stats.years:
        total += row.exits
        years.rows.append([text(str(row.year))] + _exit_cells(row.exits, share=True) + [integer(row.exits.other)])
    years.total = [text(_("Total"))] + _exit_cells(total, share=True) + [integer(total.other)]
    tables.append(years)

    national = stats.national
    share = Table(
        "share", _("Natural and independent-prosperous graduations"),
        _("Share of each type among the graduations of %(period)s, beside the national figures of %(year)s "
          "(%(count)s families graduated). Other exits are not graduations: %(other)s in this period.") % {
            "period": period, "year": national.year, "other": number_format(stats.total.other, force_grouping=True),
            "count": number_format(national.graduated, force_grouping=True)},
        [Column(_("Type")), Column(GRADUATIONS, Column.INTEGER), Column(_("Share"), Column.PERCENT),
         Column(_("National reference %(year)s") % {"year": national.year}, Column.PERCENT)],
    )
    share.rows = [
        [text(ALAMIAH), integer(stats.total.alamiah), percent(stats.total.alamiah_share), percent(national.alamiah_share)],
        [text(MANDIRI), integer(stats.total.mandiri), percent(stats.total.mandiri_share), percent(national.mandiri_share)],
    ]
    share.total = [text(GRADUATIONS), integer(stats.total.graduations),
                   percent(1.0 if stats.total.graduations else None), percent(1.0)]
    tables.append(share)

    kelurahan = Table(
        "kelurahan", _("By kelurahan"), _("Graduations of %(period)s by the family's kelurahan.") % {"period": period},
        [Column(_("Kelurahan")), Column(_("Active families"), Column.INTEGER), Column(SERVED, Column.INTEGER),
         Column(ALAMIAH, Column.INTEGER), Column(MANDIRI, Column.INTEGER), Column(GRADUATIONS, Column.INTEGER),
         Column(PER_100, Column.DECIMAL), Column(OTHER, Column.INTEGER)],
        empty=_("No family in your scope."),
    )
    for row in stats.kelurahan:
        kelurahan.rows.append(
            [text(row.name, links.households(kelurahan=row.code)),
             integer(row.caseload.active, links.households(kelurahan=row.code, status=Household.Status.ACTIVE)),
             integer(row.caseload.served)] + _exit_cells(row.exits, links=links, kelurahan=row.code)
            + [decimal(row.per_100), integer(row.exits.other)])
    kelurahan.total = [text(_("Total")), integer(stats.caseload.active), integer(stats.caseload.served)] + _exit_cells(
        stats.total) + [decimal(stats.per_100), integer(stats.total.other)]
    tables.append(kelurahan)

    facilitator = Table(
        "facilitator", _("By facilitator"),
        _("Graduations of %(period)s by the family's current facilitator.") % {"period": period},
        [Column(_("Facilitator")), Column(_("Background")), Column(_("Active families"), Column.INTEGER),
         Column(SERVED, Column.INTEGER), Column(ALAMIAH, Column.INTEGER), Column(MANDIRI, Column.INTEGER),
         Column(GRADUATIONS, Column.INTEGER), Column(MANDIRI_SHARE, Column.PERCENT), Column(PER_100, Column.DECIMAL),
         Column(OTHER, Column.INTEGER)],
        empty=_("No family in your scope."),
    )
    for row in stats.facilitators:
        who = _facilitator_param(row)
        facilitator.rows.append(
            [text(row.name, links.households(facilitator=who)), text(row.background_label),
             integer(row.caseload.active, links.households(facilitator=who, status=Household.Status.ACTIVE)),
             integer(row.caseload.served)] + _exit_cells(row.exits, share=True, links=links, facilitator=who)
            + [decimal(row.per_100), integer(row.exits.other)])
    facilitator.total = [text(_("Total")), text(""), integer(stats.caseload.active), integer(stats.caseload.served)] + (
        _exit_cells(stats.total, share=True) + [decimal(stats.per_100), integer(stats.total.other)])
    tables.append(facilitator)

    if city_role:
        background = Table(
            "background", _("By facilitator background"),
            _("Facilitators grouped by their education and volunteer experience (the question of the seed "
              "research): graduations of %(period)s, the mandiri share and graduations per 100 families served "
              "by the group, and the group's families in the program more than %(years)s years.") % {
                "period": period, "years": selectors.LONG_IN_PROGRAM_YEARS},
            [Column(_("Background")), Column(_("Facilitators"), Column.INTEGER), Column(SERVED, Column.INTEGER),
             Column(ALAMIAH, Column.INTEGER), Column(MANDIRI, Column.INTEGER), Column(GRADUATIONS, Column.INTEGER),
             Column(MANDIRI_SHARE, Column.PERCENT), Column(PER_100, Column.DECIMAL),
             Column(_("Families in the program"), Column.INTEGER),
             Column(_("More than %(years)s years without graduating") % {"years": selectors.LONG_IN_PROGRAM_YEARS},
                    Column.INTEGER),
             Column(_("Share long in the program"), Column.PERCENT)],
            empty=_("No facilitator in your scope."),
        )
        for row in stats.backgrounds:
            background.rows.append(
                [text(row.label), integer(row.facilitators), integer(row.caseload.served)]
                + _exit_cells(row.exits, share=True)
                + [decimal(row.per_100), integer(row.caseload.in_program), integer(row.caseload.long_in_program),
                   percent(row.caseload.long_share)])
        tables.append(background)

    long_table = Table(
        "long", _("In the program more than %(years)s years without graduating") % {
            "years": selectors.LONG_IN_PROGRAM_YEARS},
        _("Families in the program today (active or suspended) who joined PKH in %(year)s or earlier, by "
          "facilitator.") % {"year": stats.long_joined_by},
        [Column(_("Facilitator")), Column(_("Families in the program"), Column.INTEGER),
         Column(_("More than %(years)s years") % {"years": selectors.LONG_IN_PROGRAM_YEARS}, Column.INTEGER),
         Column(_("Share"), Column.PERCENT)],
        empty=_("No family in your scope."),
    )
    for row in stats.facilitators:
        long_table.rows.append([text(row.name, links.households(facilitator=_facilitator_param(row))),
                                integer(row.caseload.in_program), integer(row.caseload.long_in_program),
                                percent(row.caseload.long_share)])
    long_table.total = [text(_("Total")), integer(stats.caseload.in_program), integer(stats.caseload.long_in_program),
                        percent(stats.caseload.long_share)]
    tables.append(long_table)

    as_of = date_format(stats.candidates.as_of, "DATE_FORMAT") if stats.candidates.as_of else _("never")
    candidates = Table(
        "candidates", _("Graduation candidates and follow-up"),
        _("From the stored screening (last run: %(date)s) of the families in the program. A candidate is acted "
          "on when a proposal for the family is waiting for approval or approved.") % {"date": as_of},
        [Column(_("Facilitator")), Column(_("Families screened"), Column.INTEGER),
         Column(Classification.ALAMIAH.label, Column.INTEGER), Column(Classification.ALAMIAH_SEGERA.label, Column.INTEGER),
         Column(Classification.KANDIDAT_MANDIRI.label, Column.INTEGER), Column(_("Candidates"), Column.INTEGER),
         Column(_("Acted on"), Column.INTEGER), Column(_("Not yet acted on"), Column.INTEGER)],
        empty=_("No family in your scope has been screened yet."),
    )
    for row in stats.facilitators:
        found = row.candidates
        if not found.screened:
            continue
        who = _facilitator_param(row)
        candidates.rows.append(
            [text(row.name), integer(found.screened, links.candidates(facilitator=who, classification=candidate_list.ALL))]
            + [integer(found.count(c), links.candidates(facilitator=who, classification=c))
               for c in selectors.CANDIDATE_CLASSES]
            + [integer(found.candidates, links.candidates(facilitator=who)), integer(found.acted_on),
               integer(found.waiting, links.candidates(facilitator=who, not_acted="on"))])
    found = stats.candidates
    candidates.total = [text(_("Total")), integer(found.screened)] + [
        integer(found.count(c)) for c in selectors.CANDIDATE_CLASSES] + [
        integer(found.candidates), integer(found.acted_on), integer(found.waiting)]
    tables.append(candidates)
    return sorted(tables, key=lambda t: SECTION_ORDER.index(t.key))  # the page's order, and the workbook's


def chart_data(stats: selectors.GraduationStatistics, *, scope_label: str) -> dict:
    """What graduation_statistics.js draws (json_script): labels already translated, plain numbers."""
    def pct(value):
        return None if value is None else round(100 * value, 1)

    return {
        "series": {"alamiah": _("Natural (alamiah)"), "mandiri": _("Independent-prosperous (mandiri)"),
                   "other": _("Other exits (not counted)"), "per100": _("Graduations per 100 families served"),
                   "mandiriShare": _("Mandiri share (%)")},
        "months": {"labels": [date_format(r.month, "M Y") for r in stats.months],
                   "alamiah": [r.exits.alamiah for r in stats.months],
                   "mandiri": [r.exits.mandiri for r in stats.months],
                   "other": [r.exits.other for r in stats.months]},
        "years": {"labels": [str(r.year) for r in stats.years],
                  "alamiah": [r.exits.alamiah for r in stats.years],
                  "mandiri": [r.exits.mandiri for r in stats.years],
                  "other": [r.exits.other for r in stats.years]},
        "share": {"labels": [scope_label, _("National %(year)s") % {"year": stats.national.year}],
                  "alamiah": [pct(stats.total.alamiah_share), pct(stats.national.alamiah_share)],
                  "mandiri": [pct(stats.total.mandiri_share), pct(stats.national.mandiri_share)]},
        "backgrounds": {"labels": [r.label for r in stats.backgrounds],
                        "per100": [None if r.per_100 is None else round(r.per_100, 1) for r in stats.backgrounds],
                        "mandiriShare": [pct(r.exits.mandiri_share) for r in stats.backgrounds]},
    }


# Tables drawn as a chart above them too (the table stays: a chart is never the only view).
CHARTS = {
    "per_month": ("months", gettext_lazy("Bar chart of graduations per month by type; the figures are in the table below.")),
    "share": ("share", gettext_lazy("Bar chart of the natural and independent-prosperous shares beside the national "
                                    "reference; the figures are in the table below.")),
    "per_year": ("years", gettext_lazy("Bar chart of graduations per year by type; the figures are in the table below.")),
    "background": ("backgrounds", gettext_lazy("Bar chart of graduations per 100 families served and the mandiri "
                                               "share by facilitator background; the figures are in the table below.")),
}
SECTION_ORDER = ("per_month", "share", "per_year", "kelurahan", "facilitator", "background", "long", "candidates")
