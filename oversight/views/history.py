"""The change history pages: the filtered list of audit events and its XLSX export (itself audited)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.exports import Column, Sheet, xlsx_response
from oversight import history
from org import access


def _filters(request):
    """The checked filters of the request (404 for a city, household or facilitator out of scope)."""
    history.require_history_access(request.user)
    cities = list(access.visible_cities(request.user).order_by("code"))
    facilitators = list(access.visible_facilitators(request.user).order_by("username"))
    form = history.HistoryFilterForm(request.GET or None, user=request.user, cities=cities, facilitators=facilitators)
    cleaned = form.cleaned_data if form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        # A malformed date is dropped (the form says so); a city or facilitator outside the choices is out of
        # scope and answers 404 below, never a wider list.
        cleaned = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
        for name in ("kota", "facilitator", "household", "user"):
            if name in form.errors:
                cleaned[name] = request.GET.get(name)
    return form, history.resolve_filters(request.user, cleaned)


@login_required
@require_GET
def history_list(request):
    form, filters = _filters(request)
    events = history.history_events(request.user, filters)
    page = history.history_page(events, before=request.GET.get("before", ""), after=request.GET.get("after", ""))
    return render(request, "oversight/history.html", {
        "form": form, "filters": filters, "heading": history.heading(filters), "page": page,
        "rows": history.rows_for(request.user, page.events), "query": filters.query(),
        "export_limit": history.EXPORT_MAX_ROWS,
    })


@login_required
@require_GET
def history_export(request):
    """The same events as the page (newest first, at most EXPORT_MAX_ROWS) as an XLSX workbook. The history
    names families and staff, so the download is itself written to the audit trail with its filters."""
    _form, filters = _filters(request)
    events = history.history_events(request.user, filters)[:history.EXPORT_MAX_ROWS]
    columns = [
        Column(_("Time"), Column.DATETIME), Column(_("User")), Column(_("Action")), Column(_("Kind of record")),
        Column(_("Record")), Column(_("Record ID")), Column(_("Household ID")), Column(_("City")),
        Column(_("Changes"), width=60), Column(_("Note"), width=40), Column(_("Request")), Column(_("Address")),
    ]
    rows = (
        (event.at, event.actor_username, event.get_action_display(), event.object_type, event.object_repr,
         event.object_id, event.household_id, event.city_code, history.changes_text(event), event.message,
         event.request_id, event.ip_address)
        for event in events.iterator(chunk_size=2000)
    )
    return xlsx_response(
        [Sheet(history.heading(filters), columns, rows)], filename="riwayat-perubahan.xlsx", actor=request.user,
        subject="oversight.history", city_code=filters.city.code if filters.city else "",
        household_id=filters.household_id, details={"filters": filters.as_details()},
    )
