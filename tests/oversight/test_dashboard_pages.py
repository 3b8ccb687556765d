"""The coordinator dashboard: caseloads against the norm, the backlog per facilitator and for the city, the
links to the records behind each figure, the chart, who sees what, and its query count."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from casework.models import HomeVisit
from graduation import classifier
from graduation.models import Proposal
from mediation import services as mediation
from mediation.models import Case
from org.models import CaseloadNorm
from oversight.models import ActivityClass, FacilitatorMonth
from tests.conftest import make_family
from tests.factories import FacilitatorFactory, region

URL = reverse("oversight_dashboard")


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def small_norm(db):
    """A norm of 2–3 active families per facilitator, so a handful of families shows every case."""
    CaseloadNorm.objects.update_or_create(valid_from=date(2018, 1, 1), defaults={"minimum": 2, "maximum": 3})


def today() -> date:
    return timezone.localdate()


def visit(household, *, days_ago: int, follow_up_days_ago: int | None = None, by=None) -> HomeVisit:
    return HomeVisit.objects.create(
        household=household, facilitator=by or household.facilitator, visited_at=timezone.now() - timedelta(days=days_ago),
        purpose=HomeVisit.Purpose.COMMITMENT, met=HomeVisit.Met.PENGURUS,
        next_follow_up=today() - timedelta(days=follow_up_days_ago) if follow_up_days_ago is not None else None,
    )


def overdue_case(actor, household) -> Case:
    case = mediation.case_open(actor=actor, household=household, category="SALDO_NOL", title="Saldo nol tahap 2")
    Case.objects.filter(pk=case.pk).update(due_date=today() - timedelta(days=3))
    return case


def pending_proposal(household) -> Proposal:
    return Proposal.objects.create(
        household=household, kind=Proposal.Kind.ALAMIAH, effective_date=today(), notes="Tidak ada komponen lagi.",
        classification=classifier.ALAMIAH, rules_version=1, proposed_by=household.facilitator,
    )


def with_backlog(world, facilitator, *, families: int = 4, kelurahan: str = "31.75.01.1001") -> list:
    """`families` active families of a facilitator: one with an overdue follow-up, one with an overdue case,
    one with a proposal waiting, one visited last week (the others were never visited)."""
    made = [make_family(facilitator=facilitator, kelurahan=kelurahan) for _ in range(families)]
    visit(made[0], days_ago=20, follow_up_days_ago=5)
    overdue_case(world.coordinator, made[1])
    pending_proposal(made[2])
    visit(made[3], days_ago=7)
    return made


@pytest.fixture
def busy(world, small_norm):
    """City A: pendamping_a1 above the norm (5 active families, 4 with backlog), pendamping_a2 below it (1)."""
    families = [world.household] + with_backlog(world, world.facilitator)
    return families


def page(response) -> str:
    return response.content.decode()


def row_of(response, facilitator):
    return next(r for r in response.context["dashboard"].rows if r.facilitator.pk == facilitator.pk)


# --- what the coordinator sees ---------------------------------------------------------------------------

def test_each_facilitator_has_the_caseload_against_the_norm_and_the_backlog(world, busy, client_for):
    response = client_for(world.coordinator).get(URL)
    assert response.status_code == 200
    row = row_of(response, world.facilitator)
    assert (row.load.active, row.load.over_norm) == (5, True)
    assert (row.backlog.follow_ups_overdue, row.backlog.cases_overdue, row.backlog.pending_approvals) == (1, 1, 1)
    assert row.backlog.not_visited == 3  # world.household and two families never visited (two visited lately)
    other = row_of(response, world.other_facilitator)
    assert (other.load.active, other.load.over_norm, other.load.under_norm) == (1, False, True)
    html = page(response)
    assert re.search(r'data-facilitator="%d"[^>]*>|class="table-danger" data-facilitator="%d"'
                     % (world.facilitator.pk, world.facilitator.pk), html)
    assert "above the norm" in html and "1 facilitator is above the norm." in html


def test_the_city_totals_count_every_family_of_the_city_with_or_without_a_facilitator(world, busy, client_for):
    visit(world.unassigned, days_ago=30, follow_up_days_ago=2, by=world.other_facilitator)  # no facilitator, a follow-up overdue
    totals = client_for(world.coordinator).get(URL).context["dashboard"].totals
    assert (totals.follow_ups_overdue, totals.cases_overdue, totals.pending_approvals) == (2, 1, 1)
    # a1: three not visited; a2: its one family; the unassigned family was visited 30 days ago
    assert totals.not_visited == 4


def test_a_later_visit_settles_the_follow_up_and_a_resolved_case_is_not_overdue(world, busy, client_for):
    visit(busy[1], days_ago=1)
    Case.objects.filter(household=busy[2]).update(status=Case.Status.RESOLVED)
    row = row_of(client_for(world.coordinator).get(URL), world.facilitator)
    assert (row.backlog.follow_ups_overdue, row.backlog.cases_overdue) == (0, 0)


def test_every_figure_links_to_the_list_of_its_records(world, busy, client_for):
    client = client_for(world.coordinator)
    html = page(client.get(URL))
    pk, kota = world.facilitator.pk, "31.75"
    links = {
        "caseload": f"{reverse('household_list')}?kota={kota}&amp;facilitator={pk}&amp;status=active",
        "follow_ups": f"{reverse('oversight_dashboard_follow_ups')}?kota={kota}&amp;facilitator={pk}",
        "cases": f"{reverse('case_list')}?overdue=on&amp;facilitator={pk}",
        "not_visited": f"{reverse('oversight_dashboard_not_visited')}?kota={kota}&amp;facilitator={pk}",
        "proposals": f"{reverse('graduation_proposal_list')}?status=pending&amp;kota={kota}&amp;facilitator={pk}",
        "unassigned": f"{reverse('caseload_assign')}?kota={kota}&amp;facilitator=none",
        "all_follow_ups": f"{reverse('oversight_dashboard_follow_ups')}?kota={kota}",
        "all_not_visited": f"{reverse('oversight_dashboard_not_visited')}?kota={kota}",
        "all_proposals": f"{reverse('graduation_proposal_list')}?status=pending&amp;kota={kota}",
    }
    for name, link in links.items():
        assert f'href="{link}"' in html, name

    def listed(link):
        return page(client.get(link.replace("&amp;", "&")))

    assert f"{reverse('household_detail', args=[busy[1].pk])}" in listed(links["follow_ups"])
    assert busy[2].id_kpm in listed(links["cases"])
    assert busy[3].id_kpm in listed(links["proposals"])
    not_visited = listed(links["not_visited"])
    assert all(h.id_kpm in not_visited for h in (world.household, busy[2], busy[3]))
    assert busy[1].id_kpm not in not_visited and busy[4].id_kpm not in not_visited  # visited 20 and 7 days ago
    caseload = listed(links["caseload"])
    assert world.other_household.id_kpm not in caseload and world.household.id_kpm in caseload


def test_the_backlog_lists_show_one_facilitator_the_families_without_one_or_the_city(world, busy, client_for):
    visit(world.unassigned, days_ago=30, follow_up_days_ago=2, by=world.other_facilitator)
    client = client_for(world.coordinator)
    url = reverse("oversight_dashboard_follow_ups")
    assert world.unassigned.id_kpm in page(client.get(url, {"kota": "31.75", "facilitator": "none"}))
    assert world.unassigned.id_kpm not in page(client.get(url, {"kota": "31.75", "facilitator": world.facilitator.pk}))
    city = page(client.get(url, {"kota": "31.75"}))
    assert world.unassigned.id_kpm in city and busy[1].id_kpm in city
    assert "2 families have a follow-up visit whose date has passed" in city


def test_this_months_activity_class_shows_when_it_was_computed(world, busy, client_for):
    FacilitatorMonth.objects.create(facilitator=world.facilitator, city=region("31.75"), month=today().replace(day=1),
                                    as_of=today(), caseload=5, activity_class=ActivityClass.LOW)
    response = client_for(world.coordinator).get(URL)
    assert row_of(response, world.facilitator).month.activity_class == ActivityClass.LOW
    assert row_of(response, world.other_facilitator).month is None
    html = page(response)
    assert "Low activity" in html and "not computed yet" in html
    try:
        audit = reverse("oversight_facilitator", args=[world.facilitator.pk])
    except NoReverseMatch:  # the facilitator's audit page comes with another part of the oversight app
        return
    assert f'href="{audit}?kota=31.75&amp;bulan={today():%Y-%m}"' in html


def test_the_chart_has_its_data_and_no_inline_script(world, busy, client_for):
    response = client_for(world.coordinator).get(URL)
    data = response.context["chart_data"]
    assert data["active"] == [5, 1] and data["over"] == [True, False]
    assert (data["minimum"], data["maximum"]) == (2, 3)
    assert data["urls"][0] == f"{reverse('household_list')}?kota=31.75&facilitator={world.facilitator.pk}&status=active"
    html = page(response)
    assert 'data-chart="caseload"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/oversight-dashboard.js" in html
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert scripts == [' id="oversight-dashboard-data" type="application/json"']


# --- who sees what ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona, status", [
    ("facilitator", 403), ("coordinator", 200), ("auditor", 200), ("admin", 200),
    ("coordinator_b", 404), ("auditor_b", 404),
])
def test_city_a_by_role(world, busy, client_for, persona, status):
    assert client_for(world.personas()[persona]).get(URL, {"kota": "31.75"}).status_code == status


def test_a_coordinator_of_another_city_sees_only_their_own(world, busy, client_for):
    response = client_for(world.coordinator_b).get(URL)
    assert response.context["city"].code == "31.74"
    html = page(response)
    assert f'data-facilitator="{world.facilitator_b.pk}"' in html
    assert f'data-facilitator="{world.facilitator.pk}"' not in html
    assert f'data-facilitator="{world.other_facilitator.pk}"' not in html
    assert response.context["dashboard"].totals.cases_overdue == 0
    assert not response.context["dashboard"].suggestions
    url = reverse("oversight_dashboard_follow_ups")
    assert client_for(world.coordinator_b).get(url, {"kota": "31.75"}).status_code == 404
    assert client_for(world.coordinator_b).get(url, {"kota": "31.74", "facilitator": world.facilitator.pk}).status_code == 404


def test_the_auditor_sees_the_suggestions_but_no_button(world, busy, client_for):
    html = page(client_for(world.auditor).get(URL))
    assert "Move 2 families from" in html
    assert reverse("oversight_rebalance") not in html
    assert "Assign them" not in html


def test_the_coordinator_gets_a_button_per_suggestion(world, busy, client_for):
    html = page(client_for(world.coordinator).get(URL))
    button = (f'{reverse("oversight_rebalance")}?kota=31.75&amp;from={world.facilitator.pk}'
              f'&amp;to={world.other_facilitator.pk}')
    assert f'href="{button}"' in html


# --- query count -----------------------------------------------------------------------------------------

def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["coordinator", "auditor", "admin"])
def test_the_dashboard_costs_the_same_queries_for_2_and_8_facilitators(world, small_norm, client_for, persona):
    client = client_for(world.personas()[persona])
    city, month = region("31.75"), today().replace(day=1)

    def facilitator_with_data(user, kelurahan):
        with_backlog(world, user, families=4, kelurahan=kelurahan)  # above the norm: a rebalancing suggestion
        FacilitatorMonth.objects.create(facilitator=user, city=city, month=month, as_of=today(), caseload=4,
                                        activity_class=ActivityClass.ACTIVE)

    facilitator_with_data(world.facilitator, "31.75.01.1001")
    make_family(facilitator=world.other_facilitator, kelurahan="31.75.02.1001")  # room: the plan reads families
    lists = [reverse("oversight_dashboard_not_visited"), reverse("oversight_dashboard_follow_ups")]
    expected = [_queries(client, url, {"kota": "31.75"}) for url in [URL, *lists]]
    assert len(client.get(URL, {"kota": "31.75"}).context["dashboard"].rows) == 2
    for index in range(6):  # two more above the norm, four with room
        user = FacilitatorFactory(cities=[city], profile=[region("31.75.02.1001")])
        if index % 3 == 0:
            facilitator_with_data(user, "31.75.02.1001")
        else:
            make_family(facilitator=user, kelurahan="31.75.02.1001")
    dashboard = client.get(URL, {"kota": "31.75"}).context["dashboard"]
    assert len(dashboard.rows) == 8 and len(dashboard.suggestions) > 2
    assert [_queries(client, url, {"kota": "31.75"}) for url in [URL, *lists]] == expected
