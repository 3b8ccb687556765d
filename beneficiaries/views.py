"""Registry pages: caseload list, household page, edits, city overview, assignment, import.

Views stay thin: scope through org.access, validate with a form, call one selector or service.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from beneficiaries import selectors, services
from beneficiaries.forms import (
    AssignForm,
    CaseloadFilterForm,
    HouseholdForm,
    HouseholdImportForm,
    KKSCustodyForm,
    MemberForm,
    StatusForm,
)
from beneficiaries.rules import RuleBook
from beneficiaries.tasks import HOUSEHOLD_IMPORT, household_import_task
from beneficiaries.validation import nik_birth_date_warning
from core.extensions import CITY_CARDS, HOUSEHOLD_PANELS, render_parts
from core.forms import add_service_errors
from core.jobs import JobAlreadyActive, file_fingerprint, job_start
from org import access

PAGE_SIZE = 25
SEARCH_SESSION_KEY = "caseload_searches"


# --- the caseload list ------------------------------------------------------------------------

def _remember_search(request, text: str) -> str:
    """Keep the search text in the session and return a short token for the URL.

    Searches may be a NIK, which must never appear in a URL or a log line.
    """
    searches = request.session.get(SEARCH_SESSION_KEY, {})
    token = secrets.token_urlsafe(6)
    searches[token] = text[:100]
    request.session[SEARCH_SESSION_KEY] = dict(list(searches.items())[-20:])
    return token


def _filters_from(request, form) -> selectors.CaseloadFilters:
    data = form.cleaned_data if form.is_valid() else {}
    token = request.GET.get("cari", "")
    return selectors.CaseloadFilters(
        q=request.session.get(SEARCH_SESSION_KEY, {}).get(token, "") if token else "",
        kelurahan=data.get("kelurahan", ""),
        status=data.get("status", ""),
        component=data.get("component", ""),
        facilitator=data.get("facilitator", ""),
        kks_outside=bool(data.get("kks_outside")),
        # A caseload reads best by name; a whole city (tens of thousands) is quickest by ID KPM.
        sort=data.get("sort") or ("id_kpm" if access.can_view_city(request.user) else "name"),
        city=request.GET.get("kota", "") if access.can_view_city(request.user) else "",
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_list(request):
    if request.method == "POST":
        params = {k: v for k, v in request.POST.items() if k not in {"q", "csrfmiddlewaretoken", "page"} and v}
        text = request.POST.get("q", "").strip()
        if text:
            params["cari"] = _remember_search(request, text)
        return HttpResponseRedirect(f"{reverse('household_list')}?{urlencode(params)}")
    form = CaseloadFilterForm(request.GET or None, user=request.user)
    filters = _filters_from(request, form)
    today = timezone.localdate()
    rulebook = RuleBook()
    households = selectors.caseload(request.user, filters, on=today, rulebook=rulebook)
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.caseload_rows(page.object_list, on=today, rulebook=rulebook)
    return render(request, "beneficiaries/household_list.html", {
        "form": form, "page_obj": page, "rows": rows, "search_text": filters.q,
        "filtered": bool(filters.q) or (form.is_bound and form.is_valid()
                                        and any(v for k, v in form.cleaned_data.items() if k != "sort")),
    })


# --- the household page -----------------------------------------------------------------------

def _household_context(request, household, *, reveal_identity=False):
    household = selectors.household_detail(request.user, household)
    today = timezone.localdate()
    rulebook = RuleBook()
    members = list(household.members.all())
    current_members = [m for m in members if not m.exit_reason]
    result = rulebook.components(members, today)
    stage = rulebook.stage_on(today)
    stage_amount, stage_result = rulebook.stage_entitlement(members, stage)
    member_warnings = {m.pk: nik_birth_date_warning(m.nik, m.birth_date, m.sex) for m in members}
    counted_by_member = {c.member_id: c.code for c in result.counted}
    can_manage = access.can_manage_caseloads(request.user)
    # A family that left the program is read-only: no edit buttons (the services refuse the edits too).
    can_edit = access.can_write(request.user) and household.status not in services.LEFT_PROGRAM
    return {
        "household": household,
        "members": members,
        "current_members": current_members,
        "pengurus": next((m for m in members if m.is_pengurus), None),
        "member_rows": [(m, counted_by_member.get(m.pk), member_warnings.get(m.pk)) for m in members],
        "components": result,
        "stage": stage,
        "stage_amount": stage_amount,
        "stage_components": stage_result,
        "reveal_identity": reveal_identity,
        "can_write": can_edit,
        "can_manage": can_manage,
        "assign_form": AssignForm(user=request.user, household_choices=[household.pk],
                                  initial={"households": [str(household.pk)]}) if can_manage else None,
        "status_form": StatusForm() if can_manage else None,
        "kks_form": KKSCustodyForm() if can_edit else None,
        "kks_records": list(household.kks_custody.all()),
        "panels": render_parts(HOUSEHOLD_PANELS, request.user, household, today),
    }


@login_required
def household_detail(request, pk):
    household = access.get_household_or_404(request.user, pk)
    return render(request, "beneficiaries/household_detail.html", _household_context(request, household))


@login_required
@require_POST
def household_identity(request, pk):
    """Show the full NIK and No. KK numbers; every such view is logged."""
    household = access.get_household_or_404(request.user, pk)
    services.identity_view_record(actor=request.user, household=household)
    return render(request, "beneficiaries/household_detail.html", _household_context(request, household, reveal_identity=True))


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, pk):
    household = access.get_household_or_404(request.user, pk, for_write=True)
    form = HouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(actor=request.user, household=household, data=form.cleaned_data,
                                      expected_version=form.cleaned_data["expected_version"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Household data saved."))
            return redirect("household_detail", pk=household.pk)
    return render(request, "beneficiaries/household_form.html", {"household": household, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request, pk):
    household = access.get_household_or_404(request.user, pk, for_write=True)
    form = MemberForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_create(actor=request.user, household=household, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Member added."))
            return redirect("household_detail", pk=household.pk)
    return render(request, "beneficiaries/member_form.html", {"household": household, "form": form, "member": None})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk, member_pk):
    household = access.get_household_or_404(request.user, pk, for_write=True)
    member = access.get_member_or_404(request.user, household, member_pk, for_write=True)
    form = MemberForm(request.POST or None, instance=member, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=request.user, member=member, data=form.cleaned_data,
                                   expected_version=form.cleaned_data["expected_version"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Member data saved."))
            return redirect("household_detail", pk=household.pk)
    return render(request, "beneficiaries/member_form.html", {"household": household, "form": form, "member": member})


@login_required
@require_POST
def member_make_pengurus(request, pk, member_pk):
    household = access.get_household_or_404(request.user, pk, for_write=True)
    member = access.get_member_or_404(request.user, household, member_pk, for_write=True)
    try:
        services.pengurus_change(actor=request.user, household=household, member=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s is now the family recipient (pengurus).") % {"name": member.name})
    return redirect("household_detail", pk=household.pk)


@login_required
@require_POST
def kks_custody_create(request, pk):
    household = access.get_household_or_404(request.user, pk, for_write=True)
    form = KKSCustodyForm(request.POST)
    if form.is_valid():
        try:
            services.kks_custody_record(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("KKS card holder recorded."))
            return redirect("household_detail", pk=household.pk)
    context = _household_context(request, household)
    context["kks_form"] = form
    return render(request, "beneficiaries/household_detail.html", context, status=400)


@login_required
@require_POST
def household_status(request, pk):
    household = access.get_household_or_404(request.user, pk)
    access.require_caseload_management(request.user)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.household_set_status(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Status changed."))
            return redirect("household_detail", pk=household.pk)
    context = _household_context(request, household)
    context["status_form"] = form
    return render(request, "beneficiaries/household_detail.html", context, status=400)


# --- coordinators: the city and its caseloads -------------------------------------------------

def _selected_city(request):
    return access.selected_city(request.user, request.GET.get("kota") or request.POST.get("kota"))


@login_required
def city_overview(request):
    if not access.can_view_city(request.user):
        raise PermissionDenied
    city, cities = _selected_city(request)
    today = timezone.localdate()
    overview = selectors.city_overview(request.user, city, on=today)
    return render(request, "beneficiaries/city_overview.html", {
        "overview": overview, "city": city, "cities": cities, "can_manage": access.can_manage_caseloads(request.user),
        "cards": render_parts(CITY_CARDS, request.user, city, cities, today),
    })


@login_required
@require_http_methods(["GET", "POST"])
def caseload_assign(request):
    """Pick households (filtered like the caseload list) and move them to a facilitator."""
    access.require_caseload_management(request.user)
    city, cities = _selected_city(request)
    today = timezone.localdate()
    rulebook = RuleBook()
    filter_form = CaseloadFilterForm(request.GET or None, user=request.user)
    filters = _filters_from(request, filter_form)
    filters.city = city.code
    households = selectors.caseload(request.user, filters, on=today, rulebook=rulebook)
    page = Paginator(households, 50).get_page(request.GET.get("page"))
    assign_form = AssignForm(request.POST or None, user=request.user, household_choices=[h.pk for h in page.object_list]
                             if request.method == "GET" else request.POST.getlist("households"))
    if request.method == "POST" and assign_form.is_valid():
        target = assign_form.cleaned_data["facilitator"]
        facilitator = None if target == "none" else access.visible_facilitators(request.user).filter(pk=target).first()
        try:
            moved = services.households_assign(
                actor=request.user, household_ids=[int(pk) for pk in assign_form.cleaned_data["households"]],
                facilitator=facilitator, reason=assign_form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(assign_form, exc)
        else:
            messages.success(request, ngettext("%(count)s household moved.", "%(count)s households moved.", moved) % {"count": moved})
            next_url = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
                next_url = f"{reverse('caseload_assign')}?{request.GET.urlencode()}"
            return redirect(next_url)
    return render(request, "beneficiaries/caseload_assign.html", {
        "city": city, "cities": cities, "filter_form": filter_form, "assign_form": assign_form, "page_obj": page,
        "rows": selectors.caseload_rows(page.object_list, on=today, rulebook=rulebook),
        "search_text": filters.q,
    })


# --- registry import --------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def household_import(request):
    access.require_caseload_management(request.user)
    form = HouseholdImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        city_codes = access.city_codes(request.user)
        try:
            job = job_start(
                actor=request.user, kind=HOUSEHOLD_IMPORT, task=household_import_task,
                city_code=city_codes[0] if len(city_codes) == 1 else "",
                params={"skip_invalid": form.cleaned_data["skip_invalid"]},
                input_file=upload, lock_key=file_fingerprint(upload),
            )
        except JobAlreadyActive as exc:
            messages.warning(request, _("This file is already being imported; here is its progress."))
            return redirect("job_detail", pk=exc.job.pk)
        return redirect("job_detail", pk=job.pk)
    recent = access.visible_jobs(request.user).filter(kind=HOUSEHOLD_IMPORT).select_related("created_by")[:10]
    return render(request, "beneficiaries/household_import.html", {"form": form, "recent": recent})


@login_required
def household_import_sample(request):
    from django.conf import settings

    path = settings.BASE_DIR / "beneficiaries" / "samples" / "kpm_sample.csv"
    return FileResponse(open(path, "rb"), as_attachment=True, filename="contoh_impor_kpm.csv", content_type="text/csv")
