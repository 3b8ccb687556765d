"""The coordinator's dashboard (caseloads against the norm, backlog, activity, rebalancing suggestions), the
lists behind its backlog figures that no other page filters by facilitator (overdue follow-ups, families not
visited), and the confirmation page that applies one rebalancing move.

Coordinators and administrators may rebalance; auditors read the dashboard (a POST answers 403); facilitators
get 403. A city outside the user's cities answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from org import access
from org.models import User
from oversight import dashboard as selectors
from oversight import rebalance
from oversight.forms_dashboard import RebalanceForm

LIST_PAGE_SIZE = 30


def _city(request):
    """The city picked with ?kota= and the user's cities (org.access.selected_city)."""
    return access.selected_city(request.user, request.GET.get("kota") or request.POST.get("kota"))


def _dashboard_url(city) -> str:
    return f"{reverse('oversight_dashboard')}?{urlencode({'kota': city.code})}"


def _chart_data(dashboard) -> dict:
    """What static/js/oversight-dashboard.js draws: active families per facilitator and the norm's lines."""
    household_list = reverse("household_list")
    return {
        "labels": [row.facilitator.get_full_name() or row.facilitator.username for row in dashboard.rows],
        "active": [row.load.active for row in dashboard.rows],
        "over": [row.load.over_norm for row in dashboard.rows],
        "urls": [f"{household_list}?{urlencode({'kota': dashboard.city.code, 'facilitator': row.facilitator.pk, 'status': 'active'})}"
                 for row in dashboard.rows],
        "minimum": dashboard.overview.norm.minimum,
        "maximum": dashboard.overview.norm.maximum,
        "series": {"active": _("Active families"), "minimum": _("Norm minimum"), "maximum": _("Norm maximum")},
    }


@login_required
def oversight_dashboard(request):
    city, cities = _city(request)
    today = timezone.localdate()
    dashboard = selectors.city_dashboard(request.user, city, today=today)
    return render(request, "oversight/dashboard.html", {
        "dashboard": dashboard, "city": city, "cities": cities, "today": today,
        "can_manage": access.can_manage_caseloads(request.user),
        "chart_data": _chart_data(dashboard),
    })


def _facilitator_filter(request):
    """?facilitator=<pk> (one the user sees, else 404), "none" (families without one), or absent (everyone)."""
    value = request.GET.get("facilitator", "")
    if not value:
        return False, None
    if value == "none":
        return True, None
    try:
        return True, access.visible_facilitators(request.user).get(pk=int(value))
    except (ValueError, TypeError, User.DoesNotExist):
        raise Http404 from None


def _backlog_list(request, *, kind: str, queryset, field: str, template: str):
    city, cities = _city(request)
    filtered, facilitator = _facilitator_filter(request)
    if filtered:
        queryset = selectors.filter_facilitator(queryset(city), facilitator, field)
    else:
        queryset = queryset(city)
    page = Paginator(queryset, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {
        "kind": kind, "city": city, "cities": cities, "page_obj": page, "filtered": filtered,
        "facilitator": facilitator, "days": selectors.NOT_VISITED_DAYS, "today": timezone.localdate(),
    })


@login_required
def dashboard_follow_ups(request):
    """Overdue follow-ups of a city, of one facilitator's families or of families without one."""
    today = timezone.localdate()
    return _backlog_list(
        request, kind="follow_ups", field="household__facilitator",
        queryset=lambda city: selectors.overdue_follow_ups(request.user, city, today=today)
        .select_related("household__facilitator").annotate(pengurus_name=selectors.pengurus_name("household")),
        template="oversight/dashboard_follow_ups.html",
    )


@login_required
def dashboard_not_visited(request):
    """Active families of a city not visited for 90 days, of one facilitator or without one."""
    today = timezone.localdate()
    return _backlog_list(
        request, kind="not_visited", field="facilitator",
        queryset=lambda city: selectors.not_visited(request.user, city, today=today),
        template="oversight/dashboard_not_visited.html",
    )


# --- rebalancing --------------------------------------------------------------------------------------

def _rebalance_params(request):
    data = request.POST if request.method == "POST" else request.GET
    try:
        return int(data.get("from", "")), int(data.get("to", ""))
    except ValueError:
        return None, None


@login_required
@require_http_methods(["GET", "POST"])
def oversight_rebalance(request):
    """Confirm and apply one suggested move: GET lists the exact families, POST moves them (all or none)."""
    access.require_caseload_management(request.user)
    city, _cities = _city(request)
    source_pk, target_pk = _rebalance_params(request)
    if source_pk is None:
        messages.info(request, _("Choose one of the suggested moves on the dashboard."))
        return redirect(_dashboard_url(city))
    facilitators = access.visible_facilitators(request.user)
    source = facilitators.filter(pk=source_pk).first()
    target = facilitators.filter(pk=target_pk).first()
    if source is None or target is None:
        raise Http404
    today = timezone.localdate()

    if request.method == "POST":
        form = RebalanceForm(request.POST)
        if form.is_valid():
            try:
                moved = rebalance.rebalance_apply(
                    actor=request.user, city=city, source=source, target=target,
                    household_ids=form.cleaned_data["households"], reason=form.cleaned_data["reason"], on=today)
            except rebalance.StaleMove as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(_dashboard_url(city))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, ngettext(
                    "%(count)s family moved from %(source)s to %(target)s.",
                    "%(count)s families moved from %(source)s to %(target)s.", moved) % {
                    "count": moved, "source": source.get_full_name() or source.username,
                    "target": target.get_full_name() or target.username})
                return redirect(_dashboard_url(city))
        household_ids = [pk for pk in request.POST.getlist("households") if pk.isdigit()]
        move = rebalance.Move(source=source.pk, target=target.pk, households=tuple(int(pk) for pk in household_ids))
        status = 400
    else:
        suggestion = selectors.find_suggestion(request.user, city, today=today, source=source.pk, target=target.pk)
        if suggestion is None:
            messages.info(request, _("This suggestion no longer applies: the caseloads changed. "
                                     "Here are the current suggestions."))
            return redirect(_dashboard_url(city))
        move = suggestion.move
        form = RebalanceForm(initial={"reason": rebalance.default_reason(source, target)})
        status = 200
    families = rebalance.move_households(request.user, move)
    return render(request, "oversight/rebalance_confirm.html", {
        "city": city, "source": source, "target": target, "form": form, "families": families,
        "held": sum(1 for family in families if family.open_case or family.pending_proposal),
        "dashboard_url": _dashboard_url(city),
    }, status=status)
