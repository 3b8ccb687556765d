"""P2K2 test data: groups of the world's facilitator with families, meetings and attendance."""

from datetime import time, timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from p2k2.models import Attendance, Group, GroupMembership, Meeting, ModuleSession
from tests.conftest import make_family


def session(number: int) -> ModuleSession:
    """A catalogue session of the seeded 2018 set (migration 0002)."""
    return ModuleSession.objects.get(number=number)


def make_group(facilitator, kelurahan, *, name="Kelompok Melati", households=(), formed_days_ago=400) -> Group:
    today = timezone.localdate()
    group = Group.objects.create(name=name, facilitator=facilitator, kelurahan=kelurahan,
                                 formed_on=today - timedelta(days=formed_days_ago))
    for household in households:
        GroupMembership.objects.create(group=group, household=household, joined_on=group.formed_on)
    return group


def add_families(group, count: int) -> list:
    families = [make_family(facilitator=group.facilitator, kelurahan=group.kelurahan_id) for _ in range(count)]
    for household in families:
        GroupMembership.objects.create(group=group, household=household, joined_on=group.formed_on)
    return families


def make_meeting(group, *, days_ago=0, number=1, start=time(9, 0), status=Meeting.Status.SCHEDULED, place="Balai RW 05"):
    return Meeting.objects.create(group=group, module_session=session(number), date=timezone.localdate() - timedelta(days=days_ago),
                                  start_time=start, place=place, status=status)


def held_meeting(group, attendance: dict, *, days_ago=10, number=1, start=time(9, 0)):
    """A held meeting with attendance: {household: status} (excused get a reason)."""
    meeting = make_meeting(group, days_ago=days_ago, number=number, start=start, status=Meeting.Status.HELD)
    Attendance.objects.bulk_create([
        Attendance(meeting=meeting, household=household, status=status, reason="sakit" if status == "excused" else "")
        for household, status in attendance.items()
    ])
    return meeting


@pytest.fixture
def group(world):
    """The facilitator's group in Pisangan Baru with world.household as its only family."""
    return make_group(world.facilitator, world.household.kelurahan, households=[world.household])


@pytest.fixture
def en_client_for(client):
    """A signed-in client that reads the pages in English (the source language of the msgids)."""

    def sign_in(user):
        client.force_login(user)
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in
