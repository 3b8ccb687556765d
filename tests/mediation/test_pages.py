"""What users see and do on the case pages, and query counts that do not grow with the data."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mediation import panels, services
from mediation.models import Case
from tests.conftest import make_family

TODAY = timezone.localdate


@pytest.fixture
def en_client_for(client_for):
    def sign_in(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in


def html_of(response) -> str:
    return response.content.decode()


def listed(response) -> list[int]:
    return [case.pk for case in response.context["rows"]]


# --- the list ---------------------------------------------------------------------------------

def test_the_list_shows_the_open_cases_of_the_caseload_due_first(world, en_client_for, open_case):
    later = open_case(title="Belakangan", due_date=TODAY() + timedelta(days=20))
    sooner = open_case(title="Segera", due_date=TODAY() + timedelta(days=1))
    done = services.case_transition(actor=world.facilitator, case=open_case(title="Sudah selesai"),
                                    to_status="resolved", outcome="Selesai")
    open_case(household=world.other_household, title="Keluarga lain")
    response = en_client_for(world.facilitator).get(reverse("case_list"))
    assert listed(response) == [sooner.pk, later.pk]
    html = html_of(response)
    assert "Segera" in html and "Sudah selesai" not in html and "Keluarga lain" not in html
    assert 'name="facilitator"' not in html, "a facilitator has no facilitator filter"
    all_cases = en_client_for(world.facilitator).get(reverse("case_list"), {"status": "all"})
    assert done.pk in listed(all_cases)


def test_overdue_cases_are_listed_and_marked(world, en_client_for, open_case):
    overdue = open_case(title="Terlambat")
    Case.objects.filter(pk=overdue.pk).update(due_date=TODAY() - timedelta(days=3))
    open_case(title="Belum jatuh tempo")
    response = en_client_for(world.facilitator).get(reverse("case_list"), {"overdue": "on"})
    assert listed(response) == [overdue.pk]
    assert "Overdue since" in html_of(response) and "Overdue cases" in html_of(response)


def test_coordinators_filter_by_category_kelurahan_and_facilitator(world, en_client_for, open_case):
    own = open_case(category="SALDO_NOL")
    other = open_case(household=world.other_household, category="PINDAH", title="Pindah")
    unassigned = open_case(household=world.unassigned, actor=world.coordinator, category="PINDAH", title="Tanpa pendamping")
    open_case(household=world.household_b, title="Kota lain")
    client = en_client_for(world.coordinator)
    assert set(listed(client.get(reverse("case_list")))) == {own.pk, other.pk, unassigned.pk}
    assert set(listed(client.get(reverse("case_list"), {"category": "PINDAH"}))) == {other.pk, unassigned.pk}
    assert listed(client.get(reverse("case_list"), {"kelurahan": "31.75.01.1001"})) == [own.pk]
    assert listed(client.get(reverse("case_list"), {"facilitator": world.other_facilitator.pk})) == [other.pk]
    assert listed(client.get(reverse("case_list"), {"facilitator": "none"})) == [unassigned.pk]
    assert listed(client.get(reverse("case_list"), {"household": world.household.pk})) == [own.pk]


def test_an_empty_list_says_what_to_do(world, en_client_for):
    html = html_of(en_client_for(world.facilitator).get(reverse("case_list")))
    assert "open a case from the family's page" in html
    html = html_of(en_client_for(world.facilitator).get(reverse("case_list"), {"category": "KKS"}))
    assert "No case matches these filters" in html


# --- opening a case ---------------------------------------------------------------------------

def test_a_facilitator_opens_a_case_from_the_family_page(world, en_client_for):
    client = en_client_for(world.facilitator)
    url = reverse("case_open", args=[world.household.pk])
    form_page = client.get(url, {"category": "KESEHATAN"})
    html = html_of(form_page)
    assert 'data-due-days="' in html and "mediation.js" in html
    assert form_page.context["form"]["category"].value() == "KESEHATAN"
    child = world.household.members.order_by("-birth_date").first()
    response = client.post(url, {
        "category": "KESEHATAN", "member": child.pk, "title": "Belum punya KIS", "description": "Anak sakit",
        "due_date": "", "submission_key": form_page.context["form"]["submission_key"].value(),
    })
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("case_detail", args=[case.pk])
    assert (case.member, case.due_date, case.opened_by) == (child, TODAY() + timedelta(days=7), world.facilitator)
    page = html_of(client.get(response["Location"]))
    assert "Belum punya KIS" in page and "Anak sakit" in page and "Case opened" in page


def test_the_same_form_sent_twice_opens_one_case(world, client_for):
    client = client_for(world.facilitator)
    data = {"category": "SALDO_NOL", "title": "Saldo nol", "submission_key": "abc123"}
    first = client.post(reverse("case_open", args=[world.household.pk]), data)
    second = client.post(reverse("case_open", args=[world.household.pk]), data)
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1


def test_the_open_form_says_which_field_is_wrong(world, en_client_for, open_case):
    open_case(title="Sudah ada kasus")
    client = en_client_for(world.facilitator)
    response = client.post(reverse("case_open", args=[world.household.pk]), {
        "category": "SALDO_NOL", "title": "", "kks_reason": "lost", "submission_key": "k",
        "due_date": (TODAY() - timedelta(days=1)).isoformat(),
    })
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"title", "kks_reason", "due_date"}
    assert "Sudah ada kasus" in html_of(response), "the cases already open for the family are shown"
    assert not Case.objects.filter(title="").exists()


# --- the case page ----------------------------------------------------------------------------

def test_resolving_from_the_case_page_needs_the_outcome(world, en_client_for, open_case):
    case = open_case()
    client = en_client_for(world.facilitator)
    url = reverse("case_transition", args=[case.pk])
    response = client.post(url, {"to_status": "resolved", "outcome": "", "expected_status": "open"})
    assert response.status_code == 400
    assert "Describe the outcome" in str(response.context["transition_form"].errors["outcome"])
    response = client.post(url, {"to_status": "resolved", "outcome": "Saldo sudah masuk", "expected_status": "open"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "resolved"
    html = html_of(client.get(reverse("case_detail", args=[case.pk])))
    assert "Saldo sudah masuk" in html and "Only the coordinator can reopen" in html


def test_the_coordinator_reopens_from_the_case_page(world, en_client_for, open_case):
    case = services.case_transition(actor=world.facilitator, case=open_case(), to_status="closed", outcome="Pindah")
    client = en_client_for(world.coordinator)
    page = client.get(reverse("case_detail", args=[case.pk]))
    assert [c[0] for c in page.context["transition_form"].fields["to_status"].choices] == ["in_progress"]
    response = client.post(reverse("case_transition", args=[case.pk]),
                           {"to_status": "in_progress", "note": "Ternyata belum pindah", "expected_status": "closed"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_a_facilitator_who_tries_to_reopen_is_told_why(world, en_client_for, open_case):
    case = services.case_transition(actor=world.facilitator, case=open_case(), to_status="closed", outcome="Pindah")
    response = en_client_for(world.facilitator).post(reverse("case_transition", args=[case.pk]), {
        "to_status": "in_progress", "note": "x", "expected_status": "closed"})
    assert response.status_code == 400
    assert "Only the coordinator can reopen" in html_of(response)


def test_referring_and_recording_the_answer_from_the_case_page(world, en_client_for, open_case):
    case = open_case(category="KKS", title="Kartu hilang", kks_reason="lost")
    client = en_client_for(world.facilitator)
    response = client.post(reverse("referral_create", args=[case.pk]), {
        "kind": "bank", "partner_name": "BRI Unit Jatinegara", "referred_on": TODAY().isoformat(), "note": "Cetak ulang"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "referred"
    referral = case.referrals.get()
    response = client.post(reverse("referral_outcome", args=[referral.pk]),
                           {"status": "declined", "on": TODAY().isoformat(), "note": ""})
    assert response.status_code == 400 and "Say why the partner declined" in html_of(response)
    response = client.post(reverse("referral_outcome", args=[referral.pk]),
                           {"status": "resolved", "on": TODAY().isoformat(), "note": "Kartu baru sudah diterima"})
    assert response.status_code == 302
    html = html_of(client.get(reverse("case_detail", args=[case.pk])))
    assert "BRI Unit Jatinegara" in html and "Kartu baru sudah diterima" in html
    assert "Every referral has its answer" in html


def test_notes_and_due_dates_from_the_case_page_show_on_the_timeline(world, en_client_for, open_case):
    case = open_case()
    client = en_client_for(world.coordinator)
    assert client.post(reverse("case_note", args=[case.pk]), {"note": "Sudah telepon bank"}).status_code == 302
    new_due = TODAY() + timedelta(days=40)
    assert client.post(reverse("case_due_date", args=[case.pk]),
                       {"due_date": new_due.isoformat(), "note": "Menunggu"}).status_code == 302
    response = client.get(reverse("case_detail", args=[case.pk]))
    kinds = [event.kind for event in response.context["events"]]
    assert kinds == ["opened", "note", "due_date"]
    assert "Sudah telepon bank" in html_of(response)
    response = client.post(reverse("case_note", args=[case.pk]), {"note": ""})
    assert response.status_code == 400 and "note" in response.context["note_form"].errors


def test_editing_the_case_details(world, en_client_for, open_case):
    case = open_case(category="KKS", title="Kartu", kks_reason="unknown")
    client = en_client_for(world.facilitator)
    assert client.get(reverse("case_edit", args=[case.pk])).status_code == 200
    response = client.post(reverse("case_edit", args=[case.pk]), {
        "title": "Kartu dipegang agen", "description": "Agen BRILink menahan kartu", "member": "",
        "kks_reason": "held_by_other"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.title, case.kks_reason) == ("Kartu dipegang agen", "held_by_other")


def test_auditors_read_the_case_but_get_no_actions(world, en_client_for, open_case):
    case = open_case()
    client = en_client_for(world.auditor)
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200 and "Saldo nol di tahap 2" in html_of(response)
    assert not response.context["can_act"] and response.context["transition_form"] is None
    assert client.post(reverse("case_note", args=[case.pk]), {"note": "x"}).status_code == 403
    assert client.get(reverse("case_open", args=[world.household.pk])).status_code == 403


# --- query counts: constant whatever the number of cases ----------------------------------------

def _fill(world, facilitator, count):
    for index in range(count):
        household = make_family(facilitator=facilitator)
        case = services.case_open(actor=world.coordinator, household=household, title=f"Kasus {index}",
                                  category="PERLINDUNGAN_ANAK" if index % 3 == 0 else "SALDO_NOL",
                                  member=household.members.first())
        services.referral_create(actor=world.coordinator, case=case, kind="bank", partner_name="BRI")


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona, params, expected", [
    # session, user, the facilitator's kelurahan (profile, households, names), count, page of cases
    ("facilitator", {}, 7),
    ("facilitator", {"category": "SALDO_NOL", "status": "referred"}, 7),
    # session, user, cities, kelurahan names, facilitators, count, page of cases
    ("coordinator", {}, 7),
    ("coordinator", {"status": "all", "kelurahan": "31.75.01.1001"}, 7),
])
def test_the_case_list_query_count_does_not_grow_with_the_cases(world, client_for, persona, params, expected):
    client = client_for(world.personas()[persona])
    _fill(world, world.facilitator, 3)
    assert _queries(client, reverse("case_list"), params) == expected
    _fill(world, world.facilitator, 30)
    assert _queries(client, reverse("case_list"), params) == expected


def _part_queries(render) -> int:
    with CaptureQueriesContext(connection) as queries:
        render()
    return len(queries)


@pytest.mark.parametrize("persona", ["facilitator", "coordinator"])
def test_the_household_panel_query_count_does_not_grow_with_the_cases(world, open_case, persona):
    user = world.personas()[persona]

    def render():
        context = panels.household_panel(user, world.household, TODAY())
        render_to_string("mediation/_household_panel.html", {"panel": context})

    open_case(title="Kasus 1")
    render()  # the user's cities are read once per request
    small = _part_queries(render)
    for index in range(8):
        open_case(title=f"Kasus {index + 2}", category="PERLINDUNGAN_ANAK" if index % 2 else "KKS",
                  member=world.household.members.first())
    assert _part_queries(render) == small == 1  # the open cases with their members


@pytest.mark.parametrize("persona", ["facilitator", "coordinator"])
def test_the_day_section_query_count_does_not_grow_with_the_cases(world, persona):
    user = world.personas()[persona]

    def render():
        context = panels.day_cases(user, TODAY())
        render_to_string("mediation/_day_cases.html", {"section": context})

    _fill(world, world.facilitator, 2)
    render()  # the user's cities are read once per request
    small = _part_queries(render)
    _fill(world, world.facilitator, 20)
    assert _part_queries(render) == small == 2  # the counts, the first cases with their families


def test_the_day_section_puts_overdue_cases_first_and_counts_them(world, open_case):
    soon = open_case(title="Besok", due_date=TODAY() + timedelta(days=1))
    late = open_case(title="Terlambat")
    Case.objects.filter(pk=late.pk).update(due_date=TODAY() - timedelta(days=2))
    open_case(household=world.other_household, title="Bukan kasus saya")
    section = panels.day_cases(world.facilitator, TODAY())
    assert [c.pk for c in section["items"]] == [late.pk, soon.pk]
    assert (section["open_count"], section["overdue_count"]) == (2, 1)
    assert section["items"][0].overdue


def test_the_case_page_query_count_does_not_grow_with_the_timeline(world, client_for, open_case):
    case = open_case()
    client = client_for(world.facilitator)
    url = reverse("case_detail", args=[case.pk])
    small = _queries(client, url)
    for index in range(5):
        services.case_add_note(actor=world.facilitator, case=case, note=f"Catatan {index}")
        services.referral_create(actor=world.facilitator, case=case, kind="bank", partner_name=f"BRI {index}")
    assert _queries(client, url) == small


@pytest.mark.parametrize("url_name, persona", [("household_detail", "facilitator"), ("household_detail", "auditor"),
                                               ("today", "facilitator")])
def test_the_household_page_and_the_day_page_stay_constant_with_more_cases(world, client_for, open_case, url_name,
                                                                            persona):
    client = client_for(world.personas()[persona])
    url = reverse(url_name, args=[world.household.pk]) if url_name == "household_detail" else reverse(url_name)
    open_case(title="Kasus pertama")
    small = _queries(client, url)
    for index in range(6):
        open_case(title=f"Kasus {index}", category="PERLINDUNGAN_ANAK" if index % 2 else "PENDIDIKAN",
                  member=world.household.members.first())
    response = client.get(url)
    assert "Kasus 4" in html_of(response) and "Kasus 5" not in html_of(response), "child protection is masked"
    assert _queries(client, url) == small
