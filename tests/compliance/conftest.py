"""Helpers for the commitment-verification tests: fixed periods, records and saves."""

from datetime import date
from types import SimpleNamespace

import pytest

from beneficiaries.rules import RuleBook
from compliance import selectors, services
from compliance import verification as v
from compliance.models import Facility
from compliance.periods import Period
from tests.factories import MemberFactory

TODAY = date(2026, 11, 25)
Q1, Q2, Q3, Q4 = (Period(2026, n) for n in (1, 2, 3, 4))

EMPTY_RECORD = {
    "attendance_percent": None, "checkups_in_period": None, "checkups_total": None, "pregnancy_ended_on": None,
    "month_1_visited": None, "month_2_visited": None, "month_3_visited": None, "activity_done": None, "activity": "",
}


def record(member, commitment, **values):
    """A record as the rules read it (no database row)."""
    return SimpleNamespace(member_id=member.pk, commitment=commitment, **{**EMPTY_RECORD, **values})


def verdict_of(household, period, records=()):
    members = list(household.members.all())
    thresholds = selectors.thresholds_for(period)
    dues = v.household_dues(members, period, RuleBook(), thresholds, records)
    return v.household_verdict(dues, {(r.member_id, r.commitment): r for r in records}, period, thresholds)


def save(actor, period, *rows, today=TODAY, evidence=None):
    """Save rows given as (member, commitment, values) or services.Entry."""
    entries = [row if isinstance(row, services.Entry) else services.Entry(member=row[0], commitment=row[1], values=row[2])
               for row in rows]
    return services.commitment_records_save(actor=actor, period=period, entries=entries, evidence=evidence, today=today)


def pupils(household):
    return household.members.get(school="SD"), household.members.get(school="SMP")


def fail_school(actor, household, period, attendance=50):
    """Both pupils of a make_family household below the threshold in the period."""
    boy, girl = pupils(household)
    return save(actor, period, (boy, v.EDUCATION, {"attendance_percent": attendance}),
                (girl, v.EDUCATION, {"attendance_percent": 95}))


def pass_school(actor, household, period):
    boy, girl = pupils(household)
    return save(actor, period, (boy, v.EDUCATION, {"attendance_percent": 90}),
                (girl, v.EDUCATION, {"attendance_percent": 95}))


@pytest.fixture
def school(world):
    return Facility.objects.create(name="SDN Pisangan Baru 01", kind=Facility.Kind.SCHOOL,
                                   kelurahan=world.household.kelurahan, npsn="20100001")


@pytest.fixture
def posyandu(world):
    return Facility.objects.create(name="Posyandu Melati", kind=Facility.Kind.POSYANDU,
                                   kelurahan=world.household.kelurahan)


def add_member(household, **fields):
    defaults = {"relationship": "ANAK", "sex": "L"}
    return MemberFactory(household=household, **{**defaults, **fields})


def shown(data: dict) -> dict:
    """POST data of an entry screen: every row named in `data` marked as shown on the page."""
    prefixes = {key.rsplit("-", 1)[0] for key in data}
    return {**data, **{f"{prefix}-shown": "1" for prefix in prefixes}}


@pytest.fixture(autouse=True)
def _pages_in_english(client, settings):
    """Pages are asserted in English (the source language) whatever the Indonesian catalogue holds."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
