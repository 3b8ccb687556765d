"""Graduation statistics: the page (tables with charts beside them) and the same tables as an XLSX
workbook, one sheet per table. Both are scoped by org.access through graduation.statistics and use the
same tables (graduation.statistics_tables), so they always show the same figures."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.exports import xlsx_response
from graduation import statistics as selectors
from graduation.statistics_forms import ALL_YEARS, StatisticsFilterForm
from graduation.statistics_tables import CHARTS, Links, build_tables, chart_data, percent
from org import access


def _statistics(request):
    today = timezone.localdate()
    form = StatisticsFilterForm(request.GET or None, user=request.user, today=today)
    filters = form.filters(today)
    stats = selectors.graduation_statistics(request.user, filters, today=today)
    return form, filters, stats


def _scope_label(request, form, filters) -> str:
    """Whose figures these are, in words: a facilitator's caseload, a kelurahan, a city, every city."""
    if not access.can_view_city(request.user):
        return _("My caseload")
    if filters.kelurahan:
        return dict(form.fields["kelurahan"].choices).get(filters.kelurahan, filters.kelurahan)
    if filters.city and "kota" in form.fields:
        return dict(form.fields["kota"].choices).get(filters.city, filters.city)
    if "kota" not in form.fields:
        return _("My city")
    return _("All my cities")


@login_required
@require_GET
def statistics(request):
    form, filters, stats = _statistics(request)
    city_role = access.can_view_city(request.user)
    scope_label = _scope_label(request, form, filters)
    tables = build_tables(stats, links=Links(request.user, filters), city_role=city_role)
    for table in tables:
        table.chart, table.chart_label = CHARTS.get(table.key, ("", ""))
        table.chart_label = str(table.chart_label)
    query = urlencode({"year": filters.year or ALL_YEARS, "kota": filters.city, "kelurahan": filters.kelurahan})
    return render(request, "graduation/statistics.html", {
        "form": form,
        "stats": stats,
        "tables": tables,
        "chart_data": chart_data(stats, scope_label=scope_label),
        "scope_label": scope_label,
        "mandiri_share": percent(stats.total.mandiri_share).text,
        "national_mandiri_share": percent(stats.national.mandiri_share).text,
        "national_alamiah_share": percent(stats.national.alamiah_share).text,
        "national_graduated": number_format(stats.national.graduated, force_grouping=True),
        "long_years": selectors.LONG_IN_PROGRAM_YEARS,
        "period": filters.year or _("all years"),
        "export_url": f"{reverse('graduation_statistics_export')}?{query}",
        "city_role": city_role,
    })


@login_required
@require_GET
def statistics_export(request):
    """The page's tables as an XLSX workbook. Facilitators' names and results are personal data of staff:
    every export is written to the audit trail with its scope."""
    form, filters, stats = _statistics(request)
    city_role = access.can_view_city(request.user)
    tables = build_tables(stats, links=Links(request.user, filters), city_role=city_role)
    # The city whose families the figures are about, when it is one (the audit trail is searched by city).
    cities = {row.code[:5] for row in stats.kelurahan}
    city_code = filters.city or (cities.pop() if len(cities) == 1 else "")
    parts = ["graduation-statistics", str(filters.year or ALL_YEARS), filters.kelurahan or filters.city]
    return xlsx_response(
        [table.sheet() for table in tables],
        filename="-".join(p for p in parts if p) + ".xlsx",
        actor=request.user, subject="graduation.statistics", city_code=city_code,
        details={"filters": {"year": filters.year or ALL_YEARS, "city": filters.city, "kelurahan": filters.kelurahan},
                 "scope": _scope_label(request, form, filters)},
    )
