"""The facilitator activity audit: the city's table for a month (with its XLSX download and the refresh of
the stored figures), one facilitator's page and the map of their visits.

The table and past months read the stored monthly rows (oversight.selectors); the current month on a
facilitator's page is computed live (oversight.compute). Scoping: org.access through the selectors —
coordinators, auditors and administrators see their cities' table; a facilitator sees only their own page
and map (others' answer 404) and not the city table (403); only coordinators and administrators refresh.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.exports import xlsx_response
from core.jobs import JobAlreadyActive
from livelihood.selectors import month_start
from org import access
from org.models import FacilitatorProfile
from oversight import audit_tables as tables
from oversight import compute, selectors, tasks
from oversight.models import ActivityClass, ActivitySettings

_SENTINEL_PK = 987654321


def _city(request):
    """The city picked with ?kota= and the user's cities (org.access.selected_city)."""
    return access.selected_city(request.user, request.GET.get("kota") or request.POST.get("kota"))


def _table_options(request) -> dict:
    klass = request.GET.get("kelas", "")
    background = request.GET.get("latar", "")
    sort = request.GET.get("urut", "")
    return {
        "kelas": klass if klass in ActivityClass.values else "",
        "latar": background if background in FacilitatorProfile.BackgroundGroup.values else "",
        "urut": sort if sort.lstrip("-") in tables.SORT_KEYS else "",
    }


def _audit(request):
    city, cities = _city(request)
    today = timezone.localdate()
    month = selectors.parse_month(request.GET.get("bulan"), today)
    options = _table_options(request)
    audit = selectors.city_audit(request.user, city, month)
    links = tables.Links(city.code, month)
    shown = tables.filter_rows(audit.rows, activity_class=options["kelas"], background=options["latar"])
    shown = tables.sort_rows(shown, options["urut"] or "name")
    return city, cities, today, month, options, audit, links, tables.table_rows(shown, links)


def _query(**params) -> str:
    return urlencode({key: value for key, value in params.items() if value})


@login_required
@require_GET
def audit(request):
    city, cities, today, month, options, audit, links, rows = _audit(request)
    base = {"kota": city.code, "bulan": f"{month:%Y-%m}", "kelas": options["kelas"], "latar": options["latar"]}
    path = reverse("oversight_audit")
    current_sort = options["urut"] or "name"

    def header(key, label, help_text=""):
        state = "asc" if current_sort == key else "desc" if current_sort == f"-{key}" else ""
        target = f"-{key}" if state == "asc" else key
        return {"key": key, "label": str(label), "help": str(help_text), "state": state,
                "url": f"{path}?{_query(**base, urut=target)}"}

    is_current = month == month_start(today)
    return render(request, "oversight/audit.html", {
        "city": city, "cities": cities, "month": month, "months": selectors.picker_months(today, month),
        "is_current": is_current, "audit": audit, "rows": rows, "options": options,
        "name_header": header("name", _("Facilitator")),
        "class_header": header("class", _("Activity")),
        "headers": [header(c.key, c.header, c.help) for c in tables.COLUMNS],
        "groups": tables.column_groups(),
        "summary": [(group, tables.summary_texts(group)) for group in tables.background_summary(audit.rows)],
        "summary_columns": [str(label) for _key, label, _kind in tables.SUMMARY_COLUMNS],
        "class_choices": ActivityClass.choices,
        "background_choices": FacilitatorProfile.BackgroundGroup.choices,
        "chart": tables.class_chart(audit.months, audit.class_counts),
        "class_rows": [(tables.month_label(m), [audit.class_counts[m][k] for k in ActivityClass.values])
                       for m in audit.months],
        "can_refresh": access.can_manage_caseloads(request.user),
        "export_url": f"{reverse('oversight_audit_export')}?{_query(**base, urut=options['urut'])}",
        "filter_active": bool(options["kelas"] or options["latar"]),
        "total_rows": len(audit.rows),
    })


@login_required
@require_GET
def audit_export(request):
    """The table as the page shows it (same filters and order), with the summary by background and the
    classes per month. Facilitators' names and figures are staff personal data: the export is audited."""
    city, _cities, _today, month, options, audit, _links, rows = _audit(request)
    sheets = tables.audit_sheets(rows, tables.background_summary(audit.rows), audit.months, audit.class_counts)
    return xlsx_response(
        sheets, filename=f"facilitator-activity-{city.code}-{month:%Y-%m}.xlsx", actor=request.user,
        subject="oversight.audit", city_code=city.code,
        details={"month": f"{month:%Y-%m}", "filters": {"class": options["kelas"], "background": options["latar"]}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def refresh(request):
    """Recompute a city's month in the background (a core.jobs Job with progress): coordinators and
    administrators. GET asks for confirmation; POST starts the job and goes to its progress page."""
    access.require_caseload_management(request.user)
    city, _cities = _city(request)
    today = timezone.localdate()
    month = selectors.parse_month(request.POST.get("bulan") or request.GET.get("bulan"), today)
    if request.method == "POST":
        try:
            job = tasks.start_refresh(actor=request.user, city_code=city.code, month=month)
        except JobAlreadyActive as exc:
            messages.warning(request, _("This month of this city is already being computed; here is the progress."))
            return redirect("job_detail", pk=exc.job.pk)
        return redirect("job_detail", pk=job.pk)
    return render(request, "oversight/audit_refresh.html", {
        "city": city, "month": month, "computed_at": selectors.city_computed_at(city, month),
        "back_url": f"{reverse('oversight_audit')}?{_query(kota=city.code, bulan=f'{month:%Y-%m}')}",
    })


def _facilitator_context(request, pk):
    person = selectors.get_facilitator_or_404(request.user, pk)
    city = selectors.facilitator_city(request.user, person, request.GET.get("kota"))
    today = timezone.localdate()
    month = selectors.parse_month(request.GET.get("bulan"), today)
    return person, city, today, month


@login_required
@require_GET
def facilitator(request, pk):
    person, city, today, month = _facilitator_context(request, pk)
    months = selectors.trend_months(month)
    rows = selectors.facilitator_months(person, city, months)
    live = month == month_start(today)
    if live:
        # The current month is computed from the records as they are now, for this facilitator only.
        computed = compute.compute_city_month(city.code, month, as_of=today, facilitator_ids=[person.pk])
        row = next((r for r in computed if r.facilitator_id == person.pk), None)
        if row is not None:
            rows[month] = row
    row = rows.get(month)
    links = tables.Links(city.code, month)
    try:
        profile = person.facilitator_profile
    except FacilitatorProfile.DoesNotExist:
        profile = None
    city_role = access.can_view_city(request.user)
    caseload_url = reverse("household_list")
    if city_role:
        caseload_url += f"?{_query(facilitator=person.pk)}"
    history_url = f"{reverse('history')}?{_query(kota=city.code, facilitator=person.pk)}" if city_role else ""
    class_labels = dict(ActivityClass.choices)
    return render(request, "oversight/facilitator.html", {
        "person": person, "name": tables.facilitator_name(person), "profile": profile, "city": city,
        "background_label": tables.BACKGROUND_LABELS.get(profile.background_group, "") if profile else "",
        "month": month, "months": selectors.picker_months(today, month), "live": live, "row": row,
        "sections": tables.facilitator_sections(row, links, person.pk) if row else [],
        "activity_label": class_labels.get(row.activity_class, "") if row else "",
        "badge": tables.CLASS_BADGE.get(row.activity_class, "text-bg-secondary") if row else "",
        "trend": [{"month": tables.month_label(m), "row": rows.get(m),
                   "label": class_labels.get(rows[m].activity_class, "") if m in rows else "",
                   "badge": tables.CLASS_BADGE.get(rows[m].activity_class, "") if m in rows else "",
                   "href": links.facilitator(person.pk, m)} for m in months],
        "chart": tables.trend_chart(months, rows),
        "grid": tables.work_grid(row, ActivitySettings.current()),
        "map_url": links.map(person.pk),
        "caseload_url": caseload_url,
        "history_url": history_url,
        "audit_url": f"{reverse('oversight_audit')}?{_query(kota=city.code, bulan=f'{month:%Y-%m}')}" if city_role else "",
        "city_role": city_role,
    })


@login_required
@require_GET
def facilitator_map(request, pk):
    person, city, today, month = _facilitator_context(request, pk)
    household_path = reverse("household_detail", kwargs={"pk": _SENTINEL_PK})

    def household_url(household_pk):
        return household_path.replace(str(_SENTINEL_PK), str(household_pk))

    points = selectors.map_points(request.user, person, city, month, household_url=household_url)
    config = {
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "labels": {
            "visit": _("Visit"), "home": _("Home position"), "household": _("Family"), "distance": _("Distance from home"),
            "far": _("Far from home"), "late": _("Entered late"), "open": _("Open the family's page"),
            "caseload": _("In the caseload"), "visited": _("Visited family (not in the caseload now)"),
        },
    }
    links = tables.Links(city.code, month)
    return render(request, "oversight/map.html", {
        "person": person, "name": tables.facilitator_name(person), "city": city, "month": month,
        "months": selectors.picker_months(today, month), "points": points.as_json(), "config": config,
        "visit_count": len(points.visits), "home_count": len(points.homes), "far_count": len(points.far_lines),
        "facilitator_url": links.facilitator(person.pk), "tiles_configured": bool(settings.MAP_TILE_URL),
    })
