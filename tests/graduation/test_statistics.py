"""Graduation statistics: what each role sees, the figures on a small hand-made world, the XLSX export
(same tables as the page, audited) and a query count that does not grow with the data."""

import io
import re
from datetime import date, datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from beneficiaries.models import Household
from core.models import AuditEvent
from graduation import statistics
from graduation.models import Proposal, ScreeningResult
from graduation.statistics_tables import SECTION_ORDER
from org.models import FacilitatorProfile, User
from tests.conftest import make_family
from tests.factories import FacilitatorFactory, HouseholdFactory, UserFactory, region

THIS_YEAR = timezone.localdate().year
URL = reverse("graduation_statistics")
EXPORT_URL = reverse("graduation_statistics_export")


def decide(household, kind, effective, *, status=Proposal.Status.APPROVED, by=None):
    """A proposal as the workflow leaves it; an approved one also moves the household out of the program."""
    proposal = Proposal.objects.create(
        household=household, kind=kind, effective_date=effective, notes="Bukti terlampir", classification="BELUM",
        rules_version=1, proposed_by=household.facilitator or by, status=status,
        decided_by=by if status != Proposal.Status.PENDING else None)
    if status == Proposal.Status.APPROVED:
        household.status = Household.Status.GRADUATED if kind in Proposal.GRADUATIONS else Household.Status.EXITED
        household.status_since = effective
        household.save(update_fields=["status", "status_since"])
    return proposal


def screened(household, classification):
    return ScreeningResult.objects.create(household=household, as_of=date(THIS_YEAR, 1, 1),
                                          classification=classification, rules_version=1)


def stats_for(user, **filters):
    filters.setdefault("year", THIS_YEAR)
    return statistics.graduation_statistics(user, statistics.StatisticsFilters(**filters), today=timezone.localdate())


class Tables(HTMLParser):
    """The page's tables as lists of rows of cell texts, by the table's id (`table-<key>`)."""

    def __init__(self, html):
        super().__init__()
        self.tables, self.links, self._table, self._row, self._cell = {}, {}, None, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (attrs.get("id") or "").startswith("table-"):
            self._table = attrs["id"][6:]
            self.tables[self._table] = []
        elif self._table and tag == "tr":
            self._row = []
        elif self._table and tag in ("td", "th") and self._row is not None:
            self._cell = ""
        elif self._table and tag == "a" and self._cell is not None:
            self.links.setdefault(self._table, []).append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def page_tables(client, url=URL, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return Tables(response.content.decode()), response.content.decode()


# --- a world with graduations in two cities ---------------------------------------------------------

@pytest.fixture
def graduated(world):
    """City A: the facilitator's family graduates naturally, the other facilitator's independently, an
    unassigned family moves away (an exit, not a graduation); a pending and a rejected proposal do not count.
    City B: one natural graduation, and one of last year."""
    coordinator = world.coordinator
    extra_a = make_family(facilitator=world.other_facilitator, kelurahan="31.75.02.1001")
    pending = make_family(facilitator=world.facilitator)
    rejected = make_family(facilitator=world.facilitator)
    last_year_b = make_family(facilitator=world.facilitator_b, kelurahan="31.74.01.1001")
    decide(world.household, Proposal.Kind.ALAMIAH, date(THIS_YEAR, 3, 10), by=coordinator)
    decide(world.other_household, Proposal.Kind.MANDIRI, date(THIS_YEAR, 5, 1), by=coordinator)
    decide(extra_a, Proposal.Kind.MANDIRI, date(THIS_YEAR, 5, 20), by=coordinator)
    decide(world.unassigned, Proposal.Kind.MOVED, date(THIS_YEAR, 4, 2), by=coordinator)
    decide(pending, Proposal.Kind.MANDIRI, date(THIS_YEAR, 6, 1), status=Proposal.Status.PENDING)
    decide(rejected, Proposal.Kind.ALAMIAH, date(THIS_YEAR, 6, 1), status=Proposal.Status.REJECTED, by=coordinator)
    decide(world.household_b, Proposal.Kind.ALAMIAH, date(THIS_YEAR, 2, 14), by=world.coordinator_b)
    decide(last_year_b, Proposal.Kind.MANDIRI, date(THIS_YEAR - 1, 11, 3), by=world.coordinator_b)
    return world


@pytest.mark.parametrize("persona, graduations, alamiah, mandiri, other", [
    ("facilitator", 1, 1, 0, 0),
    ("other_facilitator", 2, 0, 2, 0),
    ("coordinator", 3, 1, 2, 1),
    ("auditor", 3, 1, 2, 1),
    ("facilitator_b", 1, 1, 0, 0),
    ("coordinator_b", 1, 1, 0, 0),
    ("auditor_b", 1, 1, 0, 0),
    ("admin", 4, 2, 2, 1),
])
def test_each_role_counts_the_graduations_of_its_own_scope(graduated, persona, graduations, alamiah, mandiri, other):
    stats = stats_for(graduated.personas()[persona])
    assert (stats.total.graduations, stats.total.alamiah, stats.total.mandiri, stats.total.other) == (
        graduations, alamiah, mandiri, other)


def test_only_approved_graduations_count_and_other_exits_are_shown_apart(graduated, client_for):
    tables, html = page_tables(client_for(graduated.coordinator))
    months = tables.tables["per_month"]
    # header, 12 months, total: March natural, May two mandiri, April one exit (not a graduation)
    assert len(months) == 14
    assert months[-1][1:] == ["1", "2", "3", "1"]
    assert [row[1:] for row in months[1:13] if row[1:] != ["0", "0", "0", "0"]] == [
        ["1", "0", "1", "0"], ["0", "0", "0", "1"], ["0", "2", "2", "0"]]
    assert 'id="total-graduations">3<' in html


def test_a_facilitator_sees_only_their_own_caseload(graduated, client_for):
    tables, html = page_tables(client_for(graduated.facilitator))
    facilitators = tables.tables["facilitator"]
    assert [row[0] for row in facilitators[1:-1]] == [f"{graduated.facilitator.get_full_name()} (pendamping_a1)"]
    assert "background" not in tables.tables  # a comparison of groups needs more than one facilitator
    assert graduated.other_facilitator.first_name not in html
    assert [row[0] for row in tables.tables["kelurahan"][1:-1]] == ["Pisangan Baru"]


def test_the_year_filter_and_the_yearly_table(graduated, client_for):
    client = client_for(graduated.coordinator_b)
    tables, _ = page_tables(client, year=THIS_YEAR - 1)
    assert tables.tables["per_month"][-1][1:] == ["0", "1", "1", "0"]
    years = tables.tables["per_year"]
    assert [row[0] for row in years[1:-1]] == [str(THIS_YEAR - 1), str(THIS_YEAR)]
    assert years[-1][1:4] == ["1", "1", "2"]
    every_year, _ = page_tables(client, year="all")
    assert every_year.tables["share"][-1][1] == "2"


def test_the_national_reference_of_71_and_29_percent_stands_beside_the_share(graduated, client_for):
    tables, html = page_tables(client_for(graduated.coordinator))
    share = tables.tables["share"]
    # natural 1 of 3, independent-prosperous 2 of 3; national 2020: 71% and 29%
    assert share[1][1:] == ["1", "33,3%", "71,0%"]
    assert share[2][1:] == ["2", "66,7%", "29,0%"]
    assert "2020" in share[0][3]
    assert "1.179.304" in html


def test_city_roles_filter_by_city_and_kelurahan_within_their_scope(graduated, client_for):
    admin = client_for(graduated.admin)
    tables, _ = page_tables(admin, kota="31.74")
    assert tables.tables["share"][-1][1] == "1"
    tables, _ = page_tables(admin, kelurahan="31.75.02.1001")
    assert tables.tables["share"][-1][1] == "2"
    # a city outside the coordinator's scope is refused by the form, never counted
    tables, html = page_tables(client_for(graduated.coordinator), kelurahan="31.74.01.1001")
    assert tables.tables["share"][-1][1] == "3"
    assert "Tebet Barat" not in html


def test_figures_link_to_the_household_lists_behind_them(graduated, client_for):
    tables, _ = page_tables(client_for(graduated.coordinator))
    facilitator_links = tables.links["facilitator"]
    base = reverse("household_list")
    assert f"{base}?facilitator={graduated.facilitator.pk}" in facilitator_links
    assert f"{base}?facilitator={graduated.facilitator.pk}&status=active" in facilitator_links
    assert f"{base}?facilitator=none" in facilitator_links
    assert f"{base}?kelurahan=31.75.01.1001" in tables.links["kelurahan"]
    filtered, _ = page_tables(client_for(graduated.coordinator), kelurahan="31.75.02.1001")
    assert f"{base}?kelurahan=31.75.02.1001&facilitator={graduated.other_facilitator.pk}" in filtered.links["facilitator"]


# --- by facilitator background, on a hand-made world --------------------------------------------------

@pytest.fixture
def backgrounds(db):
    """Three facilitators of city A, one per background group, with caseloads of 4, 5 and 10 families
    served this year. A family that left last year, and another city, are not served this year."""
    city = region("31.75", "Kota Administrasi Jakarta Timur")
    village = region("31.75.03.1001", "Kayu Manis")
    coordinator = UserFactory(username="korkot", role=User.Role.COORDINATOR, cities=[city])
    welfare = FacilitatorFactory(username="kesos", first_name="Kesos", cities=[city], profile=[village],
                                 profile__background=FacilitatorProfile.Background.SOCIAL_WELFARE)
    volunteer = FacilitatorFactory(username="tksk", first_name="Tksk", cities=[city], profile=[village],
                                   profile__volunteer_experience=FacilitatorProfile.Volunteer.TKSK)
    other = FacilitatorFactory(username="lain", first_name="Lain", cities=[city], profile=[village])

    def caseload(facilitator, count, joined_year=THIS_YEAR - 2):
        return [HouseholdFactory(facilitator=facilitator, kelurahan=village, joined_year=joined_year)
                for _ in range(count)]

    welfare_families = caseload(welfare, 4)
    volunteer_families = caseload(volunteer, 5)
    other_families = caseload(other, 8) + caseload(other, 2, joined_year=THIS_YEAR - 8)
    left_last_year = caseload(other, 1)[0]
    decide(welfare_families[0], Proposal.Kind.MANDIRI, date(THIS_YEAR, 2, 1), by=coordinator)
    decide(welfare_families[1], Proposal.Kind.ALAMIAH, date(THIS_YEAR, 3, 1), by=coordinator)
    decide(volunteer_families[0], Proposal.Kind.MANDIRI, date(THIS_YEAR, 4, 1), by=coordinator)
    decide(other_families[0], Proposal.Kind.ALAMIAH, date(THIS_YEAR, 5, 1), by=coordinator)
    decide(other_families[1], Proposal.Kind.DECEASED, date(THIS_YEAR, 5, 1), by=coordinator)
    decide(left_last_year, Proposal.Kind.ALAMIAH, date(THIS_YEAR - 1, 7, 1), by=coordinator)
    return coordinator


def test_by_background_counts_graduations_mandiri_share_and_rate_per_100_families(backgrounds):
    rows = {row.group: row for row in stats_for(backgrounds).backgrounds}
    welfare, volunteer, other = (rows["social_welfare"], rows["other_volunteer"], rows["other"])
    assert (welfare.facilitators, welfare.caseload.served, welfare.exits.graduations, welfare.exits.mandiri) == (1, 4, 2, 1)
    assert (welfare.exits.mandiri_share, welfare.per_100) == (0.5, 50.0)
    assert (volunteer.caseload.served, volunteer.exits.graduations, volunteer.exits.mandiri_share, volunteer.per_100) == (
        5, 1, 1.0, 20.0)
    # the deceased family is an exit, not a graduation; the family that left last year was not served this year
    assert (other.caseload.served, other.exits.graduations, other.exits.other, other.exits.mandiri_share, other.per_100) == (
        10, 1, 1, 0.0, 10.0)
    assert (other.caseload.in_program, other.caseload.long_in_program) == (8, 2)
    assert "" not in rows  # every facilitator has a profile


def test_by_background_table_on_the_page_and_in_every_year(backgrounds, client_for):
    tables, _ = page_tables(client_for(backgrounds))
    welfare, volunteer, other = tables.tables["background"][1:]  # in this order, always
    assert (welfare[2], welfare[5], welfare[6], welfare[7]) == ("4", "2", "50,0%", "50,0")
    assert (volunteer[2], volunteer[5], volunteer[6], volunteer[7]) == ("5", "1", "100,0%", "20,0")
    assert (other[2], other[5], other[6], other[7], other[9], other[10]) == ("10", "1", "0,0%", "10,0", "2", "25,0%")
    # over every year the family that left last year counts too: 2 of 11 families
    every_year = {row.group: row for row in stats_for(backgrounds, year=None).backgrounds}
    assert (every_year["other"].caseload.served, every_year["other"].exits.graduations) == (11, 2)


def test_families_long_in_the_program_without_graduating(backgrounds):
    stats = stats_for(backgrounds)
    assert stats.long_joined_by == THIS_YEAR - 6
    lain = next(row for row in stats.facilitators if row.name == "Lain (lain)")
    assert (lain.caseload.in_program, lain.caseload.long_in_program, lain.caseload.long_share) == (8, 2, 0.25)


def test_candidates_per_facilitator_and_how_many_were_acted_on(world, client_for):
    proposed, rejected, due, not_yet = (make_family(facilitator=world.facilitator) for _ in range(4))
    screened(proposed, "KANDIDAT_MANDIRI")
    decide(proposed, Proposal.Kind.MANDIRI, date(THIS_YEAR, 12, 1), status=Proposal.Status.PENDING)
    screened(rejected, "KANDIDAT_MANDIRI")
    decide(rejected, Proposal.Kind.MANDIRI, date(THIS_YEAR, 12, 1), status=Proposal.Status.REJECTED,
           by=world.coordinator)
    screened(due, "ALAMIAH")
    decide(due, Proposal.Kind.ALAMIAH, date(THIS_YEAR, 12, 1), status=Proposal.Status.PENDING)
    screened(not_yet, "BELUM")
    decide(not_yet, Proposal.Kind.NON_COMPLIANCE, date(THIS_YEAR, 12, 1), status=Proposal.Status.PENDING)
    screened(world.other_household, "ALAMIAH_SEGERA")

    stats = stats_for(world.coordinator)
    mine = next(row for row in stats.facilitators if row.id == world.facilitator.pk)
    assert (mine.candidates.screened, mine.candidates.candidates, mine.candidates.acted_on, mine.candidates.waiting) == (
        4, 3, 2, 1)
    assert (stats.candidates.candidates, stats.candidates.acted_on) == (4, 2)
    tables, _ = page_tables(client_for(world.coordinator))
    rows = tables.tables["candidates"]
    assert rows[-1][1:] == ["5", "1", "1", "2", "4", "2", "2"]


# --- the export ---------------------------------------------------------------------------------------

def cell_text(value, number_format):
    """How the page writes a workbook value (Indonesian: 1.234 and 33,3%)."""
    if value is None:
        return "" if number_format == "General" else "–"
    if number_format == "0.0%":
        return f"{value * 100:.1f}%".replace(".", ",")
    if number_format == "#,##0.0":
        return f"{value:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


def test_the_export_opens_with_openpyxl_and_matches_the_page(backgrounds, client_for):
    client = client_for(backgrounds)
    tables, _ = page_tables(client)
    response = client.get(EXPORT_URL, {"year": THIS_YEAR})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="graduation-statistics-{THIS_YEAR}.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.worksheets) == len(SECTION_ORDER)
    for sheet, key in zip(workbook.worksheets, SECTION_ORDER):
        assert sheet["A1"].font.b, key
        if key not in tables.tables:  # nothing to show: the page says so, the sheet has its header only
            assert key == "candidates" and sheet.max_row == 1
            continue
        rows = tables.tables[key]
        assert [c.value for c in sheet[1]] == rows[0], key
        assert sheet.max_row == len(rows), key
        for page_row, sheet_row in zip(rows[1:], sheet.iter_rows(min_row=2)):
            for text, cell in zip(page_row, sheet_row):
                if isinstance(cell.value, datetime):  # months are dates in the workbook
                    assert cell.number_format == "mmm yyyy"
                    continue
                assert cell_text(cell.value, cell.number_format) == text, (key, page_row)
    months = workbook.worksheets[0]
    assert months["A2"].value == datetime(THIS_YEAR, 1, 1)
    assert isinstance(months["B2"].value, int) and months["B2"].number_format == "#,##0"


def test_every_export_is_audited_with_its_scope(graduated, client_for):
    client_for(graduated.auditor).get(EXPORT_URL, {"year": THIS_YEAR, "kelurahan": "31.75.01.1001"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor_id, event.object_type, event.city_code) == (graduated.auditor.pk, "graduation.statistics", "31.75")
    assert event.changes["filters"] == {"year": THIS_YEAR, "city": "", "kelurahan": "31.75.01.1001"}
    assert event.changes["rows"] > 0 and "graduation-statistics" in event.changes["file"]
    client_for(graduated.facilitator).get(EXPORT_URL)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=graduated.facilitator).count() == 1


def test_a_facilitators_export_holds_their_own_figures_only(graduated, client_for):
    response = client_for(graduated.facilitator).get(EXPORT_URL)
    workbook = load_workbook(io.BytesIO(response.content))
    keys = [key for key in SECTION_ORDER if key != "background"]  # no comparison of groups for a facilitator
    assert len(workbook.worksheets) == len(keys)
    facilitators = workbook.worksheets[keys.index("facilitator")]
    names = [row[0].value for row in facilitators.iter_rows(min_row=2)]
    assert names[:-1] == [f"{graduated.facilitator.get_full_name()} (pendamping_a1)"]


# --- a fixed number of queries ----------------------------------------------------------------------

def grow(world, facilitators: int, families: int):
    """More facilitators in city A, each with families: graduated, exited, in the program, screened."""
    city = region("31.75")
    for number in range(facilitators):
        village = region(f"31.75.0{number % 9 + 1}.100{number % 3 + 1}", f"Kelurahan {number}")
        facilitator = FacilitatorFactory(cities=[city], profile=[village],
                                         profile__volunteer_experience="TKSK" if number % 2 else "")
        for index in range(families):
            household = HouseholdFactory(facilitator=facilitator, kelurahan=village, joined_year=2010 + index % 15)
            screened(household, ("KANDIDAT_MANDIRI", "ALAMIAH", "BELUM")[index % 3])
            if index % 4 == 0:
                decide(household, (Proposal.Kind.ALAMIAH, Proposal.Kind.MANDIRI, Proposal.Kind.MOVED)[index % 3],
                       date(THIS_YEAR, index % 12 + 1, 1), by=world.coordinator)


@pytest.mark.parametrize("persona, queries", [
    # session, user, the user's cities, city choices (one city: no city field), kelurahan choices, then the
    # statistics: households by facilitator and kelurahan, approved proposals, stored screening
    ("coordinator", 8),
    # admin: session, user, city choices, kelurahan choices, the three statistics queries (no city list needed)
    ("admin", 7),
    # facilitator: session, user, the three statistics queries (no filter but the year)
    ("facilitator", 5),
])
def test_the_page_and_the_export_cost_a_fixed_number_of_queries(world, client_for, django_assert_num_queries,
                                                                 persona, queries):
    client = client_for(world.personas()[persona])
    for facilitators, families in ((1, 2), (6, 12)):
        grow(world, facilitators, families)
        with django_assert_num_queries(queries):
            assert client.get(URL).status_code == 200
        with django_assert_num_queries(queries + 1):  # + the audit record
            assert client.get(EXPORT_URL).status_code == 200


def test_the_page_has_its_charts_data_and_no_inline_script(graduated, client_for):
    html = client_for(graduated.coordinator).get(URL).content.decode()
    assert 'id="graduation-statistics-data"' in html and 'data-chart="months"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/graduation_statistics.js" in html
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert scripts == [' id="graduation-statistics-data" type="application/json"']


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_charts_draw_on_a_phone_without_script_errors(phone, live_server, world):
    """Chart.js (vendored) draws every chart under the Content-Security-Policy; the phone fixture fails the
    test on any JavaScript error or CSP violation."""
    from tests.browser import screenshot, sign_in

    decide(world.household, Proposal.Kind.MANDIRI, date(THIS_YEAR, 2, 1), by=world.coordinator)
    decide(world.other_household, Proposal.Kind.ALAMIAH, date(THIS_YEAR, 3, 1), by=world.coordinator)
    sign_in(phone, live_server, world.coordinator.username)
    phone.goto(f"{live_server.url}{URL}")
    phone.wait_for_function("document.querySelectorAll('canvas[data-chart]').length === 4")
    drawn = phone.evaluate("Array.from(document.querySelectorAll('canvas[data-chart]')).map("
                           "c => window.Chart.getChart(c) !== undefined && c.height > 100)")
    assert drawn == [True, True, True, True]
    assert phone.locator("#table-share").is_visible()
    screenshot(phone, "graduation_statistics")


def test_candidate_and_proposal_figures_link_to_their_lists(world, client_for):
    family = make_family(facilitator=world.facilitator)
    screened(family, "KANDIDAT_MANDIRI")
    decide(world.household, Proposal.Kind.MANDIRI, date(THIS_YEAR, 2, 1), by=world.coordinator)
    client = client_for(world.coordinator)
    tables, _ = page_tables(client)
    who = world.facilitator.pk
    candidates = reverse("graduation_candidates")
    assert set(tables.links["candidates"]) == {
        f"{candidates}?facilitator={who}&classification=all", f"{candidates}?facilitator={who}&classification=ALAMIAH",
        f"{candidates}?facilitator={who}&classification=ALAMIAH_SEGERA",
        f"{candidates}?facilitator={who}&classification=KANDIDAT_MANDIRI", f"{candidates}?facilitator={who}",
        f"{candidates}?facilitator={who}&not_acted=on"}
    # one year: the proposal list has no year filter, so graduations do not link to it
    assert not any("proposals" in link for link in tables.links["facilitator"])
    every_year, _ = page_tables(client, year="all")
    proposals = reverse("graduation_proposal_list")
    assert f"{proposals}?status=approved&kind=mandiri&facilitator={who}" in every_year.links["facilitator"]
    assert f"{proposals}?status=approved&kind=mandiri&kelurahan=31.75.01.1001" in every_year.links["kelurahan"]
    listed = client.get(f"{proposals}?status=approved&kind=mandiri&facilitator={who}").content.decode()
    assert world.household.id_kpm in listed
