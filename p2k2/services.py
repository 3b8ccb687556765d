"""Every change to P2K2 groups, memberships, meetings and attendance: atomic, validated, audited.

Callers pass objects they scoped through org.access (the views use p2k2.selectors); these functions
check again that the acting user may change the group, then apply the rules:
- a household is in at most one active group (a database constraint backs the check);
- members come from the group facilitator's caseload, in the group's kelurahan;
- a meeting is locked `edit_lock_days` after its date: only a coordinator may then change it or
  its attendance, giving a reason that goes into the audit trail;
- an excused absence needs its reason.
"""

from collections.abc import Mapping
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Household, Member
from core.audit import audit_record, audit_record_many, build_event, diff
from core.models import AuditEvent
from org import access
from org.models import User
from p2k2 import selectors
from p2k2.models import Attendance, Group, GroupMembership, Meeting, ModuleSession, P2K2Settings

GROUP_EDITABLE = ("name", "facilitator", "kelurahan", "usual_place", "formed_on", "notes", "leader")
MEETING_EDITABLE = ("module_session", "date", "start_time", "place", "notes")
MEMBER_STATUSES = (Household.Status.ACTIVE, Household.Status.SUSPENDED)


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def _lock_group(actor: User, group: Group) -> Group:
    """The group, re-read under a row lock, if the actor may change it."""
    access.require_write(actor)
    try:
        return selectors.visible_groups(actor).select_for_update(of=("self",)).get(pk=group.pk)
    except Group.DoesNotExist:
        raise PermissionDenied from None


def _require_active(group: Group) -> None:
    if not group.is_active:
        raise ValidationError(_("This group was closed on %(date)s; it cannot be changed.")
                              % {"date": group.closed_on.strftime("%d-%m-%Y")})


def _not_in_future(field: str, value: date, today: date) -> None:
    if value > today:
        raise ValidationError({field: _("The date cannot be in the future.")})


def _household_label(household: Household) -> str:
    return household.id_kpm


# --- groups -------------------------------------------------------------------------------------

def _check_area(actor: User, facilitator: User, kelurahan) -> None:
    if actor.is_facilitator and facilitator.pk != actor.pk:
        raise ValidationError({"facilitator": _("You can only create groups of your own caseload.")})
    if not access.visible_facilitators(actor).filter(pk=facilitator.pk).exists():
        raise ValidationError({"facilitator": _("Choose a facilitator of your city.")})
    if not access.visible_kelurahan(actor).filter(pk=kelurahan.pk).exists():
        raise ValidationError({"kelurahan": _("This kelurahan is not in your area.")})
    if not access.visible_kelurahan(facilitator).filter(pk=kelurahan.pk).exists():
        raise ValidationError({"kelurahan": _("%(facilitator)s does not work in %(kelurahan)s. Choose one of their kelurahan.")
                               % {"facilitator": facilitator.get_full_name() or facilitator.username,
                                  "kelurahan": kelurahan.name}})


def _check_name(group: Group) -> None:
    group.name = " ".join(group.name.split())
    if not group.name:
        raise ValidationError({"name": _("Give the group a name.")})
    taken = Group.objects.filter(facilitator_id=group.facilitator_id, closed_on__isnull=True, name__iexact=group.name)
    if group.pk:
        taken = taken.exclude(pk=group.pk)
    if taken.exists():
        raise ValidationError({"name": _("This facilitator already has an active group called “%(name)s”.") % {"name": group.name}})


@transaction.atomic
def group_create(*, actor: User, facilitator: User, kelurahan, name: str, formed_on: date | None = None,
                 usual_place: str = "", notes: str = "") -> Group:
    """Create a P2K2 group of a facilitator in one of their kelurahan (a facilitator: their own)."""
    access.require_write(actor)
    today = timezone.localdate()
    formed_on = formed_on or today
    _not_in_future("formed_on", formed_on, today)
    _check_area(actor, facilitator, kelurahan)
    group = Group(name=name, facilitator=facilitator, kelurahan=kelurahan, formed_on=formed_on,
                  usual_place=usual_place.strip(), notes=notes.strip(), created_by=actor)
    _check_name(group)
    group.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=group, city_code=group.city_code,
                 changes=diff({}, _snapshot(group, ("name", "facilitator", "kelurahan", "formed_on", "usual_place"))))
    return group


@transaction.atomic
def group_update(*, actor: User, group: Group, data: Mapping) -> Group:
    """Change a group's name, place, notes, leader; a coordinator may also move it to another facilitator
    or kelurahan when its current members belong there."""
    group = _lock_group(actor, group)
    _require_active(group)
    fields = [f for f in GROUP_EDITABLE if f in data]
    before = _snapshot(group, fields)
    old_facilitator_id, old_kelurahan_id, old_leader_id = group.facilitator_id, group.kelurahan_id, group.leader_id
    for name in fields:
        setattr(group, name, data[name])
    group.usual_place = (group.usual_place or "").strip()
    group.notes = (group.notes or "").strip()
    if group.facilitator_id != old_facilitator_id and not access.can_manage_caseloads(actor):
        raise ValidationError({"facilitator": _("Only the coordinator can give a group to another facilitator.")})
    if group.facilitator_id != old_facilitator_id or group.kelurahan_id != old_kelurahan_id:
        _check_area(actor, group.facilitator, group.kelurahan)
        outside = list(group.memberships.filter(left_on__isnull=True).exclude(
            household__facilitator_id=group.facilitator_id, household__kelurahan_id=group.kelurahan_id,
        ).values_list("household__id_kpm", flat=True)[:10])
        if outside:
            field = "facilitator" if group.facilitator_id != old_facilitator_id else "kelurahan"
            raise ValidationError({field: _("These members are not in that facilitator's caseload in that kelurahan: "
                                            "%(list)s. Remove them first.") % {"list": ", ".join(outside)}})
    if "formed_on" in fields:
        _not_in_future("formed_on", group.formed_on, timezone.localdate())
        first_join = group.memberships.order_by("joined_on").values_list("joined_on", flat=True).first()
        if first_join and group.formed_on > first_join:
            raise ValidationError({"formed_on": _("Some families joined on %(date)s; the formation date must be on or before that.")
                                   % {"date": first_join.strftime("%d-%m-%Y")}})
    if group.leader_id is not None and group.leader_id != old_leader_id:
        _check_leader(group)
    _check_name(group)
    changes = diff(before, _snapshot(group, fields))
    if not changes:
        return group
    group.save(update_fields=[*changes.keys(), "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=group, city_code=group.city_code, changes=changes)
    return group


def _check_leader(group: Group) -> None:
    """The leader (*ketua kelompok*) is a current member household with a pengurus."""
    if not group.memberships.filter(household_id=group.leader_id, left_on__isnull=True).exists():
        raise ValidationError({"leader": _("The group leader must be one of the group's current families.")})
    if not Member.objects.filter(household_id=group.leader_id, is_pengurus=True, exit_reason="").exists():
        raise ValidationError({"leader": _("This family has no pengurus recorded; record the pengurus first.")})


@transaction.atomic
def group_close(*, actor: User, group: Group, closed_on: date, reason: str) -> Group:
    """Close a group: its memberships end on the closing date and its scheduled meetings are cancelled."""
    group = _lock_group(actor, group)
    _require_active(group)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the group is closed.")})
    _not_in_future("closed_on", closed_on, timezone.localdate())
    latest_join = group.memberships.filter(left_on__isnull=True).order_by("-joined_on").values_list("joined_on", flat=True).first()
    earliest = max(d for d in (group.formed_on, latest_join) if d is not None)
    if closed_on < earliest:
        raise ValidationError({"closed_on": _("The group cannot close before %(date)s (its formation or the latest "
                                              "family's joining date).") % {"date": earliest.strftime("%d-%m-%Y")}})
    memberships = list(group.memberships.filter(left_on__isnull=True).select_related("household"))
    GroupMembership.objects.filter(pk__in=[m.pk for m in memberships]).update(
        left_on=closed_on, left_reason=_("Group closed"), removed_by=actor)
    cancelled = list(group.meetings.filter(status=Meeting.Status.SCHEDULED).values_list("pk", flat=True))
    Meeting.objects.filter(pk__in=cancelled).update(
        status=Meeting.Status.CANCELLED, cancel_reason=_("Group closed"), updated_at=timezone.now())
    group.closed_on = closed_on
    group.close_reason = reason
    group.save(update_fields=["closed_on", "close_reason", "updated_at"])
    events = [build_event(actor=actor, action=AuditEvent.Action.UPDATE, obj=m, household_id=m.household_id,
                          city_code=group.city_code, changes={"left_on": [None, closed_on]}, message=reason)
              for m in memberships]
    events.append(build_event(actor=actor, action=AuditEvent.Action.UPDATE, obj=group, city_code=group.city_code,
                              changes={"closed_on": [None, closed_on], "cancelled_meetings": [[], cancelled]},
                              message=reason))
    audit_record_many(events)
    return group


# --- members ------------------------------------------------------------------------------------

@transaction.atomic
def group_members_add(*, actor: User, group: Group, household_ids, joined_on: date) -> int:
    """Add families of the facilitator's caseload (in the group's kelurahan) to the group. Returns how many."""
    group = _lock_group(actor, group)
    _require_active(group)
    household_ids = {int(pk) for pk in household_ids}
    if not household_ids:
        raise ValidationError({"households": _("Select at least one family.")})
    _not_in_future("joined_on", joined_on, timezone.localdate())
    if joined_on < group.formed_on:
        raise ValidationError({"joined_on": _("Families cannot join before the group was formed (%(date)s).")
                               % {"date": group.formed_on.strftime("%d-%m-%Y")}})
    households = list(access.visible_households(actor).filter(pk__in=household_ids)
                      .select_for_update(of=("self",)).order_by("pk"))
    if len(households) != len(household_ids):
        raise ValidationError({"households": _("Some selected families are not in your area.")})
    problems = (
        (_("These families are not in this facilitator's caseload: %(list)s"),
         [h for h in households if h.facilitator_id != group.facilitator_id]),
        (_("These families are not in this group's kelurahan: %(list)s"),
         [h for h in households if h.kelurahan_id != group.kelurahan_id]),
        (_("These families are no longer active in PKH: %(list)s"),
         [h for h in households if h.status not in MEMBER_STATUSES]),
    )
    for message, wrong in problems:
        if wrong:
            raise ValidationError({"households": message % {"list": ", ".join(_household_label(h) for h in wrong[:10])}})
    already = list(GroupMembership.objects.filter(household__in=households, left_on__isnull=True).select_related("group", "household"))
    if already:
        raise ValidationError({"households": _("A family can be in only one active group. Already in a group: %(list)s")
                               % {"list": ", ".join(f"{m.household.id_kpm} ({m.group.name})" for m in already[:10])}})
    memberships = [GroupMembership(group=group, household=h, joined_on=joined_on, added_by=actor) for h in households]
    try:
        with transaction.atomic():
            GroupMembership.objects.bulk_create(memberships)
    except IntegrityError:
        # Someone added one of these families to another group at the same moment.
        raise ValidationError({"households": _("A family can be in only one active group; one of the selected "
                                               "families was just added to another group. Reload the page.")}) from None
    created = GroupMembership.objects.filter(group=group, household__in=households, left_on__isnull=True)
    audit_record_many(
        build_event(actor=actor, action=AuditEvent.Action.CREATE, obj=m, household_id=m.household_id,
                    city_code=group.city_code, changes={"group": [None, group.name], "joined_on": [None, joined_on]})
        for m in created.select_related("household", "group")
    )
    return len(memberships)


@transaction.atomic
def group_member_remove(*, actor: User, membership: GroupMembership, left_on: date, reason: str = "") -> GroupMembership:
    """End a family's membership (the history is kept); a leaving leader leaves the group without one."""
    group = _lock_group(actor, membership.group)
    _require_active(group)
    membership = GroupMembership.objects.select_for_update().select_related("household").get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError(_("This family already left the group on %(date)s.") % {"date": membership.left_on.strftime("%d-%m-%Y")})
    _not_in_future("left_on", left_on, timezone.localdate())
    if left_on < membership.joined_on:
        raise ValidationError({"left_on": _("The family joined on %(date)s; it cannot leave before that.")
                               % {"date": membership.joined_on.strftime("%d-%m-%Y")}})
    membership.left_on = left_on
    membership.left_reason = (reason or "").strip()
    membership.removed_by = actor
    membership.save(update_fields=["left_on", "left_reason", "removed_by"])
    events = [build_event(actor=actor, action=AuditEvent.Action.UPDATE, obj=membership, household_id=membership.household_id,
                          city_code=group.city_code, changes={"left_on": [None, left_on]}, message=membership.left_reason)]
    if group.leader_id == membership.household_id:
        group.leader = None
        group.save(update_fields=["leader", "updated_at"])
        events.append(build_event(actor=actor, action=AuditEvent.Action.UPDATE, obj=group, city_code=group.city_code,
                                  changes={"leader": [membership.household.id_kpm, None]}))
    audit_record_many(events)
    return membership


# --- meetings -----------------------------------------------------------------------------------

def _late_reason(actor: User, meeting: Meeting, *, today: date, settings: P2K2Settings, late_edit_reason: str,
                 field: str | None = None) -> str:
    """'' when the meeting is open; the coordinator's reason when it is locked; otherwise an error."""
    if not selectors.is_locked(meeting, today=today, settings=settings):
        return ""
    if not access.can_manage_caseloads(actor):
        message = _("Meetings more than %(days)s days ago are locked: only the coordinator can enter or change them.") \
            % {"days": settings.edit_lock_days}
        raise ValidationError({field: message} if field else message)
    reason = (late_edit_reason or "").strip()
    if not reason:
        raise ValidationError({"late_edit_reason": _("This meeting is locked (more than %(days)s days ago). "
                                                     "Give the reason for changing it.") % {"days": settings.edit_lock_days}})
    return reason


def _check_meeting(meeting: Meeting, *, today: date, settings: P2K2Settings, previous_session_id: int | None = None) -> None:
    if meeting.module_session_id is None:
        raise ValidationError({"module_session": _("Choose the session from the catalogue.")})
    # A meeting may keep a session the administrators retired since; a new choice must be in use.
    if meeting.module_session_id != previous_session_id and not ModuleSession.objects.filter(
            pk=meeting.module_session_id, is_active=True, module__is_active=True).exists():
        raise ValidationError({"module_session": _("This catalogue session is no longer in use; choose another.")})
    meeting.place = " ".join((meeting.place or "").split())
    if not meeting.place:
        raise ValidationError({"place": _("Say where the group meets.")})
    if meeting.date > today + timedelta(days=settings.schedule_ahead_days):
        raise ValidationError({"date": _("Meetings can be scheduled at most %(days)s days ahead.") % {"days": settings.schedule_ahead_days}})
    if meeting.status == Meeting.Status.HELD and meeting.date > today:
        raise ValidationError({"date": _("A meeting that was held cannot be dated in the future.")})
    clash = Meeting.objects.filter(group_id=meeting.group_id, date=meeting.date, start_time=meeting.start_time).exclude(
        status=Meeting.Status.CANCELLED)
    if meeting.pk:
        clash = clash.exclude(pk=meeting.pk)
    if clash.exists():
        raise ValidationError({"start_time": _("The group already has a meeting on this date at this time.")})


@transaction.atomic
def meeting_schedule(*, actor: User, group: Group, data: Mapping, late_edit_reason: str = "") -> Meeting:
    """Schedule a meeting of a group (or enter one held in the last days; older ones need the coordinator)."""
    group = _lock_group(actor, group)
    _require_active(group)
    settings = selectors.rules()
    today = timezone.localdate()
    meeting = Meeting(group=group, created_by=actor, **{f: data[f] for f in MEETING_EDITABLE if f in data})
    meeting.notes = (meeting.notes or "").strip()
    if meeting.date is None or meeting.start_time is None:
        raise ValidationError({"date" if meeting.date is None else "start_time": _("This field is required.")})
    if meeting.date < group.formed_on:
        raise ValidationError({"date": _("The group was formed on %(date)s; the meeting cannot be earlier.")
                               % {"date": group.formed_on.strftime("%d-%m-%Y")}})
    late = _late_reason(actor, meeting, today=today, settings=settings, late_edit_reason=late_edit_reason, field="date")
    _check_meeting(meeting, today=today, settings=settings)
    meeting.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=meeting, city_code=group.city_code,
                 changes={**diff({}, _snapshot(meeting, MEETING_EDITABLE)), **({"late_edit": [None, True]} if late else {})},
                 message=late)
    return meeting


@transaction.atomic
def meeting_update(*, actor: User, meeting: Meeting, data: Mapping, late_edit_reason: str = "") -> Meeting:
    """Change a meeting's session, date, time, place or notes (locked after `edit_lock_days`: coordinator only)."""
    group = _lock_group(actor, meeting.group)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled; schedule a new one instead."))
    settings = selectors.rules()
    today = timezone.localdate()
    late = _late_reason(actor, meeting, today=today, settings=settings, late_edit_reason=late_edit_reason)
    fields = [f for f in MEETING_EDITABLE if f in data]
    before = _snapshot(meeting, fields)
    previous_session_id = meeting.module_session_id
    for name in fields:
        setattr(meeting, name, data[name])
    meeting.notes = (meeting.notes or "").strip()
    if not late:
        # Moving a meeting into the locked past is a late entry too.
        late = _late_reason(actor, meeting, today=today, settings=settings, late_edit_reason=late_edit_reason, field="date")
    if meeting.date < group.formed_on:
        raise ValidationError({"date": _("The group was formed on %(date)s; the meeting cannot be earlier.")
                               % {"date": group.formed_on.strftime("%d-%m-%Y")}})
    _check_meeting(meeting, today=today, settings=settings, previous_session_id=previous_session_id)
    changes = diff(before, _snapshot(meeting, fields))
    if not changes:
        return meeting
    meeting.save(update_fields=[*changes.keys(), "updated_at"])
    if late:
        changes["late_edit"] = [None, True]
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=meeting, city_code=group.city_code,
                 changes=changes, message=late)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a meeting that has not been held (a held meeting keeps its attendance)."""
    group = _lock_group(actor, meeting.group)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled meeting can be cancelled; this one is %(status)s.")
                              % {"status": meeting.get_status_display().lower()})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason
    meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=meeting, city_code=group.city_code,
                 changes={"status": [Meeting.Status.SCHEDULED, Meeting.Status.CANCELLED]}, message=reason)
    return meeting


# --- attendance ---------------------------------------------------------------------------------

@transaction.atomic
def attendance_record(*, actor: User, meeting: Meeting, entries: Mapping[int, tuple[str, str]],
                      notes: str | None = None, late_edit_reason: str = "") -> Meeting:
    """Record (or correct) the attendance of a meeting in one go; the meeting becomes held.

    `entries` maps every household on the meeting's list to (status, reason). Errors about one
    household are keyed `reason_<household id>` / `status_<household id>`, as the attendance form names them.
    """
    group = _lock_group(actor, meeting.group)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled; its attendance cannot be recorded."))
    today = timezone.localdate()
    if meeting.date > today:
        raise ValidationError(_("This meeting is on %(date)s: record its attendance on or after that day.")
                              % {"date": meeting.date.strftime("%d-%m-%Y")})
    settings = selectors.rules()
    late = _late_reason(actor, meeting, today=today, settings=settings, late_edit_reason=late_edit_reason)

    expected = selectors.roster_household_ids(meeting)
    entries = {int(pk): value for pk, value in entries.items()}
    if not expected:
        raise ValidationError(_("The group had no families on %(date)s; add the families first.")
                              % {"date": meeting.date.strftime("%d-%m-%Y")})
    if set(entries) != expected:
        raise ValidationError(_("The list of families changed since the page was opened. Reload the page and record again."))
    labels = dict(Household.objects.filter(pk__in=expected).values_list("pk", "id_kpm"))
    errors = {}
    cleaned = {}
    for household_id, (status, reason) in entries.items():
        reason = (reason or "").strip()
        if status not in Attendance.Status.values:
            errors[f"status_{household_id}"] = _("Choose present, absent or excused for %(id_kpm)s.") % {"id_kpm": labels[household_id]}
        elif status == Attendance.Status.EXCUSED and not reason:
            errors[f"reason_{household_id}"] = _("Give the reason for the excused absence of %(id_kpm)s.") % {"id_kpm": labels[household_id]}
        cleaned[household_id] = (status, reason if status == Attendance.Status.EXCUSED else "")
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    existing = {a.household_id: a for a in Attendance.objects.filter(meeting=meeting)}
    created, changed, events, created_events = [], [], [], []
    for household_id, (status, reason) in cleaned.items():
        row = existing.get(household_id)
        if row is None:
            created.append(Attendance(meeting=meeting, household_id=household_id, status=status, reason=reason,
                                      recorded_by=actor, recorded_at=now))
            created_events.append(build_event(actor=actor, action=AuditEvent.Action.CREATE, object_type="p2k2.attendance",
                                      object_repr=f"{labels[household_id]} {meeting}", household_id=household_id,
                                      city_code=group.city_code, changes={"status": [None, status], "reason": [None, reason]},
                                      message=late))
        elif (row.status, row.reason) != (status, reason):
            events.append(build_event(actor=actor, action=AuditEvent.Action.UPDATE, object_type="p2k2.attendance",
                                      object_id=row.pk, object_repr=f"{labels[household_id]} {meeting}",
                                      household_id=household_id,
                                      city_code=group.city_code, changes=diff({"status": row.status, "reason": row.reason},
                                                                              {"status": status, "reason": reason}),
                                      message=late))
            row.status, row.reason, row.recorded_by, row.recorded_at = status, reason, actor, now
            changed.append(row)
    Attendance.objects.bulk_create(created)
    # The new rows' ids exist only now (PostgreSQL and SQLite return them): the history links each event to its row.
    for row, event in zip(created, created_events):
        event.object_id = str(row.pk or "")
    events = created_events + events
    Attendance.objects.bulk_update(changed, ["status", "reason", "recorded_by", "recorded_at"])

    meeting_changes = {}
    update_fields = ["attendance_recorded_at", "attendance_recorded_by", "updated_at"]
    if meeting.status != Meeting.Status.HELD:
        meeting_changes["status"] = [meeting.status, Meeting.Status.HELD]
        meeting.status = Meeting.Status.HELD
        update_fields.append("status")
    if notes is not None and notes.strip() != meeting.notes:
        meeting_changes["notes"] = [meeting.notes, notes.strip()]
        meeting.notes = notes.strip()
        update_fields.append("notes")
    meeting.attendance_recorded_at = now
    meeting.attendance_recorded_by = actor
    meeting.save(update_fields=update_fields)
    if late:
        meeting_changes["late_edit"] = [None, True]
    if meeting_changes or events:
        meeting_changes["attendance"] = [None, {"recorded": len(created), "changed": len(changed)}]
        events.append(build_event(actor=actor, action=AuditEvent.Action.UPDATE, obj=meeting, city_code=group.city_code,
                                  changes=meeting_changes, message=late))
    audit_record_many(events)
    return meeting
