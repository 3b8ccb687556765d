"""What facilitators, coordinators and auditors see and do on the P2K2 pages."""

import re
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from p2k2.models import Attendance, Group, GroupMembership, Meeting
from tests.conftest import make_family
from tests.factories import FacilitatorFactory, region
from tests.p2k2.conftest import add_families, held_meeting, make_group, make_meeting, session


def page(response) -> str:
    return response.content.decode()


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


# --- groups -------------------------------------------------------------------------------------

def test_an_empty_group_list_explains_how_to_create_the_first_group(world, en_client_for):
    html = page(en_client_for(world.facilitator).get(reverse("p2k2_group_list")))
    assert "Create the first group" in html and reverse("p2k2_group_create") in html


def test_an_auditor_sees_the_citys_groups_without_write_buttons(world, en_client_for, group):
    make_group(world.facilitator_b, world.household_b.kelurahan, name="Kelompok Jakarta Selatan", households=[world.household_b])
    html = page(en_client_for(world.auditor).get(reverse("p2k2_group_list")))
    assert group.name in html and "Kelompok Jakarta Selatan" not in html
    assert reverse("p2k2_group_create") not in html
    html = page(en_client_for(world.auditor).get(reverse("p2k2_group_detail", args=[group.pk])))
    assert reverse("p2k2_meeting_create", args=[group.pk]) not in html


def test_a_facilitator_creates_a_group_and_goes_on_to_add_families(world, en_client_for):
    client = en_client_for(world.facilitator)
    response = client.post(reverse("p2k2_group_create"), {
        "name": "RW 05 Melati", "kelurahan": "31.75.01.1001", "formed_on": timezone.localdate().isoformat(),
        "usual_place": "Posyandu Melati", "notes": "",
    })
    group = Group.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("p2k2_group_members", args=[group.pk])
    assert group.facilitator == world.facilitator
    html = page(client.get(response["Location"]))
    assert world.household.id_kpm in html and 'name="households"' in html


def test_a_coordinator_chooses_the_facilitator_and_the_error_names_the_kelurahan(world, en_client_for):
    client = en_client_for(world.coordinator)
    form = page(client.get(reverse("p2k2_group_create")))
    assert 'name="facilitator"' in form
    response = client.post(reverse("p2k2_group_create"), {
        "name": "Mawar", "facilitator": world.facilitator.pk, "kelurahan": "31.75.02.1001",
        "formed_on": timezone.localdate().isoformat(),
    })
    assert response.status_code == 200
    assert "kelurahan" in response.context["form"].errors
    assert not Group.objects.exists()


def test_group_form_errors_name_the_field(world, en_client_for, group):
    client = en_client_for(world.facilitator)
    response = client.post(reverse("p2k2_group_create"), {
        "name": group.name, "kelurahan": "31.75.01.1001", "formed_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
    })
    errors = response.context["form"].errors
    assert "formed_on" in errors
    response = client.post(reverse("p2k2_group_create"), {
        "name": group.name, "kelurahan": "31.75.01.1001", "formed_on": timezone.localdate().isoformat(),
    })
    assert "already has an active group" in response.context["form"].errors["name"][0]


def test_the_add_families_page_shows_who_is_not_in_a_group_yet(world, en_client_for, group):
    free = make_family(facilitator=world.facilitator)
    elsewhere = make_group(world.facilitator, world.household.kelurahan, name="Kelompok Mawar",
                           households=[make_family(facilitator=world.facilitator)])
    taken = elsewhere.memberships.get().household
    response = en_client_for(world.facilitator).get(reverse("p2k2_group_members", args=[group.pk]))
    html = page(response)
    assert f'value="{free.pk}"' in html
    assert f'value="{taken.pk}"' not in html and taken.id_kpm in html and "Kelompok Mawar" in html
    assert f'value="{world.household.pk}"' not in html  # already in this group
    assert world.other_household.id_kpm not in html  # another facilitator's family


def test_adding_families_warns_when_the_group_is_smaller_than_usual(world, en_client_for, group):
    families = [make_family(facilitator=world.facilitator) for _ in range(2)]
    client = en_client_for(world.facilitator)
    response = client.post(reverse("p2k2_group_members", args=[group.pk]), {
        "households": [f.pk for f in families], "joined_on": timezone.localdate().isoformat(),
    }, follow=True)
    html = page(response)
    assert "2 families added" in html and "usually have 10–30" in html
    assert group.memberships.filter(left_on__isnull=True).count() == 3


def test_a_family_already_in_another_group_cannot_be_posted_into_this_one(world, en_client_for, group):
    second = make_group(world.facilitator, world.household.kelurahan, name="Kelompok Mawar")
    response = en_client_for(world.facilitator).post(reverse("p2k2_group_members", args=[second.pk]), {
        "households": [world.household.pk], "joined_on": timezone.localdate().isoformat(),
    })
    assert response.status_code == 200 and "households" in response.context["form"].errors
    assert GroupMembership.objects.filter(household=world.household).count() == 1


def test_removing_a_family_keeps_its_history_on_the_group_page(world, en_client_for, group):
    client = en_client_for(world.facilitator)
    membership = group.memberships.get()
    response = client.post(reverse("p2k2_membership_remove", args=[membership.pk]), {"left_on": "", "reason": ""})
    assert response.status_code == 400 and "left_on" in response.context["form"].errors
    response = client.post(reverse("p2k2_membership_remove", args=[membership.pk]),
                           {"left_on": timezone.localdate().isoformat(), "reason": "pindah RW"}, follow=True)
    html = page(response)
    assert "1 family left the group" in html and "pindah RW" in html


def test_the_group_edit_page_chooses_the_leader_among_the_families(world, en_client_for, group):
    client = en_client_for(world.facilitator)
    response = client.post(reverse("p2k2_group_edit", args=[group.pk]), {
        "name": group.name, "kelurahan": "31.75.01.1001", "formed_on": group.formed_on.isoformat(),
        "leader": world.household.pk, "usual_place": "Balai RW 05", "notes": "",
    })
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.leader == world.household and group.usual_place == "Balai RW 05"
    html = page(client.get(reverse("p2k2_group_detail", args=[group.pk])))
    pengurus = world.household.members.get(is_pengurus=True).name
    assert "Leader" in html and pengurus in html


def test_closing_a_group_without_a_reason_says_what_is_missing(world, en_client_for, group):
    response = en_client_for(world.facilitator).post(reverse("p2k2_group_close", args=[group.pk]),
                                                     {"closed_on": timezone.localdate().isoformat(), "reason": ""})
    assert response.status_code == 400 and "reason" in response.context["close_form"].errors
    group.refresh_from_db()
    assert group.is_active


# --- meetings and attendance --------------------------------------------------------------------

def test_scheduling_a_meeting_suggests_the_next_session_and_the_usual_place(world, en_client_for, group):
    group.usual_place = "Posyandu Melati"
    group.save()
    held_meeting(group, {world.household: "present"}, number=1)
    response = en_client_for(world.facilitator).get(reverse("p2k2_meeting_create", args=[group.pk]))
    form = response.context["form"]
    assert form.initial["module_session"] == str(session(2).pk) and form.initial["place"] == "Posyandu Melati"


def test_a_meeting_entered_for_today_goes_straight_to_the_attendance_screen(world, en_client_for, group):
    client = en_client_for(world.facilitator)
    response = client.post(reverse("p2k2_meeting_create", args=[group.pk]), {
        "module_session": session(1).pk, "date": timezone.localdate().isoformat(), "start_time": "09:00",
        "place": "Balai RW 05", "notes": "",
    })
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("p2k2_meeting_detail", args=[meeting.pk])
    html = page(client.get(response["Location"]))
    assert f'name="status_{world.household.pk}"' in html
    assert re.search(rf'value="present"[^>]*checked[^>]*>\s*<label[^>]*for="status-{world.household.pk}-present"', html) or \
        f'id="status-{world.household.pk}-present" value="present" autocomplete="off" checked' in html


def test_a_backdated_meeting_by_a_facilitator_is_refused_on_the_date_field(world, en_client_for, group):
    response = en_client_for(world.facilitator).post(reverse("p2k2_meeting_create", args=[group.pk]), {
        "module_session": session(1).pk, "date": (timezone.localdate() - timedelta(days=30)).isoformat(),
        "start_time": "09:00", "place": "Balai RW 05",
    })
    assert response.status_code == 200 and "date" in response.context["form"].errors


def test_attendance_is_saved_in_one_post(world, en_client_for, group):
    absent, excused = add_families(group, 2)
    meeting = make_meeting(group, days_ago=1)
    response = en_client_for(world.facilitator).post(reverse("p2k2_meeting_detail", args=[meeting.pk]), {
        f"status_{world.household.pk}": "present", f"reason_{world.household.pk}": "",
        f"status_{absent.pk}": "absent", f"reason_{absent.pk}": "",
        f"status_{excused.pk}": "excused", f"reason_{excused.pk}": "bekerja shift pagi",
        "notes": "Hadir juga kader posyandu",
    })
    assert response.status_code == 302
    rows = dict(Attendance.objects.filter(meeting=meeting).values_list("household_id", "status"))
    assert rows == {world.household.pk: "present", absent.pk: "absent", excused.pk: "excused"}
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.notes == "Hadir juga kader posyandu"


def test_an_excused_family_without_a_reason_is_marked_on_the_attendance_screen(world, en_client_for, group):
    meeting = make_meeting(group, days_ago=1)
    response = en_client_for(world.facilitator).post(reverse("p2k2_meeting_detail", args=[meeting.pk]), {
        f"status_{world.household.pk}": "excused", f"reason_{world.household.pk}": "",
    })
    assert response.status_code == 200
    assert f"reason_{world.household.pk}" in response.context["attendance_form"].errors
    assert "Give the reason for the excused absence" in page(response)
    assert not Attendance.objects.exists()


def test_an_auditor_reads_the_attendance_but_cannot_post_it(world, en_client_for, group):
    meeting = held_meeting(group, {world.household: "absent"}, days_ago=2)
    client = en_client_for(world.auditor)
    html = page(client.get(reverse("p2k2_meeting_detail", args=[meeting.pk])))
    assert "Absent" in html and f'name="status_{world.household.pk}"' not in html
    response = client.post(reverse("p2k2_meeting_detail", args=[meeting.pk]), {f"status_{world.household.pk}": "present"})
    assert response.status_code == 403
    assert Attendance.objects.get().status == "absent"


def test_a_locked_meeting_tells_the_facilitator_to_ask_the_coordinator(world, en_client_for, group):
    meeting = held_meeting(group, {world.household: "absent"}, days_ago=9)
    client = en_client_for(world.facilitator)
    html = page(client.get(reverse("p2k2_meeting_detail", args=[meeting.pk])))
    assert "Ask your coordinator" in html and f'name="status_{world.household.pk}"' not in html
    response = client.post(reverse("p2k2_meeting_detail", args=[meeting.pk]),
                           {f"status_{world.household.pk}": "present"}, follow=True)
    assert "only the coordinator" in page(response) and f'name="status_{world.household.pk}"' not in page(response)
    assert Attendance.objects.get().status == "absent"
    html = page(client.get(reverse("p2k2_meeting_edit", args=[meeting.pk])))
    assert "Ask your coordinator" in html and 'name="place"' not in html


def test_the_coordinator_corrects_a_locked_meeting_with_a_reason(world, en_client_for, group):
    meeting = held_meeting(group, {world.household: "absent"}, days_ago=9)
    client = en_client_for(world.coordinator)
    html = page(client.get(reverse("p2k2_meeting_detail", args=[meeting.pk])))
    assert 'name="late_edit_reason"' in html
    data = {f"status_{world.household.pk}": "present", f"reason_{world.household.pk}": ""}
    response = client.post(reverse("p2k2_meeting_detail", args=[meeting.pk]), data)
    assert "late_edit_reason" in response.context["attendance_form"].errors
    response = client.post(reverse("p2k2_meeting_detail", args=[meeting.pk]), {**data, "late_edit_reason": "Koreksi daftar hadir"})
    assert response.status_code == 302
    assert Attendance.objects.get().status == "present"
    assert AuditEvent.objects.filter(object_type="p2k2.meeting", message="Koreksi daftar hadir").exists()


def test_editing_a_meeting(world, en_client_for, group):
    meeting = make_meeting(group, days_ago=-3)
    client = en_client_for(world.facilitator)
    response = client.post(reverse("p2k2_meeting_edit", args=[meeting.pk]), {
        "module_session": session(3).pk, "date": meeting.date.isoformat(), "start_time": "19:00", "place": "", "notes": "",
    })
    assert response.status_code == 200 and "place" in response.context["form"].errors
    response = client.post(reverse("p2k2_meeting_edit", args=[meeting.pk]), {
        "module_session": session(3).pk, "date": meeting.date.isoformat(), "start_time": "19:00", "place": "Masjid", "notes": "",
    })
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.module_session.number, meeting.start_time, meeting.place) == (3, time(19, 0), "Masjid")


def test_cancelling_a_meeting_needs_a_reason(world, en_client_for, group):
    meeting = make_meeting(group, days_ago=-3)
    client = en_client_for(world.facilitator)
    response = client.post(reverse("p2k2_meeting_cancel", args=[meeting.pk]), {"reason": ""})
    assert response.status_code == 400 and "reason" in response.context["cancel_form"].errors
    response = client.post(reverse("p2k2_meeting_cancel", args=[meeting.pk]), {"reason": "Hujan deras"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"


def test_the_meeting_list_shows_past_meetings_without_attendance(world, en_client_for, group):
    forgotten = make_meeting(group, days_ago=3, number=6)
    upcoming = make_meeting(group, days_ago=-2, number=7)
    client = en_client_for(world.facilitator)
    html = page(client.get(reverse("p2k2_meeting_list"), {"show": "unrecorded"}))
    assert reverse("p2k2_meeting_detail", args=[forgotten.pk]) in html
    assert reverse("p2k2_meeting_detail", args=[upcoming.pk]) not in html
    html = page(client.get(reverse("p2k2_meeting_list")))
    assert reverse("p2k2_meeting_detail", args=[upcoming.pk]) in html


def test_the_attendance_page_shows_the_weekday_and_time_table(world, en_client_for, group):
    held_meeting(group, {world.household: "present"}, days_ago=10, start=time(19, 0))
    html = page(en_client_for(world.coordinator).get(reverse("p2k2_attendance")))
    assert "Malam (evening)" in html and "100%" in html and "By facilitator" in html


# --- the household panel and the day section ----------------------------------------------------

def test_the_household_page_shows_the_group_progress_and_attendance_rate(world, en_client_for, group):
    held_meeting(group, {world.household: "present"}, number=1, days_ago=40)
    held_meeting(group, {world.household: "absent"}, number=2, days_ago=10)
    html = page(en_client_for(world.facilitator).get(reverse("household_detail", args=[world.household.pk])))
    assert reverse("p2k2_group_detail", args=[group.pk]) in html
    assert "1/14" in html and "50%" in html and "13 sessions remaining" in html
    assert "Menjadi orang tua yang lebih baik" in html


def test_a_household_without_a_group_says_so(world, en_client_for):
    html = page(en_client_for(world.facilitator).get(reverse("household_detail", args=[world.household.pk])))
    assert "Not in a P2K2 group" in html


def test_the_day_page_lists_the_next_meetings_and_those_waiting_for_attendance(world, en_client_for, group):
    soon = make_meeting(group, days_ago=-2, number=3)
    forgotten = make_meeting(group, days_ago=2, number=2)
    too_old = make_meeting(group, days_ago=12, number=1)
    later = make_meeting(group, days_ago=-20, number=4)
    html = page(en_client_for(world.facilitator).get(reverse("today")))
    for meeting in (soon, forgotten, too_old):
        assert reverse("p2k2_meeting_detail", args=[meeting.pk]) in html
    assert reverse("p2k2_meeting_detail", args=[later.pk]) not in html
    assert "Locked — ask your coordinator" in html


# --- query counts: constant whatever the number of groups, families and meetings ------------------

def _grow(world, group, groups: int, families: int, meetings: int):
    for n in range(groups):
        extra = make_group(world.facilitator, world.household.kelurahan, name=f"Kelompok {Group.objects.count()}-{n}")
        add_families(extra, 2)
        make_meeting(extra, days_ago=-3)
    members = add_families(group, families)
    for n in range(meetings):
        held_meeting(group, {m: "present" for m in [world.household, *members]}, days_ago=30 + n, number=1 + n % 14)


@pytest.mark.parametrize("persona", ["facilitator", "coordinator"])
def test_the_group_list_query_count_does_not_grow(world, en_client_for, group, persona):
    # session, user, filter form (kelurahan; facilitators for coordinators), settings, count, page
    client = en_client_for(getattr(world, persona))
    url = reverse("p2k2_group_list")
    small = _queries(client, url)
    _grow(world, group, groups=6, families=5, meetings=3)
    assert _queries(client, url) == small


def test_the_group_page_query_count_does_not_grow(world, en_client_for, group):
    client = en_client_for(world.facilitator)
    url = reverse("p2k2_group_detail", args=[group.pk])
    small = _queries(client, url)
    _grow(world, group, groups=1, families=8, meetings=5)
    assert _queries(client, url) == small


def test_the_meeting_page_query_count_does_not_grow_with_the_group(world, en_client_for, group):
    meeting = held_meeting(group, {world.household: "present"}, days_ago=1)
    client = en_client_for(world.facilitator)
    url = reverse("p2k2_meeting_detail", args=[meeting.pk])
    small = _queries(client, url)
    for household in add_families(group, 10):
        Attendance.objects.create(meeting=meeting, household=household, status="absent")
    assert _queries(client, url) == small


@pytest.mark.parametrize("persona", ["facilitator", "coordinator"])
def test_the_attendance_page_query_count_does_not_grow(world, en_client_for, group, persona):
    client = en_client_for(getattr(world, persona))
    url = reverse("p2k2_attendance")
    held_meeting(group, {world.household: "present"})
    small = _queries(client, url)
    _grow(world, group, groups=4, families=5, meetings=4)
    FacilitatorFactory(cities=[region("31.75")], profile=[region("31.75.01.1001")])
    assert _queries(client, url) == small


def test_the_meeting_list_query_count_does_not_grow(world, en_client_for, group):
    client = en_client_for(world.coordinator)
    url = reverse("p2k2_meeting_list")
    make_meeting(group, days_ago=-1)
    small = _queries(client, url, {"show": "all"})
    _grow(world, group, groups=4, families=3, meetings=4)
    assert _queries(client, url, {"show": "all"}) == small


def test_the_household_panel_query_count_does_not_grow_with_history(world, en_client_for, group):
    client = en_client_for(world.facilitator)
    url = reverse("household_detail", args=[world.household.pk])
    held_meeting(group, {world.household: "present"})
    small = _queries(client, url)
    _grow(world, group, groups=0, families=2, meetings=6)
    membership = group.memberships.get(household=world.household)
    membership.left_on = timezone.localdate()
    membership.save()
    make_group(world.facilitator, world.household.kelurahan, name="Kelompok Baru", households=[world.household])
    assert _queries(client, url) == small


def test_the_day_section_query_count_does_not_grow(world, en_client_for, group):
    client = en_client_for(world.facilitator)
    url = reverse("today")
    make_meeting(group, days_ago=-1)
    small = _queries(client, url)
    _grow(world, group, groups=5, families=1, meetings=0)
    for days_ago in (2, 3, 20):
        make_meeting(group, days_ago=days_ago, number=days_ago % 14 + 1)
    assert _queries(client, url) == small


# --- house rules for this app -------------------------------------------------------------------

P2K2 = Path(__file__).resolve().parents[2] / "p2k2"


@pytest.mark.parametrize("name", ["views.py", "forms.py", "admin.py", "selectors.py"])
def test_p2k2_reads_scoped_models_only_through_the_access_module(name):
    # Handing `Model.objects.all()` to org.access to be scoped is the one allowed use.
    text = re.sub(r"access\.scoped(_by_area)?\(\w+, \w+\.objects", "", (P2K2 / name).read_text())
    offending = [m for m in ("Household", "Member", "Assignment", "Group", "GroupMembership", "Meeting")
                 if re.search(rf"\b{m}\.objects\b", text)]
    if name == "selectors.py":
        # Selectors may read related rows of groups and households already scoped through org.access.
        offending = [m for m in offending if m in {"Household", "Group"}]
    assert not offending, f"p2k2/{name} reads {offending} via .objects; use org.access / p2k2.selectors"


def test_administrators_edit_the_catalogue_and_read_groups_in_the_admin(world, client_for, group):
    client = client_for(world.admin)
    html = page(client.get("/admin/p2k2/module/"))
    assert "Pengasuhan dan Pendidikan Anak" in html and "Kesejahteraan Sosial" in html
    assert client.get("/admin/p2k2/module/add/").status_code == 200
    assert client.get("/admin/p2k2/p2k2settings/").status_code == 200
    assert client.get("/admin/p2k2/timebucket/").status_code == 200
    held_meeting(group, {world.household: "present"})
    for model in ("group", "groupmembership", "meeting", "attendance"):
        assert client.get(f"/admin/p2k2/{model}/").status_code == 200, model
    assert client.get("/admin/p2k2/group/add/").status_code == 403
