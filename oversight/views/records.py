"""The records behind a figure of the facilitator activity audit (the drill-down): one facilitator, one
figure, one month, as a paginated list linking to each record's page, or as XLSX (`&format=xlsx`).

Who: the coordinators and auditors of the city, administrators, and a facilitator for their own records;
anyone else gets 404 (org.access.visible_facilitators)."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.exports import Column, Sheet, xlsx_response
from livelihood.selectors import month_start
from org import access
from oversight import figures

PAGE_SIZE = 50


@dataclass
class Row:
    url: str
    cells: list


def _month(value: str) -> date:
    if not value:
        return month_start(timezone.localdate())
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError:
        raise Http404 from None


def _local(value):
    return timezone.localtime(value) if value else None


def _text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT" if hasattr(value, "hour") else "SHORT_DATE_FORMAT")
    if isinstance(value, float):
        return formats.number_format(value, 0)
    return str(value)


def _columns(kind: str) -> list[Column]:
    if kind == figures.HOUSEHOLD:
        return [Column(_("ID KPM")), Column(_("Kelurahan")), Column(_("Status")), Column(_("Last visit"), Column.DATETIME)]
    if kind == figures.VISIT:
        return [Column(_("Visit"), Column.DATETIME), Column(_("ID KPM")), Column(_("Purpose")), Column(_("Geotag")),
                Column(_("Distance from home (m)"), Column.INTEGER), Column(_("Entered"), Column.DATETIME),
                Column(_("Warnings"))]
    if kind == figures.MEETING:
        return [Column(_("Date"), Column.DATE), Column(_("Start")), Column(_("Group")), Column(_("Kelurahan")),
                Column(_("Session"))]
    if kind == figures.CASE:
        return [Column(_("Case")), Column(_("ID KPM")), Column(_("Category")), Column(_("Status")),
                Column(_("Opened"), Column.DATETIME), Column(_("Due"), Column.DATE),
                Column(_("Resolved or closed"), Column.DATETIME)]
    if kind == figures.PROPOSAL:
        return [Column(_("ID KPM")), Column(_("Type")), Column(_("Status")), Column(_("Proposed"), Column.DATETIME),
                Column(_("Decided"), Column.DATETIME)]
    return [Column(_("Flag")), Column(_("ID KPM")), Column(_("Stage")), Column(_("Date"), Column.DATE),
            Column(_("Case opened"))]


def _row(kind: str, obj) -> Row:
    """The values of one record (never a mediation case's title or details: a list may hold child
    protection cases, org.access.can_see_case_details)."""
    if kind == figures.HOUSEHOLD:
        return Row(reverse("household_detail", args=[obj.pk]),
                   [obj.id_kpm, obj.kelurahan.name, obj.get_status_display(), _local(getattr(obj, "last_visit_at", None))])
    if kind == figures.VISIT:
        warnings = [str(label) for flag, label in ((obj.flag_far, _("far from home")),
                                                   (obj.flag_no_geotag, _("without geotag")),
                                                   (obj.flag_late, _("entered late"))) if flag]
        return Row(reverse("visit_detail", args=[obj.pk]),
                   [_local(obj.visited_at), obj.household.id_kpm, obj.get_purpose_display(), obj.get_geo_status_display(),
                    round(obj.distance_m) if obj.distance_m is not None else None, _local(obj.received_at),
                    ", ".join(warnings)])
    if kind == figures.MEETING:
        return Row(reverse("p2k2_meeting_detail", args=[obj.pk]),
                   [obj.date, f"{obj.start_time:%H:%M}", obj.group.name, obj.group.kelurahan.name, str(obj.module_session)])
    if kind == figures.CASE:
        return Row(reverse("case_detail", args=[obj.pk]),
                   [str(obj), obj.household.id_kpm, obj.get_category_display(), obj.get_status_display(),
                    _local(obj.opened_at), obj.due_date, _local(obj.finished_at)])
    if kind == figures.PROPOSAL:
        return Row(reverse("graduation_proposal_detail", args=[obj.pk]),
                   [obj.household.id_kpm, obj.get_kind_display(), obj.get_status_display(), _local(obj.proposed_at),
                    _local(obj.decided_at)])
    stage = f"{obj.year} tahap {obj.stage}" if obj.year else ""
    return Row(reverse("monitoring_flag_detail", args=[obj.pk]),
               [obj.get_code_display(), obj.id_kpm or obj.household.id_kpm, stage, obj.occurred_on,
                _("yes") if getattr(obj, "has_case", False) else _("no")])


@login_required
def records(request, pk: int, figure: str = "visits"):
    if figure not in figures.FIGURES:
        raise Http404
    facilitator = access.visible_facilitators(request.user).filter(pk=pk).first()
    if facilitator is None:
        raise Http404
    if request.GET.get("kota"):
        city = access.get_city_or_404(request.user, request.GET["kota"])
    else:
        cities = access.visible_cities(request.user).filter(code__in=facilitator.cities.values("code")).order_by("code")
        city = cities.first()
        if city is None:
            raise Http404
    month = _month(request.GET.get("bulan", ""))
    spec = figures.FIGURES[figure]
    p = figures.period(city.code, month)
    rows = figures.records(request.user, figure, facilitator=facilitator, city=city, month=month, p=p)
    columns = _columns(spec.kind)
    who = facilitator.get_full_name() or facilitator.username
    if request.GET.get("format") == "xlsx":
        title = f"{spec.label} {month:%Y-%m}"
        return xlsx_response(
            [Sheet(title, columns, (_row(spec.kind, obj).cells for obj in rows.iterator(chunk_size=2000)))],
            filename=f"audit-{figure}-{facilitator.username}-{month:%Y-%m}.xlsx", actor=request.user,
            subject="oversight.records", city_code=city.code,
            details={"facilitator": facilitator.pk, "figure": figure, "month": f"{month:%Y-%m}"})
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "oversight/records.html", {
        "figure": spec, "facilitator": facilitator, "who": who, "city": city, "month": month, "as_of": p.as_of,
        "page_obj": page, "count": page.paginator.count, "headers": [c.header for c in columns],
        "rows": [Row(r.url, [_text(v) for v in r.cells]) for r in (_row(spec.kind, obj) for obj in page.object_list)],
        "other_figures": [(key, f.label) for key, f in figures.FIGURES.items()],
        "back_url": _back_url(facilitator, city, month),
    })


def _back_url(facilitator, city, month) -> str:
    """The facilitator's audit page (oversight_facilitator), when that page exists."""
    try:
        return f"{reverse('oversight_facilitator', args=[facilitator.pk])}?kota={city.code}&bulan={month:%Y-%m}"
    except NoReverseMatch:
        return ""
