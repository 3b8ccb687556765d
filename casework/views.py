"""The facilitator's day and home visits."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from beneficiaries.models import Household
from casework import selectors, services
from casework.forms import VisitForm
from casework.models import CaseworkSettings
from core.extensions import DAY_SECTIONS, render_parts
from org import access


@login_required
def today(request):
    """"Hari ini": what is due today and overdue, from every part of the casework (core.extensions)."""
    day = timezone.localdate()
    return render(request, "casework/today.html", {
        "day": day,
        "sections": render_parts(DAY_SECTIONS, request.user, day),
    })


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request):
    """Log a home visit in under a minute on a phone; the position comes from the browser if it can."""
    access.require_write(request.user)
    household_pk = request.GET.get("household") or request.POST.get("fixed_household") or ""
    households = selectors.visit_households(request.user, household_pk)
    if households is None:
        messages.info(request, _("Open the family's page and choose “Log a visit” there."))
        return redirect("household_list")
    if household_pk and not households:
        access.get_household_or_404(request.user, household_pk)  # 404 when out of scope
    rules = CaseworkSettings.current()
    form = VisitForm(request.POST or None, households=households, rules=rules,
                     initial={"household": household_pk, "submission_key": uuid.uuid4().hex,
                              # "Record the follow-up visit" links preset the purpose.
                              **({"purpose": request.GET["purpose"]} if request.GET.get("purpose") else {})})
    if request.method == "POST" and form.is_valid():
        household = access.get_household_or_404(request.user, form.cleaned_data["household"], for_write=True)
        try:
            visit = services.visit_log(actor=request.user, household=household, data=form.cleaned_data,
                                       submission_key=form.cleaned_data["submission_key"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Visit saved.") if not visit.flag_no_geotag
                             else _("Visit saved without a geotag (%(reason)s).") % {"reason": visit.get_geo_status_display()})
            return redirect("household_visits", pk=household.pk)
    fixed = households[0] if household_pk and households else None
    return render(request, "casework/visit_form.html", {
        "form": form, "fixed_household": fixed, "rules": rules,
        "can_set_home": (fixed is not None and not fixed.has_home_position
                         and fixed.status not in (Household.Status.GRADUATED, Household.Status.EXITED)),
    })


@login_required
def household_visits(request, pk):
    household = access.get_household_or_404(request.user, pk)
    visits = selectors.household_timeline(request.user, household)
    return render(request, "casework/household_visits.html", {
        "household": household, "visits": visits, "can_write": access.can_write(request.user),
    })


@login_required
def visit_detail(request, pk):
    visit = access.get_scoped_or_404(
        request.user, selectors.visible_visits(request.user).select_related("household", "facilitator"), pk)
    return render(request, "casework/visit_detail.html", {"visit": visit})


@login_required
def visit_list(request):
    """Visits in the user's scope, filtered (coordinators: by facilitator and by flag)."""
    from casework.forms import VisitFilterForm

    form = VisitFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    visits = selectors.visit_list(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(visits, 30).get_page(request.GET.get("page"))
    return render(request, "casework/visit_list.html", {"form": form, "page_obj": page})


@login_required
def not_visited(request):
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in selectors.NOT_VISITED_BUCKETS else 30
    households = selectors.not_visited(request.user, days=days, today=timezone.localdate())
    page = Paginator(households, 30).get_page(request.GET.get("page"))
    return render(request, "casework/not_visited.html", {
        "page_obj": page, "days": days, "buckets": selectors.NOT_VISITED_BUCKETS,
    })
