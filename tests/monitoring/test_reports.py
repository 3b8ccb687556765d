"""The monthly transaction-monitoring report: a hand-made city where every figure is counted by hand (the
comments say why each number is what it is), the command's JSON/CSV/XLSX outputs, versioning and
immutability of the snapshots, and the pages for each role."""

import csv
import io
import itertools
import json
from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from beneficiaries.models import Household, HouseholdStatusChange
from core.models import AuditEvent, Job
from monitoring import reports
from monitoring.models import BankEvent, FlagCode, Match, MonitoringSettings, MonthlyReport
from tests.conftest import make_family
from tests.factories import HouseholdFactory, MemberFactory, region

CITY = "31.75"
OCTOBER = reports.Month.parse("2026-10")
STAGE = 600_000  # make_family: SD (900,000) + SMP (1,500,000) a year, a quarter per stage
_refs = itertools.count(1)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def event(household, kind, on, amount=STAGE, *, stage=4, at=None, location="", id_kpm=None, match=Match.MATCHED,
          city=CITY):
    """One bank row of 2026 (`household` None: an ID KPM the registry does not know)."""
    return BankEvent.objects.create(
        bank="BRI", ref=f"G{next(_refs):07d}", id_kpm=id_kpm or household.id_kpm,
        kks_number=household.kks_number if household else "6013000000009999", year=2026, stage=stage, kind=kind,
        occurred_on=on, occurred_time=at, amount=amount, location=location, household=household, match=match,
        city_code=city)


@pytest.fixture
def city(world):
    """City A (31.75) in October 2026: six families, every flag planted, every figure checkable by hand.

    kecamatan 31.75.01 / kelurahan 31.75.01.1001: h1 (facilitator A1), h4 (A1, suspended 15 Sep), h5 (A1, card
    held by the facilitator); kecamatan 31.75.02 / kelurahan 31.75.02.1001: h2 (A2), h3 (no facilitator), h6 (A2).
    """
    settings = MonitoringSettings.current()
    settings.cluster_min_households = 2  # two of A1's families at one agent within the hour is a cluster
    settings.save(update_fields=["cluster_min_households"])
    a1, a2 = world.facilitator, world.other_facilitator
    h1, h2, h3 = world.household, world.other_household, world.unassigned
    h4 = make_family(facilitator=a1, kelurahan="31.75.01.1001", status=Household.Status.SUSPENDED,
                     status_since=date(2026, 9, 15))
    HouseholdStatusChange.objects.create(household=h4, status="active", effective_date=date(2018, 1, 1))
    HouseholdStatusChange.objects.create(household=h4, status="suspended", effective_date=date(2026, 9, 15))
    h5 = make_family(facilitator=a1, kelurahan="31.75.01.1001", kks_holder=Household.KKSHolder.FACILITATOR)
    h6 = make_family(facilitator=a2, kelurahan="31.75.02.1001")

    # h1: paid stage 3 and 4, withdrawn two days later each time; the 4th at agent AGEN-1 at 10:00.
    event(h1, "SALUR", date(2026, 7, 6), stage=3)
    event(h1, "TARIK", date(2026, 7, 8), stage=3)
    event(h1, "SALUR", date(2026, 10, 5))
    event(h1, "TARIK", date(2026, 10, 7), at=time(10, 0), location="AGEN-1")
    # h2: stage 3 late (10 Sep) and withdrawn 10 days later; stage 4 short by 100,000 and not withdrawn yet.
    event(h2, "SALUR", date(2026, 9, 10), stage=3)
    event(h2, "TARIK", date(2026, 9, 20), stage=3, at=time(9, 0), location="ATM-3")
    event(h2, "SALUR", date(2026, 10, 5), amount=500_000)
    # h3: stage 3 never withdrawn (117 days on 31 October); stage 4 not credited at all.
    event(h3, "SALUR", date(2026, 7, 6), stage=3)
    # h4: suspended on 15 September, credited in October anyway; withdrew at AGEN-1 20 minutes after h1.
    event(h4, "SALUR", date(2026, 7, 6), stage=3)
    event(h4, "TARIK", date(2026, 7, 7), stage=3)
    event(h4, "SALUR", date(2026, 10, 5))
    event(h4, "TARIK", date(2026, 10, 7), at=time(10, 20), location="AGEN-1")
    # h5: stage 3 on 25 August, withdrawn 30 September; stage 4 not credited.
    event(h5, "SALUR", date(2026, 8, 25), stage=3)
    event(h5, "TARIK", date(2026, 9, 30), stage=3, at=time(9, 0), location="ATM-2")
    # h6: stage 3 on 2 September withdrawn only on 10 October (38 days); stage 4 credited twice.
    event(h6, "SALUR", date(2026, 9, 2), stage=3)
    event(h6, "SALUR", date(2026, 10, 5))
    event(h6, "SALUR", date(2026, 10, 5))
    event(h6, "TARIK", date(2026, 10, 10), amount=1_800_000, at=time(11, 0), location="ATM-3")
    # A row of an ID KPM the registry does not know; and events outside the month or the city.
    event(None, "SALUR", date(2026, 10, 5), id_kpm="X999", match=Match.UNKNOWN_KPM)
    event(h1, "SALUR", date(2026, 11, 2), stage=4)  # after the month: not known on 31 October
    event(world.household_b, "SALUR", date(2026, 10, 5), city="31.74")
    return {"h1": h1, "h2": h2, "h3": h3, "h4": h4, "h5": h5, "h6": h6}


def figures(**values) -> dict:
    """A row's figures: zero unless given."""
    base = {"active_households": 0, "entitled_households": 0, "credited_households": 0, "total_credited": 0,
            "total_expected": 0, "withdrawn_households": 0, "withdrawal_cohort": 0, "withdrawn_within_window": 0,
            "withdrawn_within_window_share": None,
            "not_withdrawn": {"0-29": 0, "30-59": 0, "60-89": 0, "90+": 0}}
    flags = dict.fromkeys(FlagCode.values, 0)
    flags.update(values.pop("flags", {}))
    not_withdrawn = {**base["not_withdrawn"], **values.pop("not_withdrawn", {})}
    return {**base, **values, "not_withdrawn": not_withdrawn, "flags": flags}


def only_figures(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("code", "name", "kecamatan", "id", "username")}


def test_the_report_has_the_keys_of_the_issue_and_every_figure_counted_by_hand(city, world):
    content, params = reports.build_content(CITY, OCTOBER)
    assert list(content) == ["city", "month", "generated_at", "totals", "by_kecamatan", "by_kelurahan",
                             "by_facilitator", "flags"] == list(reports.KEYS)
    assert (content["city"], content["month"]) == ("31.75", "2026-10")
    assert params["stages"] == [{"year": 2026, "stage": 4}]  # the October credits are all of stage 4

    # Active on 31 Oct: all but h4 (suspended). Entitled to stage 4 (active on 1 Oct, 600,000 each): the same 5.
    # Credited in October: h1 600,000, h2 500,000, h4 600,000, h6 2 × 600,000 (X999 matches no family).
    # Withdrew in October: h1, h4, h6. Cohort (first credit 1 Sep–1 Oct): h2 (withdrew after 10 days), h6 (38).
    # Not withdrawn on 31 Oct: h2 since 5 Oct (26 days), h3 since 6 Jul (117 days).
    assert only_figures(content["totals"]) == figures(
        active_households=5, entitled_households=5, credited_households=4, total_credited=2_900_000,
        total_expected=3_000_000, withdrawn_households=3, withdrawal_cohort=2, withdrawn_within_window=1,
        withdrawn_within_window_share=0.5, not_withdrawn={"0-29": 1, "90+": 1},
        flags={"NOMINAL_TIDAK_SESUAI": 2, "SALUR_KE_NONAKTIF": 1, "TIDAK_SALUR": 2, "SALUR_GANDA": 1,
               "DANA_MENGENDAP": 1, "TARIK_MENGELOMPOK": 2, "KKS_BUKAN_KELUARGA": 1, "TIDAK_DIKENAL": 1})
    assert content["totals"]["name"] == "Kota Administrasi Jakarta Timur"

    east = figures(  # h1, h4, h5
        active_households=2, entitled_households=2, credited_households=2, total_credited=1_200_000,
        total_expected=1_200_000, withdrawn_households=2,
        flags={"SALUR_KE_NONAKTIF": 1, "TIDAK_SALUR": 1, "TARIK_MENGELOMPOK": 2, "KKS_BUKAN_KELUARGA": 1})
    west = figures(  # h2, h3, h6
        active_households=3, entitled_households=3, credited_households=2, total_credited=1_700_000,
        total_expected=1_800_000, withdrawn_households=1, withdrawal_cohort=2, withdrawn_within_window=1,
        withdrawn_within_window_share=0.5, not_withdrawn={"0-29": 1, "90+": 1},
        flags={"NOMINAL_TIDAK_SESUAI": 2, "TIDAK_SALUR": 1, "SALUR_GANDA": 1, "DANA_MENGENDAP": 1})
    assert [(r["code"], only_figures(r)) for r in content["by_kecamatan"]] == [("31.75.01", east), ("31.75.02", west)]
    assert [(r["code"], r["name"], r["kecamatan"], only_figures(r)) for r in content["by_kelurahan"]] == [
        ("31.75.01.1001", "Pisangan Baru", "31.75.01", east), ("31.75.02.1001", "Pulo Gadung", "31.75.02", west)]

    rows = {row["id"]: row for row in content["by_facilitator"]}
    assert [row["id"] for row in content["by_facilitator"]][-1] is None  # "not assigned" last
    assert rows[world.facilitator.pk]["username"] == "pendamping_a1"
    assert only_figures(rows[world.facilitator.pk]) == east  # A1 has exactly kelurahan 31.75.01.1001
    assert only_figures(rows[world.other_facilitator.pk]) == figures(  # h2, h6
        active_households=2, entitled_households=2, credited_households=2, total_credited=1_700_000,
        total_expected=1_200_000, withdrawn_households=1, withdrawal_cohort=2, withdrawn_within_window=1,
        withdrawn_within_window_share=0.5, not_withdrawn={"0-29": 1},
        flags={"NOMINAL_TIDAK_SESUAI": 2, "SALUR_GANDA": 1})
    assert only_figures(rows[None]) == figures(  # h3
        active_households=1, entitled_households=1, total_expected=600_000, not_withdrawn={"90+": 1},
        flags={"TIDAK_SALUR": 1, "DANA_MENGENDAP": 1})


def test_the_flagged_households_are_listed_with_their_facilitator(city, world):
    content, _ = reports.build_content(CITY, OCTOBER)
    h = city
    listed = [(f["code"], f["id_kpm"], f["facilitator"], f["kelurahan"], f["year"], f["stage"])
              for f in content["flags"]]
    assert listed == sorted([
        ("DANA_MENGENDAP", h["h3"].id_kpm, "", "31.75.02.1001", 2026, 3),
        ("KKS_BUKAN_KELUARGA", h["h5"].id_kpm, "pendamping_a1", "31.75.01.1001", None, None),
        ("NOMINAL_TIDAK_SESUAI", h["h2"].id_kpm, "pendamping_a2", "31.75.02.1001", 2026, 4),
        ("NOMINAL_TIDAK_SESUAI", h["h6"].id_kpm, "pendamping_a2", "31.75.02.1001", 2026, 4),
        ("SALUR_GANDA", h["h6"].id_kpm, "pendamping_a2", "31.75.02.1001", 2026, 4),
        ("SALUR_KE_NONAKTIF", h["h4"].id_kpm, "pendamping_a1", "31.75.01.1001", 2026, 4),
        ("TARIK_MENGELOMPOK", h["h1"].id_kpm, "pendamping_a1", "31.75.01.1001", 2026, 4),
        ("TARIK_MENGELOMPOK", h["h4"].id_kpm, "pendamping_a1", "31.75.01.1001", 2026, 4),
        ("TIDAK_DIKENAL", "X999", "", "", 2026, 4),
        ("TIDAK_SALUR", h["h3"].id_kpm, "", "31.75.02.1001", 2026, 4),
        ("TIDAK_SALUR", h["h5"].id_kpm, "pendamping_a1", "31.75.01.1001", 2026, 4),
    ])
    nominal = next(f for f in content["flags"] if f["code"] == "NOMINAL_TIDAK_SESUAI" and f["id_kpm"] == h["h2"].id_kpm)
    assert (nominal["expected"], nominal["credited"], nominal["facilitator_id"]) == (600_000, 500_000,
                                                                                     world.other_facilitator.pk)
    dormant = next(f for f in content["flags"] if f["code"] == "DANA_MENGENDAP")
    assert dormant["detail"]["age_days"] == 117
    json.dumps(content)  # plain JSON all the way down


def test_flags_of_other_months_stay_out(city):
    """September: the stage-3 credits of h2 and h6 fall in it (h1, h3 and h4 were credited in July, h5 in
    August)."""
    content, params = reports.build_content(CITY, reports.Month.parse("2026-09"))
    assert params["stages"] == [{"year": 2026, "stage": 3}]
    flags = content["totals"]["flags"]
    assert flags["SALUR_KE_NONAKTIF"] == 0 and flags["TARIK_MENGELOMPOK"] == 0 and flags["TIDAK_DIKENAL"] == 0
    assert flags["KKS_BUKAN_KELUARGA"] == 1  # a registry finding: every month while it lasts
    assert content["totals"]["credited_households"] == 2
    assert content["totals"]["total_credited"] == 1_200_000
    # Entitled to stage 3 (active on 1 July): all six (h4 was suspended only on 15 September).
    assert (content["totals"]["entitled_households"], content["totals"]["total_expected"]) == (6, 3_600_000)


def test_a_month_without_disbursement_expects_nothing(city):
    content, params = reports.build_content(CITY, reports.Month.parse("2026-08"))  # only h5's credit, 25 Aug
    assert params["stages"] == [{"year": 2026, "stage": 3}]
    content, params = reports.build_content(CITY, reports.Month.parse("2026-06"))
    assert params["stages"] == []
    totals = content["totals"]
    assert (totals["entitled_households"], totals["total_expected"], totals["credited_households"]) == (0, 0, 0)
    assert totals["active_households"] == 6


def test_the_age_buckets_and_the_window_follow_the_settings(city):
    settings = MonitoringSettings.current()
    settings.dormant_buckets = "20,100"
    settings.dormant_days = 45
    settings.save(update_fields=["dormant_buckets", "dormant_days"])
    content, params = reports.build_content(CITY, OCTOBER)
    assert content["totals"]["not_withdrawn"] == {"0-19": 0, "20-99": 1, "100+": 1}
    # Window 45 days: first credit from 17 Aug to 16 Sep: h2 (10 Sep, withdrew after 10 days), h5 (25 Aug,
    # withdrew after 36 days), h6 (2 Sep, 38 days).
    assert (content["totals"]["withdrawal_cohort"], content["totals"]["withdrawn_within_window"]) == (3, 3)
    assert params["withdrawal_window_days"] == 45 and params["age_buckets"] == [20, 100]


def test_the_report_takes_the_same_queries_for_a_small_and_a_larger_city(city, world):
    """Eleven queries of the report's own (city; households; regions; facilitators; status history; the month's
    credits; its withdrawals; the cohort; their withdrawals; money not withdrawn; members) plus the settings and
    those of compute_flags and the rule book: the same for 6 families as for 36."""
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            reports.build_content(CITY, OCTOBER)
        return len(queries)

    small = count()
    for number in range(30):
        household = make_family(facilitator=world.facilitator if number % 2 else world.other_facilitator,
                                kelurahan="31.75.01.1001" if number % 3 else "31.75.02.1001")
        event(household, "SALUR", date(2026, 10, 5))
        event(household, "TARIK", date(2026, 10, 9 + number % 5))
    assert count() == small


# --- the snapshot -----------------------------------------------------------------------------------

def test_building_again_makes_a_new_version_with_the_same_figures(city, world):
    first = reports.report_build(actor=world.coordinator, city_code=CITY, month=OCTOBER)
    second = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    assert (first.version, second.version) == (1, 2)
    assert first.checksum == second.checksum == reports.content_checksum(second.content)
    assert len(first.checksum) == 64
    assert first.row_counts == {"by_kecamatan": 2, "by_kelurahan": 2, "by_facilitator": 3, "flags": 11,
                                "households": 5}
    assert first.params["stages"] == [{"year": 2026, "stage": 4}] and first.params["as_of"] == "2026-10-31"
    assert first.generated_by == world.coordinator and second.generated_by is None
    audit = AuditEvent.objects.filter(object_type="monitoring.monthlyreport").order_by("id")
    assert [(a.actor_username, a.city_code, a.changes["version"]) for a in audit] == [
        ("korkot_a", CITY, 1), ("system", CITY, 2)]

    # New data for October: a third version with other figures; the first two are left as they were.
    event(city["h3"], "SALUR", date(2026, 10, 20))
    third = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    assert third.version == 3 and third.checksum != first.checksum
    assert third.content["totals"]["credited_households"] == 5
    first.refresh_from_db()
    assert first.content["totals"]["credited_households"] == 4
    assert MonthlyReport.objects.count() == 3


def test_the_checksum_leaves_out_only_the_build_time(city):
    content, _ = reports.build_content(CITY, OCTOBER)
    later = {**content, "generated_at": "2030-01-01T00:00:00+00:00"}
    assert reports.content_checksum(later) == reports.content_checksum(content)
    changed = json.loads(json.dumps(content))
    changed["totals"]["total_credited"] += 1
    assert reports.content_checksum(changed) != reports.content_checksum(content)


def test_a_stored_report_cannot_be_changed_or_deleted(city):
    report = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    report.checksum = "0" * 64
    with pytest.raises(PermissionError):
        report.save()
    with pytest.raises(PermissionError):
        MonthlyReport.objects.filter(pk=report.pk).update(checksum="0" * 64)
    with pytest.raises(PermissionError):
        report.delete()
    assert MonthlyReport.objects.get(pk=report.pk).checksum == reports.content_checksum(report.content)


def test_an_interrupted_build_stores_nothing(city, monkeypatch):
    def interrupt(step):
        if step == "stored":
            raise RuntimeError("worker lost")

    monkeypatch.setattr(reports, "_checkpoint", interrupt)
    with pytest.raises(RuntimeError):
        reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    assert not MonthlyReport.objects.exists()
    assert not AuditEvent.objects.filter(object_type="monitoring.monthlyreport").exists()
    monkeypatch.setattr(reports, "_checkpoint", lambda step: None)
    assert reports.report_build(actor=None, city_code=CITY, month=OCTOBER).version == 1


def test_a_run_of_the_schedule_delivered_again_builds_no_second_version(city):
    first = reports.report_build(actor=None, city_code=CITY, month=OCTOBER, trigger="schedule", run="task-1")
    again = reports.report_build(actor=None, city_code=CITY, month=OCTOBER, trigger="schedule", run="task-1")
    other = reports.report_build(actor=None, city_code=CITY, month=OCTOBER, trigger="schedule", run="task-2")
    assert again.pk == first.pk and other.version == 2


def test_only_coordinators_and_admins_of_the_city_build(city, world):
    for user in (world.facilitator, world.auditor, world.coordinator_b):
        with pytest.raises(PermissionDenied):
            reports.report_build(actor=user, city_code=CITY, month=OCTOBER)
    assert not MonthlyReport.objects.exists()
    assert reports.report_build(actor=world.admin, city_code=CITY, month=OCTOBER).version == 1


def test_month_parsing():
    assert reports.Month.parse("2026-10") == reports.Month(date(2026, 10, 1), date(2026, 10, 31))
    assert reports.Month.parse("2024-02").last == date(2024, 2, 29)
    assert reports.Month.parse("2026-12").last == date(2026, 12, 31)
    assert reports.Month.parse("2026-01").previous() == reports.Month.parse("2025-12")
    for bad in ("2026-13", "oktober", "", "2026"):
        with pytest.raises(Exception, match="YYYY-MM"):
            reports.Month.parse(bad)


def test_cities_with_households(world):
    assert reports.cities_with_households() == ["31.74", "31.75"]


# --- the command ------------------------------------------------------------------------------------

def test_the_command_writes_the_report_as_json(city, tmp_path):
    output = tmp_path / "oktober.json"
    out = io.StringIO()
    call_command("monthly_report", city=CITY, month="2026-10", output=str(output), stdout=out)
    content = json.loads(output.read_text(encoding="utf-8"))
    built, _ = reports.build_content(CITY, OCTOBER)
    assert reports.content_checksum(content) == reports.content_checksum(built)
    assert "5 active households, 4 credited (Rp 2,900,000 of Rp 3,000,000 expected), 11 flags" in out.getvalue()
    assert not MonthlyReport.objects.exists()  # written only


def test_the_command_writes_csv_with_a_row_per_area_and_per_flag(city, tmp_path):
    output = tmp_path / "oktober.csv"
    call_command("monthly_report", city=CITY, month="2026-10", output=str(output), stdout=io.StringIO())
    text = output.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["level"] for r in rows] == ["city", "kecamatan", "kecamatan", "kelurahan", "kelurahan", "facilitator",
                                          "facilitator", "facilitator"] + ["flag"] * 11
    city_row = rows[0]
    assert (city_row["code"], city_row["active_households"], city_row["total_credited"], city_row["total_expected"],
            city_row["withdrawn_within_window_share"], city_row["not_withdrawn_90+"],
            city_row["flags_TIDAK_SALUR"]) == ("31.75", "5", "2900000", "3000000", "0.5", "1", "2")
    assert rows[3]["kecamatan"] == "31.75.01" and rows[3]["name"] == "Pisangan Baru"
    assert [r["code"] for r in rows[5:8]] == ["pendamping_a1", "pendamping_a2", ""]
    unknown = next(r for r in rows if r["flag"] == "TIDAK_DIKENAL")
    assert (unknown["id_kpm"], unknown["credited"], json.loads(unknown["detail"])["match"]) == ("X999", "600000",
                                                                                                 "unknown_kpm")
    assert unknown["active_households"] == ""


def test_the_command_writes_xlsx_with_the_same_figures_and_stores_with_store(city, tmp_path):
    output = tmp_path / "oktober.xlsx"
    call_command("monthly_report", city=CITY, month="2026-10", output=str(output), store=True, stdout=io.StringIO())
    report = MonthlyReport.objects.get()
    assert (report.version, report.params["trigger"]) == (1, "command")
    book = load_workbook(output)
    assert len(book.sheetnames) == 5  # totals, kecamatan, kelurahan, facilitators, flagged families (in Indonesian)
    totals = list(book.worksheets[0].iter_rows(values_only=True))
    assert totals[1][:8] == ("31.75", "Kota Administrasi Jakarta Timur", "2026-10", 5, 5, 4, 2_900_000, 3_000_000)
    flagged = list(book.worksheets[4].iter_rows(values_only=True))
    assert len(flagged) == 12 and {row[1] for row in flagged[1:]} == set(FlagCode.values)


@pytest.mark.parametrize("arguments, message", [
    ({"city": "31.75", "month": "2026-10"}, "nothing to do"),
    ({"city": "31.75", "month": "2026-10", "output": "x.txt"}, "the extension gives the format"),
    ({"city": "99.99", "month": "2026-10", "output": "x.json"}, "unknown regency/city"),
    ({"city": "31.75", "month": "10/2026", "output": "x.json"}, "is not a month"),
])
def test_the_command_says_what_is_wrong(world, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("monthly_report", **arguments)


# --- pages ------------------------------------------------------------------------------------------

def test_the_list_shows_the_months_with_their_versions(city, world, client_for):
    reports.report_build(actor=world.coordinator, city_code=CITY, month=OCTOBER)
    reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    reports.report_build(actor=None, city_code=CITY, month=reports.Month.parse("2026-09"))
    response = client_for(world.auditor).get(reverse("monitoring_report_list"))
    assert response.status_code == 200
    months = response.context["months"]
    assert [(m.month, len(m.versions), m.latest.version) for m in months] == [
        (date(2026, 10, 1), 2, 2), (date(2026, 9, 1), 1, 1)]
    assert not response.context["can_build"]
    html = response.content.decode()
    assert "October 2026" in html and reverse("monitoring_report_detail", args=[months[0].latest.pk]) in html
    assert reverse("monitoring_report_build") not in html  # auditors read only


def test_other_cities_reports_stay_hidden(city, world, client_for):
    report = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    client = client_for(world.coordinator_b)
    assert client.get(reverse("monitoring_report_list")).context["months"] == []
    assert client.get(reverse("monitoring_report_detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("monitoring_report_export", args=[report.pk])).status_code == 404
    assert client.get(reverse("monitoring_report_flags", args=[report.pk])).status_code == 404


def test_the_report_page_shows_the_figures_charts_and_versions(city, world, client_for):
    first = reports.report_build(actor=world.coordinator, city_code=CITY, month=OCTOBER)
    report = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    response = client_for(world.coordinator).get(reverse("monitoring_report_detail", args=[report.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="monitoring-report-data"' in html and "js/monitoring_reports.js" in html
    chart = response.context["chart_data"]
    assert chart["money"]["labels"] == ["Wilayah 31.75.01", "Wilayah 31.75.02"]  # per kecamatan
    assert chart["money"]["credited"] == [1_200_000, 1_700_000]
    assert chart["money"]["expected"] == [1_200_000, 1_800_000]
    assert chart["withdrawal"]["labels"] == ["Wilayah 31.75.01", "Wilayah 31.75.02"]
    assert chart["withdrawal"]["share"] == [None, 50.0]
    assert dict(zip(chart["flags"]["codes"], chart["flags"]["counts"]))["TIDAK_SALUR"] == 2
    assert "Pisangan Baru" in html and "pendamping_a2" in html
    assert [label for label, _count in response.context["page"].bucket_rows()] == [  # in order, though stored JSON
        "Not withdrawn 0–29 days", "Not withdrawn 30–59 days", "Not withdrawn 60–89 days",  # keeps no key order
        "Not withdrawn 90 days or more"]
    # Versions with checksum, who and when; the same figures say so.
    assert [v.version for v in response.context["versions"]] == [2, 1]
    assert first.checksum[:12] in html and "korkot_a" in html
    # Drill-down links: the snapshot's flagged families and the live flag list.
    assert f'{reverse("monitoring_report_flags", args=[report.pk])}?code=TIDAK_SALUR' in html
    assert f'{reverse("monitoring_flag_list")}?code=TIDAK_SALUR' in html
    assert reverse("monitoring_report_export", args=[report.pk]) in html


def test_the_report_page_takes_the_same_queries_for_few_and_many_flags(city, world, client_for):
    client = client_for(world.coordinator)
    small = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("monitoring_report_detail", args=[small.pk])).status_code == 200
    for number in range(25):
        make_family(facilitator=world.facilitator)  # 25 more TIDAK_SALUR
    large = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    assert len(large.content["flags"]) == 36
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("monitoring_report_detail", args=[large.pk])).status_code == 200
    assert len(many) == len(few)


def test_a_facilitator_sees_only_their_own_figures_and_flagged_families(city, world, client_for):
    report = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    client = client_for(world.other_facilitator)
    response = client.get(reverse("monitoring_report_detail", args=[report.pk]))
    assert response.status_code == 200
    view = response.context["view"]
    assert view.own and view.totals["active_households"] == 2 and view.totals["total_credited"] == 1_700_000
    assert view.by_kecamatan == [] and [r["id"] for r in view.by_facilitator] == [world.other_facilitator.pk]
    assert {f["id_kpm"] for f in view.flags} == {city["h2"].id_kpm, city["h6"].id_kpm}
    html = response.content.decode()
    assert city["h4"].id_kpm not in html and "pendamping_a1" not in html
    flags = client.get(reverse("monitoring_report_flags", args=[report.pk]))
    assert {f["id_kpm"] for f in flags.context["page_obj"]} == {city["h2"].id_kpm, city["h6"].id_kpm}
    book = load_workbook(io.BytesIO(client.get(reverse("monitoring_report_export", args=[report.pk])).content))
    assert [ws.title for ws in book.worksheets] == ["Totals", "By facilitator", "Flagged families"]
    assert len(list(book["Flagged families"].iter_rows())) == 1 + 3
    assert client.get(reverse("monitoring_report_list")).context["months"][0].latest.pk == report.pk


def test_a_facilitator_without_families_in_the_report_does_not_see_it(city, world, client_for):
    report = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    Household.objects.filter(facilitator=world.other_facilitator).update(facilitator=world.facilitator)
    newer = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    client = client_for(world.other_facilitator)
    assert client.get(reverse("monitoring_report_detail", args=[report.pk])).status_code == 200
    assert client.get(reverse("monitoring_report_detail", args=[newer.pk])).status_code == 404
    assert [v.pk for m in client.get(reverse("monitoring_report_list")).context["months"] for v in m.versions] == [
        report.pk]


def test_the_drill_down_lists_the_flagged_families_with_links(city, world, client_for):
    report = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    client = client_for(world.coordinator)
    url = reverse("monitoring_report_flags", args=[report.pk])
    response = client.get(url, {"code": "TIDAK_SALUR"})
    assert [f["id_kpm"] for f in response.context["page_obj"]] == sorted([city["h3"].id_kpm, city["h5"].id_kpm])
    html = response.content.decode()
    assert reverse("household_detail", args=[city["h3"].pk]) in html
    assert "Expected Rp600.000 for this stage" in html
    by_facilitator = client.get(url, {"facilitator": world.facilitator.pk})
    assert {f["code"] for f in by_facilitator.context["page_obj"]} == {
        "KKS_BUKAN_KELUARGA", "SALUR_KE_NONAKTIF", "TARIK_MENGELOMPOK", "TIDAK_SALUR"}
    not_assigned = client.get(url, {"facilitator": "none"})
    assert {f["id_kpm"] for f in not_assigned.context["page_obj"]} == {city["h3"].id_kpm, "X999"}
    by_kelurahan = client.get(url, {"kelurahan": "31.75.02.1001"})
    assert len(by_kelurahan.context["page_obj"].object_list) == 5
    # The unknown row links nowhere (no household), and a family out of scope would not be linked either.
    assert 'href="/households/None' not in html


def test_the_xlsx_download_has_the_same_figures_and_is_audited(city, world, client_for):
    report = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    response = client_for(world.auditor).get(reverse("monitoring_report_export", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="laporan-transaksi-31.75-2026-10-v1.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert [ws.title for ws in book.worksheets] == ["Totals", "By kecamatan", "By kelurahan", "By facilitator",
                                                    "Flagged families"]
    kelurahan = list(book["By kelurahan"].iter_rows(values_only=True))
    assert kelurahan[0][12:16] == ("Not withdrawn 0–29 days", "Not withdrawn 30–59 days", "Not withdrawn 60–89 days",
                                   "Not withdrawn 90 days or more")
    assert kelurahan[2][:9] == ("31.75.02.1001", "Pulo Gadung", "31.75.02", 3, 3, 2, 1_700_000, 1_800_000, 1)
    export = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (export.actor, export.city_code, export.changes["report"], export.changes["version"]) == (
        world.auditor, CITY, report.pk, 1)


def test_a_coordinator_builds_on_demand_and_follows_the_progress(city, world, client_for,
                                                                 django_capture_on_commit_callbacks):
    client = client_for(world.coordinator)
    page = client.get(reverse("monitoring_report_build"))
    assert page.status_code == 200
    assert page.context["form"].initial["month"] == reports.Month.of(timezone.localdate()).previous().key
    with django_capture_on_commit_callbacks(execute=True):  # the task runs eagerly here; see test_report_tasks
        response = client.post(reverse("monitoring_report_build"), {"city": CITY, "month": "2026-10"})
    job = Job.objects.get(kind="monitoring_report")
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    report = MonthlyReport.objects.get()
    assert (report.job, report.generated_by, report.params["trigger"]) == (job, world.coordinator, "on_demand")
    assert job.result["version"] == 1 and job.result["flags"] == 11
    assert "Version 1 of the report of Kota Administrasi Jakarta Timur for October 2026 is ready" in job.message


def test_the_build_form_refuses_another_city_and_a_future_month(city, world, client_for):
    client = client_for(world.coordinator)
    response = client.post(reverse("monitoring_report_build"), {"city": "31.74", "month": "2026-10"})
    assert response.status_code == 200 and response.context["form"].errors["city"]
    this_month = reports.Month.of(timezone.localdate()).key
    response = client.post(reverse("monitoring_report_build"), {"city": CITY, "month": this_month})
    assert response.context["form"].errors["month"] == ["The month has not ended yet: choose an earlier month."]
    response = client.post(reverse("monitoring_report_build"), {"city": CITY, "month": "oktober"})
    assert response.context["form"].errors["month"]
    assert not Job.objects.exists()


def test_a_second_build_of_the_same_month_shows_the_running_one(city, world, client_for):
    from monitoring.report_tasks import MONTHLY_REPORT

    active = Job.objects.create(kind=MONTHLY_REPORT, created_by=world.coordinator, city_code=CITY,
                                lock_key=f"{CITY}:2026-10", params={"city": CITY, "month": "2026-10"})
    response = client_for(world.coordinator).post(reverse("monitoring_report_build"), {"city": CITY, "month": "2026-10"})
    assert response["Location"] == reverse("job_detail", args=[active.pk])
    assert Job.objects.count() == 1


def test_facilitators_and_auditors_may_not_build(world, client_for):
    for user in (world.facilitator, world.auditor):
        assert client_for(user).post(reverse("monitoring_report_build"), {"city": CITY, "month": "2026-10"}
                                     ).status_code == 403
    assert not Job.objects.exists()


def test_no_household_is_counted_twice_across_levels(world):
    """Households without a facilitator and in several kelurahan: the levels add up to the city."""
    for code in ("31.75.01.1001", "31.75.02.1001", "31.75.03.1001"):
        household = HouseholdFactory(kelurahan=region(code))
        MemberFactory(household=household, birth_date=date(1950, 1, 1), is_pengurus=True)  # LANSIA
    content, _ = reports.build_content(CITY, OCTOBER)
    total = content["totals"]["active_households"]
    assert total == 6
    assert sum(r["active_households"] for r in content["by_kecamatan"]) == total
    assert sum(r["active_households"] for r in content["by_kelurahan"]) == total
    assert sum(r["active_households"] for r in content["by_facilitator"]) == total


def test_the_list_and_the_flagged_families_take_the_same_queries_at_two_sizes(city, world, client_for):
    client = client_for(world.coordinator)
    report = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)

    def queries(url, **params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    list_one = queries(reverse("monitoring_report_list"))
    flags_few = queries(reverse("monitoring_report_flags", args=[report.pk]))
    for number in range(20):
        make_family(facilitator=world.other_facilitator, kelurahan="31.75.02.1001")  # 20 more TIDAK_SALUR
    for month in ("2026-07", "2026-08", "2026-09", "2026-10"):
        reports.report_build(actor=None, city_code=CITY, month=reports.Month.parse(month))
    larger = MonthlyReport.objects.order_by("-pk").first()
    assert len(larger.content["flags"]) == 31
    assert queries(reverse("monitoring_report_list")) == list_one
    assert queries(reverse("monitoring_report_flags", args=[larger.pk])) == flags_few


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_report_page_draws_its_charts_on_a_phone(phone, live_server, city, world):
    """Chart.js from the vendored file, the figures from json_script: three charts, no script error or CSP
    violation (the `phone` fixture fails the test on either)."""
    from tests.browser import screenshot, sign_in

    report = reports.report_build(actor=None, city_code=CITY, month=OCTOBER)
    sign_in(phone, live_server, world.coordinator.username)
    phone.goto(f"{live_server.url}{reverse('monitoring_report_detail', args=[report.pk])}")
    phone.wait_for_selector("canvas[data-chart=flags]")
    drawn = phone.evaluate("Array.from(document.querySelectorAll('canvas[data-chart]'))"
                           ".map(c => [c.dataset.chart, !!window.Chart.getChart(c)])")
    assert drawn == [["money", True], ["withdrawal", True], ["flags", True]]
    screenshot(phone, "monitoring-report")
    phone.goto(f"{live_server.url}{reverse('monitoring_report_flags', args=[report.pk])}?code=TIDAK_SALUR")
    assert phone.locator(".list-group-item").count() == 2
    screenshot(phone, "monitoring-report-flags")
