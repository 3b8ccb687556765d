"""Graduation pages of the workflow: proposing a graduation or another exit, the proposal page with the
family's statement and the coordinator's decision, the printable statement, the list of proposals, and the
follow-ups after graduation. Thin: scope through org.access, validate a form, call one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_service_errors
from graduation import followups, proposals
from graduation.models import Proposal
from graduation.proposal_forms import (
    ConfirmationForm,
    DecisionForm,
    FollowUpFilterForm,
    ProposalFilterForm,
    ProposalForm,
    StatementUploadForm,
    WithdrawForm,
)
from org import access

PAGE_SIZE = 25


def _filters_active(form, *, ignore=()) -> bool:
    return form.is_bound and form.is_valid() and any(v for k, v in form.cleaned_data.items() if k not in ignore)


# --- the list -----------------------------------------------------------------------------------

@login_required
def proposal_list(request):
    """Proposals of the user's scope: by default those waiting for a decision, the longest waiting first."""
    form = ProposalFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    filters = proposals.ProposalFilters(
        status=form.status_value(), kind=data.get("kind") or "", kelurahan=data.get("kelurahan") or "",
        facilitator=data.get("facilitator") or "", city=data.get("kota") or "")
    page = Paginator(proposals.proposal_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for proposal in page.object_list:
        proposal.waiting_days = proposals.waiting_days(proposal, today=today)
    return render(request, "graduation/proposal_list.html", {
        "form": form,
        "filtered": _filters_active(form, ignore=("status",)),
        "status": filters.status,
        "page_obj": page,
        "can_manage": access.can_manage_caseloads(request.user),
    })


# --- proposing ----------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request, pk):
    household = access.get_household_or_404(request.user, pk, for_write=True)
    if household.status in proposals.LEFT_PROGRAM:
        messages.info(request, proposals.left_program_message(household) + " " + _("It cannot be proposed again."))
        return redirect("household_detail", pk=household.pk)
    pending = household.graduation_proposals.filter(status=Proposal.Status.PENDING).first()
    if pending is not None:
        messages.info(request, _("A proposal for this family is already waiting for approval."))
        return redirect("graduation_proposal_detail", pk=pending.pk)
    assessments = proposals.household_assessments(request.user, household)
    form = ProposalForm(request.POST or None, assessments=assessments, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = proposals.proposal_create(
                actor=request.user, household=household, kind=data["kind"], effective_date=data["effective_date"],
                assessment=data["assessment"], notes=data["notes"], justification=data["justification"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if proposal.kind == Proposal.Kind.MANDIRI:
                messages.success(request, _("Proposal sent to the coordinator. Print the family's statement, have it "
                                            "signed, then upload it here (or record how the family confirmed)."))
            else:
                messages.success(request, _("Proposal sent to the coordinator."))
            return redirect("graduation_proposal_detail", pk=proposal.pk)
    today = timezone.localdate()
    now = proposals.classify_now(household, today=today)
    return render(request, "graduation/proposal_form.html", {
        "form": form,
        "household": household,
        "assessments": assessments,
        "pengurus": household.members.filter(is_pengurus=True).first(),
        "now": now,
        "today": today,
        # Graduation types the classifier disagrees with today: the page asks for a justification early.
        "disagreeing_kinds": " ".join(k for k in proposals.EXPECTED_CLASSIFICATION
                                      if proposals.disagrees(k, now.classification)),
    })


# --- a proposal ---------------------------------------------------------------------------------

def _detail_context(request, proposal, **forms):
    user = request.user
    today = timezone.localdate()
    household = proposal.household
    pending = proposal.status == Proposal.Status.PENDING
    can_write = access.can_write(user)
    mandiri = proposal.kind == Proposal.Kind.MANDIRI
    statement_editable = can_write and pending and mandiri
    can_decide = pending and access.can_manage_caseloads(user)
    members = proposals.statement_members(household)
    return {
        "proposal": proposal,
        "household": household,
        "pengurus": next((m for m in members if m.is_pengurus), None),
        "member_count": len(members),
        "now": proposals.classify_now(household, today=today),
        "today": today,
        "waiting_days": proposals.waiting_days(proposal, today=today) if pending else None,
        "disagrees": proposals.disagrees(proposal.kind, proposal.classification),
        "statement_ready": proposals.statement_ready(proposal),
        "mandiri": mandiri,
        "can_write": can_write,
        "can_print": can_write and mandiri and proposal.status != Proposal.Status.WITHDRAWN,
        "upload_form": forms.get("upload_form") or (StatementUploadForm() if statement_editable else None),
        "confirm_form": forms.get("confirm_form") or (ConfirmationForm() if statement_editable else None),
        "decision_form": forms.get("decision_form") or (DecisionForm() if can_decide else None),
        "withdraw_form": forms.get("withdraw_form") or (
            WithdrawForm() if pending and proposal.proposed_by_id == user.pk and can_write else None),
        "history": proposals.proposal_history(proposal),
        "others": proposals.other_proposals(user, proposal),
    }


@login_required
def proposal_detail(request, pk):
    proposal = proposals.get_proposal_or_404(request.user, pk)
    return render(request, "graduation/proposal_detail.html", _detail_context(request, proposal))


def _post_form(request, proposal, form_name, form, call, success):
    """Run a service with a bound form of the proposal page; the page again with the errors when it fails."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("graduation_proposal_detail", pk=proposal.pk)
    context = _detail_context(request, proposal, **{form_name: form})
    return render(request, "graduation/proposal_detail.html", context, status=400)


@login_required
@require_POST
def proposal_decide(request, pk):
    proposal = proposals.get_proposal_or_404(request.user, pk)
    access.require_caseload_management(request.user)
    form = DecisionForm(request.POST)

    def decide(data):
        proposals.proposal_decide(actor=request.user, proposal=proposal,
                                  approve=data["decision"] == DecisionForm.APPROVE, reason=data["reason"])

    approve = request.POST.get("decision") == DecisionForm.APPROVE
    success = (_("Approved: the family's status is now “%(status)s”.") % {
        "status": _("graduated") if proposal.is_graduation else _("exited")}) if approve else _("Proposal rejected.")
    return _post_form(request, proposal, "decision_form", form, decide, success)


@login_required
@require_POST
def proposal_withdraw(request, pk):
    proposal = proposals.get_proposal_or_404(request.user, pk, for_write=True)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        proposals.proposal_withdraw(actor=request.user, proposal=proposal, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Proposal withdrawn."))
    return redirect("graduation_proposal_detail", pk=proposal.pk)


@login_required
@require_POST
def statement_upload(request, pk):
    proposal = proposals.get_proposal_or_404(request.user, pk, for_write=True)
    form = StatementUploadForm(request.POST, request.FILES)
    return _post_form(
        request, proposal, "upload_form", form,
        lambda data: proposals.statement_upload(actor=request.user, proposal=proposal, upload=data["statement_file"]),
        _("Signed statement uploaded."))


@login_required
@require_POST
def statement_confirm(request, pk):
    proposal = proposals.get_proposal_or_404(request.user, pk, for_write=True)
    form = ConfirmationForm(request.POST)
    return _post_form(
        request, proposal, "confirm_form", form,
        lambda data: proposals.statement_confirm(actor=request.user, proposal=proposal, note=data["confirmation_note"]),
        _("The family's confirmation is recorded."))


# --- the family's statement ---------------------------------------------------------------------

@login_required
def statement_print(request, pk):
    """The *surat pernyataan graduasi sejahtera mandiri*, prefilled, to print on A4 and sign. It shows the
    pengurus' full NIK: every view is recorded."""
    proposal = proposals.get_proposal_or_404(request.user, pk, for_write=True)
    if proposal.kind != Proposal.Kind.MANDIRI:
        messages.info(request, _("Only an independent-prosperous graduation needs the family's statement."))
        return redirect("graduation_proposal_detail", pk=proposal.pk)
    proposals.statement_view_record(actor=request.user, proposal=proposal)
    household = proposal.household
    members = proposals.statement_members(household)
    kelurahan = household.kelurahan
    kecamatan = kelurahan.parent
    return render(request, "graduation/statement_print.html", {
        "proposal": proposal,
        "household": household,
        "pengurus": next((m for m in members if m.is_pengurus), None),
        "members": members,
        "kelurahan": kelurahan,
        "kecamatan": kecamatan,
        "city": kecamatan.parent if kecamatan else None,
        "facilitator": household.facilitator or proposal.proposed_by,
        "today": timezone.localdate(),
    })


@login_required
def statement_file(request, pk):
    """The uploaded scan or photo, to whoever sees the proposal; it shows the NIK, so every view is recorded."""
    proposal = proposals.get_proposal_or_404(request.user, pk)
    if not proposal.statement_file:
        raise Http404
    proposals.statement_view_record(actor=request.user, proposal=proposal)
    name = proposal.statement_file.name.rsplit("/", 1)[-1]
    return FileResponse(proposal.statement_file.open("rb"), filename=name,
                        content_type=proposals.statement_content_type(proposal))


# --- follow-ups after graduation ----------------------------------------------------------------

@login_required
def followup_list(request):
    """Graduated families and their follow-up visits at 6 and 12 months; by default those due or overdue."""
    form = FollowUpFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    state = form.state_value()
    rows = followups.follow_up_list(request.user, today=today, state=state, kelurahan=data.get("kelurahan") or "",
                                    facilitator=data.get("facilitator") or "")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "graduation/followups.html", {
        "form": form,
        "filtered": _filters_active(form, ignore=("state",)),
        "state": state,
        "page_obj": page,
        "today": today,
        "can_write": access.can_write(request.user),
        "visit_purpose": followups.PURPOSE,
        "follow_up_months": followups.FOLLOW_UP_MONTHS,
        "window_days": followups.WINDOW_DAYS,
    })
