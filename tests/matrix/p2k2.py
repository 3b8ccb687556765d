"""P2K2 URLs: groups, memberships, meetings (with attendance) and the attendance analysis.

A group is made for a world household's facilitator and kelurahan with that household as a member,
so it is in scope exactly when the household is; the unassigned household has no facilitator, so
no group can exist for it.
"""

from datetime import time

from django.utils import timezone

from p2k2.models import Group, GroupMembership, Meeting, ModuleSession


def _group(world, household):
    if household.facilitator_id is None:
        return None
    current = GroupMembership.objects.filter(household=household, left_on__isnull=True).select_related("group").first()
    if current is not None:
        return current.group
    group = Group.objects.create(name=f"Kelompok {household.id_kpm}", facilitator=household.facilitator,
                                 kelurahan=household.kelurahan, formed_on=timezone.localdate())
    GroupMembership.objects.create(group=group, household=household, joined_on=timezone.localdate())
    return group


def _membership(world, household):
    group = _group(world, household)
    return None if group is None else group.memberships.get(household=household, left_on__isnull=True)


def _meeting(world, household):
    group = _group(world, household)
    if group is None:
        return None
    meeting, _ = Meeting.objects.get_or_create(
        group=group, date=timezone.localdate(), start_time=time(9, 0),
        defaults={"module_session": ModuleSession.objects.order_by("number").first(), "place": "Balai RW 01"},
    )
    return meeting


OBJECT_URLS = {
    "p2k2_group_detail": ("get", "read", _group),
    "p2k2_group_edit": ("get", "write", _group),
    "p2k2_group_members": ("get", "write", _group),
    "p2k2_group_close": ("post", "write", _group),
    "p2k2_meeting_create": ("get", "write", _group),
    "p2k2_membership_remove": ("get", "write", _membership),
    "p2k2_meeting_detail": ("get", "read", _meeting),
    "p2k2_meeting_edit": ("get", "write", _meeting),
    "p2k2_meeting_cancel": ("post", "write", _meeting),
}

PAGE_URLS = {
    "p2k2_group_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "p2k2_group_create": {"facilitator": 200, "coordinator": 200, "auditor": 403, "admin": 200},
    "p2k2_meeting_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "p2k2_attendance": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}
