"""What users see and do on the commitment-verification pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from beneficiaries.models import Household
from compliance import verification as v
from compliance.models import CommitmentRecord, Facility, FacilityLink, HouseholdResult, SuspensionProposal
from compliance.periods import Period
from tests.compliance.conftest import add_member, fail_school, pupils, save, shown
from tests.conftest import make_family


def now_period() -> Period:
    return Period.of(timezone.localdate())


def page(response) -> str:
    return response.content.decode()


def bulk_url(household=None, **params):
    params.setdefault("period", now_period().key)
    params.setdefault("commitment", v.EDUCATION)
    if household is not None:
        params.setdefault("kelurahan", household.kelurahan_id)
    return f"{reverse('compliance_bulk')}?{urlencode(params)}"


def save_now(actor, *rows, **kwargs):
    return save(actor, now_period(), *rows, today=timezone.localdate(), **kwargs)


def field(member, name, commitment=v.EDUCATION):
    return f"m{member.pk}-{commitment}-{name}"


# --- the bulk entry screen -------------------------------------------------------------------------

def test_the_bulk_screen_lists_the_kelurahans_pupils_with_what_is_recorded(world, client_for):
    boy, girl = pupils(world.household)
    save_now(world.facilitator, (boy, v.EDUCATION, {"attendance_percent": Decimal("88.5")}))
    html = page(client_for(world.facilitator).get(bulk_url(world.household)))
    assert boy.name in html and girl.name in html
    assert f'name="{field(boy, "attendance_percent")}"' in html and 'value="88.5"' in html
    other_boy, _ = pupils(world.other_household)
    assert other_boy.name not in html
    assert "1/2" in html  # recorded / to verify for school attendance


def test_all_rows_are_saved_in_one_post(world, client_for):
    boy, girl = pupils(world.household)
    client = client_for(world.facilitator)
    response = client.post(bulk_url(world.household), shown({
        field(boy, "attendance_percent"): "90", field(girl, "attendance_percent"): "84",
    }))
    assert response.status_code == 302
    assert CommitmentRecord.objects.count() == 2
    stored = HouseholdResult.objects.get(household=world.household, period=now_period().code)
    assert stored.status == "non_compliant"
    html = page(client.get(response["Location"]))
    assert "2 rows saved." in html


def test_a_row_that_was_not_on_the_screen_keeps_its_record(world, client_for):
    boy, girl = pupils(world.household)
    save_now(world.coordinator, (girl, v.EDUCATION, {"attendance_percent": 96}))
    # The facilitator's screen showed only the boy (e.g. the girl's record was entered meanwhile).
    response = client_for(world.facilitator).post(bulk_url(world.household), shown({
        field(boy, "attendance_percent"): "90"}))
    assert response.status_code == 302
    assert CommitmentRecord.objects.get(member=girl).attendance_percent == Decimal("96.0")
    # Emptying a row that was on the screen removes its record.
    client_for(world.facilitator).post(bulk_url(world.household), shown({field(girl, "attendance_percent"): ""}))
    assert not CommitmentRecord.objects.filter(member=girl).exists()


def test_a_bad_row_saves_nothing_and_the_page_names_the_member_and_the_field(world, client_for):
    boy, girl = pupils(world.household)
    response = client_for(world.facilitator).post(bulk_url(world.household), {
        field(boy, "attendance_percent"): "90", field(girl, "attendance_percent"): "150",
    })
    assert response.status_code == 400
    html = page(response)
    assert "Nothing was saved" in html
    assert f"{girl.name} — Attendance (%):" in html
    assert not CommitmentRecord.objects.exists()
    assert 'value="90"' in html, "the good row keeps what was typed"


def test_a_posyandu_month_that_has_not_begun_cannot_be_entered(world, client_for):
    child = add_member(world.household, birth_date=date(2024, 1, 1), name="Balita Satu")
    period, today = now_period(), timezone.localdate()
    future = [n for n, month in enumerate(period.months, start=1) if date(period.year, month, 1) > today]
    if not future:
        pytest.skip("the last month of the period has begun")
    url = bulk_url(world.household, commitment=v.EARLY_CHILDHOOD)
    client = client_for(world.facilitator)
    form = client.get(url).context["linked_forms"][0]
    assert form.fields[f"month_{future[0]}_visited"].disabled
    client.post(url, shown({field(child, "month_1_visited", v.EARLY_CHILDHOOD): "true",
                            field(child, f"month_{future[0]}_visited", v.EARLY_CHILDHOOD): "true"}))
    record = CommitmentRecord.objects.get(member=child)
    assert record.month_1_visited is True and getattr(record, f"month_{future[0]}_visited") is None


def test_inconsistent_check_up_numbers_are_refused_naming_the_mother(world, client_for):
    mother = world.household.members.get(is_pengurus=True)
    mother.pregnant, mother.expected_delivery_date = True, timezone.localdate() + timedelta(days=200)
    mother.save()
    response = client_for(world.facilitator).post(bulk_url(world.household, commitment=v.ANTENATAL), shown({
        field(mother, "checkups_in_period", v.ANTENATAL): "3", field(mother, "checkups_total", v.ANTENATAL): "2"}))
    assert response.status_code == 400
    assert f"{mother.name} — Check-ups in the whole pregnancy so far: The pregnancy cannot have fewer check-ups" in page(response)
    assert not CommitmentRecord.objects.exists()


def test_a_service_error_lands_on_its_row(world):
    from django.core.exceptions import ValidationError

    from beneficiaries.rules import RuleBook
    from compliance import selectors
    from compliance.forms import RowForm, attach_service_errors

    sheet = selectors.household_sheet(world.facilitator, world.household, period=now_period(), rulebook=RuleBook(),
                                      thresholds=selectors.thresholds_for(now_period()))
    forms = {row.key: RowForm({}, row=row, period=now_period(), today=timezone.localdate()) for row in sheet.rows}
    boy, _ = pupils(world.household)
    key = f"m{boy.pk}-education"
    messages = attach_service_errors(forms, ValidationError({f"{key}.attendance_percent": f"{boy.name} — attendance: x",
                                                             "period": "This period has not begun yet."}))
    assert messages == [f"{boy.name} — attendance: x", "This period has not begun yet."]
    assert forms[key].errors["attendance_percent"] == [f"{boy.name} — attendance: x"]


def test_a_facility_screen_shows_its_pupils_and_links_new_ones(world, client_for, school):
    boy, girl = pupils(world.household)
    FacilityLink.objects.create(member=boy, commitment=v.EDUCATION, facility=school)
    client = client_for(world.facilitator)
    url = bulk_url(world.household, facility=school.pk)
    response = client.get(url)
    linked, unlinked = response.context["linked_forms"], response.context["unlinked_forms"]
    assert [f.row.member.pk for f in linked] == [boy.pk] and [f.row.member.pk for f in unlinked] == [girl.pk]
    assert f'name="{field(girl, "link")}"' in page(response)
    # Entering the girl's attendance from this school's register links her to it.
    response = client.post(url, shown({field(boy, "attendance_percent"): "91", field(girl, "attendance_percent"): "97"}))
    assert response.status_code == 302
    assert FacilityLink.objects.get(member=girl).facility == school
    assert set(CommitmentRecord.objects.values_list("facility", flat=True)) == {school.pk}
    # Ticking without values links too.
    child = add_member(world.household, birth_date=date(2017, 3, 3), school="SD", name="Adik")
    client.post(url, shown({field(child, "link"): "on"}))
    assert FacilityLink.objects.filter(member=child, facility=school).exists()


def test_a_large_kelurahan_is_split_into_pages_saved_one_at_a_time(world, client_for):
    from compliance.views import BULK_ROWS_PER_PAGE

    for _ in range(BULK_ROWS_PER_PAGE // 2):
        make_family(facilitator=world.facilitator, kelurahan=world.household.kelurahan_id)
    client = client_for(world.facilitator)
    first = client.get(bulk_url(world.household))
    assert len(first.context["linked_forms"]) == BULK_ROWS_PER_PAGE
    url = bulk_url(world.household, page=2)
    second = client.get(url)
    rows = [f.row for f in second.context["linked_forms"]]
    assert len(rows) == 2 and "Save the rows of this page" in page(second)
    response = client.post(url, shown({f"{row.key}-attendance_percent": "88" for row in rows}))
    assert response.status_code == 302 and "page=2" in response["Location"]
    assert sorted(CommitmentRecord.objects.values_list("member_id", flat=True)) == sorted(r.member.pk for r in rows)


def test_pupils_of_another_school_are_not_on_a_schools_screen(world, client_for, school):
    boy, girl = pupils(world.household)
    other = Facility.objects.create(name="SMPN 2", kind="school", kelurahan=world.household.kelurahan)
    FacilityLink.objects.create(member=girl, commitment=v.EDUCATION, facility=other)
    response = client_for(world.facilitator).get(bulk_url(world.household, facility=school.pk))
    members = [f.row.member.pk for f in response.context["linked_forms"] + response.context["unlinked_forms"]]
    assert members == [boy.pk]


def test_auditors_see_the_bulk_screen_read_only_and_cannot_post(world, client_for):
    boy, _ = pupils(world.household)
    client = client_for(world.auditor)
    response = client.get(bulk_url(world.household))
    assert response.status_code == 200 and boy.name in page(response)
    assert "Save all rows" not in page(response) and "disabled" in page(response)
    assert client.post(bulk_url(world.household), {field(boy, "attendance_percent"): "90"}).status_code == 403
    assert not CommitmentRecord.objects.exists()


def test_a_kelurahan_outside_the_area_is_not_offered(world, client_for):
    response = client_for(world.facilitator).get(bulk_url(world.household_b))
    assert response.context.get("kelurahan") is None
    assert pupils(world.household_b)[0].name not in page(response)


# --- the household's entry page and panel ----------------------------------------------------------

def test_the_household_page_panel_shows_the_last_periods_with_reasons(world, client_for):
    boy, girl = pupils(world.household)
    previous = now_period().previous()
    save(world.facilitator, previous, (boy, v.EDUCATION, {"attendance_percent": 60}),
         (girl, v.EDUCATION, {"attendance_percent": 90}), today=timezone.localdate())
    html = page(client_for(world.facilitator).get(reverse("household_detail", args=[world.household.pk])))
    assert previous.key in html and now_period().key in html and now_period().previous(3).key in html
    assert f"{boy.name} (SD): attended 60% of school days; at least 85% is required." in html
    assert reverse("compliance_household", args=[world.household.pk]) in html


def test_the_facilitator_sees_the_proposal_state_on_the_household_page(world, client_for):
    SuspensionProposal.objects.create(household=world.household, first_period=now_period().previous(2).code,
                                      last_period=now_period().previous().code)
    html = page(client_for(world.facilitator).get(reverse("household_detail", args=[world.household.pk])))
    assert "Suspension proposed for non-compliance" in html and "Waiting for the coordinator" in html


def test_household_entry_saves_every_commitment_and_links_facilities(world, client_for, school):
    boy, girl = pupils(world.household)
    grandmother = add_member(world.household, birth_date=date(1950, 1, 1), relationship="ORANG TUA", sex="P")
    url = f"{reverse('compliance_household', args=[world.household.pk])}?period={now_period().key}"
    client = client_for(world.facilitator)
    html = page(client.get(url))
    assert grandmother.name in html and boy.name in html and "Not yet verified" in html
    response = client.post(url, shown({
        field(boy, "attendance_percent"): "95", field(boy, "facility"): str(school.pk),
        field(girl, "attendance_percent"): "90",
        field(grandmother, "activity_done", v.WELFARE): "true",
        field(grandmother, "activity", v.WELFARE): "Posyandu lansia",
    }))
    assert response.status_code == 302
    assert FacilityLink.objects.get(member=boy).facility == school
    assert "Compliant" in page(client.get(url))


def test_household_entry_requires_the_activity_when_it_took_place(world, client_for):
    grandmother = add_member(world.household, birth_date=date(1950, 1, 1), relationship="ORANG TUA", sex="P")
    url = reverse("compliance_household", args=[world.household.pk])
    response = client_for(world.facilitator).post(url, shown({field(grandmother, "activity_done", v.WELFARE): "true"}))
    assert response.status_code == 400
    assert f"{grandmother.name} — What activity: Say what the activity was" in page(response)


def test_auditors_read_the_household_entry_page_but_cannot_save(world, client_for):
    boy, _ = pupils(world.household)
    client = client_for(world.auditor)
    url = reverse("compliance_household", args=[world.household.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {field(boy, "attendance_percent"): "90"}).status_code == 403


# --- index and day page ---------------------------------------------------------------------------

def test_the_index_shows_progress_per_kelurahan(world, client_for):
    boy, _ = pupils(world.household)
    save_now(world.facilitator, (boy, v.EDUCATION, {"attendance_percent": 90}))
    response = client_for(world.facilitator).get(reverse("compliance_index"))
    row = next(r for r in response.context["rows"] if r.kelurahan.code == world.household.kelurahan_id)
    assert (row.families, row.to_verify, row.recorded) == (1, 2, 1)
    assert "1 of 2 recorded" in page(response)


def test_coordinators_see_stored_figures_and_can_recompute(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.coordinator)
    response = client.get(reverse("compliance_index"))
    assert "No result has been computed for this period yet." in page(response)
    with django_capture_on_commit_callbacks(execute=True):  # the job is queued once the request commits
        response = client.post(reverse("compliance_refresh"), {"period": now_period().key, "city": "31.75"})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    response = client.get(reverse("compliance_index"))
    rows = {r.kelurahan.code: r for r in response.context["rows"]}
    assert (rows["31.75.01.1001"].computed, rows["31.75.01.1001"].to_verify) == (1, 2)
    assert (rows["31.75.02.1001"].computed, rows["31.75.02.1001"].to_verify) == (2, 4)


def test_the_day_page_lists_missing_data_and_last_periods_non_compliant_families(world, client_for):
    boy, girl = pupils(world.household)
    save(world.facilitator, now_period().previous(), (boy, v.EDUCATION, {"attendance_percent": 50}),
         today=timezone.localdate())
    save_now(world.facilitator, (girl, v.EDUCATION, {"attendance_percent": 90}))
    response = client_for(world.facilitator).get(reverse("today"))
    html = page(response)
    section = next(s for t, s in response.context["sections"] if t == "compliance/_day_section.html")
    assert [(m.kelurahan_code, m.commitment, m.missing) for m in section["missing"]] == [
        (world.household.kelurahan_id, v.EDUCATION, 1)]
    assert f"{boy.name} (SD): attended 50%" in html
    assert (f"{reverse('compliance_bulk')}?period={now_period().key}&amp;kelurahan={world.household.kelurahan_id}"
            f"&amp;commitment=education") in html


def test_coordinators_see_waiting_proposals_on_the_day_page(world, client_for):
    SuspensionProposal.objects.create(household=world.other_household, first_period=20262, last_period=20263)
    assert "1 proposal waits for your decision." in page(client_for(world.coordinator).get(reverse("today")))


# --- proposals --------------------------------------------------------------------------------------

def test_the_proposal_list_shows_waiting_proposals_first(world, client_for):
    decided = SuspensionProposal.objects.create(household=world.household, first_period=20261, last_period=20262,
                                                status="rejected")
    waiting = SuspensionProposal.objects.create(household=world.other_household, first_period=20262, last_period=20263)
    response = client_for(world.coordinator).get(reverse("proposal_list"))
    assert list(response.context["page_obj"].object_list) == [waiting, decided]
    facilitator_view = client_for(world.facilitator).get(reverse("proposal_list"))
    assert list(facilitator_view.context["page_obj"].object_list) == [decided]


def test_a_coordinator_approves_a_proposal_from_its_page(world, client_for):
    fail_school(world.facilitator, world.household, Period(2026, 2), attendance=40)
    fail_school(world.facilitator, world.household, Period(2026, 3), attendance=40)
    proposal = SuspensionProposal.objects.get()
    client = client_for(world.coordinator)
    html = page(client.get(reverse("proposal_detail", args=[proposal.pk])))
    assert "Your decision" in html and "attended 40%" in html
    response = client.post(reverse("proposal_decide", args=[proposal.pk]), {"decision": "reject"})
    assert response.status_code == 400 and "Give the reason for rejecting the proposal." in page(response)
    response = client.post(reverse("proposal_decide", args=[proposal.pk]), {
        "decision": "approve", "effective_date": timezone.localdate().isoformat(), "note": "Sudah dimediasi"})
    assert response.status_code == 302
    assert Household.objects.get(pk=world.household.pk).status == "suspended"
    html = page(client_for(world.facilitator).get(reverse("household_detail", args=[world.household.pk])))
    assert "Approved: household suspended" in html


def test_the_auditor_reads_a_proposal_without_a_decision_form(world, client_for):
    proposal = SuspensionProposal.objects.create(household=world.household, first_period=20262, last_period=20263)
    html = page(client_for(world.auditor).get(reverse("proposal_detail", args=[proposal.pk])))
    assert "Your decision" not in html


# --- facilities ---------------------------------------------------------------------------------------

def test_a_facilitator_adds_a_school_in_their_kelurahan(world, client_for):
    client = client_for(world.facilitator)
    response = client.post(reverse("facility_create"), {
        "name": "SDN Pisangan Baru 03", "kind": "school", "kelurahan": world.household.kelurahan_id,
        "npsn": "20100003", "active": "on"})
    assert response.status_code == 302
    facility = Facility.objects.get(npsn="20100003")
    assert facility.created_by == world.facilitator
    assert facility.name in page(client.get(reverse("facility_list")))


def test_facility_form_errors_name_the_field(world, client_for, school):
    client = client_for(world.facilitator)
    response = client.post(reverse("facility_create"), {
        "name": "Posyandu Mawar", "kind": "posyandu", "kelurahan": world.household.kelurahan_id, "npsn": "20100009"})
    assert "Only schools have an NPSN." in str(response.context["form"].errors["npsn"])
    response = client.post(reverse("facility_create"), {
        "name": "SD Kembar", "kind": "school", "kelurahan": world.household.kelurahan_id, "npsn": school.npsn})
    assert school.name in str(response.context["form"].errors["npsn"])
    response = client.post(reverse("facility_create"), {
        "name": "SD Jauh", "kind": "school", "kelurahan": world.household_b.kelurahan_id})
    assert "kelurahan" in response.context["form"].errors
    assert Facility.objects.count() == 1


def test_a_facility_is_edited_and_the_change_audited(world, client_for, school):
    from core.models import AuditEvent

    response = client_for(world.coordinator).post(reverse("facility_edit", args=[school.pk]), {
        "name": "SDN Pisangan Baru 01 Pagi", "kind": "school", "kelurahan": school.kelurahan_id, "npsn": school.npsn,
        "active": "on"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(object_type="compliance.facility", action="update")
    assert event.changes["name"] == ["SDN Pisangan Baru 01", "SDN Pisangan Baru 01 Pagi"]


# --- query counts: constant whatever the caseload size ------------------------------------------------

def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _grow(world, count, school=None):
    for _ in range(count):
        household = make_family(facilitator=world.facilitator, kelurahan=world.household.kelurahan_id)
        boy, girl = pupils(household)
        add_member(household, birth_date=date(2024, 5, 5))
        save_now(world.facilitator, (boy, v.EDUCATION, {"attendance_percent": 70}))
        if school is not None:
            FacilityLink.objects.create(member=girl, commitment=v.EDUCATION, facility=school)
        SuspensionProposal.objects.create(household=household, first_period=20262, last_period=20263)


def test_the_bulk_screen_runs_the_same_queries_for_5_or_25_families(world, client_for, school):
    client = client_for(world.facilitator)
    url = bulk_url(world.household, facility=school.pk)
    _grow(world, 4, school)
    # session, user; kelurahan choices (the facilitator's profile, their households' villages, the villages);
    # facility choices (profile, households' villages again inside the area scope, facilities);
    # verification rules, members, records, facility links, benefit year, its indexes
    assert _count(client, url) == 14
    _grow(world, 20, school)
    assert _count(client, url) == 14


@pytest.mark.parametrize("url_name, persona", [
    ("compliance_index", "facilitator"), ("compliance_index", "coordinator"), ("proposal_list", "coordinator"),
    ("facility_list", "facilitator"), ("today", "facilitator"), ("today", "coordinator"),
])
def test_lists_and_the_day_page_do_not_grow_with_the_caseload(world, client_for, school, url_name, persona):
    client = client_for(getattr(world, persona))
    url = reverse(url_name)
    _grow(world, 3, school)
    small = _count(client, url)
    _grow(world, 15, school)
    for n in range(10):
        Facility.objects.create(name=f"Posyandu {n}", kind="posyandu", kelurahan=world.household.kelurahan)
    assert _count(client, url) == small


def test_the_household_page_with_its_panel_does_not_grow_with_history(world, client_for):
    client = client_for(world.facilitator)
    url = reverse("household_detail", args=[world.household.pk])
    fail_school(world.facilitator, world.household, now_period().previous())
    small = _count(client, url)
    for n in range(2, 6):
        fail_school(world.facilitator, world.household, now_period().previous(n))
    assert _count(client, url) == small


def test_the_household_entry_page_does_not_grow_with_members(world, client_for):
    client = client_for(world.facilitator)
    url = reverse("compliance_household", args=[world.household.pk])
    small = _count(client, url)
    for year in (2016, 2017, 2018):
        add_member(world.household, birth_date=date(year, 2, 2), school="SD")
    assert _count(client, url) == small


def test_the_day_page_counts_from_stored_results_and_says_which_families_wait_for_the_night(world, client_for):
    from compliance.tasks import nightly_refresh_task

    other_family = make_family(facilitator=world.facilitator)
    client = client_for(world.facilitator)

    def section():
        response = client.get(reverse("today"))
        return next(s for t, s in response.context["sections"] if t == "compliance/_day_section.html"), page(response)

    before, html = section()
    assert before["missing"] == [] and before["not_computed"] == 2
    assert "refreshed every night" in html or "setiap malam" in html
    nightly_refresh_task()
    after, _ = section()
    assert after["not_computed"] == 0 and after["computed_at"] is not None
    # Each family has a pupil in SD and one in SMP: four school records missing in one kelurahan.
    assert [(m.commitment, m.missing) for m in after["missing"]] == [(v.EDUCATION, 4)]
    assert other_family.pk in set(HouseholdResult.objects.values_list("household_id", flat=True))
