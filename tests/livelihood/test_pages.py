"""What facilitators, coordinators and auditors see and do on the livelihood pages."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from livelihood.models import Business, CreditReferral, MonthlyEntry
from livelihood.selectors import add_months, month_start
from tests.conftest import make_family
from tests.factories import FacilitatorFactory, region
from tests.livelihood.conftest import BusinessFactory, EntryFactory, kube_of, make_referral


def page(response) -> str:
    return response.content.decode()


def this_month():
    return month_start(timezone.localdate())


# --- businesses -------------------------------------------------------------------------------

def test_a_facilitator_adds_a_business_from_the_household_page(world, client_for, only_livelihood_parts):
    client = client_for(world.facilitator)
    html = page(client.get(reverse("household_detail", args=[world.household.pk])))
    assert reverse("livelihood_business_create", args=[world.household.pk]) in html
    response = client.post(reverse("livelihood_business_create", args=[world.household.pk]), {
        "kind": "warung", "name": "Warung Bu Sari", "description": "Sembako", "started_on": "2024-01-15"})
    business = Business.objects.get(name="Warung Bu Sari")
    assert response.status_code == 302 and response["Location"] == reverse("livelihood_business_detail", args=[business.pk])
    assert business.household == world.household


def test_business_form_errors_name_the_field(world, client_for):
    response = client_for(world.facilitator).post(reverse("livelihood_business_create", args=[world.household.pk]), {
        "kind": "", "name": "Warung", "started_on": "2999-01-01"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "kind" in errors and "started_on" in errors
    assert not Business.objects.exists()


def test_the_quick_month_form_accepts_dotted_rupiah_and_shows_the_net(world, client_for, warung):
    client = client_for(world.facilitator)
    month = add_months(this_month(), -1)
    response = client.post(reverse("livelihood_entry_create", args=[warung.pk]), {
        "month": f"{month:%Y-%m}", "revenue": "1.500.000", "expenses": "Rp 900.000"})
    assert response.status_code == 302
    entry = MonthlyEntry.objects.get(business=warung)
    assert (entry.month, entry.revenue, entry.expenses) == (month, 1_500_000, 900_000)
    html = page(client.get(response["Location"]))
    assert "Rp600.000" in html


def test_a_duplicate_month_is_refused_on_the_page_with_the_month_named(world, client_for, warung):
    month = add_months(this_month(), -2)
    EntryFactory(business=warung, month=month)
    client = client_for(world.facilitator)
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(reverse("livelihood_entry_create", args=[warung.pk]), {
        "month": f"{month:%Y-%m}", "revenue": "100000", "expenses": "0"})
    assert response.status_code == 400
    [message] = response.context["entry_form"].errors["month"]
    assert f"{month:%B %Y} is already recorded" in message
    assert MonthlyEntry.objects.filter(business=warung).count() == 1


def test_amount_errors_name_the_field(world, client_for, warung):
    response = client_for(world.facilitator).post(reverse("livelihood_entry_create", args=[warung.pk]), {
        "month": f"{this_month():%Y-%m}", "revenue": "satu juta", "expenses": "1,5"})
    errors = response.context["entry_form"].errors
    assert response.status_code == 400 and "revenue" in errors and "expenses" in errors


def test_the_business_page_lists_the_last_twelve_months_with_gaps_to_fill(world, client_for):
    business = BusinessFactory(household=world.household, started_on=add_months(this_month(), -20))
    EntryFactory(business=business, month=add_months(this_month(), -1), revenue=700_000, expenses=900_000)
    EntryFactory(business=business, month=add_months(this_month(), -15))
    response = client_for(world.facilitator).get(reverse("livelihood_business_detail", args=[business.pk]))
    months = response.context["months"]
    assert len(months) == 12 and months[0].month == this_month()
    assert months[1].entry is not None and months[1].entry.net == -200_000
    assert response.context["older_entries"] == 1
    html = page(response)
    assert "-Rp200.000" in html
    # The quick form proposes last month when it is missing, else this month.
    assert response.context["entry_form"]["month"].value() == f"{this_month():%Y-%m}"
    assert len(client_for(world.facilitator).get(
        reverse("livelihood_business_detail", args=[business.pk]), {"all": "1"}).context["months"]) == 21


def test_an_auditor_reads_a_business_without_any_form(world, client_for, warung):
    EntryFactory(business=warung, month=date(2024, 2, 1))
    response = client_for(world.auditor).get(reverse("livelihood_business_detail", args=[warung.pk]))
    assert response.status_code == 200 and response.context["entry_form"] is None
    html = page(response)
    assert reverse("livelihood_entry_create", args=[warung.pk]) not in html
    assert reverse("livelihood_business_edit", args=[warung.pk]) not in html


def test_stopping_a_business_from_its_page(world, client_for, warung):
    client = client_for(world.facilitator)
    response = client.post(reverse("livelihood_business_stop", args=[warung.pk]), {"stopped_on": "2024-06-30", "reason": "Modal habis"})
    assert response.status_code == 302
    warung.refresh_from_db()
    assert warung.stopped_on == date(2024, 6, 30)
    response = client.get(reverse("livelihood_business_detail", args=[warung.pk]))
    assert "Modal habis" in page(response) and reverse("livelihood_referral_create", args=[warung.pk]) not in page(response)
    # Figures can still be added up to the stop: the form proposes its last month.
    assert response.context["entry_form"]["month"].value() == "2024-06"


# --- referrals --------------------------------------------------------------------------------

def test_referring_a_young_business_warns_and_asks_for_confirmation(world, client_for, jakpreneur):
    business = BusinessFactory(household=world.household, started_on=add_months(this_month(), -2))
    client = client_for(world.facilitator)
    html = page(client.get(reverse("livelihood_referral_create", args=[business.pk])))
    assert "Jakpreneur" in html and f'data-below-minimum="{jakpreneur.pk}' in html
    today = timezone.localdate().isoformat()
    response = client.post(reverse("livelihood_referral_create", args=[business.pk]), {"program": jakpreneur.pk, "referred_on": today})
    assert response.status_code == 200 and response.context["below_minimum"]
    assert "confirm_below_minimum" in response.context["form"].errors
    assert not CreditReferral.objects.exists()
    response = client.post(reverse("livelihood_referral_create", args=[business.pk]), {
        "program": jakpreneur.pk, "referred_on": today, "confirm_below_minimum": "on"})
    assert response.status_code == 302
    assert CreditReferral.objects.get().below_minimum_confirmed


def test_recording_an_approved_loan_above_the_maximum_is_refused_on_the_page(world, client_for, warung, jakpreneur):
    referral = make_referral(warung, jakpreneur, status="trained")
    client = client_for(world.facilitator)
    response = client.post(reverse("livelihood_referral_update", args=[referral.pk]), {
        "status": "approved", "on": "2024-10-01", "loan_amount": "15.000.000"})
    assert response.status_code == 200 and "loan_amount" in response.context["form"].errors
    response = client.post(reverse("livelihood_referral_update", args=[referral.pk]), {
        "status": "approved", "on": "2024-10-01", "loan_amount": "10.000.000"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.loan_amount == 10_000_000
    # Closed: the page sends the user back to the business.
    assert client.get(reverse("livelihood_referral_update", args=[referral.pk])).status_code == 302


def test_the_referral_list_filters_by_status(world, client_for, warung, jakpreneur):
    approved = make_referral(warung, jakpreneur, status="approved")
    other = BusinessFactory(household=world.other_household, name="Jahit Bu Ani")
    make_referral(other, jakpreneur)
    response = client_for(world.coordinator).get(reverse("livelihood_referral_list"), {"status": "approved"})
    assert [r.pk for r in response.context["page_obj"].object_list] == [approved.pk]
    response = client_for(world.facilitator).get(reverse("livelihood_referral_list"))
    assert [r.business for r in response.context["page_obj"].object_list] == [warung]


# --- the overview -------------------------------------------------------------------------------

def test_the_overview_shows_the_users_scope_with_months_running_and_average_net(world, client_for):
    mine = BusinessFactory(household=world.household, name="Warung Bu Sari", started_on=add_months(this_month(), -8))
    EntryFactory(business=mine, month=add_months(this_month(), -1), revenue=2_000_000, expenses=1_250_000)
    BusinessFactory(household=world.other_household, name="Jahit Bu Ani")
    BusinessFactory(household=world.household_b, name="Salon Bu Rina")
    response = client_for(world.facilitator).get(reverse("livelihood_overview"))
    assert [row.business.name for row in response.context["rows"]] == ["Warung Bu Sari"]
    [row] = response.context["rows"]
    assert row.summary.months_running == 8 and row.summary.recent_average_net == 750_000
    assert "Rp750.000" in page(response)
    names = [row.business.name for row in client_for(world.coordinator).get(reverse("livelihood_overview")).context["rows"]]
    assert names == ["Jahit Bu Ani", "Warung Bu Sari"]


def test_the_overview_filters_by_status_kind_kelurahan_and_missing_figures(world, client_for):
    BusinessFactory(household=world.household, name="Warung", kind="warung")
    BusinessFactory(household=world.other_household, name="Jahitan", kind="tailoring", stopped_on=date(2024, 6, 1))
    kube_business = BusinessFactory(kube=kube_of(world.unassigned), name="Kerajinan KUBE", kind="crafts")
    EntryFactory(business=kube_business, month=add_months(this_month(), -1))
    client = client_for(world.coordinator)

    def names(**params):
        return sorted(row.business.name for row in client.get(reverse("livelihood_overview"), params).context["rows"])

    assert names(status="stopped") == ["Jahitan"]
    assert names(status="running") == ["Kerajinan KUBE", "Warung"]
    assert names(kind="tailoring") == ["Jahitan"]
    assert names(kelurahan="31.75.02.1001") == ["Jahitan", "Kerajinan KUBE"]
    assert names(owner="kube") == ["Kerajinan KUBE"]
    assert names(missing="on") == ["Warung"]


def test_an_empty_overview_says_what_to_do(db, client_for):
    client = client_for(FacilitatorFactory(cities=[region("31.75")]))
    client.post(reverse("set_language"), {"language": "en"})
    html = page(client.get(reverse("livelihood_overview")))
    assert "No business is recorded yet." in html and "“Add a business”" in html


# --- KUBE ---------------------------------------------------------------------------------------

def test_a_facilitator_creates_a_kube_adds_members_and_its_business(world, client_for, only_livelihood_parts):
    client = client_for(world.facilitator)
    response = client.post(reverse("livelihood_kube_create"), {
        "name": "KUBE Mawar", "kelurahan": world.household.kelurahan_id, "formed_on": "2024-01-10"})
    assert response.status_code == 302
    kube = world.facilitator.kube_groups.get()
    form = client.get(reverse("livelihood_kube_member_add", args=[kube.pk])).context["form"]
    assert [value for value, _label in form.fields["household"].choices if value] == [str(world.household.pk)]
    response = client.post(reverse("livelihood_kube_member_add", args=[kube.pk]), {
        "household": world.household.pk, "joined_on": "2024-01-10", "make_chairperson": "on"})
    assert response.status_code == 302
    response = client.post(reverse("livelihood_kube_business_create", args=[kube.pk]), {
        "kind": "catering", "name": "Katering Mawar", "started_on": "2024-02-01"})
    assert response.status_code == 302
    html = page(client.get(reverse("livelihood_kube_detail", args=[kube.pk])))
    assert "Katering Mawar" in html and world.household.id_kpm in html
    # The family's page shows its KUBE.
    html = page(client.get(reverse("household_detail", args=[world.household.pk])))
    assert "KUBE Mawar" in html


def test_kube_form_errors_name_the_field(world, client_for):
    response = client_for(world.facilitator).post(reverse("livelihood_kube_create"), {
        "name": "", "kelurahan": "31.74.01.1001", "formed_on": "2024-01-10"})
    errors = response.context["form"].errors
    assert response.status_code == 200 and "name" in errors and "kelurahan" in errors


def test_a_kube_business_is_hidden_from_facilitators_who_do_not_run_the_kube(world, client_for):
    business = BusinessFactory(kube=kube_of(world.household))
    url = reverse("livelihood_business_detail", args=[business.pk])
    assert client_for(world.facilitator).get(url).status_code == 200
    assert client_for(world.other_facilitator).get(url).status_code == 404
    assert client_for(world.coordinator).get(url).status_code == 200
    assert client_for(world.coordinator_b).get(url).status_code == 404
    assert client_for(world.auditor).post(reverse("livelihood_entry_create", args=[business.pk]), {}).status_code == 403


def test_the_household_panel_links_to_a_kube_only_for_users_who_may_open_it(world, client_for, only_livelihood_parts):
    kube = kube_of(world.household)
    kube.facilitator = world.other_facilitator
    kube.save()
    html = page(client_for(world.facilitator).get(reverse("household_detail", args=[world.household.pk])))
    assert kube.name in html and reverse("livelihood_kube_detail", args=[kube.pk]) not in html
    html = page(client_for(world.coordinator).get(reverse("household_detail", args=[world.household.pk])))
    assert reverse("livelihood_kube_detail", args=[kube.pk]) in html


# --- the household panel and the day section ---------------------------------------------------

def test_the_household_panel_shows_months_running_average_net_and_latest_referral(world, client_for, only_livelihood_parts, jakpreneur):
    business = BusinessFactory(household=world.household, name="Warung Bu Sari", started_on=add_months(this_month(), -9))
    EntryFactory(business=business, month=add_months(this_month(), -1), revenue=3_000_000, expenses=1_000_000)
    make_referral(business, jakpreneur, status="trained")
    response = client_for(world.auditor).get(reverse("household_detail", args=[world.household.pk]))
    html = page(response)
    assert "Warung Bu Sari" in html and "Rp2.000.000" in html and "Jakpreneur" in html
    assert reverse("livelihood_business_create", args=[world.household.pk]) not in html  # auditors read only


def test_the_day_page_lists_businesses_without_last_months_figures(world, client_for, only_livelihood_parts):
    started = add_months(this_month(), -4)
    chased = BusinessFactory(household=world.household, name="Warung Lupa Catat", started_on=started)
    done = BusinessFactory(household=world.household, name="Warung Rajin", started_on=started)
    EntryFactory(business=done, month=add_months(this_month(), -1))
    BusinessFactory(household=world.household, name="Warung Baru", started_on=this_month())  # started this month
    BusinessFactory(household=world.household, name="Warung Tutup", started_on=started, stopped_on=add_months(this_month(), -2))
    BusinessFactory(household=world.other_household, name="Warung Orang Lain", started_on=started)
    response = client_for(world.facilitator).get(reverse("today"))
    [section] = [s for template, s in response.context["sections"] if template == "livelihood/_day_missing_entries.html"]
    assert [b.name for b in section["items"]] == ["Warung Lupa Catat"] and section["count"] == 1
    html = page(response)
    link = f'{reverse("livelihood_business_detail", args=[chased.pk])}?month={add_months(this_month(), -1):%Y-%m}'
    assert link in html
    # The link opens the business with last month chosen in the quick form.
    form = client_for(world.facilitator).get(link).context["entry_form"]
    assert form["month"].value() == f"{add_months(this_month(), -1):%Y-%m}"
    standalone = client_for(world.facilitator).get(reverse("livelihood_entry_create", args=[chased.pk]))
    assert standalone.status_code == 200 and 'name="revenue"' in page(standalone)


def test_the_day_section_shows_the_first_ten_and_the_count(world, client_for, only_livelihood_parts):
    for _ in range(12):
        BusinessFactory(household=world.household, started_on=date(2023, 1, 1))
    response = client_for(world.facilitator).get(reverse("today"))
    [section] = [s for template, s in response.context["sections"] if template == "livelihood/_day_missing_entries.html"]
    assert len(section["items"]) == 10 and section["count"] == 12
    assert "?missing=on" in page(response)


# --- query counts: constant whatever the number of businesses ----------------------------------

def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def _fill(world, count):
    """Families with a business each (some with KUBE, months, referrals) in the facilitator's caseload."""
    from livelihood.models import CreditProgram

    program = CreditProgram.objects.get(name="Jakpreneur")
    for index in range(count):
        household = make_family(facilitator=world.facilitator, kelurahan=world.household.kelurahan_id)
        business = BusinessFactory(household=household, started_on=date(2023, 1, 1))
        for back in (1, 2, 3):
            EntryFactory(business=business, month=add_months(this_month(), -back))
        make_referral(business, program)
        kube = kube_of(household)
        BusinessFactory(kube=kube, started_on=date(2023, 1, 1))
        BusinessFactory(household=world.household, started_on=date(2023, 1, 1))  # the panel's family, many businesses
        EntryFactory(business=BusinessFactory(household=world.household, started_on=date(2022, 1, 1)), month=date(2023, 5, 1))


@pytest.mark.parametrize("name, persona, params", [
    ("livelihood_overview", "facilitator", {}),
    ("livelihood_overview", "coordinator", {"status": "running", "missing": "on"}),
    ("livelihood_referral_list", "coordinator", {}),
    ("livelihood_kube_list", "facilitator", {}),
    ("livelihood_kube_list", "auditor", {"kelurahan": "31.75.01.1001"}),
    ("today", "facilitator", {}),
])
def test_list_pages_run_a_fixed_number_of_queries(world, client_for, only_livelihood_parts, name, persona, params):
    client = client_for(getattr(world, persona))
    _fill(world, 3)
    small = _queries(client, reverse(name), params)
    _fill(world, 12)
    assert _queries(client, reverse(name), params) == small


def test_the_household_panel_runs_a_fixed_number_of_queries(world, client_for, only_livelihood_parts):
    client = client_for(world.coordinator)
    url = reverse("household_detail", args=[world.household.pk])
    _fill(world, 2)
    small = _queries(client, url)
    _fill(world, 8)
    kube_of(world.household)
    assert _queries(client, url) == small


def test_the_household_panel_adds_two_queries_to_the_household_page(world, client_for, only_livelihood_parts):
    from core import extensions
    from livelihood import panels

    client = client_for(world.facilitator)
    url = reverse("household_detail", args=[world.household.pk])
    _fill(world, 2)
    with_panel = _queries(client, url)
    saved = list(extensions.HOUSEHOLD_PANELS)
    extensions.HOUSEHOLD_PANELS[:] = [p for p in saved if p.context is not panels.household_panel]
    try:
        without = _queries(client, url)
    finally:
        extensions.HOUSEHOLD_PANELS[:] = saved
    # the businesses with their months, averages and latest referral (one query); the family's KUBE (one)
    assert with_panel - without == 2


def test_detail_pages_run_a_fixed_number_of_queries_whatever_their_history(world, client_for, jakpreneur):
    business = BusinessFactory(household=world.household, started_on=date(2020, 1, 1))
    kube = kube_of(world.household)
    client = client_for(world.facilitator)
    urls = [reverse("livelihood_business_detail", args=[business.pk]), reverse("livelihood_kube_detail", args=[kube.pk]),
            reverse("livelihood_household", args=[world.household.pk])]

    def grow(months):
        for _ in range(3):
            referral = make_referral(business, jakpreneur, status="declined")
            referral.steps.create(status="declined", on=date(2024, 10, 1), reason="Belum layak", recorded_by=world.facilitator)
            member = make_family(facilitator=world.facilitator, kelurahan=world.household.kelurahan_id)
            kube.memberships.create(household=member, joined_on=date(2024, 1, 1))
            BusinessFactory(kube=kube)
            BusinessFactory(household=world.household)
        for month in months:
            EntryFactory(business=business, month=month)

    grow([date(2021, m, 1) for m in range(1, 4)])
    small = [_queries(client, url) for url in urls]
    grow([date(2022, m, 1) for m in range(1, 13)] + [add_months(this_month(), -m) for m in range(1, 6)])
    assert [_queries(client, url) for url in urls] == small
