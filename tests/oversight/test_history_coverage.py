"""Every kind of change the issue lists leaves an audit event, made through the real service: who, the action,
the record, the fields before → after, the request id and address, and the household and city to filter on."""

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from core import request_context
from core.models import AuditEvent
from tests.factories import region

REQUEST = request_context.RequestInfo(request_id="f" * 32, ip_address="10.1.2.3")


@pytest.fixture(autouse=True)
def _in_a_request():
    """Services read the request id and address from the request context, as under the middleware."""
    token = request_context._current.set(REQUEST)
    yield
    request_context._current.reset(token)


@dataclass
class Expect:
    actor: object
    action: str
    object_type: str
    household: object  # None: an event without a family (city-wide)
    changes: dict  # field -> [before, after] (or a single value for imports), a subset of the event's
    object_id: object = None
    city_code: str = "31.75"


def today():
    return timezone.localdate()


# --- one function per kind of change: performs it through the service, says what the event must hold --

def household_update(world):
    from beneficiaries.services import household_update
    household_update(actor=world.facilitator, household=world.household, data={"address": "Jl. Melati 9"})
    return Expect(world.facilitator, "update", "beneficiaries.household", world.household,
                  {"address": ["Jl. Contoh No. 1", "Jl. Melati 9"]}, world.household.pk)


def household_status(world):
    from beneficiaries.services import household_set_status
    household_set_status(actor=world.coordinator, household=world.household, status="suspended",
                         effective_date=today(), reason="Tidak memenuhi komitmen")
    return Expect(world.coordinator, "update", "beneficiaries.household", world.household,
                  {"status": ["active", "suspended"]}, world.household.pk)


def member_create(world):
    from beneficiaries.services import member_create
    from tests.factories import make_nik
    member = member_create(actor=world.facilitator, household=world.household, data={
        "nik": make_nik(date(2020, 2, 2), "P"), "name": "Ani", "sex": "P", "birth_date": date(2020, 2, 2),
        "relationship": "ANAK"})
    return Expect(world.facilitator, "create", "beneficiaries.member", world.household,
                  {"name": [None, "Ani"]}, member.pk)


def member_update(world):
    from beneficiaries.services import member_update
    member = world.household.members.get(relationship="ISTRI")
    member_update(actor=world.facilitator, member=member, data={"name": "Siti Aminah"})
    return Expect(world.facilitator, "update", "beneficiaries.member", world.household,
                  {"name": [member.name, "Siti Aminah"]}, member.pk)


def assignment(world):
    from beneficiaries.services import households_assign
    households_assign(actor=world.coordinator, household_ids=[world.household.pk], facilitator=world.other_facilitator,
                      reason="Pemerataan beban")
    return Expect(world.coordinator, "assign", "beneficiaries.household", world.household,
                  {"facilitator": [world.facilitator.username, world.other_facilitator.username]}, world.household.pk)


def visit(world):
    from casework.services import visit_log
    moment = timezone.now() - timedelta(hours=1)
    made = visit_log(actor=world.facilitator, household=world.household,
                     data={"visited_at": moment, "purpose": "data", "met": "pengurus"})
    return Expect(world.facilitator, "create", "casework.homevisit", world.household,
                  {"purpose": [None, "data"]}, made.pk)


def _group(world):
    from p2k2.models import Group, GroupMembership
    group = Group.objects.create(name="Kelompok Mawar", facilitator=world.facilitator,
                                 kelurahan=world.household.kelurahan, formed_on=today() - timedelta(days=100))
    GroupMembership.objects.create(group=group, household=world.household, joined_on=group.formed_on)
    return group


def _meeting_data(**changes):
    from p2k2.models import ModuleSession
    return {"module_session": ModuleSession.objects.get(number=1), "date": today() - timedelta(days=1),
            "start_time": time(9, 0), "place": "Balai RW 05", "notes": "", **changes}


def meeting_schedule(world):
    from p2k2.services import meeting_schedule
    meeting = meeting_schedule(actor=world.facilitator, group=_group(world), data=_meeting_data())
    return Expect(world.facilitator, "create", "p2k2.meeting", None, {"place": [None, "Balai RW 05"]}, meeting.pk)


def meeting_update(world):
    from p2k2.services import meeting_schedule, meeting_update
    meeting = meeting_schedule(actor=world.facilitator, group=_group(world), data=_meeting_data())
    meeting_update(actor=world.facilitator, meeting=meeting, data=_meeting_data(place="Rumah Bu RT"))
    return Expect(world.facilitator, "update", "p2k2.meeting", None, {"place": ["Balai RW 05", "Rumah Bu RT"]},
                  meeting.pk)


def attendance(world):
    from p2k2.services import attendance_record, meeting_schedule
    meeting = meeting_schedule(actor=world.facilitator, group=_group(world), data=_meeting_data())
    attendance_record(actor=world.facilitator, meeting=meeting, entries={world.household.pk: ("present", "")})
    from p2k2.models import Attendance
    row = Attendance.objects.get(meeting=meeting, household=world.household)
    return Expect(world.facilitator, "create", "p2k2.attendance", world.household, {"status": [None, "present"]},
                  row.pk)


def attendance_change(world):
    from p2k2.services import attendance_record, meeting_schedule
    meeting = meeting_schedule(actor=world.facilitator, group=_group(world), data=_meeting_data())
    attendance_record(actor=world.facilitator, meeting=meeting, entries={world.household.pk: ("present", "")})
    attendance_record(actor=world.facilitator, meeting=meeting, entries={world.household.pk: ("excused", "sakit")})
    return Expect(world.facilitator, "update", "p2k2.attendance", world.household,
                  {"status": ["present", "excused"], "reason": ["", "sakit"]})


def case_open(world):
    from mediation.services import case_open
    case = case_open(actor=world.facilitator, household=world.household, category="SALDO_NOL",
                     title="Saldo nol di tahap 2")
    return Expect(world.facilitator, "create", "mediation.case", world.household,
                  {"title": [None, "Saldo nol di tahap 2"]}, case.pk)


def case_transition(world):
    from mediation.services import case_open, case_transition
    case = case_open(actor=world.facilitator, household=world.household, category="SALDO_NOL", title="Saldo nol")
    case_transition(actor=world.facilitator, case=case, to_status="in_progress", note="Ke bank")
    return Expect(world.facilitator, "update", "mediation.case", world.household,
                  {"status": ["open", "in_progress"]}, case.pk)


def business_create(world):
    from livelihood.services import business_create
    business = business_create(actor=world.facilitator, household=world.household, data={
        "kind": "catering", "name": "Katering Bu Sari", "started_on": date(2024, 3, 1)})
    return Expect(world.facilitator, "create", "livelihood.business", world.household,
                  {"name": [None, "Katering Bu Sari"]}, business.pk)


def business_update(world):
    from livelihood.services import business_create, business_update
    business = business_create(actor=world.facilitator, household=world.household, data={
        "kind": "catering", "name": "Katering Bu Sari", "started_on": date(2024, 3, 1)})
    business_update(actor=world.facilitator, business=business, data={"name": "Katering Sari Rasa"})
    return Expect(world.facilitator, "update", "livelihood.business", world.household,
                  {"name": ["Katering Bu Sari", "Katering Sari Rasa"]}, business.pk)


def assessment(world):
    from graduation.assessments import assessment_create
    from tests.graduation.c_factories import STRONG
    made = assessment_create(actor=world.facilitator, household=world.household, data={"assessed_on": today(), **STRONG})
    return Expect(world.facilitator, "create", "graduation.assessment", world.household,
                  {"total_income": [None, 6_000_000], "household_size": [None, 4]}, made.pk)


def _proposal(world):
    from graduation import proposals
    from tests.factories import HouseholdFactory, MemberFactory
    household = HouseholdFactory(facilitator=world.facilitator, kelurahan=region("31.75.01.1001"))
    MemberFactory(household=household, name="Ibu Sari", sex="P", birth_date=date(1980, 3, 1), is_pengurus=True)
    proposal = proposals.proposal_create(actor=world.facilitator, household=household, kind="alamiah",
                                         effective_date=today() - timedelta(days=1), notes="Tidak ada komponen.")
    return household, proposal


def proposal_approve(world):
    from graduation import proposals
    household, proposal = _proposal(world)
    proposals.proposal_decide(actor=world.coordinator, proposal=proposal, approve=True)
    return Expect(world.coordinator, "update", "graduation.proposal", household,
                  {"status": ["pending", "approved"]}, proposal.pk)


def proposal_reject(world):
    from graduation import proposals
    household, proposal = _proposal(world)
    proposals.proposal_decide(actor=world.coordinator, proposal=proposal, approve=False, reason="Masih ada anak SD")
    return Expect(world.coordinator, "update", "graduation.proposal", household,
                  {"status": ["pending", "rejected"]}, proposal.pk)


def _registry_file(id_kpm="KPM-NEW-1", **changes):
    from tests.test_import_households import csv_bytes, family
    return csv_bytes(family(id_kpm, **changes))


def registry_import_creates(world):
    from beneficiaries.importer import import_households
    from beneficiaries.models import Household
    import_households(_registry_file(), actor=world.coordinator)
    household = Household.objects.get(id_kpm="KPM-NEW-1")
    return Expect(world.coordinator, "create", "beneficiaries.household", household,
                  {"address": [None, "Jl. Mawar 1"], "kelurahan": [None, "31.75.01.1001"]}, household.pk)


def registry_import_updates(world):
    from beneficiaries.importer import import_households
    from beneficiaries.models import Household
    import_households(_registry_file(), actor=world.coordinator)
    import_households(_registry_file(alamat="Jl. Kenanga 3"), actor=world.coordinator)
    household = Household.objects.get(id_kpm="KPM-NEW-1")
    return Expect(world.coordinator, "update", "beneficiaries.household", household,
                  {"address": ["Jl. Mawar 1", "Jl. Kenanga 3"]}, household.pk)


def registry_import_summary(world):
    from beneficiaries.importer import import_households
    import_households(_registry_file(), actor=world.coordinator)
    return Expect(world.coordinator, "import", "beneficiaries.household", None,
                  {"households_created": 1, "members_created": 3})


def registry_import_new_member(world):
    from beneficiaries.importer import import_households
    from beneficiaries.models import Household
    from tests.test_import_households import csv_bytes, family, member_row
    rows = family("KPM-NEW-1")
    import_households(csv_bytes(rows), actor=world.coordinator)
    baby = member_row("KPM-NEW-1", birth=date(2026, 1, 5), sex="L", serial=777, nama="Bayi", hubungan="ANAK",
                      pengurus="N")
    import_households(csv_bytes(rows + [baby]), actor=world.coordinator)
    household = Household.objects.get(id_kpm="KPM-NEW-1")
    member = household.members.get(name="Bayi")
    return Expect(world.coordinator, "create", "beneficiaries.member", household, {"name": [None, "Bayi"]}, member.pk)


def bank_import(world):
    from monitoring.importer import import_bank_events
    from tests.monitoring.test_import_rules import csv_bytes, row
    import_bank_events(io.BytesIO(csv_bytes([row(world.household)])), actor=world.coordinator, city_code="31.75",
                       today=date(2026, 11, 25))
    return Expect(world.coordinator, "import", "monitoring.bankevent", None, {"new": 1, "rows": 1})


CHANGES = [household_update, household_status, member_create, member_update, assignment, visit, meeting_schedule,
           meeting_update, attendance, attendance_change, case_open, case_transition, business_create,
           business_update, assessment, proposal_approve, proposal_reject, registry_import_creates,
           registry_import_updates, registry_import_summary, registry_import_new_member, bank_import]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__)
def test_every_change_is_in_the_history_with_its_fields(world, change):
    started = timezone.now()
    expect = change(world)
    events = AuditEvent.objects.filter(at__gte=started, action=expect.action, object_type=expect.object_type)
    if expect.object_id is not None:
        events = events.filter(object_id=str(expect.object_id))
    event = events.order_by("-at", "-id").first()
    assert event is not None, f"no {expect.action} event of {expect.object_type}"
    assert (event.actor_id, event.actor_username) == (expect.actor.pk, expect.actor.username)
    assert (event.request_id, event.ip_address) == (REQUEST.request_id, REQUEST.ip_address)
    assert event.household_id == (expect.household.pk if expect.household is not None else None)
    assert event.city_code == expect.city_code
    assert event.object_repr
    for field, value in expect.changes.items():
        assert event.changes.get(field) == value, f"{field}: {event.changes.get(field)!r} (all: {event.changes})"
    assert event.at >= started and event.at <= timezone.now() + timedelta(seconds=1)
    assert isinstance(event.at, datetime)
