"""The P2K2 endpoints: groups, meetings ("sessions") with their attendance, recording the attendance."""

import re
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from p2k2.models import Attendance, Group, GroupMembership, Meeting, ModuleSession

LIST = reverse("api_p2k2_group_list")
SESSIONS = reverse("api_p2k2_session_list")


def _group(household, *, days_ago=60, name=None, member=True):
    today = timezone.localdate()
    group = Group.objects.create(name=name or f"Kelompok {household.id_kpm}", facilitator=household.facilitator,
                                 kelurahan=household.kelurahan, formed_on=today - timedelta(days=days_ago))
    if member:
        GroupMembership.objects.create(group=group, household=household, joined_on=today - timedelta(days=days_ago))
    return group


def _meeting(group, *, days_ago=0, hour=9):
    return Meeting.objects.create(group=group, date=timezone.localdate() - timedelta(days=days_ago),
                                  start_time=time(hour, 0), place="Balai RW 01",
                                  module_session=ModuleSession.objects.order_by("number").first())


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


def _attendance(client, meeting, body):
    return client.post(reverse("api_p2k2_attendance_record", kwargs={"pk": meeting.pk}), body,
                       content_type="application/json")


@pytest.fixture
def groups(world):
    return {name: _group(getattr(world, name)) for name in ("household", "other_household", "household_b")}


def test_each_role_lists_the_groups_of_its_area(world, client, groups):
    expected = {
        world.facilitator: {groups["household"].pk},
        world.other_facilitator: {groups["other_household"].pk},
        world.coordinator: {groups["household"].pk, groups["other_household"].pk},
        world.auditor: {groups["household"].pk, groups["other_household"].pk},
        world.coordinator_b: {groups["household_b"].pk},
        world.admin: {g.pk for g in groups.values()},
    }
    for user, ids in expected.items():
        client.force_login(user)
        response = client.get(LIST)
        assert response.status_code == 200
        assert _ids(response) == ids, user.username
    client.force_login(world.facilitator)
    row = client.get(LIST).json()["results"][0]
    assert row["member_count"] == 1 and row["kelurahan"]["code"] == world.household.kelurahan_id
    assert row["facilitator"]["username"] == world.facilitator.username


def test_the_meeting_list_filters_by_dates_kelurahan_group_and_status(world, client, groups):
    old = _meeting(groups["household"], days_ago=20)
    today = _meeting(groups["household"])
    other = _meeting(groups["other_household"], days_ago=3)
    client.force_login(world.coordinator)
    assert _ids(client.get(SESSIONS)) == {old.pk, today.pk, other.pk}
    since = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert _ids(client.get(SESSIONS, {"from": since})) == {today.pk, other.pk}
    assert _ids(client.get(SESSIONS, {"to": since})) == {old.pk}
    assert _ids(client.get(SESSIONS, {"kelurahan": world.other_household.kelurahan_id})) == {other.pk}
    assert _ids(client.get(SESSIONS, {"group": groups["household"].pk})) == {old.pk, today.pk}
    assert _ids(client.get(SESSIONS, {"status": "unrecorded"})) == {old.pk, other.pk}
    assert _ids(client.get(SESSIONS, {"status": "held"})) == set()
    row = next(r for r in client.get(SESSIONS).json()["results"] if r["id"] == old.pk)
    assert row["locked"] is True and row["status"] == "scheduled"


def test_a_facilitator_lists_only_their_own_meetings(world, client, groups):
    mine = _meeting(groups["household"])
    _meeting(groups["other_household"])
    _meeting(groups["household_b"])
    client.force_login(world.facilitator)
    assert _ids(client.get(SESSIONS)) == {mine.pk}


def test_bad_filters_answer_400_with_a_clear_message(world, client, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(world.coordinator)
    response = client.get(SESSIONS, {"from": "2026-02-30"})
    assert response.status_code == 400
    assert response.json() == {"from": ["Enter a date as YYYY-MM-DD, e.g. 2026-03-31."]}
    response = client.get(SESSIONS, {"from": "2026-03-01", "to": "2026-02-01"})
    assert response.json() == {"to": ["The end date is before the start date."]}
    response = client.get(SESSIONS, {"kelurahan": world.household_b.kelurahan_id})
    assert response.status_code == 400 and list(response.json()) == ["kelurahan"]
    assert client.get(SESSIONS, {"status": "someday"}).status_code == 400
    assert client.get(LIST, {"status": "someday"}).status_code == 400


def test_the_meeting_list_runs_the_same_queries_for_one_or_many_meetings(world, client, groups):
    client.force_login(world.coordinator)
    _meeting(groups["household"])
    client.get(SESSIONS)  # sessions, caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(SESSIONS).status_code == 200
    for days in range(1, 6):
        _meeting(groups["household"], days_ago=days)
        _meeting(groups["other_household"], days_ago=days)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(SESSIONS).json()["results"]) == 11
    assert len(many) == len(one)


def test_the_group_list_runs_the_same_queries_for_one_or_many_groups(world, client, groups):
    client.force_login(world.coordinator)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for number in range(5):
        _group(world.household, name=f"Tambahan {number}", member=False)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).json()["count"] == 7
    assert len(many) == len(few)


def test_a_meeting_shows_its_attendance_list_in_scope_only(world, client, groups):
    meeting = _meeting(groups["household"])
    url = reverse("api_p2k2_session_detail", kwargs={"pk": meeting.pk})
    for user, status in ((world.facilitator, 200), (world.coordinator, 200), (world.auditor, 200), (world.admin, 200),
                         (world.other_facilitator, 404), (world.coordinator_b, 404), (world.auditor_b, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
    client.force_login(world.facilitator)
    data = client.get(url).json()
    assert data["can_record"] is True and data["lock_days"] == 7
    assert data["attendance"] == [{"household": world.household.pk, "id_kpm": world.household.id_kpm,
                                   "name": f"Ibu {world.household.id_kpm}", "visible": True, "recorded": False,
                                   "status": None, "reason": ""}]
    client.force_login(world.auditor)
    assert client.get(url).json()["can_record"] is False


def test_the_facilitator_records_the_attendance_of_a_meeting(world, client, groups):
    meeting = _meeting(groups["household"])
    client.force_login(world.facilitator)
    response = _attendance(client, meeting, {"attendance": [
        {"household": world.household.pk, "status": "excused", "reason": "Sakit"}], "notes": "Sesi berjalan baik."})
    assert response.status_code == 200
    assert response.json()["status"] == "held"
    assert response.json()["attendance"][0] | {"recorded": True, "status": "excused", "reason": "Sakit"} == \
        response.json()["attendance"][0]
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.notes == "Sesi berjalan baik."
    assert Attendance.objects.get(meeting=meeting).recorded_by == world.facilitator


def test_attendance_errors_are_the_meeting_pages_messages(world, client, groups, settings):
    settings.LANGUAGE_CODE = "en"
    meeting = _meeting(groups["household"])
    client.force_login(world.facilitator)
    pk = world.household.pk
    response = _attendance(client, meeting, {"attendance": [{"household": pk, "status": "excused"}]})
    assert response.status_code == 400
    assert response.json() == {f"reason_{pk}": [f"Give the reason for the excused absence of {world.household.id_kpm}."]}
    response = _attendance(client, meeting, {"attendance": [{"household": pk, "status": "late"}]})
    assert response.json() == {f"status_{pk}": [f"Choose present, absent or excused for {world.household.id_kpm}."]}
    response = _attendance(client, meeting, {"attendance": []})
    assert response.json() == {"non_field_errors": [
        "The list of families changed since the page was opened. Reload the page and record again."]}
    response = _attendance(client, meeting, {"attendance": [{"household": pk, "status": "present"}] * 2})
    assert response.status_code == 400 and "attendance" in response.json()
    future = _meeting(groups["household"], days_ago=-3)
    response = _attendance(client, future, {"attendance": [{"household": pk, "status": "present"}]})
    assert response.status_code == 400
    assert "record its attendance on or after that day" in response.json()["non_field_errors"][0]
    assert not Attendance.objects.exists()


def test_a_meeting_older_than_seven_days_is_the_coordinators_with_a_reason(world, client, groups, settings):
    settings.LANGUAGE_CODE = "en"
    meeting = _meeting(groups["household"], days_ago=10)
    body = {"attendance": [{"household": world.household.pk, "status": "present"}]}
    client.force_login(world.facilitator)
    response = _attendance(client, meeting, body)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [
        "Meetings more than 7 days ago are locked: only the coordinator can enter or change them."]}
    client.force_login(world.coordinator)
    response = _attendance(client, meeting, body)
    assert response.json() == {"late_edit_reason": [
        "This meeting is locked (more than 7 days ago). Give the reason for changing it."]}
    response = _attendance(client, meeting, {**body, "late_edit_reason": "Daftar hadir kertas baru diterima."})
    assert response.status_code == 200 and response.json()["status"] == "held"


def test_auditors_cannot_record_and_other_areas_do_not_see_the_meeting(world, client, groups):
    meeting = _meeting(groups["household"])
    body = {"attendance": [{"household": world.household.pk, "status": "present"}]}
    for user, status in ((world.auditor, 403), (world.other_facilitator, 404), (world.auditor_b, 404),
                         (world.coordinator_b, 404)):
        client.force_login(user)
        assert _attendance(client, meeting, body).status_code == status, user.username
    assert not Attendance.objects.exists()
    client.force_login(world.admin)
    assert _attendance(client, meeting, body).status_code == 200


def _documented(component):
    """The generated OpenAPI schema of a response component."""
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"][component]


def test_a_meeting_gives_its_counts_and_its_time_as_documented(world, client, groups):
    meeting = _meeting(groups["household"], days_ago=1)
    client.force_login(world.facilitator)
    assert _attendance(client, meeting, {"attendance": [
        {"household": world.household.pk, "status": "present"}]}).status_code == 200
    data = client.get(reverse("api_p2k2_session_detail", kwargs={"pk": meeting.pk})).json()
    assert data["present_count"] == 1 and data["roster_count"] == 1 and data["start_time"] == "09:00"
    schema = _documented("MeetingDetail")
    assert set(schema["required"]) <= set(data)
    assert re.fullmatch(schema["properties"]["start_time"]["pattern"], data["start_time"])
    row = client.get(SESSIONS).json()["results"][0]
    assert row["present_count"] == 1 and row["roster_count"] == 1
    assert set(_documented("Meeting")["required"]) <= set(row)
