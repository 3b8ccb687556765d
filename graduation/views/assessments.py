"""Graduation pages of the assessments: the household's graduation page (today's classification, the
component outlook, the assessment history), recording and reading an assessment, and the "Kandidat
graduasi" list. Thin: scope through org.access, validate a form, call one service or selector."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from graduation import assessments, candidates, classifier
from graduation.assessment_forms import AssessmentForm, CandidateFilterForm
from graduation.models import Assessment
from graduation.screening import IN_PROGRAM, rules_on
from org import access

PAGE_SIZE = 25


@login_required
def household_graduation(request, pk):
    household = access.get_household_or_404(request.user, pk)
    page = assessments.graduation_page(request.user, household, today=timezone.localdate())
    return render(request, "graduation/household.html", {
        "page": page,
        "household": household,
        "can_write": access.can_write(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request, pk):
    household = access.get_household_or_404(request.user, pk, for_write=True)
    if household.status not in IN_PROGRAM:
        messages.info(request, _("This family is no longer in the program: its assessments can be read, not added."))
        return redirect("graduation_household", pk=household.pk)
    context = assessments.form_context(request.user, household, today=timezone.localdate(),
                                       visit_pk=request.GET.get("visit", ""))
    form = AssessmentForm(request.POST or None, initial=context.initial, visits=context.visits,
                          asks_business=context.asks_business)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = assessments.assessment_create(actor=request.user, household=household, data=form.cleaned_data,
                                                       visit=form.chosen_visit())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Assessment no. %(number)d saved.") % {"number": assessment.number})
            return redirect("graduation_household", pk=household.pk)
    return render(request, "graduation/assessment_form.html", {
        "form": form,
        "ctx": context,
        "household": household,
        "asset_fields": [form[name] for name in assessments.ASSET_FIELDS],
        "housing_points_json": json.dumps(classifier.HOUSING_POINTS),
        "housing_max": classifier.HOUSING_MAX,
    })


@login_required
def assessment_detail(request, pk):
    assessment = assessments.assessment_detail(request.user, pk)
    household = assessment.household
    rules, _rules_row = rules_on(assessment.assessed_on)
    previous_id, next_id = assessments.assessment_neighbours(assessment)
    businesses = assessments.family_businesses(household, on=assessment.assessed_on)
    return render(request, "graduation/assessment_detail.html", {
        "assessment": assessment,
        "household": household,
        "pengurus_name": assessments.pengurus_name(household),
        "figures": assessments.figures_of(assessment, lines=assessments.RegionLines(household), rules=rules),
        "rules": rules,
        "businesses": businesses,
        "running": assessments.running_businesses(businesses),
        "p2k2": assessments.p2k2_attendance(household, on=assessment.assessed_on),
        "asset_labels": [Assessment._meta.get_field(name).verbose_name for name in classifier.asset_names(assessment)],
        "previous_id": previous_id,
        "next_id": next_id,
        "housing_max": classifier.HOUSING_MAX,
    })


@login_required
def candidate_list(request):
    """"Kandidat graduasi": the stored screening results of the user's scope, due-now first."""
    form = CandidateFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    filters = candidates.CandidateFilters(
        classification=data.get("classification") or "", kelurahan=data.get("kelurahan") or "",
        facilitator=data.get("facilitator") or "", not_acted=bool(data.get("not_acted")))
    page = Paginator(candidates.candidate_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    area = candidates.CandidateFilters(kelurahan=filters.kelurahan, facilitator=filters.facilitator)
    return render(request, "graduation/candidates.html", {
        "form": form,
        "filters": filters,
        "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        "page_obj": page,
        "rows": candidates.rows_of(page.object_list),
        "counts": candidates.classification_counts(request.user, area),
        "actionable": candidates.ACTIONABLE,
    })
