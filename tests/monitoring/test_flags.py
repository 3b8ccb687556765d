"""The flag pages: what each role sees, the filters, the detail in words, opening a mediation case from a flag
in one click, the household panel and the day section, their query counts, and the admin."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mediation.models import Case
from monitoring import flags as flag_module
from monitoring import panels
from monitoring.models import Flag, FlagCode, MonitoringSettings
from monitoring.reconcile import refresh_flags
from tests.conftest import make_family
from tests.monitoring.f_factories import AS_OF, CITY, event, paid, plant


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def flag(household=None, code="TIDAK_SALUR", *, year=2026, stage=2, city=None, id_kpm=None, **detail):
    return Flag.objects.create(
        code=code, household=household, id_kpm=id_kpm or household.id_kpm,
        city_code=city or household.city_code, facilitator=household.facilitator if household else None,
        year=year, stage=stage, expected=600_000, credited=0,
        detail=detail or {"bank": "BRI", "credits_of_bank": 12, "expected": 600_000, "annual": 2_400_000, "months": 3,
                          "stage_first_day": "2026-04-01", "components": [
                              {"code": "SD", "member": "Adi", "amount": 900_000},
                              {"code": "SMP", "member": "Budi", "amount": 1_500_000}]})


@pytest.fixture
def stored(world):
    """One flag per world household, and a row matching no family in each city."""
    return {
        "household": flag(world.household),
        "other_household": flag(world.other_household, "DANA_MENGENDAP", stage=1, amount=600_000, date="2026-01-20",
                                kks="6013••••••••0001", age_days=40, bucket=30, buckets=[30, 60, 90]),
        "unassigned": flag(world.unassigned, "KKS_BUKAN_KELUARGA", year=None, stage=None, holder="agent",
                           holder_name="Warung Bu Sri", since="2025-06-01"),
        "household_b": flag(world.household_b),
        "unknown_a": flag(None, "TIDAK_DIKENAL", city="31.75", id_kpm="3175000000000999", match="unknown_kpm",
                          bank="BRI", ref="R1", kind="SALUR", amount=600_000, date="2026-04-20", kks="6013••••9999"),
        "unknown_b": flag(None, "TIDAK_DIKENAL", city="31.74", id_kpm="3174000000000999", match="unknown_kpm",
                          bank="BRI", ref="R2", kind="SALUR", amount=600_000, date="2026-04-20", kks="6013••••9999"),
    }


def listed(response) -> set:
    return {row.flag.pk for row in response.context["rows"]}


# --- who sees what --------------------------------------------------------------------------------

@pytest.mark.parametrize("persona, visible", [
    ("facilitator", {"household"}),
    ("other_facilitator", {"other_household"}),
    ("coordinator", {"household", "other_household", "unassigned", "unknown_a"}),
    ("auditor", {"household", "other_household", "unassigned", "unknown_a"}),
    ("facilitator_b", {"household_b"}),
    ("coordinator_b", {"household_b", "unknown_b"}),
    ("admin", {"household", "other_household", "unassigned", "household_b", "unknown_a", "unknown_b"}),
])
def test_each_role_sees_the_flags_of_its_scope(world, client_for, stored, persona, visible):
    response = client_for(world.personas()[persona]).get(reverse("monitoring_flag_list"))
    assert listed(response) == {stored[name].pk for name in visible}


def test_a_row_matching_no_family_is_hidden_from_facilitators_even_by_its_address(world, client_for, stored):
    url = reverse("monitoring_flag_detail", kwargs={"pk": stored["unknown_a"].pk})
    assert client_for(world.facilitator).get(url).status_code == 404
    assert client_for(world.coordinator_b).get(url).status_code == 404
    assert client_for(world.auditor).get(url).status_code == 200


# --- filters and counts ---------------------------------------------------------------------------

def test_filters_by_code_stage_kelurahan_facilitator_and_family(world, client_for, stored):
    client = client_for(world.coordinator)
    url = reverse("monitoring_flag_list")
    assert listed(client.get(url, {"code": "DANA_MENGENDAP"})) == {stored["other_household"].pk}
    assert listed(client.get(url, {"stage": "2026-2"})) == {stored["household"].pk, stored["unknown_a"].pk}
    assert listed(client.get(url, {"stage": "none"})) == {stored["unassigned"].pk}
    assert listed(client.get(url, {"kelurahan": "31.75.02.1001"})) == {stored["other_household"].pk,
                                                                       stored["unassigned"].pk}
    assert listed(client.get(url, {"facilitator": world.other_facilitator.pk})) == {stored["other_household"].pk}
    assert listed(client.get(url, {"facilitator": "none"})) == {stored["unassigned"].pk}
    assert listed(client.get(url, {"household": world.household.pk})) == {stored["household"].pk}
    # a facilitator of another city is not a choice: that filter is dropped, the others still apply
    assert listed(client.get(url, {"facilitator": world.facilitator_b.pk, "code": "TIDAK_SALUR"})) == {
        stored["household"].pk}
    assert "facilitator" not in client_for(world.facilitator).get(url).context["form"].fields


def test_the_counts_per_code_follow_the_other_filters(world, client_for, stored):
    response = client_for(world.coordinator).get(reverse("monitoring_flag_list"), {"code": "TIDAK_SALUR",
                                                                                   "kelurahan": "31.75.01.1001"})
    tabs = {code: count for code, _, count in response.context["code_tabs"]}
    assert tabs["TIDAK_SALUR"] == 1 and tabs["DANA_MENGENDAP"] == 0 and response.context["total"] == 1
    assert [code for code, _, _ in response.context["code_tabs"]] == list(FlagCode.values)


# --- the flag in words ----------------------------------------------------------------------------

def test_each_flag_shows_its_label_its_code_and_its_detail_in_words(world, client_for, stored):
    html = client_for(world.coordinator).get(reverse("monitoring_flag_list")).content.decode()
    assert "Entitled but not credited" in html and "TIDAK_SALUR" in html
    assert "Nothing credited in this stage, although BRI credited 12 families of the city; expected Rp600.000." in html
    assert "Primary school (SD) (Adi) Rp900.000 a year" in html
    assert "Rp600.000 credited on" in html and "has not been withdrawn: 40 days (30–59 days)." in html
    assert "held by a bank agent / e-warong (Warung Bu Sri) since" in html
    assert "for an ID KPM that is not in the registry" in html
    assert f'href="{reverse("household_detail", kwargs={"pk": world.household.pk})}"' in html


def test_the_labels_are_translated_and_the_codes_stay(world, client, stored, settings):
    settings.LANGUAGE_CODE = "id"
    client.force_login(world.coordinator)
    html = client.get(reverse("monitoring_flag_list")).content.decode()
    assert "TIDAK_SALUR" in html and "DANA_MENGENDAP" in html


def test_every_planted_flag_reads_as_sentences(world, client_for):
    plant(world)
    refresh_flags(city_codes={CITY}, as_of=AS_OF)
    client = client_for(world.coordinator)
    response = client.get(reverse("monitoring_flag_list"), {"page": 1})
    codes = {row.flag.code for row in response.context["rows"]}
    assert codes == set(FlagCode.values)
    for row in flag_module.flag_views(world.coordinator, Flag.objects.all()):
        assert row.sentences and all(s.strip() for s in row.sentences), row.flag.code
    detail = client.get(reverse("monitoring_flag_detail", kwargs={"pk": Flag.objects.filter(
        code="TARIK_MENGELOMPOK").first().pk})).content.decode()
    assert "Withdrawn at AGEN-0042" in detail and "5 families of the same facilitator" in detail


def test_the_flag_page_lists_the_bank_rows_behind_it(world, client_for):
    household = make_family(facilitator=world.facilitator)
    paid(household, 1)
    event(household, "SALUR", 2, date(2026, 4, 10))
    refresh_flags(city_codes={CITY}, as_of=AS_OF)
    dormant = Flag.objects.get(code="DANA_MENGENDAP", household=household)
    html = client_for(world.facilitator).get(reverse("monitoring_flag_detail", kwargs={"pk": dormant.pk})).content.decode()
    assert "Benefit credited (salur)" in html and "10 Apr 2026" in html
    assert household.kks_number not in html  # masked
    assert household.kks_number[-4:] in html


# --- one click: a mediation case ------------------------------------------------------------------

def test_one_click_opens_a_case_from_the_flag_and_the_second_click_finds_it(world, client_for, stored):
    client = client_for(world.facilitator)
    url = reverse("monitoring_flag_case_open", kwargs={"pk": stored["household"].pk})
    response = client.post(url)
    case = Case.objects.get(household=world.household)
    assert response.status_code == 302 and response["Location"] == reverse("case_detail", kwargs={"pk": case.pk})
    assert (case.category, case.source, case.source_ref) == ("SALDO_NOL", "monitoring", "TIDAK_SALUR:2026-2")
    assert case.title == "Entitled but not credited (2026 stage 2)"
    assert "expected Rp600.000" in case.description and case.opened_by == world.facilitator

    again = client.post(url, follow=True)
    assert Case.objects.filter(household=world.household).count() == 1
    assert "A case is already open for this flag." in again.content.decode()

    # the list shows the case instead of the button, also after the flags were recomputed (new ids)
    stored["household"].delete()
    recomputed = flag(world.household)
    html = client.get(reverse("monitoring_flag_list")).content.decode()
    assert reverse("case_detail", kwargs={"pk": case.pk}) in html
    assert reverse("monitoring_flag_case_open", kwargs={"pk": recomputed.pk}) not in html


def test_a_case_of_the_same_kind_opened_by_hand_is_shown_next_to_the_flag(world, client_for, stored):
    from mediation.services import case_open

    manual = case_open(actor=world.coordinator, household=world.unassigned, category="KKS",
                       title="Kartu dipegang agen", source="manual", kks_reason="held_by_other")
    case_open(actor=world.coordinator, household=world.unassigned, category="PINDAH", title="Pindah", source="manual")
    rows = client_for(world.coordinator).get(reverse("monitoring_flag_list")).context["rows"]
    row = next(r for r in rows if r.flag.pk == stored["unassigned"].pk)
    assert row.case is None and row.related_cases == [manual] and row.can_open_case


def test_a_finished_case_lets_the_next_click_open_a_new_one(world, client_for, stored):
    from mediation.services import case_transition

    client = client_for(world.facilitator)
    url = reverse("monitoring_flag_case_open", kwargs={"pk": stored["household"].pk})
    client.post(url)
    first = Case.objects.get()
    case_transition(actor=world.facilitator, case=first, to_status="resolved", outcome="Sudah cair")
    client.post(url)
    assert Case.objects.filter(household=world.household).count() == 2


@pytest.mark.parametrize("code, category, kks_reason", [
    ("NOMINAL_TIDAK_SESUAI", "KOMPONEN", ""),
    ("SALUR_KE_NONAKTIF", "LAINNYA", ""),
    ("TIDAK_SALUR", "SALDO_NOL", ""),
    ("SALUR_GANDA", "LAINNYA", ""),
    ("DANA_MENGENDAP", "KKS", "unknown"),
    ("TARIK_MENGELOMPOK", "KKS", "held_by_other"),
    ("KKS_BUKAN_KELUARGA", "KKS", "held_by_other"),
    ("TIDAK_DIKENAL", "KKS", "unknown"),
])
def test_each_code_opens_a_case_of_the_matching_category(world, code, category, kks_reason):
    found = flag(world.household, code)
    case, created = flag_module.flag_case_open(actor=world.coordinator, flag=found)
    assert created and (case.category, case.kks_reason) == (category, kks_reason)


def test_auditors_read_but_cannot_open_cases(world, client_for, stored):
    client = client_for(world.auditor)
    html = client.get(reverse("monitoring_flag_list")).content.decode()
    assert "Open a case" not in html
    response = client.post(reverse("monitoring_flag_case_open", kwargs={"pk": stored["household"].pk}))
    assert response.status_code == 403 and not Case.objects.exists()


def test_a_facilitator_cannot_open_a_case_for_another_facilitators_flag(world, client_for, stored):
    response = client_for(world.facilitator).post(
        reverse("monitoring_flag_case_open", kwargs={"pk": stored["other_household"].pk}))
    assert response.status_code == 404 and not Case.objects.exists()


def test_a_row_matching_no_family_cannot_get_a_case(world, client_for, stored):
    response = client_for(world.coordinator).post(
        reverse("monitoring_flag_case_open", kwargs={"pk": stored["unknown_a"].pk}), follow=True)
    assert "matches no family in the registry" in response.content.decode()
    assert not Case.objects.exists()


# --- query counts ---------------------------------------------------------------------------------

def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return len(queries)


def test_the_list_page_runs_the_same_queries_for_many_flags(world, client_for, stored):
    client = client_for(world.coordinator)
    url = reverse("monitoring_flag_list")
    client.get(url)
    few = _queries(lambda: client.get(url))
    for _ in range(15):
        household = make_family(facilitator=world.other_facilitator, kelurahan="31.75.02.1001")
        flag(household, "SALUR_GANDA", salur=[{"ref": "A", "bank": "BRI", "date": "2026-04-20", "amount": 600_000}] * 2)
    many = _queries(lambda: client.get(url))
    assert few == many


def test_the_household_panel_runs_three_queries(world, django_assert_num_queries):
    paid(world.household, 1, 2)
    refresh_flags(city_codes={CITY}, as_of=AS_OF)
    flag(world.household, "NOMINAL_TIDAK_SESUAI", stage=1, credited=450_000, expected=600_000, difference=-150_000)
    flag(world.household, "KKS_BUKAN_KELUARGA", year=None, stage=None, holder="facilitator", holder_name="X")
    user = world.facilitator
    with django_assert_num_queries(3):  # the bank rows, the flags, the open cases of the family
        panel = panels.household_panel(user, world.household, AS_OF)
    assert [(s.year, s.stage) for s in panel["stages"]] == [(2026, 2), (2026, 1)]
    assert [len(s.credits) for s in panel["stages"]] == [1, 1] and [len(s.withdrawals) for s in panel["stages"]] == [1, 1]
    assert [v.flag.code for v in panel["stages"][1].flags] == ["NOMINAL_TIDAK_SESUAI"]
    assert [v.flag.code for v in panel["registry_flags"]] == ["KKS_BUKAN_KELUARGA"]


def test_the_household_page_shows_the_bank_rows_and_flags(world, client_for):
    paid(world.household, 1)
    event(world.household, "SALUR", 2, date(2026, 4, 10))
    refresh_flags(city_codes={CITY}, as_of=AS_OF)
    html = client_for(world.facilitator).get(reverse("household_detail", kwargs={"pk": world.household.pk})).content.decode()
    assert "Bank transactions" in html and "2026 stage 2" in html and "No withdrawal yet." in html
    assert "Money not withdrawn" in html and "DANA_MENGENDAP" in html


@pytest.fixture
def only_monitoring_day_section():
    from core import extensions

    saved = list(extensions.DAY_SECTIONS)
    extensions.DAY_SECTIONS[:] = [p for p in saved if p.key == "monitoring_flags"]
    yield
    extensions.DAY_SECTIONS[:] = saved


def test_the_day_section_lists_the_flags_without_a_case(world, client_for, stored, only_monitoring_day_section):
    more = [flag(make_family(facilitator=world.facilitator), "DANA_MENGENDAP", amount=1, date="2026-04-01",
                 age_days=50, bucket=30, buckets=[30, 60]) for _ in range(2)]
    client = client_for(world.facilitator)
    context = panels.day_flags(world.facilitator, AS_OF)
    assert context["total"] == 3 and {row.flag.pk for row in context["items"]} == {stored["household"].pk,
                                                                                   *(f.pk for f in more)}
    flag_module.flag_case_open(actor=world.facilitator, flag=more[0])
    html = client.get(reverse("today")).content.decode()
    assert "Transaction flags waiting for you" in html and "2 flags without a case" in html
    assert panels.day_flags(world.auditor, AS_OF) == {"total": 0}


def test_the_day_section_runs_the_same_queries_for_many_flags(world, stored, django_assert_num_queries):
    user = world.facilitator
    panels.day_flags(user, AS_OF)
    with django_assert_num_queries(3):  # counts per code, the first flags, their open cases
        panels.day_flags(user, AS_OF)
    for _ in range(15):
        flag(make_family(facilitator=world.facilitator))
    with django_assert_num_queries(3):
        context = panels.day_flags(user, AS_OF)
    assert context["total"] == 16 and len(context["items"]) == flag_module.DAY_LIST_LIMIT and context["more"] == 6


# --- admin ----------------------------------------------------------------------------------------

def test_the_thresholds_are_edited_in_the_admin_and_the_rest_is_read_only(world, client, stored):
    client.force_login(world.admin)
    settings_row = MonitoringSettings.current()
    response = client.post(reverse("admin:monitoring_monitoringsettings_change", args=[settings_row.pk]), {
        "dormant_days": 45, "dormant_buckets": "30,60,90", "cluster_min_households": 4, "cluster_window_minutes": 30})
    assert response.status_code == 302
    settings_row.refresh_from_db()
    assert (settings_row.dormant_days, settings_row.cluster_min_households) == (45, 4)
    assert client.get(reverse("admin:monitoring_monitoringsettings_add")).status_code == 403

    assert client.get(reverse("admin:monitoring_flag_changelist")).status_code == 200
    page = client.get(reverse("admin:monitoring_flag_change", args=[stored["household"].pk]))
    assert page.status_code == 200 and 'type="submit"' not in page.content.decode().split('id="content-main"')[1]
    assert client.post(reverse("admin:monitoring_flag_delete", args=[stored["household"].pk])).status_code == 403
    assert client.get(reverse("admin:monitoring_bankevent_changelist")).status_code == 200
    assert client.get(reverse("admin:monitoring_monthlyreport_changelist")).status_code == 200
