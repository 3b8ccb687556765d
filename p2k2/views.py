"""P2K2 pages: groups, members, meetings with their attendance, and the attendance analysis.

Views stay thin: scope through org.access / p2k2.selectors, validate with a form, call one service
or selector, render or redirect. Out-of-scope objects answer 404; an auditor's write answers 403.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_service_errors
from org import access
from p2k2 import selectors, services
from p2k2.forms import (
    AttendanceFilterForm,
    AttendanceForm,
    GroupCloseForm,
    GroupFilterForm,
    GroupForm,
    MeetingCancelForm,
    MeetingFilterForm,
    MeetingForm,
    MemberRemoveForm,
    MembersAddForm,
)
from p2k2.models import Meeting

PAGE_SIZE = 25
ANALYSIS_DEFAULT_DAYS = 365


def _group(request, pk, *, for_write=False):
    groups = selectors.visible_groups(request.user).select_related("facilitator", "kelurahan")
    return access.get_scoped_or_404(request.user, groups, pk, for_write=for_write)


def _meeting(request, pk, *, for_write=False):
    meetings = selectors.visible_meetings(request.user).select_related(
        "group__facilitator", "group__kelurahan", "module_session__module", "attendance_recorded_by")
    return access.get_scoped_or_404(request.user, meetings, pk, for_write=for_write)


# --- groups -------------------------------------------------------------------------------------

@login_required
def group_list(request):
    form = GroupFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.GroupFilters(status=data.get("status") or "active", facilitator=data.get("facilitator", ""),
                                     kelurahan=data.get("kelurahan", ""), q=data.get("q", ""))
    groups = selectors.group_list(request.user, filters, today=timezone.localdate())
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "p2k2/group_list.html", {
        "form": form, "page_obj": page, "groups": page.object_list, "settings": selectors.rules(),
        "filtered": any(v for k, v in data.items() if not (k == "status" and v == "active")),
        "can_write": access.can_write(request.user), "ungrouped": selectors.ungrouped_count(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    access.require_write(request.user)
    form = GroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.group_create(
                actor=request.user, facilitator=data.get("facilitator") or request.user, kelurahan=data["kelurahan"],
                name=data["name"], formed_on=data["formed_on"], usual_place=data["usual_place"], notes=data["notes"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Group “%(name)s” created. Now add its families.") % {"name": group.name})
            return redirect("p2k2_group_members", pk=group.pk)
    return render(request, "p2k2/group_form.html", {"form": form, "group": None})


def _group_context(request, group, **forms):
    page = selectors.group_page(request.user, group, today=timezone.localdate())
    can_write = access.can_write(request.user) and group.is_active
    return {
        "page": page, "group": group, "can_write": can_write, "today": timezone.localdate(),
        "close_form": forms.get("close_form") or (GroupCloseForm() if can_write else None),
    }


@login_required
def group_detail(request, pk):
    group = _group(request, pk)
    return render(request, "p2k2/group_detail.html", _group_context(request, group))


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request, pk):
    group = _group(request, pk, for_write=True)
    members = selectors.current_members(group)
    form = GroupForm(request.POST or None, user=request.user, group=group, members=members)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in form.fields}
        try:
            services.group_update(actor=request.user, group=group, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Group saved."))
            return redirect("p2k2_group_detail", pk=group.pk)
    return render(request, "p2k2/group_form.html", {"form": form, "group": group})


@login_required
@require_POST
def group_close(request, pk):
    group = _group(request, pk, for_write=True)
    form = GroupCloseForm(request.POST)
    if form.is_valid():
        try:
            services.group_close(actor=request.user, group=group, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The group is closed; its families can join another group."))
            return redirect("p2k2_group_detail", pk=group.pk)
    return render(request, "p2k2/group_detail.html", _group_context(request, group, close_form=form), status=400)


@login_required
@require_http_methods(["GET", "POST"])
def group_members(request, pk):
    """Add families to a group: the facilitator's families in the kelurahan, those without a group first."""
    group = _group(request, pk, for_write=True)
    candidates = selectors.member_candidates(request.user, group)
    form = MembersAddForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.group_members_add(actor=request.user, group=group,
                                               household_ids=form.cleaned_data["households"],
                                               joined_on=form.cleaned_data["joined_on"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, ngettext("%(count)s family added to the group.",
                                               "%(count)s families added to the group.", added) % {"count": added})
            return redirect("p2k2_group_detail", pk=group.pk)
    selected = set(form["households"].value() or [])
    return render(request, "p2k2/group_members.html", {
        "group": group, "form": form, "selected": selected,
        "free": [c for c in candidates if c.other_group is None],
        "taken": [c for c in candidates if c.other_group is not None],
        "member_count": len(selectors.current_members(group)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request, pk):
    memberships = selectors.visible_memberships(request.user).select_related("group__kelurahan", "household")
    membership = access.get_scoped_or_404(request.user, memberships, pk, for_write=True)
    group = membership.group
    form = MemberRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_member_remove(actor=request.user, membership=membership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The family left the group; its history is kept."))
            return redirect("p2k2_group_detail", pk=group.pk)
    return render(request, "p2k2/membership_remove.html", {
        "form": form, "membership": membership, "group": group,
        "name": selectors.pengurus_name(membership.household),
        "visible": access.visible_households(request.user).filter(pk=membership.household_id).exists(),
    }, status=400 if request.method == "POST" else 200)


# --- meetings -----------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, pk):
    group = _group(request, pk, for_write=True)
    settings = selectors.rules()
    allow_late = access.can_manage_caseloads(request.user)
    form = MeetingForm(request.POST or None, group=group, lock_days=settings.edit_lock_days, allow_late=allow_late,
                       suggested_session=selectors.next_session_for(group) if request.method == "GET" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        late = data.pop("late_edit_reason", "")
        try:
            meeting = services.meeting_schedule(actor=request.user, group=group, data=data, late_edit_reason=late)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if meeting.date <= timezone.localdate():
                messages.success(request, _("Meeting saved. Record who came."))
                return redirect("p2k2_meeting_detail", pk=meeting.pk)
            messages.success(request, _("Meeting scheduled for %(date)s.") % {"date": meeting.date.strftime("%d-%m-%Y")})
            return redirect("p2k2_group_detail", pk=group.pk)
    return render(request, "p2k2/meeting_form.html", {"form": form, "group": group, "meeting": None,
                                                      "settings": settings})


def _meeting_context(request, meeting, *, attendance_form=None, cancel_form=None):
    today = timezone.localdate()
    settings = selectors.rules()
    state = selectors.meeting_edit_state(request.user, meeting, today=today, settings=settings)
    roster = selectors.meeting_roster(request.user, meeting)
    can_record = state.allowed and meeting.date <= today
    if attendance_form is None and can_record:
        attendance_form = AttendanceForm(roster=roster, meeting=meeting, allow_late=state.locked)
    counts = {status: sum(1 for row in roster if row.attendance and row.status == status) for status in
              ("present", "absent", "excused")}
    return {
        "meeting": meeting, "group": meeting.group, "roster": roster, "state": state, "settings": settings, "today": today,
        "attendance_form": attendance_form if can_record else None, "counts": counts,
        "recorded": meeting.status == Meeting.Status.HELD, "future": meeting.date > today,
        "cancel_form": cancel_form or (MeetingCancelForm() if state.can_write and meeting.status == Meeting.Status.SCHEDULED
                                       else None),
    }


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request, pk):
    """The meeting and its attendance list; writers record the attendance here, in one POST."""
    meeting = _meeting(request, pk, for_write=request.method == "POST")
    if request.method == "POST":
        context = _meeting_context(request, meeting)
        offered = context["attendance_form"] is not None
        form = AttendanceForm(request.POST, roster=context["roster"], meeting=meeting, allow_late=context["state"].locked)
        if form.is_valid():
            try:
                services.attendance_record(actor=request.user, meeting=meeting, entries=form.entries(),
                                           notes=form.cleaned_data["notes"],
                                           late_edit_reason=form.cleaned_data.get("late_edit_reason", ""))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Attendance saved."))
                return redirect("p2k2_meeting_detail", pk=meeting.pk)
        if not offered:
            # Locked, cancelled or not yet happened: the page has no form to correct, so say why.
            messages.error(request, " ".join(form.non_field_errors()) or _("The attendance of this meeting cannot be changed now."))
            return redirect("p2k2_meeting_detail", pk=meeting.pk)
        context["attendance_form"] = form
        return render(request, "p2k2/meeting_detail.html", context)
    return render(request, "p2k2/meeting_detail.html", _meeting_context(request, meeting))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = _meeting(request, pk, for_write=True)
    settings = selectors.rules()
    state = selectors.meeting_edit_state(request.user, meeting, today=timezone.localdate(), settings=settings)
    form = MeetingForm(request.POST or None, meeting=meeting, lock_days=settings.edit_lock_days,
                       allow_late=access.can_manage_caseloads(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        late = data.pop("late_edit_reason", "")
        try:
            services.meeting_update(actor=request.user, meeting=meeting, data=data, late_edit_reason=late)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("p2k2_meeting_detail", pk=meeting.pk)
    return render(request, "p2k2/meeting_form.html", {"form": form, "group": meeting.group, "meeting": meeting,
                                                      "state": state, "settings": settings})


@login_required
@require_POST
def meeting_cancel(request, pk):
    meeting = _meeting(request, pk, for_write=True)
    form = MeetingCancelForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Meeting cancelled."))
            return redirect("p2k2_group_detail", pk=meeting.group_id)
    return render(request, "p2k2/meeting_detail.html", _meeting_context(request, meeting, cancel_form=form), status=400)


@login_required
def meeting_list(request):
    form = MeetingFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.MeetingFilters(show=data.get("show") or "upcoming", group=data.get("group", ""),
                                       facilitator=data.get("facilitator", ""))
    today = timezone.localdate()
    page = Paginator(selectors.meeting_list(request.user, filters, today=today), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "p2k2/meeting_list.html", {
        "form": form, "page_obj": page, "meetings": page.object_list, "show": filters.show, "today": today,
        "filtered": bool(data.get("group") or data.get("facilitator")),
    })


# --- the attendance analysis --------------------------------------------------------------------

@login_required
def attendance_analysis(request):
    """Attendance by weekday and time of day, to move meetings to times that fit the families' work."""
    form = AttendanceFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    until = data.get("until") or today
    since = data.get("since") or until - timedelta(days=ANALYSIS_DEFAULT_DAYS)
    group = selectors.visible_groups(request.user).filter(pk=data["group"]).first() if data.get("group") else None
    facilitator_id = int(data["facilitator"]) if data.get("facilitator") else None
    analysis = selectors.attendance_analysis(request.user, since=since, until=until, group=group,
                                             facilitator_id=facilitator_id, today=today)
    return render(request, "p2k2/attendance_analysis.html", {
        "form": form, "analysis": analysis, "since": since, "until": until, "group": group,
        "filtered": bool(data.get("group") or data.get("facilitator") or data.get("since") or data.get("until")),
    })
