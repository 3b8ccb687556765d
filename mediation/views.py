"""Case pages: the list (open, overdue, filtered), opening a case from a family's page, and the case page
with its timeline and actions. Views scope through org.access, validate a form, call one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_service_errors
from mediation import selectors, services
from mediation.forms import (
    CaseEditForm,
    CaseFilterForm,
    CaseOpenForm,
    DueDateForm,
    NoteForm,
    ReferralForm,
    ReferralOutcomeForm,
    TransitionForm,
)
from mediation.models import Case
from org import access

PAGE_SIZE = 25


def _get_case(request, pk, *, for_write: bool = False) -> Case:
    """The case if the user sees it (else 404); for a change, 403 unless they may also read its details."""
    cases = selectors.visible_cases(request.user).select_related("household")
    case = access.get_scoped_or_404(request.user, cases, pk, for_write=for_write)
    if for_write and not access.can_see_case_details(request.user, case):
        raise PermissionDenied
    return case


# --- the list ---------------------------------------------------------------------------------

@login_required
def case_list(request):
    """Open cases of the user's scope, due first; filters for status, category, overdue, area and facilitator."""
    form = CaseFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.CaseFilters(
        status=data.get("status", ""), category=data.get("category", ""), overdue=bool(data.get("overdue")),
        kelurahan=data.get("kelurahan", ""), facilitator=data.get("facilitator", ""), household=data.get("household"),
    )
    today = timezone.localdate()
    page = Paginator(selectors.case_list(request.user, filters, today=today), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mediation/case_list.html", {
        "form": form, "page_obj": page, "rows": selectors.case_rows(request.user, page.object_list),
        "filters": filters, "today": today, "can_view_city": access.can_view_city(request.user),
        "filtered": any(v for v in data.values()),
        # The status and overdue tabs sit above the form: only the other filters open it.
        "form_open": any(data.get(k) for k in ("category", "kelurahan", "facilitator")),
    })


# --- opening and editing ----------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def case_open(request, pk):
    household = access.get_household_or_404(request.user, pk, for_write=True)
    form = CaseOpenForm(request.POST or None, household=household,
                        initial={"category": request.GET.get("category", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                actor=request.user, household=household, category=data["category"], title=data["title"],
                description=data["description"], member=form.member_object(), due_date=data["due_date"],
                source="manual", source_ref=data["submission_key"], kks_reason=data["kks_reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Case opened. It is due on %(date)s.")
                             % {"date": date_format(case.due_date, "DATE_FORMAT")})
            return redirect("case_detail", pk=case.pk)
    return render(request, "mediation/case_form.html", {
        "household": household, "form": form, "open_cases": selectors.household_cases(request.user, household),
    }, status=400 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    case = _get_case(request, pk, for_write=True)
    form = CaseEditForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_update(actor=request.user, case=case, title=data["title"], description=data["description"],
                                 member=form.member_object(), kks_reason=data.get("kks_reason", ""))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Case details saved."))
            return redirect("case_detail", pk=case.pk)
    return render(request, "mediation/case_edit.html", {"case": case, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


# --- the case page ----------------------------------------------------------------------------

def _detail_context(request, case: Case, *, outcome_forms: dict | None = None, **bound) -> dict:
    """The case page; `bound` holds the action form the user just sent back with its errors, if any."""
    case = selectors.case_detail(request.user, case)
    user = request.user
    can_act = access.can_write(user) and case.show_details
    targets = services.transitions_for(case, actor=user) if can_act else []
    referrals = list(case.referrals.all())
    outcome_forms = outcome_forms or {}
    transition_form = bound.get("transition_form")
    transition_errors = []
    if transition_form is not None:
        if targets:
            transition_form.fields["to_status"].choices = [(s, Case.Status(s).label) for s in targets]
        else:  # nothing this user may choose now: say why, without an empty form
            transition_errors = [m for field_errors in transition_form.errors.values() for m in field_errors]
            transition_form = None
    elif targets:
        transition_form = TransitionForm(case=case, targets=targets)

    def form(key, make):
        return bound[key] if key in bound else (make() if can_act else None)

    return {
        "case": case,
        "events": list(case.events.all()),
        "referrals": [
            (referral, outcome_forms.get(referral.pk, None) or ReferralOutcomeForm(referral=referral)
             if can_act and not referral.is_final else None)
            for referral in referrals
        ],
        "can_act": can_act,
        "reopen_only": case.status in Case.FINISHED_STATUSES,
        "transition_errors": transition_errors,
        "transition_form": transition_form,
        "note_form": form("note_form", NoteForm),
        "due_form": form("due_form", lambda: DueDateForm(case=case) if case.is_open else None),
        "referral_form": form("referral_form", lambda: ReferralForm() if case.is_open else None),
        "referrals_answered": bool(case.status == Case.Status.REFERRED and referrals
                                   and all(r.is_final for r in referrals)),
    }


@login_required
def case_detail(request, pk):
    case = _get_case(request, pk)
    return render(request, "mediation/case_detail.html", _detail_context(request, case))


def _post_action(request, case, form, call, *, form_key: str, success: str):
    """Validate an action form of the case page and call its service; on error show the page again."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("case_detail", pk=case.pk)
    context = _detail_context(request, case, **{form_key: form})
    return render(request, "mediation/case_detail.html", context, status=400)


@login_required
@require_POST
def case_transition(request, pk):
    case = _get_case(request, pk, for_write=True)
    # Every status is accepted here so that a refused move gets the service's message, naming the field.
    form = TransitionForm(request.POST, case=case, targets=Case.Status.values)
    return _post_action(
        request, case, form, form_key="transition_form", success=_("Case status changed."),
        call=lambda data: services.case_transition(
            actor=request.user, case=case, to_status=data["to_status"], note=data["note"], outcome=data["outcome"],
            expected_status=data["expected_status"]),
    )


@login_required
@require_POST
def case_note(request, pk):
    case = _get_case(request, pk, for_write=True)
    return _post_action(
        request, case, NoteForm(request.POST), form_key="note_form", success=_("Note added."),
        call=lambda data: services.case_add_note(actor=request.user, case=case, note=data["note"]),
    )


@login_required
@require_POST
def case_due_date(request, pk):
    case = _get_case(request, pk, for_write=True)
    return _post_action(
        request, case, DueDateForm(request.POST, case=case), form_key="due_form", success=_("Due date changed."),
        call=lambda data: services.case_set_due_date(actor=request.user, case=case, due_date=data["due_date"],
                                                     note=data["note"]),
    )


@login_required
@require_POST
def referral_create(request, pk):
    case = _get_case(request, pk, for_write=True)
    return _post_action(
        request, case, ReferralForm(request.POST), form_key="referral_form",
        success=_("Referral recorded; the case is now “Referred”."),
        call=lambda data: services.referral_create(actor=request.user, case=case, **data),
    )


@login_required
@require_POST
def referral_outcome(request, pk):
    referrals = selectors.visible_referrals(request.user).select_related("case__household")
    referral = access.get_scoped_or_404(request.user, referrals, pk, for_write=True)
    case = referral.case
    if not access.can_see_case_details(request.user, case):
        raise PermissionDenied
    form = ReferralOutcomeForm(request.POST, referral=referral)
    if form.is_valid():
        try:
            services.referral_record_outcome(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The partner's answer is recorded."))
            return redirect("case_detail", pk=case.pk)
    context = _detail_context(request, case, outcome_forms={referral.pk: form})
    return render(request, "mediation/case_detail.html", context, status=400)
