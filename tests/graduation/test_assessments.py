"""Socio-economic assessments and the household's graduation page: numbering, validation with field
messages, prefill from the registry and the latest assessment, scoping per role, what the page says."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Household
from casework.models import HomeVisit
from core.models import AuditEvent
from graduation import assessments
from graduation.classifier import BELUM, KANDIDAT_MANDIRI
from graduation.models import Assessment
from tests.factories import MemberFactory
from tests.graduation.c_factories import STRONG, form_data, make_assessment, poverty_line
from tests.livelihood.conftest import BusinessFactory, EntryFactory


def page(response) -> str:
    return response.content.decode()


def english(client):
    client.post(reverse("set_language"), {"language": "en"})
    return client


def today():
    return timezone.localdate()


def visit_on(household, facilitator, day, hour=10, purpose=HomeVisit.Purpose.GRADUATION):
    return HomeVisit.objects.create(
        household=household, facilitator=facilitator, purpose=purpose, met=HomeVisit.Met.PENGURUS,
        visited_at=timezone.make_aware(datetime.combine(day, time(hour))))


def service_data(**changes):
    return {"assessed_on": today(), **STRONG, **changes}


# --- the service: numbering, audit, validation ---------------------------------------------------------

def test_assessments_are_numbered_per_household_and_audited(world):
    first = assessments.assessment_create(actor=world.facilitator, household=world.household, data=service_data())
    second = assessments.assessment_create(actor=world.coordinator, household=world.household,
                                           data=service_data(income_work=5_000_000))
    other = assessments.assessment_create(actor=world.other_facilitator, household=world.other_household,
                                          data=service_data())
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert second.assessor == world.coordinator
    event = AuditEvent.objects.get(object_type="graduation.assessment", object_id=str(second.pk))
    assert event.action == AuditEvent.Action.CREATE and event.household_id == world.household.pk
    assert event.city_code == "31.75" and event.changes["income_per_capita"] == [None, 1_750_000]


def test_a_saved_assessment_is_never_changed_a_new_one_is_made(world):
    first = assessments.assessment_create(actor=world.facilitator, household=world.household, data=service_data())
    assessments.assessment_create(actor=world.facilitator, household=world.household,
                                  data=service_data(floor="earth", notes="Lantai rusak setelah banjir"))
    first.refresh_from_db()
    assert first.floor == "tile" and first.notes == ""
    assert list(world.household.assessments.order_by("number").values_list("number", "floor")) == [
        (1, "tile"), (2, "earth")]


def test_the_same_form_sent_twice_makes_one_assessment(world):
    first = assessments.assessment_create(actor=world.facilitator, household=world.household, data=service_data())
    again = assessments.assessment_create(actor=world.facilitator, household=world.household, data=service_data())
    assert again.pk == first.pk and world.household.assessments.count() == 1


@pytest.mark.parametrize("changes, field, words", [
    ({"assessed_on": "tomorrow"}, "assessed_on", "cannot be in the future"),
    ({"assessed_on": date(2017, 12, 31)}, "assessed_on", "joined PKH in 2018"),
    ({"school_age_children": 2, "children_in_school": 3}, "children_in_school", "more than the 2 children"),
    ({"business_months": 8, "business_net_income": None}, "business_net_income", "average net income"),
    ({"business_months": None, "business_net_income": 500_000}, "business_months", "how many months"),
    ({"debt_amount": 2_000_000, "debt_source": ""}, "debt_source", "where the debt comes from"),
    ({"debt_amount": 0, "debt_source": "bank"}, "debt_amount", "amount still owed"),
    ({"household_size": 0}, "household_size", ""),
    ({"floor": "marble"}, "floor", ""),
])
def test_invalid_assessments_are_refused_naming_the_field(world, changes, field, words):
    if changes.get("assessed_on") == "tomorrow":
        changes = {"assessed_on": today() + timedelta(days=1)}
    with pytest.raises(ValidationError) as error:
        assessments.assessment_create(actor=world.facilitator, household=world.household, data=service_data(**changes))
    assert field in error.value.message_dict
    assert words in " ".join(error.value.message_dict[field])
    assert not Assessment.objects.exists() and not AuditEvent.objects.filter(object_type="graduation.assessment").exists()


def test_a_visit_can_be_linked_only_on_its_own_day(world):
    yesterday = visit_on(world.household, world.facilitator, today() - timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        assessments.assessment_create(actor=world.facilitator, household=world.household, data=service_data(),
                                      visit=yesterday)
    assert "same day" in error.value.message_dict["visit"][0]
    todays = visit_on(world.household, world.facilitator, today(), hour=0)
    assessment = assessments.assessment_create(actor=world.facilitator, household=world.household,
                                               data=service_data(), visit=todays)
    assert assessment.visit == todays


def test_a_visit_of_another_family_is_refused(world):
    visit = visit_on(world.other_household, world.other_facilitator, today())
    with pytest.raises(ValidationError) as error:
        assessments.assessment_create(actor=world.coordinator, household=world.household, data=service_data(),
                                      visit=visit)
    assert "another family" in error.value.message_dict["visit"][0]


def test_business_answers_are_dropped_when_a_running_business_is_recorded(world):
    BusinessFactory(household=world.household, started_on=date(2024, 1, 15))
    assessment = assessments.assessment_create(actor=world.facilitator, household=world.household,
                                               data=service_data(business_months=3, business_net_income=100_000))
    assert assessment.business_months is None and assessment.business_net_income is None


def test_an_auditor_cannot_record_and_a_family_out_of_the_program_cannot_be_assessed(world):
    with pytest.raises(PermissionDenied):
        assessments.assessment_create(actor=world.auditor, household=world.household, data=service_data())
    Household.objects.filter(pk=world.household.pk).update(status=Household.Status.GRADUATED)
    world.household.refresh_from_db()
    with pytest.raises(ValidationError, match="no longer in the program"):
        assessments.assessment_create(actor=world.facilitator, household=world.household, data=service_data())
    assert not Assessment.objects.exists()


# --- prefill ---------------------------------------------------------------------------------------------

def test_the_first_form_is_prefilled_from_the_registry(world, client_for):
    # make_family: two parents and two school children (10 and 15 years old); a grandchild of 8 out of
    # school, and a member who moved out (not counted).
    MemberFactory(household=world.household, relationship="CUCU", birth_date=date(today().year - 8, 1, 1))
    MemberFactory(household=world.household, relationship="FAMILI LAIN", exit_reason="moved_out",
                  exit_date=date(2024, 1, 1))
    response = english(client_for(world.facilitator)).get(
        reverse("graduation_assessment_create", args=[world.household.pk]))
    form = response.context["form"]
    assert form["household_size"].value() == 5
    assert (form["school_age_children"].value(), form["children_in_school"].value()) == (3, 2)
    assert form["assessed_on"].value() == today()
    html = page(response)
    assert "Not enrolled:" in html and "first assessment" in html


def test_the_next_form_starts_from_the_latest_assessment_with_the_registry_people(world, client_for):
    make_assessment(world.household, world.facilitator, assessed_on=date(2025, 6, 1), household_size=7,
                    income_work=2_500_000, floor="wood", notes="Catatan lama", school_age_children=3,
                    children_in_school=1)
    make_assessment(world.household, world.facilitator, assessed_on=date(2026, 3, 1), household_size=6,
                    income_work=3_100_000, floor="tile", notes="Catatan", school_age_children=3, children_in_school=2)
    form = client_for(world.facilitator).get(
        reverse("graduation_assessment_create", args=[world.household.pk])).context["form"]
    assert form["income_work"].value() == "3.100.000" and form["floor"].value() == "tile"
    assert form["household_size"].value() == 4  # the registry, not the assessment's 6
    assert (form["school_age_children"].value(), form["children_in_school"].value()) == (2, 2)
    assert not form["notes"].value()


def test_todays_visit_is_offered_and_chosen(world, client_for):
    visit_on(world.household, world.facilitator, today() - timedelta(days=3))
    todays = visit_on(world.household, world.facilitator, today(), hour=0)
    form = client_for(world.facilitator).get(
        reverse("graduation_assessment_create", args=[world.household.pk])).context["form"]
    assert form["visit"].value() == str(todays.pk)
    assert len(form.fields["visit"].choices) == 3  # none, today's, three days ago


def test_the_form_shows_recorded_businesses_and_asks_only_when_none_runs(world, client_for):
    client = client_for(world.facilitator)
    url = reverse("graduation_assessment_create", args=[world.household.pk])
    assert "business_months" in client.get(url).context["form"].fields
    business = BusinessFactory(household=world.household, name="Warung Bu Sari", started_on=date(2024, 1, 15))
    EntryFactory(business=business, month=(today().replace(day=1) - timedelta(days=1)).replace(day=1),
                 revenue=3_000_000, expenses=1_800_000)
    response = client.get(url)
    assert "business_months" not in response.context["form"].fields
    html = page(response)
    assert "Warung Bu Sari" in html and "Rp1.200.000" in html


def test_p2k2_attendance_is_shown_from_the_records(world, client_for):
    from tests.p2k2.conftest import held_meeting, make_group

    group = make_group(world.facilitator, world.household.kelurahan, households=[world.household], formed_days_ago=600)
    for months_back, status in ((1, "present"), (2, "present"), (3, "absent"), (14, "present")):
        held_meeting(group, {world.household: status}, days_ago=30 * months_back)
    response = english(client_for(world.facilitator)).get(
        reverse("graduation_assessment_create", args=[world.household.pk]))
    assert "2 of 3 meetings attended (66%)" in page(response)  # rounded down, as the classifier compares


# --- the pages ---------------------------------------------------------------------------------------------

def test_a_facilitator_records_an_assessment_from_a_phone_form(world, client_for):
    client = client_for(world.facilitator)
    response = client.post(reverse("graduation_assessment_create", args=[world.household.pk]), form_data())
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("graduation_household",
                                                                            args=[world.household.pk])
    assert (assessment.number, assessment.income_work, assessment.income_transfers) == (1, 4_000_000, 0)
    assert assessment.assessor == world.facilitator and assessment.has_motorcycle and not assessment.owns_house


def test_form_errors_are_shown_on_their_fields(world, client_for):
    client = english(client_for(world.facilitator))
    response = client.post(reverse("graduation_assessment_create", args=[world.household.pk]), form_data(
        children_in_school="3", income_work="empat juta", debt_amount="1.000.000"))
    assert response.status_code == 200 and not Assessment.objects.exists()
    errors = response.context["form"].errors
    assert "Cannot be more than the 2 children aged 7–18." in errors["children_in_school"]
    assert "income_work" in errors
    response = client.post(reverse("graduation_assessment_create", args=[world.household.pk]),
                           form_data(debt_amount="1.000.000"))
    assert response.context["form"].errors["debt_source"] == ["Say where the debt comes from."]
    assert "Say where the debt comes from." in page(response)


def test_a_business_losing_money_is_recorded_with_a_negative_net_income(world, client_for):
    client = client_for(world.facilitator)
    client.post(reverse("graduation_assessment_create", args=[world.household.pk]),
                form_data(business_months="4", business_net_income="-250.000"))
    assert Assessment.objects.get().business_net_income == -250_000


def test_the_household_page_shows_the_failed_checks_with_the_shortfall_in_words(world, client_for):
    poverty_line(amount=850_000)
    make_assessment(world.household, world.facilitator, income_work=3_000_000, income_business=1_000_000,
                    floor="earth", walls="bamboo", roof="zinc", toilet="shared", water="well")
    client = english(client_for(world.facilitator))
    response = client.get(reverse("graduation_household", args=[world.household.pk]))
    page_data = response.context["page"]
    assert page_data.result.classification == BELUM
    missing = {check.key for check in page_data.missing}
    # income and a running business are alternatives: both are missing, either would do
    assert missing == {"income_per_capita", "business_running", "housing"}
    html = page(response)
    assert "Income per person Rp1.000.000 a month (Rp4.000.000 for 4 people); needed Rp1.275.000" in html
    assert "Rp275.000 short" in html
    assert "Housing score 3 of 10 (low): medium is needed" in html
    assert 'data-check="income_per_capita" data-state="failed"' in html
    assert "Rules version 1" in html


def test_the_household_page_shows_a_candidate_and_the_history_with_changes(world, client_for):
    poverty_line(amount=850_000)
    make_assessment(world.household, world.facilitator, assessed_on=date(2025, 12, 1), income_work=2_000_000,
                    income_business=1_000_000, savings_amount=1_000_000, jkn="some", floor="wood")
    make_assessment(world.household, world.facilitator, assessed_on=today() - timedelta(days=10))
    response = english(client_for(world.coordinator)).get(reverse("graduation_household", args=[world.household.pk]))
    page_data = response.context["page"]
    assert page_data.result.classification == KANDIDAT_MANDIRI and not page_data.missing
    latest, first = page_data.history
    assert (latest.assessment.number, first.assessment.number) == (2, 1)
    assert latest.change["income_per_capita"] == 1_500_000 - 750_000
    assert latest.change["housing_score"] == 1 and latest.change["jkn"] == 1 and first.change == {}
    html = page(response)
    assert "+Rp750.000" in html and "+Rp5.000.000" in html
    assert "Independent-prosperous candidate" in html


def test_the_component_outlook_says_until_when_each_component_counts(world, client_for):
    toddler = MemberFactory(household=world.household, relationship="ANAK", birth_date=date(2022, 2, 10))
    response = client_for(world.facilitator).get(reverse("graduation_household", args=[world.household.pk]))
    outlook = {item.member_name: item for item in response.context["page"].outlook}
    assert outlook[toddler.name].until == date(2029, 2, 9) and outlook[toddler.name].why == "age"
    sd_child = world.household.members.get(school="SD")
    assert outlook[sd_child.name].until == date(2015 + 22, 5, 31)


def test_a_graduated_family_keeps_its_page_read_only(world, client_for):
    make_assessment(world.household, world.facilitator, assessed_on=date(2025, 12, 1))
    Household.objects.filter(pk=world.household.pk).update(status=Household.Status.GRADUATED)
    client = client_for(world.facilitator)
    response = client.get(reverse("graduation_household", args=[world.household.pk]))
    assert response.status_code == 200
    assert reverse("graduation_assessment_create", args=[world.household.pk]) not in page(response)
    assert client.get(reverse("graduation_assessment_create", args=[world.household.pk])).status_code == 302


def test_the_assessment_page_shows_the_answers_and_links_the_neighbours(world, client_for):
    poverty_line(amount=850_000)
    first = make_assessment(world.household, world.facilitator, assessed_on=date(2025, 12, 1))
    second = make_assessment(world.household, world.facilitator, assessed_on=date(2026, 6, 1),
                             support_network="Kelompok pengajian", owns_house=True)
    response = english(client_for(world.auditor)).get(reverse("graduation_assessment_detail", args=[second.pk]))
    html = page(response)
    assert response.context["previous_id"] == first.pk and response.context["next_id"] is None
    assert "Kelompok pengajian" in html and "Housing score 10 of 10 (high)." in html
    assert "5 assets:" in html and "1.76 × the line" in html


# --- scoping ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona, status", [
    ("facilitator", 200), ("coordinator", 200), ("auditor", 200), ("admin", 200),
    ("other_facilitator", 404), ("facilitator_b", 404), ("coordinator_b", 404), ("auditor_b", 404),
])
def test_the_assessment_page_is_scoped_like_its_household(world, client_for, persona, status):
    assessment = make_assessment(world.household, world.facilitator)
    client = client_for(world.personas()[persona])
    assert client.get(reverse("graduation_assessment_detail", args=[assessment.pk])).status_code == status
    assert client.get(reverse("graduation_household", args=[world.household.pk])).status_code == status


def test_an_auditor_reads_but_cannot_record(world, client_for):
    client = client_for(world.auditor)
    response = client.get(reverse("graduation_household", args=[world.household.pk]))
    assert response.status_code == 200
    assert reverse("graduation_assessment_create", args=[world.household.pk]) not in page(response)
    assert client.get(reverse("graduation_assessment_create", args=[world.household.pk])).status_code == 403
    assert client.post(reverse("graduation_assessment_create", args=[world.household.pk]),
                       form_data()).status_code == 403
    assert not Assessment.objects.exists()


def test_a_facilitator_cannot_record_for_another_facilitators_family(world, client_for):
    response = client_for(world.facilitator).post(
        reverse("graduation_assessment_create", args=[world.other_household.pk]), form_data())
    assert response.status_code == 404 and not Assessment.objects.exists()


def test_the_graduation_page_runs_a_fixed_number_of_queries_whatever_the_history(world, client_for):
    client = client_for(world.facilitator)
    url = reverse("graduation_household", args=[world.household.pk])
    make_assessment(world.household, world.facilitator, assessed_on=date(2024, 1, 1))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for month in range(2, 8):
        make_assessment(world.household, world.other_facilitator, assessed_on=date(2024, month, 1))
    assert count() == small


# --- on a phone ----------------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("phone", [{"viewport": {"width": 360, "height": 740}}], indirect=True)
def test_recording_an_assessment_on_a_phone_with_the_live_preview(phone, live_server, world):
    from tests.browser import screenshot, sign_in

    poverty_line(amount=850_000)
    sign_in(phone, live_server, world.facilitator.username)
    phone.goto(f"{live_server.url}{reverse('graduation_assessment_create', args=[world.household.pk])}")
    phone.wait_for_selector("form[data-assessment-form]")
    assert phone.input_value("input[name=household_size]") == "4"

    # Income per person and the comparison with 1.5 × the poverty line, while typing.
    phone.fill("input[name=income_work]", "3.000.000")
    phone.fill("input[name=income_business]", "1000000")
    assert phone.inner_text("[data-per-capita]") == "Rp1.000.000"
    assert phone.is_visible("[data-income-short]") and phone.inner_text("[data-shortfall]") == "Rp275.000"
    phone.fill("input[name=income_other]", "1.200.000")
    assert phone.inner_text("[data-per-capita]") == "Rp1.300.000" and phone.is_visible("[data-income-ok]")
    phone.fill("input[name=household_size]", "5")
    assert phone.inner_text("[data-per-capita]") == "Rp1.040.000" and phone.is_hidden("[data-income-ok]")

    # The housing score once every part is chosen.
    assert phone.inner_text("[data-housing-score]") == "—"
    for name, value in (("floor", "tile"), ("walls", "brick"), ("roof", "zinc"), ("toilet", "own"), ("water", "well")):
        phone.select_option(f"select[name={name}]", value)
    assert phone.inner_text("[data-housing-score]") == "8"
    phone.select_option("select[name=work_stability]", "daily")
    phone.select_option("select[name=jkn]", "some")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "graduation-assessment-phone")

    phone.click("form[data-assessment-form] button[type=submit]")
    phone.wait_for_selector(".alert-success")
    assessment = Assessment.objects.get()
    assert (assessment.household_size, assessment.total_income, assessment.income_per_capita) == (5, 5_200_000, 1_040_000)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "graduation-household-phone")
