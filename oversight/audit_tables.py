"""The facilitator activity audit as tables: the city table's columns (shared by the page and its XLSX
export, so both always show the same figures), the summary by facilitator background, the activity
classes over six months, one facilitator's figures with their explanations, and the weekday × hour grid.

Every figure that counts records links to the list of those records (oversight_records, `figure` keys of
oversight.figures). Links are built from one reversed URL per page, not one `reverse()` per cell.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.exports import Column, Sheet
from org.models import FacilitatorProfile
from oversight.figures import is_off_hours
from oversight.models import ActivityClass, ActivitySettings, FacilitatorMonth

CLASS_ORDER = {ActivityClass.ACTIVE: 0, ActivityClass.LOW: 1, ActivityClass.INACTIVE: 2}
CLASS_BADGE = {ActivityClass.ACTIVE: "text-bg-success", ActivityClass.LOW: "text-bg-warning",
               ActivityClass.INACTIVE: "text-bg-danger"}
CLASS_COLOURS = {ActivityClass.ACTIVE: "#198754", ActivityClass.LOW: "#ffc107", ActivityClass.INACTIVE: "#dc3545"}
WEEKDAYS = (pgettext_lazy("weekday", "Mon"), pgettext_lazy("weekday", "Tue"), pgettext_lazy("weekday", "Wed"),
            pgettext_lazy("weekday", "Thu"), pgettext_lazy("weekday", "Fri"), pgettext_lazy("weekday", "Sat"),
            pgettext_lazy("weekday", "Sun"))
_SENTINEL_PK = 987654321
_SENTINEL_FIGURE = "figure-sentinel"


# --- formatting ----------------------------------------------------------------------------------

def _one_decimal(value: float) -> str:
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return number_format(rounded, 1, force_grouping=True)


def percent_text(value: float | None) -> str:
    if value is None:
        return "–"
    rounded = int(Decimal(str(value * 100)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return f"{integer_text(rounded)}%"


def integer_text(value: int | None) -> str:
    if value is None:
        return "–"
    # Below a thousand there is nothing to group: skip the locale lookup (a city table has ~1,500 figures).
    return str(value) if -1000 < value < 1000 else number_format(value, force_grouping=True)


def date_text(value: date | None) -> str:
    return "–" if value is None else date_format(value, "SHORT_DATE_FORMAT")


def month_label(month: date) -> str:
    return date_format(month, "M Y")


# --- links ---------------------------------------------------------------------------------------

class Links:
    """The URLs of a page: the records behind a figure, a facilitator's page and map, for one city-month."""

    def __init__(self, city_code: str, month: date):
        self.city_code = city_code
        self.query = urlencode({"kota": city_code, "bulan": f"{month:%Y-%m}"})
        self._records = reverse("oversight_records", kwargs={"pk": _SENTINEL_PK, "figure": _SENTINEL_FIGURE})
        self._facilitator = reverse("oversight_facilitator", kwargs={"pk": _SENTINEL_PK})
        self._map = reverse("oversight_map", kwargs={"pk": _SENTINEL_PK})

    def records(self, facilitator_pk: int, figure: str) -> str:
        path = self._records.replace(str(_SENTINEL_PK), str(facilitator_pk)).replace(_SENTINEL_FIGURE, figure)
        return f"{path}?{self.query}"

    def facilitator(self, facilitator_pk: int, month: date | None = None) -> str:
        query = self.query if month is None else f"kota={self.city_code}&bulan={month:%Y-%m}"
        return f"{self._facilitator.replace(str(_SENTINEL_PK), str(facilitator_pk))}?{query}"

    def map(self, facilitator_pk: int) -> str:
        return f"{self._map.replace(str(_SENTINEL_PK), str(facilitator_pk))}?{self.query}"


# --- the city table's columns --------------------------------------------------------------------

def _pair(first: int, second: int) -> str:
    return f"{integer_text(first)} / {integer_text(second)}"


@dataclass(frozen=True)
class AuditColumn:
    """A column of the city table: its value (sorting and XLSX), its text on the page, the records behind it
    and when the figure deserves attention."""

    key: str
    header: object
    value: Callable[[FacilitatorMonth], object]
    kind: str = Column.INTEGER
    figure: str = ""
    text: Callable[[FacilitatorMonth], str] | None = None
    warn: Callable[[FacilitatorMonth], bool] | None = None
    help: object = ""
    group: object = ""

    def display(self, row: FacilitatorMonth) -> str:
        if self.text is not None:
            return self.text(row)
        value = self.value(row)
        if self.kind == Column.PERCENT:
            return percent_text(value)
        if self.kind == Column.DATE:
            return date_text(value)
        if self.kind == Column.DECIMAL:
            return "–" if value is None else _one_decimal(value)
        return integer_text(value)


G_CASELOAD, G_QUALITY, G_TIME = gettext_lazy("Caseload and visits"), gettext_lazy("Visit records"), gettext_lazy("When")
G_P2K2, G_CASES = gettext_lazy("P2K2"), gettext_lazy("Mediation cases")
G_GRADUATION, G_MONEY = gettext_lazy("Graduation"), gettext_lazy("Transactions and KKS")

COLUMNS: tuple[AuditColumn, ...] = (
    AuditColumn("caseload", gettext_lazy("Families"), lambda r: r.caseload, figure="caseload",
                warn=lambda r: r.over_norm, group=G_CASELOAD,
                help=gettext_lazy("Active families assigned to the facilitator")),
    AuditColumn("ratio", gettext_lazy("Of the norm"), lambda r: r.ratio, Column.PERCENT, figure="caseload",
                warn=lambda r: r.over_norm, group=G_CASELOAD,
                help=gettext_lazy("Caseload as a share of the norm's maximum; above 100 percent is over the norm")),
    AuditColumn("visited", gettext_lazy("Families visited"), lambda r: r.households_visited, figure="visited",
                group=G_CASELOAD),
    AuditColumn("visits", gettext_lazy("Visits"), lambda r: r.visits, figure="visits", group=G_CASELOAD),
    AuditColumn("visited_30d", gettext_lazy("Visited in 30 days"), lambda r: r.visited_30d_share, Column.PERCENT,
                figure="not_visited_30d", group=G_CASELOAD,
                help=gettext_lazy("Share of the caseload visited in the last 30 days; the link lists those not visited")),
    AuditColumn("visited_90d", gettext_lazy("Visited in 90 days"), lambda r: r.visited_90d_share, Column.PERCENT,
                figure="not_visited_90d", group=G_CASELOAD,
                help=gettext_lazy("Share of the caseload visited in the last 90 days; the link lists those not visited")),
    AuditColumn("never_visited", gettext_lazy("Never visited"), lambda r: r.never_visited, figure="never_visited",
                group=G_CASELOAD),
    AuditColumn("geotagged", gettext_lazy("With geotag"), lambda r: r.geotagged_share, Column.PERCENT,
                figure="visits_no_geotag", group=G_QUALITY,
                help=gettext_lazy("Share of visits with a position; the link lists the visits without one")),
    AuditColumn("far", gettext_lazy("Far from home"), lambda r: r.far_share, Column.PERCENT, figure="visits_far",
                group=G_QUALITY, help=gettext_lazy("Share of geotagged visits recorded far from the home position")),
    AuditColumn("late", gettext_lazy("Entered late"), lambda r: r.late_share, Column.PERCENT, figure="visits_late",
                group=G_QUALITY, help=gettext_lazy("Share of visits entered more than 24 hours after the visit")),
    AuditColumn("shared_coordinate", gettext_lazy("Shared coordinate"), lambda r: r.repeated_coordinate_visits,
                figure="visits_shared_coordinate", warn=lambda r: r.repeated_coordinate_visits > 0, group=G_QUALITY,
                help=gettext_lazy("Visits recorded at one coordinate shared by visits to several families")),
    AuditColumn("off_hours", gettext_lazy("Evenings / weekends"), lambda r: r.off_hours_share, Column.PERCENT,
                figure="visits_off_hours", group=G_TIME,
                help=gettext_lazy("Share of visits and P2K2 sessions outside working hours")),
    AuditColumn("last_activity", gettext_lazy("Last activity"), lambda r: r.last_activity_on, Column.DATE,
                group=G_TIME),
    AuditColumn("days_idle", gettext_lazy("Days without activity"), lambda r: r.days_since_activity,
                figure="visits", group=G_TIME,
                help=gettext_lazy("Days from the last visit, session or case step to the day counted")),
    AuditColumn("sessions", gettext_lazy("Sessions held / expected"), lambda r: r.sessions_held, figure="sessions",
                text=lambda r: _pair(r.sessions_held, r.sessions_expected),
                warn=lambda r: r.sessions_held < r.sessions_expected, group=G_P2K2),
    AuditColumn("attendance", gettext_lazy("Attendance"), lambda r: r.attendance_rate, Column.PERCENT,
                figure="sessions", group=G_P2K2),
    AuditColumn("cases_opened", gettext_lazy("Opened"), lambda r: r.cases_opened, figure="cases_opened",
                group=G_CASES),
    AuditColumn("cases_resolved", gettext_lazy("Resolved"), lambda r: r.cases_resolved, figure="cases_resolved",
                group=G_CASES),
    AuditColumn("cases_overdue", gettext_lazy("Overdue"), lambda r: r.cases_overdue, figure="cases_overdue",
                warn=lambda r: r.cases_overdue > 0, group=G_CASES),
    AuditColumn("median_days", gettext_lazy("Median days to resolve"), lambda r: r.median_days_to_resolve,
                Column.DECIMAL, figure="cases_resolved", group=G_CASES),
    AuditColumn("proposed", gettext_lazy("Proposed (natural / independent)"),
                lambda r: r.proposed_alamiah + r.proposed_mandiri, figure="proposals",
                text=lambda r: _pair(r.proposed_alamiah, r.proposed_mandiri), group=G_GRADUATION),
    AuditColumn("approved", gettext_lazy("Approved (natural / independent)"),
                lambda r: r.approved_alamiah + r.approved_mandiri, figure="approvals",
                text=lambda r: _pair(r.approved_alamiah, r.approved_mandiri), group=G_GRADUATION),
    AuditColumn("flags", gettext_lazy("Flags"), lambda r: r.flags, figure="flags", group=G_MONEY),
    AuditColumn("flags_with_case", gettext_lazy("With a case"), lambda r: r.flags_with_case,
                figure="flags_without_case", warn=lambda r: r.flags_with_case < r.flags, group=G_MONEY,
                help=gettext_lazy("Flags with a mediation case; the link lists those still without one")),
    AuditColumn("kks_outside", gettext_lazy("KKS outside the family"), lambda r: r.kks_outside, figure="kks_outside",
                warn=lambda r: r.kks_outside > 0, group=G_MONEY),
)
COLUMN_KEYS = {column.key for column in COLUMNS}
SORT_KEYS = COLUMN_KEYS | {"name", "background", "class"}


@dataclass
class Cell:
    text: str
    href: str = ""
    warn: bool = False
    title: str = ""


def _cells_html(cells: list[Cell]) -> str:
    """The row's figure cells as HTML, built here rather than in a template loop: the city table has
    about 1,500 of them and the page must stay fast for 55 facilitators."""
    parts = []
    for cell in cells:
        css = "text-end text-nowrap audit-warn" if cell.warn else "text-end text-nowrap"
        text = escape(cell.text)
        inner = f'<a href="{escape(cell.href)}">{text}</a>' if cell.href else text
        parts.append(f'<td class="{css}">{inner}</td>')
    return mark_safe("".join(parts))  # noqa: S308 - every text and link is escaped above


@dataclass
class TableRow:
    facilitator_pk: int
    name: str
    username: str
    background: str
    background_label: str
    activity_class: str
    activity_label: str
    badge: str
    url: str
    cells: list[Cell]
    trend: list[dict]
    audit_row: object  # selectors.AuditRow

    @property
    def cells_html(self) -> str:
        return _cells_html(self.cells)


def facilitator_name(user) -> str:
    return user.get_full_name() or user.username


BACKGROUND_LABELS = dict(FacilitatorProfile.BackgroundGroup.choices)


def _sort_value(audit_row, key: str):
    if key == "name":
        return facilitator_name(audit_row.facilitator).lower()
    if key == "background":
        return audit_row.background_group
    if key == "class":
        return CLASS_ORDER.get(audit_row.row.activity_class, 9)
    column = next(c for c in COLUMNS if c.key == key)
    value = column.value(audit_row.row)
    if isinstance(value, date):
        return value.toordinal()
    return value


def sort_rows(audit_rows: list, sort: str) -> list:
    """Rows sorted by a column key (`-key`: descending); rows without a value always go last."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        return audit_rows
    present = [(r, _sort_value(r, key)) for r in audit_rows]
    with_value = [pair for pair in present if pair[1] is not None]
    without = [pair[0] for pair in present if pair[1] is None]
    with_value.sort(key=lambda pair: pair[1], reverse=descending)
    return [pair[0] for pair in with_value] + without


def filter_rows(audit_rows: list, *, activity_class: str = "", background: str = "") -> list:
    return [r for r in audit_rows
            if (not activity_class or r.row.activity_class == activity_class)
            and (not background or r.background_group == background)]


def table_rows(audit_rows: list, links: Links) -> list[TableRow]:
    class_labels = {key: str(label) for key, label in ActivityClass.choices}
    no_figures = str(_("no figures"))
    month_labels = {}
    rows = []
    for audit_row in audit_rows:
        row, user = audit_row.row, audit_row.facilitator
        cells = []
        for column in COLUMNS:
            cells.append(Cell(
                text=column.display(row),
                href=links.records(user.pk, column.figure) if column.figure else "",
                warn=bool(column.warn and column.warn(row)),
            ))
        trend = []
        for month, klass in audit_row.trend:
            if month not in month_labels:
                month_labels[month] = month_label(month)
            trend.append({"month": month_labels[month], "class": klass, "label": class_labels.get(klass, no_figures),
                          "href": links.facilitator(user.pk, month) if klass else ""})
        rows.append(TableRow(
            facilitator_pk=user.pk, name=facilitator_name(user), username=user.username,
            background=audit_row.background_group,
            background_label=str(BACKGROUND_LABELS.get(audit_row.background_group, _("No profile"))),
            activity_class=row.activity_class, activity_label=str(class_labels.get(row.activity_class, "")),
            badge=CLASS_BADGE.get(row.activity_class, "text-bg-secondary"),
            url=links.facilitator(user.pk), cells=cells, trend=trend, audit_row=audit_row,
        ))
    return rows


def column_groups() -> list[tuple[str, int]]:
    """(group header, number of columns) for the table's first header row."""
    groups: list[tuple[str, int]] = []
    for column in COLUMNS:
        if groups and groups[-1][0] == str(column.group):
            groups[-1] = (groups[-1][0], groups[-1][1] + 1)
        else:
            groups.append((str(column.group), 1))
    return groups


# --- summary by background -------------------------------------------------------------------------

@dataclass
class BackgroundSummary:
    key: str
    label: str
    facilitators: int = 0
    caseload: int = 0
    visited_90d: int = 0
    visits: int = 0
    geotagged: int = 0
    far: int = 0
    late: int = 0
    off_hours: int = 0
    activities: int = 0
    attendance_present: int = 0
    attendance_recorded: int = 0
    cases_opened: int = 0
    cases_resolved: int = 0
    approved: int = 0
    approved_mandiri: int = 0
    active: int = 0

    @staticmethod
    def _share(part, whole):
        return part / whole if whole else None

    @property
    def average_caseload(self):
        return self.caseload / self.facilitators if self.facilitators else None

    @property
    def shares(self) -> dict:
        return {
            "visited_90d": self._share(self.visited_90d, self.caseload),
            "geotagged": self._share(self.geotagged, self.visits),
            "far": self._share(self.far, self.geotagged),
            "late": self._share(self.late, self.visits),
            "off_hours": self._share(self.off_hours, self.activities),
            "attendance": self._share(self.attendance_present, self.attendance_recorded),
            "resolved": self._share(self.cases_resolved, self.cases_opened),
            "mandiri": self._share(self.approved_mandiri, self.approved),
            "active": self._share(self.active, self.facilitators),
        }


SUMMARY_COLUMNS = (
    ("facilitators", gettext_lazy("Facilitators"), Column.INTEGER),
    ("average_caseload", gettext_lazy("Families per facilitator"), Column.DECIMAL),
    ("visited_90d", gettext_lazy("Caseload visited in 90 days"), Column.PERCENT),
    ("geotagged", gettext_lazy("Visits with geotag"), Column.PERCENT),
    ("far", gettext_lazy("Far from home"), Column.PERCENT),
    ("late", gettext_lazy("Entered late"), Column.PERCENT),
    ("off_hours", gettext_lazy("Evenings / weekends"), Column.PERCENT),
    ("attendance", gettext_lazy("P2K2 attendance"), Column.PERCENT),
    ("resolved", gettext_lazy("Cases resolved per case opened"), Column.PERCENT),
    ("mandiri", gettext_lazy("Independent share of approved graduations"), Column.PERCENT),
    ("active", gettext_lazy("Active facilitators"), Column.PERCENT),
)


def background_summary(audit_rows: list) -> list[BackgroundSummary]:
    """Pooled figures per facilitator background (the three groups the seed research compares, and
    facilitators without a profile): shares are of the group's totals, not averages of shares."""
    groups = {key: BackgroundSummary(key, str(label)) for key, label in FacilitatorProfile.BackgroundGroup.choices}
    for audit_row in audit_rows:
        key = audit_row.background_group
        if key not in groups:
            groups[key] = BackgroundSummary(key, str(_("No profile")))
        group, row = groups[key], audit_row.row
        group.facilitators += 1
        group.caseload += row.caseload
        group.visited_90d += row.visited_90d
        group.visits += row.visits
        group.geotagged += row.visits_geotagged
        group.far += row.visits_far
        group.late += row.visits_late
        group.off_hours += row.visits_off_hours + row.sessions_off_hours
        group.activities += row.visits + row.sessions_held
        group.attendance_present += row.attendance_present
        group.attendance_recorded += row.attendance_recorded
        group.cases_opened += row.cases_opened
        group.cases_resolved += row.cases_resolved
        group.approved += row.approved_alamiah + row.approved_mandiri
        group.approved_mandiri += row.approved_mandiri
        group.active += row.activity_class == ActivityClass.ACTIVE
    return [group for group in groups.values() if group.facilitators]


def summary_values(group: BackgroundSummary) -> list:
    shares = group.shares
    return [group.facilitators, group.average_caseload] + [shares[key] for key, _label, _kind in SUMMARY_COLUMNS[2:]]


def summary_texts(group: BackgroundSummary) -> list[str]:
    values = summary_values(group)
    texts = [integer_text(values[0]), "–" if values[1] is None else _one_decimal(values[1])]
    return texts + [percent_text(value) for value in values[2:]]


# --- activity classes over six months ----------------------------------------------------------------

def class_chart(months: list[date], class_counts: dict) -> dict:
    """Chart.js data: facilitators per activity class, per month (stacked bars)."""
    return {
        "labels": [month_label(month) for month in months],
        "datasets": [{"label": str(label), "colour": CLASS_COLOURS[key],
                      "data": [class_counts.get(month, {}).get(key, 0) for month in months]}
                     for key, label in ActivityClass.choices],
    }


# --- the XLSX workbook ---------------------------------------------------------------------------------

def audit_sheets(table: list[TableRow], summary: list[BackgroundSummary], months: list[date],
                 class_counts: dict) -> list[Sheet]:
    columns = [Column(_("Facilitator")), Column(_("Username")), Column(_("Background")), Column(_("Activity"))]
    columns += [Column(str(column.header), column.kind) for column in COLUMNS]
    columns += [Column(_("Sessions expected"), Column.INTEGER), Column(_("Natural proposed"), Column.INTEGER),
                Column(_("Independent proposed"), Column.INTEGER), Column(_("Natural approved"), Column.INTEGER),
                Column(_("Independent approved"), Column.INTEGER)]
    columns += [Column(_("Class in %(month)s") % {"month": month_label(month)}) for month in months]
    rows = []
    for line in table:
        row = line.audit_row.row
        values = [line.name, line.username, line.background_label, line.activity_label]
        values += [column.value(row) for column in COLUMNS]
        values += [row.sessions_expected, row.proposed_alamiah, row.proposed_mandiri, row.approved_alamiah,
                   row.approved_mandiri]
        values += [point["label"] if point["class"] else "" for point in line.trend]
        rows.append(values)
    summary_sheet = Sheet(
        _("By background"),
        [Column(_("Background"))] + [Column(str(label), kind) for _key, label, kind in SUMMARY_COLUMNS],
        [[group.label] + summary_values(group) for group in summary],
    )
    class_labels = dict(ActivityClass.choices)
    classes_sheet = Sheet(
        _("Activity by month"),
        [Column(_("Month"), Column.MONTH)] + [Column(str(class_labels[key]), Column.INTEGER) for key in ActivityClass.values],
        [[month] + [class_counts.get(month, {}).get(key, 0) for key in ActivityClass.values] for month in months],
    )
    return [Sheet(_("Facilitators"), columns, rows), summary_sheet, classes_sheet]


# --- one facilitator -----------------------------------------------------------------------------------

@dataclass
class Figure:
    label: str
    text: str
    href: str = ""
    help: str = ""
    warn: bool = False


@dataclass
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)


def facilitator_sections(row: FacilitatorMonth, links: Links, facilitator_pk: int) -> list[Section]:
    """Every figure of one facilitator's month, with the records behind it and what it counts."""

    def link(figure):
        return links.records(facilitator_pk, figure)

    def fig(label, text, figure="", help_text="", warn=False):
        return Figure(str(label), text, link(figure) if figure else "", str(help_text), warn)

    norm = integer_text(row.norm_maximum) if row.norm_maximum else "–"
    return [
        Section(str(G_CASELOAD), [
            fig(_("Active families"), integer_text(row.caseload), "caseload",
                _("Families in the program assigned to the facilitator on the day counted; the norm's maximum is %(norm)s.")
                % {"norm": norm}, row.over_norm),
            fig(_("Of the norm"), percent_text(row.ratio), "caseload",
                _("Caseload divided by the norm's maximum (above 100 percent is over the norm)."), row.over_norm),
            fig(_("Families visited"), integer_text(row.households_visited), "visited",
                _("Different families with at least one home visit in the month.")),
            fig(_("Visits logged"), integer_text(row.visits), "visits", _("Home visits dated in the month.")),
            fig(_("Visited in the last 30 days"), f"{integer_text(row.visited_30d)} ({percent_text(row.visited_30d_share)})",
                "not_visited_30d", _("Families of the caseload visited in the 30 days up to the day counted; the link lists the others.")),
            fig(_("Visited in the last 90 days"), f"{integer_text(row.visited_90d)} ({percent_text(row.visited_90d_share)})",
                "not_visited_90d", _("Families of the caseload visited in the 90 days up to the day counted; the link lists the others.")),
            fig(_("Never visited"), integer_text(row.never_visited), "never_visited",
                _("Families of the caseload without any home visit recorded.")),
        ]),
        Section(str(G_QUALITY), [
            fig(_("Visits with a geotag"), f"{integer_text(row.visits_geotagged)} ({percent_text(row.geotagged_share)})",
                "visits_no_geotag", _("Visits saved with the phone's position; the link lists the visits without one.")),
            fig(_("Far from home"), f"{integer_text(row.visits_far)} ({percent_text(row.far_share)})", "visits_far",
                _("Geotagged visits recorded farther from the family's home position than the casework setting allows.")),
            fig(_("Entered late"), f"{integer_text(row.visits_late)} ({percent_text(row.late_share)})", "visits_late",
                _("Visits received by the server more than 24 hours after the visit's time.")),
            fig(_("Visits at a shared coordinate"), integer_text(row.repeated_coordinate_visits), "visits_shared_coordinate",
                _("Visits recorded at exactly the same coordinate as visits to other families (%(households)s families share one).")
                % {"households": integer_text(row.repeated_coordinate_households)}, row.repeated_coordinate_visits > 0),
        ]),
        Section(str(G_TIME), [
            fig(_("Visits in the evening or at the weekend"), integer_text(row.visits_off_hours), "visits_off_hours",
                _("Visits outside the working hours of the audit settings, or on Saturday or Sunday.")),
            fig(_("Sessions in the evening or at the weekend"), integer_text(row.sessions_off_hours), "sessions_off_hours",
                _("P2K2 sessions held outside working hours.")),
            fig(_("Share outside working hours"), percent_text(row.off_hours_share), "",
                _("Visits and sessions outside working hours, as a share of all visits and sessions.")),
            fig(_("Last activity"), date_text(row.last_activity_on), "",
                _("The last visit, P2K2 session or case step recorded by the facilitator.")),
            fig(_("Days since the last activity"), integer_text(row.days_since_activity), "",
                _("Counted up to %(day)s.") % {"day": date_text(row.as_of)}, bool(row.days_since_activity and row.days_since_activity >= 14)),
            fig(_("Days without any activity"), integer_text(row.idle_days), "",
                _("Days of the month counted on which the facilitator recorded nothing.")),
        ]),
        Section(str(G_P2K2), [
            fig(_("Sessions held / expected"), _pair(row.sessions_held, row.sessions_expected), "sessions",
                _("Meetings held in the month by the facilitator's groups, against one a month per active group."),
                row.sessions_held < row.sessions_expected),
            fig(_("Attendance"), f"{percent_text(row.attendance_rate)} ({_pair(row.attendance_present, row.attendance_recorded)})",
                "sessions", _("Families present out of the attendances recorded at those meetings.")),
        ]),
        Section(str(G_CASES), [
            fig(_("Cases opened"), integer_text(row.cases_opened), "cases_opened", _("Mediation cases opened in the month.")),
            fig(_("Cases resolved"), integer_text(row.cases_resolved), "cases_resolved",
                _("Cases resolved or closed in the month.")),
            fig(_("Cases overdue"), integer_text(row.cases_overdue), "cases_overdue",
                _("Open cases past their due date on the day counted."), row.cases_overdue > 0),
            fig(_("Median days to resolve"), "–" if row.median_days_to_resolve is None else _one_decimal(row.median_days_to_resolve),
                "cases_resolved", _("From opening to resolution, for the cases resolved in the month.")),
        ]),
        Section(str(G_GRADUATION), [
            fig(_("Graduations proposed (natural / independent)"), _pair(row.proposed_alamiah, row.proposed_mandiri),
                "proposals", _("Graduation proposals made in the month; other exits are not graduations.")),
            fig(_("Graduations approved (natural / independent)"), _pair(row.approved_alamiah, row.approved_mandiri),
                "approvals", _("Graduation proposals approved by the coordinator in the month.")),
        ]),
        Section(str(G_MONEY), [
            fig(_("Transaction flags"), integer_text(row.flags), "flags",
                _("Transaction-monitoring flags on the caseload's families.")),
            fig(_("Flags with a case"), f"{integer_text(row.flags_with_case)} ({percent_text(row.flags_with_case_share)})",
                "flags_without_case", _("Flags followed by a mediation case; the link lists those still without one."),
                row.flags_with_case < row.flags),
            fig(_("KKS cards held outside the family"), integer_text(row.kks_outside), "kks_outside",
                _("Cards whose current holder is not a member of the family."), row.kks_outside > 0),
        ]),
    ]


def trend_chart(months: list[date], rows: dict) -> dict:
    """Chart.js data for one facilitator's six months: visits, families visited and sessions, and the class."""
    class_labels = dict(ActivityClass.choices)
    return {
        "labels": [month_label(month) for month in months],
        "visits": [rows[m].visits if m in rows else None for m in months],
        "visited": [rows[m].households_visited if m in rows else None for m in months],
        "sessions": [rows[m].sessions_held if m in rows else None for m in months],
        "classes": [str(class_labels.get(rows[m].activity_class, "")) if m in rows else "" for m in months],
        "colours": [CLASS_COLOURS.get(rows[m].activity_class, "#adb5bd") if m in rows else "#adb5bd" for m in months],
        "series": {"visits": str(_("Visits")), "visited": str(_("Families visited")), "sessions": str(_("P2K2 sessions"))},
    }


# --- when the work happens -----------------------------------------------------------------------------

def _grid_value(grid, day: int, hour: int) -> int:
    try:
        return int(grid[day][hour] or 0)
    except (IndexError, KeyError, TypeError, ValueError):
        return 0


def work_grid(row: FacilitatorMonth | None, activity: ActivitySettings) -> dict:
    """The weekday × hour heat-map of the stored `work_hours` ({"visits": 7 × 24, "sessions": 7 × 24}, row 0 =
    Monday): visits and sessions per cell, its shade (0–4, relative to the busiest hour) and whether the hour
    lies outside working hours (evenings, nights, weekends; oversight.figures.is_off_hours)."""
    stored = row.work_hours if row and isinstance(row.work_hours, dict) else {}
    visits, sessions = stored.get("visits") or [], stored.get("sessions") or []
    counts = {(day, hour): (_grid_value(visits, day, hour), _grid_value(sessions, day, hour))
              for day in range(7) for hour in range(24)}
    busiest = max((v + s for v, s in counts.values()), default=0)
    total = off_total = 0
    days = []
    for day in range(7):
        cells = []
        for hour in range(24):
            visit_count, session_count = counts[(day, hour)]
            count = visit_count + session_count
            off = is_off_hours(activity, day + 1, hour)  # ISO weekday: 6 and 7 are the weekend
            total += count
            off_total += count if off else 0
            level = 0 if not count else min(4, 1 + (count * 4 - 1) // busiest)
            cells.append({"hour": hour, "count": count, "visits": visit_count, "sessions": session_count,
                          "level": level, "off": off})
        days.append({"label": str(WEEKDAYS[day]), "cells": cells, "total": sum(c["count"] for c in cells)})
    return {"days": days, "hours": list(range(24)), "total": total, "off_total": off_total,
            "off_share": percent_text(off_total / total if total else None),
            "start": activity.working_day_start, "end": activity.working_day_end}
