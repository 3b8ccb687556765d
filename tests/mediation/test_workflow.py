"""Opening cases, the workflow, referrals and the timeline, through the services."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import AuditEvent
from mediation import selectors, services
from mediation.models import Case, CaseEvent, CategoryRule, Referral
from tests.conftest import make_family

TODAY = timezone.localdate


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- opening ----------------------------------------------------------------------------------

def test_a_new_case_is_due_after_its_categorys_usual_days(open_case):
    assert open_case(category="SALDO_NOL").due_date == TODAY() + timedelta(days=14)
    assert open_case(category="KESEHATAN", title="Tidak punya KIS").due_date == TODAY() + timedelta(days=7)


def test_the_usual_days_per_category_are_data(open_case):
    CategoryRule.objects.filter(category="PINDAH").update(default_due_days=45)
    assert open_case(category="PINDAH", title="Pindah ke Bekasi").due_date == TODAY() + timedelta(days=45)


def test_a_chosen_due_date_wins_over_the_category(open_case):
    due = TODAY() + timedelta(days=2)
    assert open_case(due_date=due).due_date == due


def test_opening_a_case_records_who_opened_it_when_and_audits_it(world, open_case):
    case = open_case(description="Saldo Rp0 saat cek di agen BRILink")
    assert case.status == Case.Status.OPEN and case.opened_by == world.facilitator
    event = case.events.get()
    assert (event.kind, event.actor, event.to_status) == (CaseEvent.Kind.OPENED, world.facilitator, "open")
    assert timezone.now() - event.at < timedelta(minutes=1)
    audit = AuditEvent.objects.get(object_type="mediation.case", object_id=str(case.pk))
    assert audit.action == "create" and audit.household_id == world.household.pk and audit.city_code == "31.75"
    assert audit.changes["title"] == [None, "Saldo nol di tahap 2"]


def test_opening_the_same_case_again_from_the_same_source_returns_the_open_one(world, open_case):
    first = open_case(source="compliance", source_ref="flag-17", category="PENDIDIKAN", title="Anak tidak sekolah")
    again = open_case(source="compliance", source_ref="flag-17", category="PENDIDIKAN", title="Anak tidak sekolah")
    assert again.pk == first.pk
    assert Case.objects.filter(household=world.household).count() == 1
    other_flag = open_case(source="compliance", source_ref="flag-18", category="PENDIDIKAN", title="Anak kedua")
    assert other_flag.pk != first.pk


def test_a_resolved_case_does_not_stop_the_same_source_opening_a_new_one(world, open_case):
    first = open_case(source="monitoring", source_ref="tx-2025-2")
    services.case_transition(actor=world.facilitator, case=first, to_status="resolved", outcome="Saldo masuk")
    again = open_case(source="monitoring", source_ref="tx-2025-2")
    assert again.pk != first.pk and again.status == "open"


def test_a_reference_without_a_source_still_finds_the_open_case(open_case):
    first = open_case(source="", source_ref="form-key-1")
    assert open_case(source="manual", source_ref="form-key-1").pk == first.pk


def test_cases_opened_by_hand_without_a_reference_are_never_merged(open_case):
    first = open_case(source="manual")
    second = open_case(source="manual")
    third = open_case()
    assert len({first.pk, second.pk, third.pk}) == 3


@pytest.mark.parametrize("fields, field", [
    ({"category": "BANSOS"}, "category"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"due_date": "yesterday"}, "due_date"),
    ({"kks_reason": "lost"}, "kks_reason"),
    ({"category": "KKS", "kks_reason": "eaten"}, "kks_reason"),
])
def test_opening_refuses_bad_input_naming_the_field(open_case, fields, field):
    if fields.get("due_date") == "yesterday":
        fields["due_date"] = TODAY() - timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        open_case(**fields)
    assert field in errors_of(excinfo)
    assert not Case.objects.exists()


def test_the_member_concerned_must_belong_to_the_family(world, open_case):
    stranger = world.other_household.members.first()
    with pytest.raises(ValidationError) as excinfo:
        open_case(member=stranger)
    assert "member" in errors_of(excinfo)


def test_a_kks_case_keeps_its_problem_and_not_yet_known_by_default(open_case):
    held = open_case(category="KKS", title="Kartu dipegang ketua kelompok", kks_reason="held_by_other")
    assert held.kks_reason == "held_by_other"
    assert open_case(category="KKS", title="Kartu bermasalah").kks_reason == "unknown"


def test_a_facilitator_cannot_open_a_case_for_another_caseload(world, open_case):
    with pytest.raises(ValidationError) as excinfo:
        open_case(household=world.other_household, actor=world.facilitator)
    assert "household" in errors_of(excinfo)


def test_auditors_cannot_open_or_change_cases(world, open_case):
    with pytest.raises(PermissionDenied):
        open_case(actor=world.auditor)
    case = open_case()
    with pytest.raises(PermissionDenied):
        services.case_transition(actor=world.auditor, case=case, to_status="in_progress")
    with pytest.raises(PermissionDenied):
        services.case_add_note(actor=world.auditor, case=case, note="Sudah dicek")
    with pytest.raises(PermissionDenied):
        services.referral_create(actor=world.auditor, case=case, kind="bank", partner_name="BRI")


# --- the workflow -----------------------------------------------------------------------------

@pytest.mark.parametrize("steps", [
    ["in_progress", "resolved"],
    ["in_progress", "closed"],
    ["resolved"],
    ["closed"],
])
def test_allowed_steps_of_the_workflow(world, open_case, steps):
    case = open_case()
    for step in steps:
        case = services.case_transition(actor=world.facilitator, case=case, to_status=step, outcome="Selesai di bank")
    assert case.status == steps[-1]
    assert case.finished_at is not None and case.outcome == "Selesai di bank"


@pytest.mark.parametrize("path, to_status, message", [
    ([], "referred", "record the referral"),
    ([], "open", "already"),
    ([], "lost", "Choose the new status"),
    (["in_progress"], "open", "cannot move"),
    (["resolved"], "closed", "cannot move"),
])
def test_refused_steps_name_the_status_field(world, open_case, path, to_status, message):
    case = open_case()
    for step in path:
        case = services.case_transition(actor=world.coordinator, case=case, to_status=step, outcome="ok")
    with pytest.raises(ValidationError) as excinfo:
        services.case_transition(actor=world.coordinator, case=case, to_status=to_status, outcome="ok")
    assert message in " ".join(errors_of(excinfo)["to_status"])
    case.refresh_from_db()
    assert case.status == (path[-1] if path else "open")


@pytest.mark.parametrize("to_status", ["resolved", "closed"])
def test_resolving_or_closing_needs_the_outcome(world, open_case, to_status):
    case = open_case()
    with pytest.raises(ValidationError) as excinfo:
        services.case_transition(actor=world.facilitator, case=case, to_status=to_status, outcome="  ")
    assert "outcome" in errors_of(excinfo)
    case.refresh_from_db()
    assert case.status == "open" and case.finished_at is None


def test_only_the_coordinator_reopens_a_finished_case_and_gives_the_reason(world, open_case):
    case = services.case_transition(actor=world.facilitator, case=open_case(), to_status="closed", outcome="KPM pindah")
    with pytest.raises(ValidationError) as excinfo:
        services.case_transition(actor=world.facilitator, case=case, to_status="in_progress", note="Kembali")
    assert "coordinator" in errors_of(excinfo)["to_status"][0]
    assert services.transitions_for(case, actor=world.facilitator) == []
    with pytest.raises(ValidationError) as excinfo:
        services.case_transition(actor=world.coordinator, case=case, to_status="in_progress")
    assert "note" in errors_of(excinfo)
    case = services.case_transition(actor=world.coordinator, case=case, to_status="in_progress",
                                    note="KPM ternyata masih di alamat lama")
    assert case.status == "in_progress" and case.outcome == "" and case.finished_at is None
    closing = case.events.get(kind="status", to_status="closed")
    assert closing.note == "KPM pindah", "the old outcome stays in the timeline"


def test_every_step_is_a_dated_attributed_event(world, open_case):
    case = open_case()
    services.case_transition(actor=world.facilitator, case=case, to_status="in_progress", note="Cek ke bank")
    services.case_add_note(actor=world.coordinator, case=case, note="Sudah koordinasi dengan BRI")
    services.case_transition(actor=world.facilitator, case=case, to_status="resolved", outcome="Saldo masuk 3 Juni")
    events = list(case.events.order_by("at", "id"))
    assert [(e.kind, e.from_status, e.to_status, e.actor) for e in events] == [
        ("opened", "", "open", world.facilitator),
        ("status", "open", "in_progress", world.facilitator),
        ("note", "", "", world.coordinator),
        ("status", "in_progress", "resolved", world.facilitator),
    ]
    assert events[1].note == "Cek ke bank" and events[2].note == "Sudah koordinasi dengan BRI"
    assert all(e.at <= timezone.now() for e in events)
    assert AuditEvent.objects.filter(object_type="mediation.case", object_id=str(case.pk)).count() == 4


def test_a_change_made_on_a_stale_page_is_refused(world, open_case):
    case = open_case()
    services.case_transition(actor=world.facilitator, case=case, to_status="in_progress", expected_status="open")
    with pytest.raises(ValidationError) as excinfo:
        services.case_transition(actor=world.facilitator, case=case, to_status="in_progress", expected_status="open")
    assert "changed meanwhile" in errors_of(excinfo)["to_status"][0]
    assert case.events.filter(kind="status").count() == 1


def test_a_note_needs_text(world, open_case):
    with pytest.raises(ValidationError) as excinfo:
        services.case_add_note(actor=world.facilitator, case=open_case(), note=" ")
    assert "note" in errors_of(excinfo)


def test_the_due_date_moves_with_a_dated_event(world, open_case):
    case = open_case()
    old = case.due_date
    new = TODAY() + timedelta(days=30)
    services.case_set_due_date(actor=world.facilitator, case=case, due_date=new, note="Bank minta 2 minggu lagi")
    case.refresh_from_db()
    assert case.due_date == new
    event = case.events.get(kind="due_date")
    assert (event.old_due_date, event.new_due_date, event.actor) == (old, new, world.facilitator)


def test_the_due_date_cannot_move_before_the_opening_nor_on_a_finished_case(world, open_case):
    case = open_case()
    with pytest.raises(ValidationError) as excinfo:
        services.case_set_due_date(actor=world.facilitator, case=case, due_date=TODAY() - timedelta(days=1))
    assert "due_date" in errors_of(excinfo)
    services.case_transition(actor=world.facilitator, case=case, to_status="resolved", outcome="Selesai")
    with pytest.raises(ValidationError) as excinfo:
        services.case_set_due_date(actor=world.facilitator, case=case, due_date=TODAY() + timedelta(days=5))
    assert "due_date" in errors_of(excinfo)


def test_editing_the_details_is_recorded_by_field(world, open_case):
    case = open_case()
    child = world.household.members.order_by("-birth_date").first()
    services.case_update(actor=world.facilitator, case=case, title="Saldo nol tahap 2 dan 3", description="",
                         member=child)
    case.refresh_from_db()
    assert case.title == "Saldo nol tahap 2 dan 3" and case.member == child
    assert "title" in case.events.get(kind="edited").note


# --- referrals --------------------------------------------------------------------------------

def test_referring_moves_the_case_to_referred(world, open_case):
    case = open_case(category="PENDIDIKAN", title="Anak putus sekolah")
    referral = services.referral_create(actor=world.facilitator, case=case, kind="school",
                                        partner_name="SDN Pisangan Baru 01", note="Minta diterima kembali")
    case.refresh_from_db()
    assert case.status == "referred"
    assert (referral.status, referral.referred_on, referral.created_by) == ("pending", TODAY(), world.facilitator)
    event = case.events.get(kind="referral")
    assert (event.from_status, event.to_status, event.referral) == ("open", "referred", referral)


def test_a_second_referral_keeps_the_case_referred(world, open_case):
    case = open_case()
    services.referral_create(actor=world.facilitator, case=case, kind="bank", partner_name="BRI Jatinegara")
    services.referral_create(actor=world.facilitator, case=case, kind="dinas_sosial", partner_name="Sudin Sosial Jaktim")
    case.refresh_from_db()
    assert case.status == "referred" and case.referrals.count() == 2


@pytest.mark.parametrize("fields, field", [
    ({"kind": "police"}, "kind"),
    ({"partner_name": " "}, "partner_name"),
    ({"referred_on": "tomorrow"}, "referred_on"),
])
def test_a_referral_refuses_bad_input_naming_the_field(world, open_case, fields, field):
    case = open_case()
    data = {"kind": "bank", "partner_name": "BRI", **fields}
    if data.get("referred_on") == "tomorrow":
        data["referred_on"] = TODAY() + timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        services.referral_create(actor=world.facilitator, case=case, **data)
    assert field in errors_of(excinfo)
    case.refresh_from_db()
    assert case.status == "open" and not Referral.objects.exists()


def test_a_finished_case_cannot_be_referred(world, open_case):
    case = services.case_transition(actor=world.facilitator, case=open_case(), to_status="closed", outcome="Selesai")
    with pytest.raises(ValidationError) as excinfo:
        services.referral_create(actor=world.facilitator, case=case, kind="bank", partner_name="BRI")
    assert "reopened" in errors_of(excinfo)["case"][0]


def test_the_partners_answer_is_recorded_with_its_date_and_the_case_comes_back(world, open_case):
    case = open_case()
    referral = services.referral_create(actor=world.facilitator, case=case, kind="bank", partner_name="BRI")
    services.referral_record_outcome(actor=world.facilitator, referral=referral, status="accepted", note="Sedang diproses")
    referral = services.referral_record_outcome(actor=world.facilitator, referral=referral, status="resolved",
                                                note="Kartu baru dicetak")
    assert (referral.status, referral.outcome_on, referral.outcome_note) == ("resolved", TODAY(), "Kartu baru dicetak")
    answers = list(case.events.filter(kind="referral_outcome").values_list("referral_status", flat=True))
    assert answers == ["accepted", "resolved"]
    case = services.case_transition(actor=world.facilitator, case=case, to_status="in_progress", note="Kartu sudah ada")
    assert case.status == "in_progress"


def test_a_declined_referral_says_why_and_a_final_answer_is_final(world, open_case):
    referral = services.referral_create(actor=world.facilitator, case=open_case(), kind="csr", partner_name="PT Contoh")
    with pytest.raises(ValidationError) as excinfo:
        services.referral_record_outcome(actor=world.facilitator, referral=referral, status="declined")
    assert "note" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.referral_record_outcome(actor=world.facilitator, referral=referral, status="pending")
    assert "status" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.referral_record_outcome(actor=world.facilitator, referral=referral, status="accepted",
                                         on=referral.referred_on - timedelta(days=1))
    assert "on" in errors_of(excinfo)
    services.referral_record_outcome(actor=world.facilitator, referral=referral, status="declined", note="Kuota habis")
    with pytest.raises(ValidationError) as excinfo:
        services.referral_record_outcome(actor=world.facilitator, referral=referral, status="accepted")
    assert "final answer" in errors_of(excinfo)["status"][0]


# --- other apps' view of open cases -----------------------------------------------------------

def test_open_cases_for_groups_the_open_cases_by_family_in_one_query(world, open_case, django_assert_num_queries):
    first = open_case()
    second = open_case(household=world.other_household, title="Pindah alamat", category="PINDAH")
    finished = services.case_transition(actor=world.facilitator, case=open_case(title="Lama"), to_status="closed",
                                        outcome="Selesai")
    ids = [world.household.pk, world.other_household.pk, world.unassigned.pk, world.household_b.pk]
    open_case(household=world.household_b, title="Kota lain")
    with django_assert_num_queries(2):  # the coordinator's cities, the open cases with their households
        grouped = selectors.open_cases_for(world.coordinator, ids)
    assert {k: [c.pk for c in v] for k, v in grouped.items()} == {
        world.household.pk: [first.pk], world.other_household.pk: [second.pk]}
    assert finished.pk not in [c.pk for cases in grouped.values() for c in cases]
    assert grouped[world.household.pk][0].display_title == "Saldo nol di tahap 2"


def test_open_cases_for_never_reaches_outside_the_users_scope(world, open_case):
    open_case(household=world.other_household, title="Pindah alamat")
    assert selectors.open_cases_for(world.facilitator, [world.other_household.pk]) == {}


def test_open_cases_for_runs_the_same_queries_for_many_families(world, open_case, django_assert_num_queries):
    households = [make_family(facilitator=world.facilitator) for _ in range(5)]
    for household in households:
        open_case(household=household)
    with django_assert_num_queries(1):  # the open cases with their households
        grouped = selectors.open_cases_for(world.facilitator, [h.pk for h in households])
    assert len(grouped) == 5


def test_the_usual_days_are_edited_in_the_admin(world, client):
    client.force_login(world.admin)
    rule = CategoryRule.objects.get(category="PERLINDUNGAN_ANAK")
    assert rule.default_due_days == 3
    html = client.get("/admin/mediation/categoryrule/").content.decode()
    assert html.count('name="form-') >= 9 and "default_due_days" in html
    response = client.post(f"/admin/mediation/categoryrule/{rule.pk}/change/",
                           {"category": "PERLINDUNGAN_ANAK", "default_due_days": 2})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.default_due_days == 2
