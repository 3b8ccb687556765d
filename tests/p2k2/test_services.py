"""P2K2 rules: one active group per family, members from the caseload, the edit lock with the
coordinator's audited override, excused absences with a reason, closing a group."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import AuditEvent
from p2k2 import services
from p2k2.models import Attendance, GroupMembership, Meeting, P2K2Settings
from tests.conftest import make_family
from tests.p2k2.conftest import add_families, make_group, make_meeting, session

TODAY = timezone.localdate


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- groups and members -------------------------------------------------------------------------

def test_a_facilitator_creates_a_group_of_their_own_caseload_and_it_is_audited(world):
    group = services.group_create(actor=world.facilitator, facilitator=world.facilitator,
                                  kelurahan=world.household.kelurahan, name="  Melati   1 ", usual_place="Posyandu Melati")
    assert (group.name, group.facilitator, group.is_active) == ("Melati 1", world.facilitator, True)
    event = AuditEvent.objects.get(object_type="p2k2.group", action="create")
    assert event.city_code == "31.75" and event.actor == world.facilitator


def test_a_facilitator_cannot_create_a_group_for_another_facilitator(world):
    with pytest.raises(ValidationError) as excinfo:
        services.group_create(actor=world.facilitator, facilitator=world.other_facilitator,
                              kelurahan=world.other_household.kelurahan, name="Mawar")
    assert "facilitator" in errors_of(excinfo)


def test_a_group_must_be_in_a_kelurahan_where_its_facilitator_works(world):
    with pytest.raises(ValidationError) as excinfo:
        services.group_create(actor=world.coordinator, facilitator=world.facilitator,
                              kelurahan=world.other_household.kelurahan, name="Mawar")
    assert "does not work in" in errors_of(excinfo)["kelurahan"][0]


def test_two_active_groups_of_a_facilitator_cannot_share_a_name(world, group):
    with pytest.raises(ValidationError) as excinfo:
        services.group_create(actor=world.facilitator, facilitator=world.facilitator,
                              kelurahan=world.household.kelurahan, name=group.name.upper())
    assert "name" in errors_of(excinfo)


def test_a_family_can_be_in_only_one_active_group(world, group):
    second = make_group(world.facilitator, world.household.kelurahan, name="Kelompok Mawar")
    with pytest.raises(ValidationError) as excinfo:
        services.group_members_add(actor=world.facilitator, group=second, household_ids=[world.household.pk],
                                   joined_on=TODAY())
    message = errors_of(excinfo)["households"][0]
    assert "only one active group" in message and world.household.id_kpm in message and group.name in message
    assert not second.memberships.exists()


def test_the_database_refuses_a_second_active_membership(world, group):
    second = make_group(world.facilitator, world.household.kelurahan, name="Kelompok Mawar")
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMembership.objects.create(group=second, household=world.household, joined_on=TODAY())


def test_a_family_that_left_can_join_another_group_and_the_history_is_kept(world, group):
    membership = group.memberships.get()
    services.group_member_remove(actor=world.facilitator, membership=membership, left_on=TODAY(), reason="pindah RW")
    second = make_group(world.facilitator, world.household.kelurahan, name="Kelompok Mawar")
    assert services.group_members_add(actor=world.facilitator, group=second, household_ids=[world.household.pk],
                                      joined_on=TODAY()) == 1
    history = list(GroupMembership.objects.filter(household=world.household).order_by("pk"))
    assert [(m.group, m.left_on) for m in history] == [(group, TODAY()), (second, None)]
    assert history[0].left_reason == "pindah RW"
    assert AuditEvent.objects.filter(object_type="p2k2.groupmembership", household_id=world.household.pk).count() == 2


def test_members_come_from_the_facilitators_caseload_in_the_groups_kelurahan(world, group):
    elsewhere = make_family(facilitator=world.facilitator, kelurahan="31.75.02.1001")
    with pytest.raises(ValidationError) as excinfo:
        services.group_members_add(actor=world.coordinator, group=group, household_ids=[elsewhere.pk], joined_on=TODAY())
    assert "kelurahan" in errors_of(excinfo)["households"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.group_members_add(actor=world.coordinator, group=group, household_ids=[world.unassigned.pk], joined_on=TODAY())
    assert "caseload" in errors_of(excinfo)["households"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.group_members_add(actor=world.facilitator, group=group, household_ids=[world.household_b.pk], joined_on=TODAY())
    assert "not in your area" in errors_of(excinfo)["households"][0]


def test_a_graduated_family_cannot_join_a_group(world, group):
    graduated = make_family(facilitator=world.facilitator, status="graduated")
    with pytest.raises(ValidationError) as excinfo:
        services.group_members_add(actor=world.facilitator, group=group, household_ids=[graduated.pk], joined_on=TODAY())
    assert "no longer active" in errors_of(excinfo)["households"][0]


def test_the_leader_is_a_current_member_and_a_leaving_leader_leaves_the_group_without_one(world, group):
    outsider = make_family(facilitator=world.facilitator)
    with pytest.raises(ValidationError) as excinfo:
        services.group_update(actor=world.facilitator, group=group, data={"leader": outsider})
    assert "leader" in errors_of(excinfo)
    services.group_update(actor=world.facilitator, group=group, data={"leader": world.household})
    group.refresh_from_db()
    assert group.leader == world.household
    services.group_member_remove(actor=world.facilitator, membership=group.memberships.get(), left_on=TODAY())
    group.refresh_from_db()
    assert group.leader is None


def test_only_a_coordinator_gives_a_group_to_another_facilitator_and_its_families_must_follow(world, group):
    with pytest.raises(ValidationError) as excinfo:
        services.group_update(actor=world.facilitator, group=group, data={"facilitator": world.other_facilitator})
    assert "coordinator" in errors_of(excinfo)["facilitator"][0]
    world.other_facilitator.facilitator_profile.kelurahan.add(world.household.kelurahan)
    with pytest.raises(ValidationError) as excinfo:
        services.group_update(actor=world.coordinator, group=group, data={"facilitator": world.other_facilitator})
    assert world.household.id_kpm in errors_of(excinfo)["facilitator"][0]


def test_an_auditor_cannot_change_anything(world, group):
    with pytest.raises(PermissionDenied):
        services.group_members_add(actor=world.auditor, group=group, household_ids=[world.household.pk], joined_on=TODAY())
    with pytest.raises(PermissionDenied):
        services.group_create(actor=world.auditor, facilitator=world.facilitator, kelurahan=world.household.kelurahan, name="X")


def test_a_facilitator_cannot_change_another_facilitators_group(world, group):
    with pytest.raises(PermissionDenied):
        services.group_update(actor=world.other_facilitator, group=group, data={"name": "Diambil"})


def test_closing_a_group_ends_its_memberships_and_cancels_its_scheduled_meetings(world, group):
    upcoming = make_meeting(group, days_ago=-5)
    held = make_meeting(group, days_ago=20, status=Meeting.Status.HELD)
    with pytest.raises(ValidationError) as excinfo:
        services.group_close(actor=world.facilitator, group=group, closed_on=TODAY(), reason=" ")
    assert "reason" in errors_of(excinfo)
    services.group_close(actor=world.facilitator, group=group, closed_on=TODAY(), reason="Digabung dengan Mawar")
    upcoming.refresh_from_db()
    held.refresh_from_db()
    assert group.memberships.get().left_on == TODAY()
    assert (upcoming.status, held.status) == (Meeting.Status.CANCELLED, Meeting.Status.HELD)
    with pytest.raises(ValidationError):
        services.group_members_add(actor=world.facilitator, group=group, household_ids=[world.household.pk], joined_on=TODAY())


# --- meetings and the lock ----------------------------------------------------------------------

def meeting_data(**overrides):
    return {"module_session": session(1), "date": TODAY() + timedelta(days=3), "start_time": time(9, 0),
            "place": "Balai RW 05", "notes": "", **overrides}


def test_scheduling_a_meeting_checks_the_place_and_clashes(world, group):
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_schedule(actor=world.facilitator, group=group, data=meeting_data(place="  "))
    assert "place" in errors_of(excinfo)
    services.meeting_schedule(actor=world.facilitator, group=group, data=meeting_data())
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_schedule(actor=world.facilitator, group=group, data=meeting_data())
    assert "start_time" in errors_of(excinfo)


def test_a_facilitator_cannot_enter_a_meeting_older_than_the_lock(world, group):
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_schedule(actor=world.facilitator, group=group, data=meeting_data(date=TODAY() - timedelta(days=8)))
    assert "locked" in errors_of(excinfo)["date"][0]
    meeting = services.meeting_schedule(actor=world.facilitator, group=group, data=meeting_data(date=TODAY() - timedelta(days=7)))
    assert meeting.pk


def test_a_held_meeting_is_locked_for_the_facilitator_after_the_lock_days(world, group):
    meeting = make_meeting(group, days_ago=8, status=Meeting.Status.HELD)
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_update(actor=world.facilitator, meeting=meeting, data={"place": "Masjid"})
    assert "only the coordinator" in excinfo.value.messages[0]
    meeting.refresh_from_db()
    assert meeting.place == "Balai RW 05"


def test_the_lock_length_is_data(world, group):
    P2K2Settings.objects.update(edit_lock_days=3)
    meeting = make_meeting(group, days_ago=4, status=Meeting.Status.HELD)
    with pytest.raises(ValidationError):
        services.meeting_update(actor=world.facilitator, meeting=meeting, data={"place": "Masjid"})
    P2K2Settings.objects.update(edit_lock_days=5)
    services.meeting_update(actor=world.facilitator, meeting=meeting, data={"place": "Masjid"})


def test_the_coordinators_late_edit_needs_a_reason_and_is_audited(world, group):
    meeting = make_meeting(group, days_ago=30, status=Meeting.Status.HELD)
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_update(actor=world.coordinator, meeting=meeting, data={"place": "Masjid"})
    assert "late_edit_reason" in errors_of(excinfo)
    services.meeting_update(actor=world.coordinator, meeting=meeting, data={"place": "Masjid"},
                            late_edit_reason="Salah ketik tempat, dikonfirmasi ketua kelompok")
    event = AuditEvent.objects.get(object_type="p2k2.meeting", action="update")
    assert event.actor == world.coordinator
    assert event.message == "Salah ketik tempat, dikonfirmasi ketua kelompok"
    assert event.changes["place"] == ["Balai RW 05", "Masjid"] and event.changes["late_edit"] == [None, True]


def test_moving_a_meeting_into_the_locked_past_is_refused_to_a_facilitator(world, group):
    meeting = make_meeting(group, days_ago=-2)
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_update(actor=world.facilitator, meeting=meeting, data={"date": TODAY() - timedelta(days=10)})
    assert "date" in errors_of(excinfo)


def test_only_a_scheduled_meeting_can_be_cancelled_and_it_needs_a_reason(world, group):
    meeting = make_meeting(group, days_ago=-2)
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_cancel(actor=world.facilitator, meeting=meeting, reason="")
    assert "reason" in errors_of(excinfo)
    services.meeting_cancel(actor=world.facilitator, meeting=meeting, reason="Banjir")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == (Meeting.Status.CANCELLED, "Banjir")
    with pytest.raises(ValidationError):
        services.meeting_cancel(actor=world.facilitator, meeting=meeting, reason="Lagi")


# --- attendance ---------------------------------------------------------------------------------

def test_recording_attendance_marks_the_meeting_held_and_audits_each_family(world, group):
    others = add_families(group, 2)
    meeting = make_meeting(group, days_ago=1)
    entries = {world.household.pk: ("present", ""), others[0].pk: ("absent", "ignored"), others[1].pk: ("excused", "sakit")}
    services.attendance_record(actor=world.facilitator, meeting=meeting, entries=entries, notes="Diskusi seru")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.notes, meeting.attendance_recorded_by) == ("held", "Diskusi seru", world.facilitator)
    rows = {a.household_id: (a.status, a.reason) for a in Attendance.objects.filter(meeting=meeting)}
    assert rows == {world.household.pk: ("present", ""), others[0].pk: ("absent", ""), others[1].pk: ("excused", "sakit")}
    assert AuditEvent.objects.filter(object_type="p2k2.attendance", household_id=others[1].pk).exists()


def test_an_excused_absence_needs_a_reason(world, group):
    meeting = make_meeting(group, days_ago=1)
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_record(actor=world.facilitator, meeting=meeting, entries={world.household.pk: ("excused", "  ")})
    errors = errors_of(excinfo)
    assert f"reason_{world.household.pk}" in errors and world.household.id_kpm in errors[f"reason_{world.household.pk}"][0]
    assert not Attendance.objects.exists()


def test_the_database_refuses_an_excused_absence_without_reason(world, group):
    meeting = make_meeting(group, days_ago=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(meeting=meeting, household=world.household, status="excused", reason="")


def test_correcting_attendance_changes_only_what_changed(world, group):
    other = add_families(group, 1)[0]
    meeting = make_meeting(group, days_ago=2)
    services.attendance_record(actor=world.facilitator, meeting=meeting,
                               entries={world.household.pk: ("present", ""), other.pk: ("present", "")})
    before = AuditEvent.objects.count()
    services.attendance_record(actor=world.facilitator, meeting=meeting,
                               entries={world.household.pk: ("present", ""), other.pk: ("absent", "")})
    assert Attendance.objects.get(meeting=meeting, household=other).status == "absent"
    changed = AuditEvent.objects.filter(object_type="p2k2.attendance").order_by("-id").first()
    assert changed.household_id == other.pk and changed.changes["status"] == ["present", "absent"]
    assert AuditEvent.objects.count() == before + 2  # the family's row and the meeting


def test_attendance_lists_every_member_on_the_meeting_date(world, group):
    meeting = make_meeting(group, days_ago=1)
    late_joiner = make_family(facilitator=world.facilitator)
    GroupMembership.objects.create(group=group, household=late_joiner, joined_on=TODAY())
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_record(actor=world.facilitator, meeting=meeting,
                                   entries={world.household.pk: ("present", ""), late_joiner.pk: ("present", "")})
    assert "Reload" in excinfo.value.messages[0]
    services.attendance_record(actor=world.facilitator, meeting=meeting, entries={world.household.pk: ("present", "")})


def test_attendance_of_a_future_or_cancelled_meeting_cannot_be_recorded(world, group):
    future = make_meeting(group, days_ago=-1)
    with pytest.raises(ValidationError):
        services.attendance_record(actor=world.facilitator, meeting=future, entries={world.household.pk: ("present", "")})
    cancelled = make_meeting(group, days_ago=1, status=Meeting.Status.CANCELLED)
    with pytest.raises(ValidationError):
        services.attendance_record(actor=world.facilitator, meeting=cancelled, entries={world.household.pk: ("present", "")})


def test_a_locked_meetings_attendance_is_changed_only_by_the_coordinator_with_a_reason(world, group):
    meeting = make_meeting(group, days_ago=9, status=Meeting.Status.HELD)
    Attendance.objects.create(meeting=meeting, household=world.household, status="absent")
    entries = {world.household.pk: ("present", "")}
    with pytest.raises(ValidationError):
        services.attendance_record(actor=world.facilitator, meeting=meeting, entries=entries)
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_record(actor=world.coordinator, meeting=meeting, entries=entries)
    assert "late_edit_reason" in errors_of(excinfo)
    services.attendance_record(actor=world.coordinator, meeting=meeting, entries=entries, late_edit_reason="Daftar hadir kertas ditemukan")
    assert Attendance.objects.get(meeting=meeting).status == "present"
    event = AuditEvent.objects.get(object_type="p2k2.meeting")
    assert event.message == "Daftar hadir kertas ditemukan" and event.changes["late_edit"] == [None, True]
