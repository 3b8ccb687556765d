"""Commitment verification pages: the index with progress, the bulk entry screen of a facility, a
household's entry page, facilities, suspension proposals, and recomputing a city's results.

Views stay thin: scope through org.access, validate with forms, call one selector or service.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from beneficiaries.rules import RuleBook
from compliance import selectors, services
from compliance.forms import (
    DecisionForm,
    FacilityFilterForm,
    FacilityForm,
    RefreshForm,
    RowForm,
    SheetChoiceForm,
    attach_service_errors,
)
from compliance.models import Commitment, SuspensionProposal
from compliance.periods import Period
from compliance.periods import choices as period_choices
from compliance.reasons import reason_texts
from compliance.tasks import COMPLIANCE_REFRESH, results_refresh_task
from core.forms import add_service_errors
from core.jobs import JobAlreadyActive, job_start
from org import access

BULK_ROWS_PER_PAGE = 50


def _period_from(request, today) -> Period:
    """The period asked for, if it has begun; else the current one."""
    current = Period.of(today)
    period = Period.parse(request.GET.get("period"))
    return period if period is not None and period <= current else current


def _row_error_messages(row_forms) -> list[str]:
    """Every form error as "member — field: problem", for the summary above the rows."""
    found = []
    for form in row_forms:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else _("row")
            found += [f"{form.row.member.name} — {label}: {error}" for error in errors]
    return found


# --- the index ------------------------------------------------------------------------------------

@login_required
def index(request):
    """Progress per kelurahan: live for a facilitator's caseload, stored figures for a whole city."""
    today = timezone.localdate()
    period = _period_from(request, today)
    context = {
        "period": period, "period_choices": period_choices(today), "current": Period.of(today),
        "can_write": access.can_write(request.user), "can_manage": access.can_manage_caseloads(request.user),
        "thresholds": selectors.thresholds_for(period),
    }
    if request.user.is_facilitator:
        rows = selectors.progress_live(request.user, period=period, rulebook=RuleBook(),
                                       thresholds=context["thresholds"])
        context.update(rows=rows, live=True)
    else:
        city, cities = access.selected_city(request.user, request.GET.get("kota"))
        rows, oldest = selectors.progress_stored(request.user, period=period, city_code=city.code)
        context.update(rows=rows, live=False, city=city, cities=cities, oldest=oldest,
                       pending_proposals=selectors.pending_proposal_count(request.user))
    results = selectors.non_compliant_results(request.user, period=period,
                                              city_code=context["city"].code if "city" in context else "")
    context["non_compliant"] = Paginator(results, 25).get_page(request.GET.get("page"))
    context["non_compliant_rows"] = [(r, reason_texts(r.reasons)) for r in context["non_compliant"].object_list]
    context["totals"] = {
        "families": sum(r.families for r in context["rows"]),
        "to_verify": sum(r.to_verify for r in context["rows"]),
        "recorded": sum(r.recorded for r in context["rows"]),
        "non_compliant": sum(r.non_compliant for r in context["rows"]),
    }
    return render(request, "compliance/index.html", context)


# --- the bulk entry screen -----------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def bulk_entry(request):
    """One screen per facility (or a whole kelurahan): one row per member, saved in one POST."""
    today = timezone.localdate()
    chooser = SheetChoiceForm(request.GET, user=request.user, today=today)
    context = {"chooser": chooser, "can_write": access.can_write(request.user)}
    if request.method == "POST":
        access.require_write(request.user)
    if not chooser.is_valid() or chooser.cleaned_data["kelurahan"] is None:
        return render(request, "compliance/bulk_entry.html", context)
    period, kelurahan = chooser.cleaned_data["period"], chooser.cleaned_data["kelurahan"]
    commitment, facility = chooser.cleaned_data["commitment"], chooser.cleaned_data["facility"]
    thresholds = selectors.thresholds_for(period)
    sheet = selectors.kelurahan_sheet(request.user, period=period, kelurahan=kelurahan, rulebook=RuleBook(),
                                      thresholds=thresholds)
    linked, unlinked = selectors.facility_rows(sheet, commitment, facility)
    # A school's pupils fit on one page; a whole kelurahan is split (the page's rows are saved together).
    page = Paginator(linked + unlinked, BULK_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    data = request.POST if request.method == "POST" else None
    read_only = not context["can_write"]
    all_forms = [RowForm(data, row=row, period=period, today=today, link_to=facility, read_only=read_only)
                 for row in page.object_list]
    is_linked = {id(row) for row in linked}
    context.update(
        period=period, kelurahan=kelurahan, commitment=commitment, commitment_label=Commitment(commitment).label,
        facility=facility, sheet=sheet, thresholds=thresholds, page_obj=page, error_messages=[],
        linked_forms=[f for f in all_forms if id(f.row) in is_linked],
        unlinked_forms=[f for f in all_forms if id(f.row) not in is_linked],
        linked_count=len(linked), unlinked_count=len(unlinked),
        kinds=[(code, sheet.to_verify[code], sheet.recorded[code]) for code in sheet.to_verify],
    )
    if request.method == "POST":
        if all([form.is_valid() for form in all_forms]):
            try:
                summary = services.commitment_records_save(
                    actor=request.user, period=period, evidence=facility,
                    entries=[form.entry() for form in all_forms if form.was_shown],
                )
            except ValidationError as exc:
                context["error_messages"] = attach_service_errors({f.row.key: f for f in all_forms}, exc)
            else:
                messages.success(request, _saved_message(summary))
                return HttpResponseRedirect(f"{reverse('compliance_bulk')}?{request.GET.urlencode()}")
        else:
            context["error_messages"] = _row_error_messages(all_forms)
        return render(request, "compliance/bulk_entry.html", context, status=400)
    return render(request, "compliance/bulk_entry.html", context)


def _saved_message(summary: services.SaveSummary) -> str:
    if not summary.changed:
        return _("Nothing changed.")
    text = ngettext("%(count)s row saved.", "%(count)s rows saved.", summary.created + summary.updated) % {
        "count": summary.created + summary.updated}
    if summary.cleared:
        text += " " + ngettext("%(count)s record removed.", "%(count)s records removed.", summary.cleared) % {
            "count": summary.cleared}
    if summary.linked:
        text += " " + ngettext("%(count)s facility link changed.", "%(count)s facility links changed.", summary.linked) % {
            "count": summary.linked}
    if summary.proposals:
        text += " " + ngettext(
            "%(count)s family was non-compliant too long: a suspension was proposed and a mediation case opened.",
            "%(count)s families were non-compliant too long: suspensions were proposed and mediation cases opened.",
            summary.proposals) % {"count": summary.proposals}
    return text


# --- a household's entry page ---------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def household_entry(request, pk):
    household = access.get_household_or_404(request.user, pk, for_write=request.method == "POST")
    today = timezone.localdate()
    period = _period_from(request, today)
    thresholds = selectors.thresholds_for(period)
    sheet = selectors.household_sheet(request.user, household, period=period, rulebook=RuleBook(), thresholds=thresholds)
    can_write = access.can_write(request.user)
    options = selectors.facility_options(request.user, kelurahan=household.kelurahan_id,
                                         include=[row.facility for row in sheet.rows])
    data = request.POST if request.method == "POST" else None
    row_forms = [
        RowForm(data, row=row, period=period, today=today, facilities=options[row.due.commitment], read_only=not can_write)
        for row in sheet.rows
    ]
    context = {
        "household": household, "period": period, "period_choices": period_choices(today), "sheet": sheet,
        "row_forms": row_forms, "thresholds": thresholds, "can_write": can_write, "error_messages": [],
        "verdict": sheet.verdicts.get(household.pk),
        "pengurus": next((m for m in sheet.members if m.is_pengurus), None),
    }
    if context["verdict"] is not None:
        context["reasons"] = reason_texts(context["verdict"].reasons)
        context["missing"] = reason_texts(context["verdict"].missing)
    if request.method == "POST":
        if all([form.is_valid() for form in row_forms]):
            try:
                summary = services.commitment_records_save(
                    actor=request.user, period=period, entries=[form.entry() for form in row_forms if form.was_shown])
            except ValidationError as exc:
                context["error_messages"] = attach_service_errors({f.row.key: f for f in row_forms}, exc)
            else:
                messages.success(request, _saved_message(summary))
                return HttpResponseRedirect(
                    f"{reverse('compliance_household', args=[household.pk])}?{urlencode({'period': period.key})}")
        else:
            context["error_messages"] = _row_error_messages(row_forms)
        return render(request, "compliance/household_entry.html", context, status=400)
    return render(request, "compliance/household_entry.html", context)


# --- facilities -----------------------------------------------------------------------------------

@login_required
def facility_list(request):
    form = FacilityFilterForm(request.GET or None, user=request.user)
    facilities = selectors.visible_facilities(request.user).select_related("kelurahan")
    if form.is_valid():
        if form.cleaned_data["kelurahan"]:
            facilities = facilities.filter(kelurahan_id=form.cleaned_data["kelurahan"])
        if form.cleaned_data["kind"]:
            facilities = facilities.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["q"]:
            text = form.cleaned_data["q"].strip()
            facilities = facilities.filter(Q(name__icontains=text) | Q(npsn=text))
    page = Paginator(facilities.order_by("-active", "name", "id"), 30).get_page(request.GET.get("page"))
    return render(request, "compliance/facility_list.html", {
        "form": form, "page_obj": page, "can_write": access.can_write(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def facility_create(request):
    access.require_write(request.user)
    form = FacilityForm(request.POST or None, user=request.user,
                        initial={"kelurahan": request.GET.get("kelurahan"), "kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.facility_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added.") % {"name": facility.name})
            return redirect(_safe_next(request) or reverse("facility_list"))
    return render(request, "compliance/facility_form.html", {"form": form, "facility": None,
                                                              "next": _safe_next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def facility_edit(request, pk):
    facility = access.get_scoped_or_404(request.user, selectors.visible_facilities(request.user), pk, for_write=True)
    form = FacilityForm(request.POST or None, instance=facility, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.facility_update(actor=request.user, facility=facility, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Facility saved."))
            return redirect("facility_list")
    return render(request, "compliance/facility_form.html", {"form": form, "facility": facility})


def _safe_next(request) -> str:
    """Only our own bulk screen is a place to come back to after adding a facility."""
    target = request.GET.get("next") or request.POST.get("next") or ""
    return target if target.startswith(reverse("compliance_bulk")) else ""


# --- suspension proposals ---------------------------------------------------------------------------

@login_required
def proposal_list(request):
    status = request.GET.get("status", "")
    status = status if status in SuspensionProposal.Status.values else ""
    proposals = selectors.proposal_list(request.user, status=status)
    page = Paginator(proposals, 25).get_page(request.GET.get("page"))
    return render(request, "compliance/proposal_list.html", {
        "page_obj": page, "status": status, "statuses": SuspensionProposal.Status.choices,
        "can_manage": access.can_manage_caseloads(request.user),
    })


def _proposal_context(request, proposal, form=None):
    can_decide = access.can_manage_caseloads(request.user) and proposal.is_pending
    return {
        "proposal": proposal,
        "reasons": [(r.get("period"), text) for r, text in zip(proposal.reasons, reason_texts(proposal.reasons))],
        "results": [(p, r, reason_texts(r.reasons) if r else []) for p, r in selectors.proposal_results(request.user, proposal)],
        "form": form or (DecisionForm() if can_decide else None),
        "can_decide": can_decide,
    }


def _visible_proposal(request, pk):
    proposals = selectors.visible_proposals(request.user).select_related("household__kelurahan", "decided_by")
    return access.get_scoped_or_404(request.user, proposals, pk)


@login_required
def proposal_detail(request, pk):
    proposal = _visible_proposal(request, pk)
    return render(request, "compliance/proposal_detail.html", _proposal_context(request, proposal))


@login_required
@require_POST
def proposal_decide(request, pk):
    proposal = _visible_proposal(request, pk)
    access.require_caseload_management(request.user)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.suspension_proposal_decide(
                actor=request.user, proposal=proposal, approve=form.cleaned_data["decision"] == "approve",
                effective_date=form.cleaned_data["effective_date"], note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Decision saved."))
            return redirect("proposal_detail", pk=proposal.pk)
    context = _proposal_context(request, proposal, form=form)
    context["can_decide"] = True
    return render(request, "compliance/proposal_detail.html", context, status=400)


# --- recomputing a city's results ---------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def refresh(request):
    """Recompute the stored results of a city for a period in the background (e.g. after members'
    data changed); the coordinator follows the job's progress page."""
    access.require_caseload_management(request.user)
    today = timezone.localdate()
    form = RefreshForm(request.POST or None, user=request.user, today=today,
                       initial={"period": request.GET.get("period") or Period.of(today).key,
                                "city": request.GET.get("kota", "")})
    if request.method == "POST" and form.is_valid():
        period, city = form.cleaned_data["period"], form.cleaned_data["city"]
        try:
            job = job_start(actor=request.user, kind=COMPLIANCE_REFRESH, task=results_refresh_task, city_code=city,
                            params={"period": period.key, "city": city}, lock_key=f"{city}:{period.key}")
        except JobAlreadyActive as exc:
            messages.warning(request, _("These results are already being recomputed; here is the progress."))
            return redirect("job_detail", pk=exc.job.pk)
        return redirect("job_detail", pk=job.pk)
    return render(request, "compliance/refresh.html", {"form": form})

