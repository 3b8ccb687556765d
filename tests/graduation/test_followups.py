"""Follow-up visits after graduation: due at 6 and 12 months after the graduation date, done by a visit with
the purpose "Follow-up after graduation" from 30 days before the due date on; the day-page section, the
list page, the household panel, and the visit form that accepts graduated families for that purpose only."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Household
from casework import services as casework
from casework.models import HomeVisit
from graduation import followups, proposals
from graduation.classifier import add_months
from graduation.followups import DONE, DUE, MISSED, OVERDUE, UPCOMING
from graduation.models import Proposal
from tests.conftest import make_family
from tests.graduation.test_proposals import no_components_family

GRADUATED_ON = date(2026, 1, 15)  # 6 months: 15 July 2026; 12 months: 15 January 2027


def today() -> date:
    return timezone.localdate()


def page(response) -> str:
    return response.content.decode()


def states(last_visit_on, on):
    return [f.state for f in followups.follow_ups_of(GRADUATED_ON, last_visit_on, today=on)]


def graduated(facilitator, since: date, **fields):
    return make_family(facilitator=facilitator, status=Household.Status.GRADUATED, status_since=since, **fields)


def follow_up_visit(household, facilitator, day: date, purpose=HomeVisit.Purpose.POST_GRADUATION):
    return HomeVisit.objects.create(household=household, facilitator=facilitator, purpose=purpose,
                                    met=HomeVisit.Met.PENGURUS,
                                    visited_at=timezone.make_aware(datetime.combine(day, time(10))))


def visit_data(purpose, **changes):
    return {"visited_at": timezone.now() - timedelta(hours=1), "purpose": purpose, "met": HomeVisit.Met.PENGURUS,
            "notes": "Usaha keluarga masih berjalan.", **changes}


# --- the rule -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("last_visit", "on", "expected"), [
    (None, date(2026, 6, 14), [UPCOMING, UPCOMING]),      # the 6-month window opens 30 days before 15 July
    (None, date(2026, 6, 15), [DUE, UPCOMING]),
    (None, date(2026, 7, 15), [DUE, UPCOMING]),           # due on the day itself
    (None, date(2026, 7, 16), [OVERDUE, UPCOMING]),
    (None, date(2026, 12, 16), [OVERDUE, DUE]),
    (None, date(2027, 1, 16), [MISSED, OVERDUE]),         # 6 months after its due date the first is missed
    (None, date(2027, 7, 16), [MISSED, MISSED]),
    (date(2026, 6, 15), date(2026, 6, 20), [DONE, UPCOMING]),   # exactly 30 days before counts
    (date(2026, 6, 14), date(2026, 6, 20), [DUE, UPCOMING]),    # 31 days before does not
    (date(2026, 6, 14), date(2026, 7, 20), [OVERDUE, UPCOMING]),
    (date(2026, 9, 1), date(2026, 12, 20), [DONE, DUE]),
    (date(2026, 12, 20), date(2027, 3, 1), [DONE, DONE]),       # one late visit settles both
])
def test_follow_up_states(last_visit, on, expected):
    assert states(last_visit, on) == expected


def test_due_dates_are_6_and_12_months_after_graduation():
    first, second = followups.follow_ups_of(date(2026, 8, 31), None, today=date(2026, 9, 1))
    assert (first.months, first.due, second.months, second.due) == (6, date(2027, 2, 28), 12, date(2027, 8, 31))
    assert first.opens == date(2027, 1, 29)


def test_only_visits_since_the_graduation_count(world):
    """A family graduated, reactivated and graduated again starts its follow-ups again."""
    household = graduated(world.facilitator, add_months(today(), -6))
    follow_up_visit(household, world.facilitator, add_months(today(), -7))
    row = followups.household_follow_ups(world.facilitator, household, today=today())
    assert row.last_visit_on is None and row.follow_ups[0].state == DUE
    assert followups.day_follow_ups(world.facilitator, today())["count"] == 1


# --- the visit form and service ------------------------------------------------------------------

def test_a_graduated_family_accepts_only_a_follow_up_visit(world):
    household = graduated(world.facilitator, add_months(today(), -6))
    with pytest.raises(ValidationError) as excinfo:
        casework.visit_log(actor=world.facilitator, household=household, data=visit_data(HomeVisit.Purpose.COMMITMENT))
    assert "only a follow-up after graduation" in excinfo.value.message_dict["purpose"][0]
    visit = casework.visit_log(actor=world.facilitator, household=household,
                               data=visit_data(HomeVisit.Purpose.POST_GRADUATION))
    assert visit.purpose == HomeVisit.Purpose.POST_GRADUATION and visit.household == household


def test_an_active_family_gets_no_follow_up_after_graduation_and_an_exited_one_no_visit(world):
    with pytest.raises(ValidationError) as excinfo:
        casework.visit_log(actor=world.facilitator, household=world.household,
                           data=visit_data(HomeVisit.Purpose.POST_GRADUATION))
    assert "only for a family that has graduated" in excinfo.value.message_dict["purpose"][0]
    exited = make_family(facilitator=world.facilitator, status=Household.Status.EXITED)
    with pytest.raises(ValidationError) as excinfo:
        casework.visit_log(actor=world.facilitator, household=exited, data=visit_data(HomeVisit.Purpose.OTHER))
    assert "visits can no longer be recorded" in excinfo.value.message_dict["household"][0]
    assert not HomeVisit.objects.exists()


def test_a_follow_up_visit_cannot_set_the_home_position(world):
    household = graduated(world.facilitator, add_months(today(), -6))
    with pytest.raises(ValidationError) as excinfo:
        casework.visit_log(actor=world.facilitator, household=household, data=visit_data(
            HomeVisit.Purpose.POST_GRADUATION, latitude=-6.2, longitude=106.9, accuracy_m=5, geo_status="ok",
            set_home_position=True))
    assert "set_home_position" in excinfo.value.message_dict


def test_the_visit_form_of_a_graduated_family_offers_the_follow_up_only(world, client_for):
    household = graduated(world.facilitator, add_months(today(), -6))
    client = client_for(world.facilitator)
    response = client.get(reverse("visit_create") + f"?household={household.pk}&purpose=post_graduation")
    form = response.context["form"]
    assert [value for value, _label in form.fields["purpose"].choices] == ["post_graduation"]
    assert form["purpose"].value() == "post_graduation" and not response.context["can_set_home"]
    response = client.post(reverse("visit_create") + f"?household={household.pk}", {
        "household": household.pk, "fixed_household": household.pk, "purpose": "post_graduation", "met": "pengurus",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "notes": "Keluarga baik-baik saja.",
        "geo_status": "denied", "submission_key": "a" * 32})
    assert response.status_code == 302
    assert HomeVisit.objects.get(household=household).purpose == HomeVisit.Purpose.POST_GRADUATION
    # An active family's form keeps every purpose, and the link's purpose is preselected.
    response = client.get(reverse("visit_create") + f"?household={world.household.pk}&purpose=business")
    assert len(response.context["form"].fields["purpose"].choices) == len(HomeVisit.Purpose.choices)
    assert response.context["form"]["purpose"].value() == "business"


def test_approving_a_graduation_starts_the_follow_ups(world, client_for):
    household = no_components_family(world.facilitator)
    effective = add_months(today(), -6) + timedelta(days=10)  # the 6-month follow-up is due in 10 days
    proposal = proposals.proposal_create(actor=world.facilitator, household=household, kind=Proposal.Kind.ALAMIAH,
                                         effective_date=effective, notes="Tidak ada komponen lagi.")
    proposals.proposal_decide(actor=world.coordinator, proposal=proposal, approve=True)
    household.refresh_from_db()
    assert household.status_since == effective
    section = followups.day_follow_ups(world.facilitator, today())
    assert [row.household.pk for row in section["items"]] == [household.pk]
    assert section["items"][0].current.months == 6 and section["items"][0].current.state == DUE

    # The household page tells what to do, and the visit recorded from there settles it.
    html = page(client_for(world.facilitator).get(reverse("household_detail", args=[household.pk])))
    link = reverse("visit_create") + f"?household={household.pk}&amp;purpose=post_graduation"
    assert link in html
    data = visit_data(HomeVisit.Purpose.POST_GRADUATION)
    casework.visit_log(actor=world.facilitator, household=household, data=data)
    assert followups.day_follow_ups(world.facilitator, today())["count"] == 0
    row = followups.household_follow_ups(world.facilitator, household, today=today())
    # the visit an hour ago: its Jakarta date (yesterday just after midnight)
    assert [f.state for f in row.follow_ups] == [DONE, UPCOMING]
    assert row.last_visit_on == timezone.localtime(data["visited_at"]).date()


# --- the day section and the list ----------------------------------------------------------------

def test_the_day_section_lists_due_and_overdue_follow_ups_of_the_users_families(world):
    due = graduated(world.facilitator, add_months(today(), -6) + timedelta(days=5))
    overdue = graduated(world.facilitator, add_months(today(), -12) - timedelta(days=20))
    done = graduated(world.facilitator, add_months(today(), -6) - timedelta(days=3))
    follow_up_visit(done, world.facilitator, today() - timedelta(days=10))
    graduated(world.facilitator, add_months(today(), -3))  # upcoming
    graduated(world.facilitator, add_months(today(), -30))  # long past: missed, no more reminders
    other_visit_only = graduated(world.facilitator, add_months(today(), -6) - timedelta(days=3))
    follow_up_visit(other_visit_only, world.facilitator, today() - timedelta(days=2), purpose=HomeVisit.Purpose.OTHER)
    graduated(world.other_facilitator, add_months(today(), -6))  # someone else's

    section = followups.day_follow_ups(world.facilitator, today())
    assert [row.household.pk for row in section["items"]] == [overdue.pk, other_visit_only.pk, due.pk]
    assert [row.current.state for row in section["items"]] == [OVERDUE, OVERDUE, DUE]
    assert section["count"] == 3
    coordinator = followups.day_follow_ups(world.coordinator, today())
    assert coordinator["count"] == 4
    assert followups.day_follow_ups(world.coordinator_b, today())["count"] == 0


def test_the_day_page_shows_the_section(world, client_for):
    household = graduated(world.facilitator, add_months(today(), -6))
    html = page(client_for(world.facilitator).get(reverse("today")))
    assert 'id="graduation-followups-title"' in html
    assert reverse("visit_create") + f"?household={household.pk}&amp;purpose=post_graduation" in html
    assert reverse("graduation_followups") in html


def test_the_day_section_runs_one_query_whatever_the_number_of_families(world):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            followups.day_follow_ups(world.facilitator, today())
        return len(captured)

    graduated(world.facilitator, add_months(today(), -6))
    assert queries() == 1
    for months in (6, 7, 8, 11, 12, 13):
        household = graduated(world.facilitator, add_months(today(), -months))
        follow_up_visit(household, world.facilitator, today() - timedelta(days=months))
    assert queries() == 1


def test_the_list_page_filters_by_state(world, client_for):
    due = graduated(world.facilitator, add_months(today(), -6))
    upcoming = graduated(world.facilitator, add_months(today(), -2))
    both_done = graduated(world.facilitator, add_months(today(), -14))
    follow_up_visit(both_done, world.facilitator, today() - timedelta(days=40))
    missed = graduated(world.other_facilitator, add_months(today(), -36), kelurahan="31.75.02.1001")
    client = client_for(world.coordinator)
    url = reverse("graduation_followups")

    def shown(query=""):
        response = client.get(url + query)
        assert response.status_code == 200
        return [row.household.pk for row in response.context["page_obj"].object_list]

    assert shown() == [due.pk]
    assert shown("?state=upcoming") == [upcoming.pk]
    assert shown("?state=done") == [both_done.pk]
    assert shown("?state=missed") == [missed.pk]
    assert sorted(shown("?state=all")) == sorted([due.pk, upcoming.pk, both_done.pk, missed.pk])
    assert shown("?state=all&kelurahan=31.75.02.1001") == [missed.pk]
    assert shown(f"?state=all&facilitator={world.other_facilitator.pk}") == [missed.pk]
    # A facilitator sees their own families; auditors read, without the visit button.
    assert len(client_for(world.other_facilitator).get(url + "?state=all").context["page_obj"].object_list) == 1
    html = page(client_for(world.auditor).get(url))
    assert reverse("household_detail", args=[due.pk]) in html and "purpose=post_graduation" not in html


def test_the_list_query_count_does_not_grow_with_families(world, client_for):
    client = client_for(world.coordinator)
    url = reverse("graduation_followups") + "?state=all"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    graduated(world.facilitator, add_months(today(), -6))
    small = queries()
    for months in range(2, 14, 2):
        household = graduated(world.other_facilitator, add_months(today(), -months), kelurahan="31.75.02.1001")
        follow_up_visit(household, world.other_facilitator, today() - timedelta(days=3))
    assert queries() == small


def test_the_panel_shows_the_follow_ups_of_a_graduated_family(world, client_for):
    household = graduated(world.facilitator, add_months(today(), -12) + timedelta(days=5))
    follow_up_visit(household, world.facilitator, add_months(today(), -6))
    html = page(client_for(world.facilitator).get(reverse("household_detail", args=[household.pk])))
    assert 'id="graduation-workflow-title"' in html
    assert reverse("visit_create") + f"?household={household.pk}&amp;purpose=post_graduation" in html
    context = proposals.workflow_panel(world.facilitator, household, today())
    assert [f.state for f in context["follow_ups"].follow_ups] == [DONE, DUE]
    assert not context["can_propose"] and not context["in_program"]
    auditor = page(client_for(world.auditor).get(reverse("household_detail", args=[household.pk])))
    assert 'id="graduation-workflow-title"' in auditor and "purpose=post_graduation" not in auditor
