"""The monthly transaction-monitoring reports: the list of the cities' months and versions, building one on
demand (a background job), a report with its charts and tables, its flagged families, and its XLSX download.
Reports are read through monitoring.reports (cities from org.access); a facilitator sees only the figures of
their own caseload and their own flagged families."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.exports import xlsx_response
from core.jobs import JobAlreadyActive, job_start
from core.models import Job
from monitoring import report_selectors as selectors
from monitoring import report_tables, reports
from monitoring.report_forms import FlagFilterForm, ReportBuildForm, ReportListForm
from monitoring.report_tasks import MONTHLY_REPORT, report_build_task
from org import access

PAGE_SIZE = 24  # two years of one city
FLAGS_PAGE_SIZE = 50


def _cities(user) -> list[tuple[str, str]]:
    return list(access.visible_cities(user).order_by("name").values_list("code", "name"))


@login_required
@require_GET
def report_list(request):
    cities = _cities(request.user)
    form = ReportListForm(request.GET or None, cities=cities)
    months = selectors.report_months(request.user, city=form.city())
    page = Paginator(months, PAGE_SIZE).get_page(request.GET.get("page"))
    can_build = access.can_manage_caseloads(request.user)
    running = (access.visible_jobs(request.user).filter(kind=MONTHLY_REPORT, status__in=Job.ACTIVE_STATUSES)
               .order_by("-created_at")[:10]) if can_build else []
    return render(request, "monitoring/report_list.html", {
        "form": form if len(cities) > 1 else None,
        "page_obj": page,
        "months": page.object_list,
        "can_build": can_build,
        "running": list(running),
        "own": not access.can_view_city(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def report_build(request):
    access.require_caseload_management(request.user)
    today = timezone.localdate()
    cities = _cities(request.user)
    previous = reports.Month.of(today).previous()
    form = ReportBuildForm(request.POST or None, cities=cities, today=today, initial={
        "city": request.GET.get("kota") or (cities[0][0] if cities else ""), "month": previous.key})
    if request.method == "POST" and form.is_valid():
        city, month = form.cleaned_data["city"], form.cleaned_data["month"]
        try:
            job = job_start(actor=request.user, kind=MONTHLY_REPORT, task=report_build_task, city_code=city,
                            params={"city": city, "month": month.key}, lock_key=f"{city}:{month.key}")
        except JobAlreadyActive as exc:
            messages.warning(request, _("This month of this city is already being built; here is the progress."))
            return redirect("job_detail", pk=exc.job.pk)
        return redirect("job_detail", pk=job.pk)
    return render(request, "monitoring/report_build.html", {"form": form, "cities": cities})


@login_required
@require_GET
def report_detail(request, pk):
    report = selectors.get_report_or_404(request.user, pk)
    view = selectors.report_view(request.user, report)
    versions = selectors.report_versions(report)
    page = report_tables.ReportPage(view, flags_url=reverse("monitoring_report_flags", args=[report.pk]),
                                    live_flags_url=reverse("monitoring_flag_list"))
    return render(request, "monitoring/report_detail.html", {
        "report": report,
        "view": view,
        "page": page,
        "versions": versions,
        "latest": versions[0] if versions else None,
        "chart_data": page.chart_data(),
        "export_url": reverse("monitoring_report_export", args=[report.pk]),
    })


@login_required
@require_GET
def report_flags(request, pk):
    report = selectors.get_report_or_404(request.user, pk)
    view = selectors.report_view(request.user, report)
    form = FlagFilterForm(request.GET or None, view=view)
    selected = selectors.filter_flags(view.flags, form.filters())
    page = Paginator(selected, FLAGS_PAGE_SIZE).get_page(request.GET.get("page"))
    links = selectors.household_links(request.user, [flag["id_kpm"] for flag in page.object_list])
    rows = report_tables.flag_rows(page.object_list, links, kelurahan_names={
        row["code"]: row["name"] for row in report.content["by_kelurahan"]})
    return render(request, "monitoring/report_flags.html", {
        "report": report, "view": view, "form": form, "page_obj": page, "rows": rows, "count": len(selected),
    })


@login_required
@require_GET
def report_export(request, pk):
    """The report (a facilitator: their view of it) as an XLSX workbook; family IDs and staff names are
    personal data, so the download is written to the audit trail."""
    report = selectors.get_report_or_404(request.user, pk)
    view = selectors.report_view(request.user, report)
    month = report.content["month"]
    return xlsx_response(
        report_tables.report_sheets(view.content, window_days=view.window_days),
        filename=f"laporan-transaksi-{report.city_id}-{month}-v{report.version}.xlsx",
        actor=request.user, subject="monitoring.monthlyreport", city_code=report.city_id,
        details={"report": report.pk, "month": month, "version": report.version, "own_caseload": view.own},
    )
