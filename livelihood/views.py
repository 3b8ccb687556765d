"""Livelihood pages: the overview of the user's scope, a family's businesses, a business with its monthly
budget, credit referrals, and KUBE.

Views stay thin: scope through org.access / livelihood.selectors, validate with a form, call one service.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from core.templatetags.pkh import rupiah
from livelihood import selectors, services
from livelihood.forms import (
    BusinessFilterForm,
    BusinessForm,
    BusinessStopForm,
    KubeFilterForm,
    KubeForm,
    KubeLeaveForm,
    KubeMemberForm,
    MonthlyEntryForm,
    ReferralFilterForm,
    ReferralForm,
    ReferralStatusForm,
    default_entry_month,
)
from livelihood.models import CreditReferral
from org import access

PAGE_SIZE = 25
ENTRY_MONTHS_SHOWN = 12


def _filters_active(form) -> bool:
    return form.is_bound and form.is_valid() and any(form.cleaned_data.values())


# --- the overview -------------------------------------------------------------------------------

@login_required
def overview(request):
    """Businesses of the user's scope with months running and average net income; KUBE and referral counts."""
    form = BusinessFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.BusinessFilters(**{key: data.get(key) or "" for key in ("status", "kind", "kelurahan", "owner")},
                                        missing_last_month=bool(data.get("missing")))
    today = timezone.localdate()
    page = Paginator(selectors.business_list(request.user, filters, on=today), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "livelihood/overview.html", {
        "form": form,
        "filtered": _filters_active(form),
        "page_obj": page,
        "rows": selectors.rows_of(page.object_list, on=today),
        "counts": selectors.overview_counts(request.user, on=today),
        "recent_months": selectors.RECENT_MONTHS,
        "can_write": access.can_write(request.user),
    })


@login_required
def referral_list(request):
    form = ReferralFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    referrals = selectors.referral_list(request.user, status=data.get("status") or "", program=data.get("program") or "")
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "livelihood/referral_list.html", {
        "form": form, "filtered": _filters_active(form), "page_obj": page,
    })


# --- a family's businesses ------------------------------------------------------------------------

@login_required
def household_businesses(request, pk):
    household = access.get_household_or_404(request.user, pk)
    today = timezone.localdate()
    return render(request, "livelihood/household_businesses.html", {
        "household": household,
        "pengurus_name": selectors.pengurus_name(household),
        "rows": selectors.household_businesses(request.user, household, on=today),
        "memberships": selectors.household_kube_memberships(request.user, household),
        "recent_months": selectors.RECENT_MONTHS,
        "can_write": access.can_write(request.user),
    })


def _business_create(request, *, household=None, kube=None):
    form = BusinessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            business = services.business_create(actor=request.user, household=household, kube=kube, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Business “%(name)s” recorded. Add its monthly figures below.") % {"name": business.name})
            return redirect("livelihood_business_detail", pk=business.pk)
    return render(request, "livelihood/business_form.html", {
        "form": form, "household": household, "kube": kube, "business": None,
        "pengurus_name": selectors.pengurus_name(household) if household else "",
    })


@login_required
@require_http_methods(["GET", "POST"])
def business_create(request, pk):
    household = access.get_household_or_404(request.user, pk, for_write=True)
    return _business_create(request, household=household)


@login_required
@require_http_methods(["GET", "POST"])
def kube_business_create(request, pk):
    kube = selectors.kube_detail(request.user, pk, for_write=True)
    return _business_create(request, kube=kube)


@login_required
@require_http_methods(["GET", "POST"])
def business_edit(request, pk):
    business = selectors.business_detail(request.user, pk, for_write=True)
    form = BusinessForm(request.POST or None, instance=business)
    if request.method == "POST" and form.is_valid():
        try:
            services.business_update(actor=request.user, business=business, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Business saved."))
            return redirect("livelihood_business_detail", pk=business.pk)
    return render(request, "livelihood/business_form.html", {
        "form": form, "business": business, "household": business.household, "kube": business.kube,
        "pengurus_name": business.pengurus_name,
    })


@login_required
@require_http_methods(["GET", "POST"])
def business_stop(request, pk):
    business = selectors.business_detail(request.user, pk, for_write=True)
    if business.stopped_on is not None:
        messages.info(request, _("This business already stopped on %(day)s. Correct the date on the edit page.")
                      % {"day": date_format(business.stopped_on, "DATE_FORMAT")})
        return redirect("livelihood_business_detail", pk=business.pk)
    form = BusinessStopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.business_stop(actor=request.user, business=business, stopped_on=form.cleaned_data["stopped_on"],
                                   reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Recorded that “%(name)s” stopped.") % {"name": business.name})
            return redirect("livelihood_business_detail", pk=business.pk)
    return render(request, "livelihood/business_stop.html", {"form": form, "business": business})


# --- a business and its monthly budget -----------------------------------------------------------

def _entry_form(business, *, data=None, today, recorded, month=None):
    initial = {"month": month or default_entry_month(business, today=today, recorded=recorded)}
    return MonthlyEntryForm(data, business=business, today=today, recorded=recorded, initial=initial)


def _business_context(request, business, *, entry_form=None):
    today = timezone.localdate()
    show_all = request.GET.get("all") == "1"
    since = None if show_all else selectors.add_months(selectors.month_start(today), -(ENTRY_MONTHS_SHOWN - 1))
    can_write = access.can_write(request.user)
    recorded = selectors.recorded_months(business)
    if entry_form is None and can_write:
        entry_form = _entry_form(business, today=today, recorded=recorded, month=request.GET.get("month"))
    entries = selectors.business_entries(business, since=since)
    return {
        "business": business,
        "summary": selectors.business_summary(business, on=today),
        "months": selectors.budget_months(business, entries, today=today, since=since),
        "older_entries": len(recorded) - len(entries),
        "show_all": show_all,
        "entry_form": entry_form,
        "referrals": selectors.business_referrals(business),
        "can_write": can_write,
        "recent_months": selectors.RECENT_MONTHS,
        "entry_months_shown": ENTRY_MONTHS_SHOWN,
    }


@login_required
def business_detail(request, pk):
    business = selectors.business_detail(request.user, pk)
    return render(request, "livelihood/business_detail.html", _business_context(request, business))


@login_required
@require_http_methods(["GET", "POST"])
def business_entry_create(request, pk):
    """Record one month's figures: the quick form at the top of the business page posts here."""
    business = selectors.business_detail(request.user, pk, for_write=True)
    today = timezone.localdate()
    recorded = selectors.recorded_months(business)
    form = _entry_form(business, data=request.POST or None, today=today, recorded=recorded, month=request.GET.get("month"))
    if request.method == "POST":
        if form.is_valid():
            try:
                entry = services.entry_record(actor=request.user, business=business, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(month)s saved: net income %(net)s.") % {
                    "month": date_format(entry.month, "F Y"), "net": rupiah(entry.net)})
                return redirect("livelihood_business_detail", pk=business.pk)
        return render(request, "livelihood/business_detail.html", _business_context(request, business, entry_form=form),
                      status=400)
    return render(request, "livelihood/entry_form.html", {"form": form, "business": business, "entry": None})


@login_required
@require_http_methods(["GET", "POST"])
def business_entry_edit(request, pk):
    entries = selectors.visible_entries(request.user).select_related("business__household", "business__kube")
    entry = access.get_scoped_or_404(request.user, entries, pk, for_write=True)
    business = entry.business
    today = timezone.localdate()
    recorded = [month for month in selectors.recorded_months(business) if month != entry.month]
    form = MonthlyEntryForm(request.POST or None, business=business, today=today, recorded=recorded, initial={
        "month": entry.month, "revenue": entry.revenue, "expenses": entry.expenses, "note": entry.note})
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_update(actor=request.user, entry=entry, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Monthly figures saved."))
            return redirect("livelihood_business_detail", pk=business.pk)
    return render(request, "livelihood/entry_form.html", {"form": form, "business": business, "entry": entry})


# --- credit referrals -----------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request, pk):
    business = selectors.business_detail(request.user, pk, for_write=True)
    today = timezone.localdate()
    programs = selectors.active_programs()
    eligibility = [(program, *services.referral_eligibility(business, program, on=today)) for program in programs]
    form = ReferralForm(request.POST or None, initial={"program": request.GET.get("program")})
    below_minimum = False
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(actor=request.user, business=business, **form.cleaned_data)
        except services.BelowMinimumMonths as exc:
            below_minimum = True
            add_service_errors(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Referred to %(program)s.") % {"program": referral.program.name})
            return redirect("livelihood_business_detail", pk=business.pk)
    return render(request, "livelihood/referral_form.html", {
        "form": form, "business": business, "eligibility": eligibility,
        "below_minimum": below_minimum or bool(form.errors.get("confirm_below_minimum")),
        "below_minimum_programs": ",".join(str(program.pk) for program, _months, ok in eligibility if not ok),
    })


@login_required
@require_http_methods(["GET", "POST"])
def referral_update(request, pk):
    referrals = selectors.visible_referrals(request.user).select_related(
        "program", "business__household", "business__kube")
    referral = access.get_scoped_or_404(request.user, referrals, pk, for_write=True)
    allowed = services.next_statuses(referral)
    if not allowed:
        messages.info(request, _("This referral is closed: %(status)s.") % {"status": referral.get_status_display()})
        return redirect("livelihood_business_detail", pk=referral.business_id)
    form = ReferralStatusForm(request.POST or None, allowed_statuses=allowed, program=referral.program)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_status_change(actor=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Referral updated."))
            return redirect("livelihood_business_detail", pk=referral.business_id)
    return render(request, "livelihood/referral_status.html", {
        "form": form, "referral": referral, "steps": selectors.referral_steps(referral),
        "approved": CreditReferral.Status.APPROVED, "declined": CreditReferral.Status.DECLINED,
    })


# --- KUBE -------------------------------------------------------------------------------------------

@login_required
def kube_list(request):
    form = KubeFilterForm(request.GET or None, user=request.user)
    kelurahan = form.cleaned_data.get("kelurahan", "") if form.is_valid() else ""
    page = Paginator(selectors.kube_list(request.user, kelurahan=kelurahan), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "livelihood/kube_list.html", {
        "form": form, "filtered": _filters_active(form), "page_obj": page, "can_write": access.can_write(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def kube_create(request):
    access.require_write(request.user)
    form = KubeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            kube = services.kube_create(actor=request.user, name=data["name"], kelurahan=data["kelurahan"],
                                        facilitator=data.get("facilitator"), formed_on=data["formed_on"], note=data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("KUBE “%(name)s” created. Now add its member families.") % {"name": kube.name})
            return redirect("livelihood_kube_detail", pk=kube.pk)
    return render(request, "livelihood/kube_form.html", {"form": form, "kube": None})


@login_required
def kube_detail(request, pk):
    kube = selectors.kube_detail(request.user, pk)
    can_write = access.can_write(request.user)
    memberships = selectors.kube_memberships(kube)
    return render(request, "livelihood/kube_detail.html", {
        "kube": kube,
        "current_members": [m for m in memberships if m.left_on is None],
        "past_members": [m for m in memberships if m.left_on is not None],
        "rows": selectors.kube_businesses(kube, on=timezone.localdate()),
        "can_write": can_write,
        "recent_months": selectors.RECENT_MONTHS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def kube_edit(request, pk):
    kube = selectors.kube_detail(request.user, pk, for_write=True)
    memberships = selectors.kube_memberships(kube)
    form = KubeForm(request.POST or None, user=request.user, kube=kube, members=memberships, initial={
        "name": kube.name, "kelurahan": kube.kelurahan_id, "facilitator": kube.facilitator_id or "",
        "chairperson": kube.chairperson_id or "", "formed_on": kube.formed_on, "note": kube.note,
    })
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chair = data.pop("chairperson", "")
        data["chairperson"] = next((m.household for m in memberships if str(m.household_id) == chair), None)
        try:
            services.kube_update(actor=request.user, kube=kube, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("KUBE saved."))
            return redirect("livelihood_kube_detail", pk=kube.pk)
    return render(request, "livelihood/kube_form.html", {"form": form, "kube": kube})


@login_required
@require_http_methods(["GET", "POST"])
def kube_member_add(request, pk):
    kube = selectors.kube_detail(request.user, pk, for_write=True)
    form = KubeMemberForm(request.POST or None, candidates=selectors.kube_candidates(request.user, kube))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.kube_member_add(actor=request.user, kube=kube, household=data["household"],
                                     joined_on=data["joined_on"], make_chairperson=data["make_chairperson"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Family added to the KUBE."))
            return redirect("livelihood_kube_detail", pk=kube.pk)
    return render(request, "livelihood/kube_member_form.html", {"form": form, "kube": kube})


@login_required
@require_http_methods(["GET", "POST"])
def kube_member_leave(request, pk):
    membership = selectors.membership_detail(request.user, pk, for_write=True)
    if membership.left_on is not None:
        messages.info(request, _("This family already left the KUBE."))
        return redirect("livelihood_kube_detail", pk=membership.kube_id)
    form = KubeLeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.kube_member_leave(actor=request.user, membership=membership, left_on=form.cleaned_data["left_on"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Recorded that the family left the KUBE."))
            return redirect("livelihood_kube_detail", pk=membership.kube_id)
    return render(request, "livelihood/kube_leave.html", {"form": form, "membership": membership})
