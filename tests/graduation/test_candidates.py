"""The "Kandidat graduasi" list, the household-page panel and the day-page section: what each role sees,
the filters, and a query count that does not grow with the number of families."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format

from graduation.classifier import ALAMIAH, ALAMIAH_SEGERA, BELUM, KANDIDAT_MANDIRI, Check
from graduation.models import Proposal
from tests.conftest import make_family
from tests.graduation.c_factories import income_short, make_assessment, natural_due, screened


def page(response) -> str:
    return response.content.decode()


def english(client):
    client.post(reverse("set_language"), {"language": "en"})
    return client


def day(value) -> str:
    """A date as the English pages show it."""
    return date_format(value, "DATE_FORMAT")


def ids(response) -> set:
    return {row.household.pk for row in response.context["rows"]}


def propose(household, user, status=Proposal.Status.PENDING, kind=Proposal.Kind.ALAMIAH):
    return Proposal.objects.create(household=household, kind=kind, effective_date=date(2026, 12, 1), notes="Bukti",
                                   classification=ALAMIAH, rules_version=1, proposed_by=user, status=status)


SCORE_OK = [Check("score", True, "score", {"score": 80, "threshold": 60, "max": 100, "missing": []})]
HORIZON = [Check("no_components_at_horizon", True, "natural_soon", {
    "date": "2027-05-01", "months": 6, "components": [], "ending": [{"code": "SMA", "member": "Rina"}]})]


@pytest.fixture
def only_graduation_parts():
    """The household and day pages with only this part's panel and section (others are tested on their own)."""
    from core import extensions

    saved = list(extensions.HOUSEHOLD_PANELS), list(extensions.DAY_SECTIONS)
    extensions.HOUSEHOLD_PANELS[:] = [p for p in saved[0] if p.key == "graduation"]
    extensions.DAY_SECTIONS[:] = [p for p in saved[1] if p.key == "graduation_candidates"]
    yield
    extensions.HOUSEHOLD_PANELS[:], extensions.DAY_SECTIONS[:] = saved


@pytest.fixture
def results(world):
    """One stored result per world household: due, soon, candidate (city A), and a candidate in city B."""
    return {
        "household": screened(world.household, ALAMIAH, checks=natural_due()),
        "other_household": screened(world.other_household, ALAMIAH_SEGERA, checks=HORIZON),
        "unassigned": screened(world.unassigned, KANDIDAT_MANDIRI, score=80, checks=SCORE_OK),
        "household_b": screened(world.household_b, KANDIDAT_MANDIRI, score=100, checks=SCORE_OK),
    }


# --- scoping ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona, visible", [
    ("facilitator", {"household"}),
    ("other_facilitator", {"other_household"}),
    ("coordinator", {"household", "other_household", "unassigned"}),
    ("auditor", {"household", "other_household", "unassigned"}),
    ("facilitator_b", {"household_b"}),
    ("admin", {"household", "other_household", "unassigned", "household_b"}),
])
def test_each_role_sees_the_candidates_of_its_scope(world, client_for, results, persona, visible):
    response = client_for(world.personas()[persona]).get(reverse("graduation_candidates"))
    assert ids(response) == {getattr(world, name).pk for name in visible}


def test_coordinators_filter_by_facilitator_and_facilitators_have_no_such_filter(world, client_for, results):
    client = client_for(world.coordinator)
    url = reverse("graduation_candidates")
    assert ids(client.get(url, {"facilitator": world.other_facilitator.pk})) == {world.other_household.pk}
    assert ids(client.get(url, {"facilitator": "none"})) == {world.unassigned.pk}
    # a facilitator of another city is not a choice: the filter is ignored, the scope stays the city
    assert ids(client.get(url, {"facilitator": world.facilitator_b.pk})) == {
        world.household.pk, world.other_household.pk, world.unassigned.pk}
    facilitator_form = client_for(world.facilitator).get(url).context["form"]
    assert "facilitator" not in facilitator_form.fields


# --- filters and rows ---------------------------------------------------------------------------------

def test_the_default_shows_the_three_actionable_classifications(world, client_for, results):
    not_yet = make_family(facilitator=world.facilitator)
    screened(not_yet, BELUM, checks=income_short())
    client = client_for(world.facilitator)
    url = reverse("graduation_candidates")
    assert ids(client.get(url)) == {world.household.pk}
    assert ids(client.get(url, {"classification": BELUM})) == {not_yet.pk}
    assert ids(client.get(url, {"classification": "all"})) == {world.household.pk, not_yet.pk}
    assert client.get(url).context["counts"] == {ALAMIAH: 1, ALAMIAH_SEGERA: 0, KANDIDAT_MANDIRI: 0, BELUM: 1}


def test_filter_by_kelurahan_and_by_not_acted_on(world, client_for, results):
    client = client_for(world.coordinator)
    url = reverse("graduation_candidates")
    assert ids(client.get(url, {"kelurahan": "31.75.02.1001"})) == {world.other_household.pk, world.unassigned.pk}
    propose(world.other_household, world.other_facilitator)
    propose(world.unassigned, world.coordinator, status=Proposal.Status.REJECTED)
    assert ids(client.get(url, {"not_acted": "on"})) == {world.household.pk, world.unassigned.pk}


def test_due_now_comes_first_then_not_acted_on(world, client_for, results):
    soon = make_family(facilitator=world.other_facilitator, kelurahan="31.75.02.1001")
    screened(soon, ALAMIAH_SEGERA, checks=HORIZON)
    propose(world.other_household, world.other_facilitator)
    rows = client_for(world.coordinator).get(reverse("graduation_candidates")).context["rows"]
    assert [row.household.pk for row in rows] == [world.household.pk, soon.pk, world.other_household.pk,
                                                  world.unassigned.pk]


def test_each_row_says_why_when_assessed_whether_acted_on_and_when_screened(world, client_for, results):
    make_assessment(world.household, world.facilitator, assessed_on=date(2026, 9, 14))
    propose(world.household, world.facilitator)
    not_yet = make_family(facilitator=world.facilitator)
    screened(not_yet, BELUM, checks=income_short())
    client = english(client_for(world.facilitator))
    html = page(client.get(reverse("graduation_candidates")))
    assert "No component left on 1 November 2026: natural graduation is due." in html
    assert f"assessed {day(date(2026, 9, 14))}" in html and "proposal made" in html
    assert f"screened as of {day(date(2026, 11, 1))}" in html
    html = page(client.get(reverse("graduation_candidates"), {"classification": BELUM}))
    # the first thing missing: the income (the business check, its alternative, comes after)
    assert "needed Rp1.275.000 (1,5 × the poverty line Rp850.000): Rp275.000 short." in html
    assert "never assessed" in html and "no proposal yet" in html


def test_the_list_is_paginated(world, client_for):
    for _ in range(27):
        screened(make_family(facilitator=world.facilitator), ALAMIAH, checks=natural_due())
    client = client_for(world.facilitator)
    first = client.get(reverse("graduation_candidates"))
    second = client.get(reverse("graduation_candidates"), {"page": 2})
    assert len(first.context["rows"]) == 25 and len(second.context["rows"]) == 2
    assert not ids(first) & ids(second)


# --- query counts --------------------------------------------------------------------------------------

def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def _fill(world, count):
    """Families of both facilitators in each classification, some assessed and some acted on."""
    for index in range(count):
        for facilitator, village in ((world.facilitator, "31.75.01.1001"), (world.other_facilitator, "31.75.02.1001")):
            household = make_family(facilitator=facilitator, kelurahan=village)
            code = (ALAMIAH, ALAMIAH_SEGERA, KANDIDAT_MANDIRI, BELUM)[index % 4]
            checks = {ALAMIAH: natural_due(), ALAMIAH_SEGERA: HORIZON, KANDIDAT_MANDIRI: SCORE_OK,
                      BELUM: income_short()}[code]
            screened(household, code, score=80 if code == KANDIDAT_MANDIRI else None, checks=checks)
            make_assessment(household, facilitator, assessed_on=date(2026, 1, 1))
            make_assessment(household, facilitator, assessed_on=date(2026, 6, 1))
            if index % 3 == 0:
                propose(household, facilitator)


@pytest.mark.parametrize("persona, params", [
    ("facilitator", {}),
    ("coordinator", {}),
    ("coordinator", {"facilitator": "FACILITATOR", "classification": "all", "not_acted": "on"}),
    ("auditor", {"kelurahan": "31.75.01.1001"}),
])
def test_the_list_runs_a_fixed_number_of_queries(world, client_for, persona, params):
    if params.get("facilitator") == "FACILITATOR":
        params = {**params, "facilitator": world.facilitator.pk}
    client = client_for(getattr(world, persona))
    _fill(world, 4)
    small = _queries(client, reverse("graduation_candidates"), params)
    _fill(world, 12)
    assert _queries(client, reverse("graduation_candidates"), params) == small


def test_the_day_section_counts_and_lists_the_first_families_not_acted_on(world, client_for, only_graduation_parts):
    for _ in range(7):
        screened(make_family(facilitator=world.facilitator), ALAMIAH, checks=natural_due())
    acted = make_family(facilitator=world.facilitator)
    screened(acted, ALAMIAH, checks=natural_due())
    propose(acted, world.facilitator)
    screened(make_family(facilitator=world.facilitator), BELUM, checks=income_short())
    screened(world.other_household, KANDIDAT_MANDIRI, score=80, checks=SCORE_OK)  # not this facilitator's
    response = english(client_for(world.facilitator)).get(reverse("today"))
    [section] = [s for template, s in response.context["sections"] if template == "graduation/_day_candidates.html"]
    assert section["counts"][ALAMIAH] == 8 and section["counts"][KANDIDAT_MANDIRI] == 0
    assert section["actionable"] == 8
    assert len(section["waiting"]) == 5 and acted.pk not in {row.household.pk for row in section["waiting"]}
    html = page(response)
    assert "Graduation candidates" in html and "Natural graduation due: 8" in html


def test_the_day_section_is_hidden_when_nothing_is_actionable(world, client_for, only_graduation_parts):
    screened(world.household, BELUM, checks=income_short())
    response = english(client_for(world.facilitator)).get(reverse("today"))
    assert "Graduation candidates" not in page(response)


def test_the_day_section_runs_a_fixed_number_of_queries(world, client_for, only_graduation_parts):
    client = client_for(world.facilitator)
    _fill(world, 3)
    small = _queries(client, reverse("today"))
    _fill(world, 10)
    assert _queries(client, reverse("today")) == small


# --- the household-page panel ----------------------------------------------------------------------------

def test_the_panel_shows_the_stored_classification_the_reason_and_the_latest_assessment(
        world, client_for, only_graduation_parts):
    screened(world.household, BELUM, checks=income_short())
    assessment = make_assessment(world.household, world.facilitator, assessed_on=date(2026, 10, 2))
    html = page(english(client_for(world.facilitator)).get(reverse("household_detail", args=[world.household.pk])))
    assert "Not yet" in html and "Rp275.000 short" in html
    assert "Latest assessment:" in html and f"no. 1 of {day(date(2026, 10, 2))}</a>" in html
    assert reverse("graduation_assessment_detail", args=[assessment.pk]) in html
    assert reverse("graduation_household", args=[world.household.pk]) in html
    assert reverse("graduation_assessment_create", args=[world.household.pk]) in html


def test_the_panel_of_an_unscreened_family_and_for_an_auditor(world, client_for, only_graduation_parts):
    html = page(english(client_for(world.auditor)).get(reverse("household_detail", args=[world.household.pk])))
    assert "Not screened yet" in html and "No socio-economic assessment yet." in html
    assert reverse("graduation_assessment_create", args=[world.household.pk]) not in html


def test_the_panel_adds_two_queries_whatever_the_history(world, client_for, only_graduation_parts):
    from core import extensions
    from graduation import panels

    client = client_for(world.coordinator)
    url = reverse("household_detail", args=[world.household.pk])
    screened(world.household, KANDIDAT_MANDIRI, score=80, checks=SCORE_OK)
    make_assessment(world.household, world.facilitator, assessed_on=date(2026, 1, 1))
    with_panel = _queries(client, url)
    for month in range(2, 10):
        make_assessment(world.household, world.facilitator, assessed_on=date(2026, month, 1))
    propose(world.household, world.facilitator)
    assert _queries(client, url) == with_panel
    saved = list(extensions.HOUSEHOLD_PANELS)
    extensions.HOUSEHOLD_PANELS[:] = [p for p in saved if p.context is not panels.household_panel]
    try:
        without = _queries(client, url)
    finally:
        extensions.HOUSEHOLD_PANELS[:] = saved
    # the stored result with whether a proposal acts on it (one query); the latest assessment (one)
    assert with_panel - without == 2
