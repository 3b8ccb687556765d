"""Registry import: every error names its row and column, a bad file writes nothing, re-import is a no-op."""

import codecs
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from beneficiaries.importer import import_households
from beneficiaries.models import Assignment, FamilyCardChange, Household, Member
from core.models import AuditEvent
from tests.factories import make_nik, region

HEADER = [
    "id_kpm", "no_kk", "kode_wilayah", "alamat", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "hubungan",
    "pengurus", "hamil", "hpl", "kehamilan_ke", "sekolah", "disabilitas_berat", "no_kks", "bank",
    "tahun_kepesertaan", "pendamping", "desil",
]


def member_row(id_kpm="KPM-1", *, birth=date(1985, 3, 1), sex="P", serial=None, **overrides):
    row = {
        "id_kpm": id_kpm, "no_kk": "3175010101200001", "kode_wilayah": "31.75.01.1001", "alamat": "Jl. Mawar 1",
        "nik": make_nik(birth, sex, serial=serial), "nama": "Siti", "jenis_kelamin": sex, "tanggal_lahir": birth.isoformat(),
        "hubungan": "ISTRI", "pengurus": "Y", "hamil": "N", "hpl": "", "kehamilan_ke": "", "sekolah": "",
        "disabilitas_berat": "N", "no_kks": "6013010000000001", "bank": "BRI", "tahun_kepesertaan": "2015",
        "pendamping": "", "desil": "2",
    }
    row.update(overrides)
    return row


def family(id_kpm="KPM-1", **household_overrides):
    """Mother (pengurus), father, a child in SD; the same ID KPM always gives the same NIKs."""
    shared = {"id_kpm": id_kpm, **household_overrides}
    base = 3 * (sum(map(ord, id_kpm)) % 3000)
    return [
        member_row(**shared, serial=base, nama="Ibu " + id_kpm),
        member_row(**shared, serial=base + 1, birth=date(1980, 1, 1), sex="L", nama="Bapak " + id_kpm,
                   hubungan="KEPALA KELUARGA", pengurus="N"),
        member_row(**shared, serial=base + 2, birth=date(2016, 5, 5), sex="L", nama="Anak " + id_kpm, hubungan="ANAK",
                   pengurus="N", sekolah="SD"),
    ]


def csv_bytes(rows, header=HEADER, delimiter=",", bom=False) -> io.BytesIO:
    lines = [delimiter.join(header)] + [delimiter.join(str(r.get(h, "")) for h in header) for r in rows]
    data = "\n".join(lines).encode("utf-8")
    return io.BytesIO((codecs.BOM_UTF8 if bom else b"") + data)


@pytest.fixture
def villages(db):
    return [region("31.75.01.1001", "Pisangan Baru"), region("31.75.02.1001", "Pulo Gadung"), region("31.74.01.1001", "Tebet")]


def test_a_valid_file_creates_households_members_and_assignments(villages, world):
    rows = family("KPM-1", pendamping=world.facilitator.username) + family("KPM-2", no_kk="3175010101200002", no_kks="6013010000000002")
    result = import_households(csv_bytes(rows))
    assert result.written and not result.errors
    assert (result.households_created, result.members_created) == (2, 6)
    household = Household.objects.get(id_kpm="KPM-1")
    assert household.facilitator == world.facilitator
    assert Assignment.objects.get(household=household, end_date=None).facilitator == world.facilitator
    assert household.members.get(is_pengurus=True).name == "Ibu KPM-1"
    assert Household.objects.get(id_kpm="KPM-2").facilitator is None


def test_importing_the_same_file_twice_changes_nothing(villages, world):
    rows = family("KPM-1", pendamping=world.facilitator.username)
    import_households(csv_bytes(rows))
    versions = list(Household.objects.values_list("version", flat=True))
    events = AuditEvent.objects.count()
    second = import_households(csv_bytes(rows))
    assert second.written
    assert (second.households_created, second.households_updated, second.households_unchanged) == (0, 0, 1)
    assert (second.members_created, second.members_updated, second.assignments_changed) == (0, 0, 0)
    assert list(Household.objects.values_list("version", flat=True)) == versions
    assert AuditEvent.objects.count() == events
    assert Member.objects.filter(household__id_kpm="KPM-1").count() == 3


def test_a_changed_row_updates_and_is_audited(villages):
    import_households(csv_bytes(family("KPM-1")))
    rows = family("KPM-1", alamat="Jl. Melati 9", no_kk="3175010101209999")
    rows[2]["sekolah"] = "SMP"
    result = import_households(csv_bytes(rows))
    assert (result.households_updated, result.members_updated) == (1, 1)
    household = Household.objects.get(id_kpm="KPM-1")
    assert household.address == "Jl. Melati 9"
    assert FamilyCardChange.objects.get(household=household).old_no_kk == "3175010101200001"
    assert AuditEvent.objects.filter(household_id=household.pk, action="update").exists()


def test_reimport_can_move_the_pengurus_to_another_member(villages):
    import_households(csv_bytes(family("KPM-1")))
    rows = family("KPM-1")
    rows[0]["pengurus"], rows[1]["pengurus"] = "N", "Y"
    assert import_households(csv_bytes(rows)).written
    assert Household.objects.get(id_kpm="KPM-1").members.get(is_pengurus=True).name == "Bapak KPM-1"


ERROR_CASES = [
    ("nik", lambda rows: rows[1].update(nik="31750101"), "16 digits"),
    ("no_kk", lambda rows: [r.update(no_kk="12345") for r in rows], "16 digits"),
    ("kode_wilayah", lambda rows: [r.update(kode_wilayah="31.75.99.9999") for r in rows], "Unknown village code"),
    ("kode_wilayah", lambda rows: [r.update(kode_wilayah="Pisangan") for r in rows], "not a village code"),
    ("tanggal_lahir", lambda rows: rows[2].update(tanggal_lahir="2016-02-30"), "not a real calendar date"),
    ("tanggal_lahir", lambda rows: rows[2].update(tanggal_lahir="5 Mei 2016"), "not a date"),
    ("hpl", lambda rows: rows[0].update(hamil="Y"), "expected delivery date"),
    ("hubungan", lambda rows: rows[2].update(hubungan="KEPONAKAN"), "not a relationship"),
    ("sekolah", lambda rows: rows[2].update(sekolah="KULIAH"), "not a school level"),
    ("jenis_kelamin", lambda rows: rows[2].update(jenis_kelamin="X"), "L or P"),
    ("bank", lambda rows: [r.update(bank="BCA") for r in rows], "not a bank"),
    ("pengurus", lambda rows: rows[0].update(pengurus="N"), "no member marked as pengurus"),
    ("pengurus", lambda rows: rows[1].update(pengurus="Y"), "2 members marked as pengurus"),
    ("alamat", lambda rows: rows[1].update(alamat="Jl. Lain"), "Differs from row 5"),
    ("desil", lambda rows: [r.update(desil="11") for r in rows], "outside 1–10"),
]


@pytest.mark.parametrize("column, spoil, message", ERROR_CASES, ids=[f"{c[0]}-{c[2]}" for c in ERROR_CASES])
def test_each_error_names_row_and_column_and_nothing_is_written(villages, column, spoil, message):
    rows = family("KPM-OK", no_kk="3175010101200009", no_kks="6013010000000009") + family("KPM-1")
    spoil(rows[3:])
    result = import_households(csv_bytes(rows))
    assert not result.written
    assert any(p.column == column and message in p.message and p.row >= 5 for p in result.errors), result.errors
    assert Household.objects.count() == 0 and Member.objects.count() == 0


def test_a_missing_required_column_is_reported_on_the_header_row(villages):
    header = [h for h in HEADER if h != "tanggal_lahir"]
    result = import_households(csv_bytes(family(), header=header))
    assert not result.written
    assert result.errors[0].row == 1 and "tanggal_lahir" in result.errors[0].message


def test_a_nik_in_two_households_of_the_file_is_an_error(villages):
    rows = family("KPM-1") + family("KPM-2", no_kk="3175010101200002", no_kks="6013010000000002")
    rows[5]["nik"] = rows[2]["nik"]
    result = import_households(csv_bytes(rows))
    assert not result.written
    [problem] = result.errors
    assert (problem.row, problem.column, problem.id_kpm) == (7, "nik", "KPM-2")
    assert "row 4" in problem.message and "KPM-1" in problem.message


def test_a_nik_already_in_another_household_of_the_registry_is_an_error(villages):
    first = family("KPM-1")
    import_households(csv_bytes(first))
    rows = family("KPM-2", no_kk="3175010101200002", no_kks="6013010000000002")
    rows[2]["nik"] = first[2]["nik"]
    result = import_households(csv_bytes(rows))
    assert not result.written
    assert any(p.row == 4 and p.column == "nik" and "KPM-1" in p.message for p in result.errors)
    assert not Household.objects.filter(id_kpm="KPM-2").exists()


def test_skip_invalid_imports_the_good_households_and_reports_the_rest(villages):
    rows = family("KPM-1") + family("KPM-2", no_kk="3175010101200002", no_kks="6013010000000002")
    rows[4]["nik"] = "123"
    result = import_households(csv_bytes(rows), skip_invalid=True)
    assert result.written
    assert (result.households_created, result.households_skipped) == (1, 1)
    assert list(Household.objects.values_list("id_kpm", flat=True)) == ["KPM-1"]
    assert [(p.row, p.column) for p in result.errors] == [(6, "nik")]


def test_semicolons_bom_plain_village_codes_and_dmy_dates_are_accepted(villages):
    rows = family("KPM-1", kode_wilayah="3175011001")
    rows[0]["tanggal_lahir"] = "01/03/1985"
    result = import_households(csv_bytes(rows, delimiter=";", bom=True))
    assert result.written, result.errors
    household = Household.objects.get()
    assert household.kelurahan_id == "31.75.01.1001"
    assert household.members.get(is_pengurus=True).birth_date == date(1985, 3, 1)


def test_headers_are_case_insensitive_and_optional_columns_may_be_absent(villages):
    header = [h.upper() for h in HEADER if h not in {"hamil", "hpl", "kehamilan_ke", "pendamping", "desil"}]
    rows = [{k.upper(): v for k, v in r.items()} for r in family()]
    assert import_households(csv_bytes(rows, header=header)).written


def test_xlsx_files_import_like_csv(villages):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in family():
        values = [row[h] for h in HEADER]
        values[HEADER.index("nik")] = int(row["nik"])  # spreadsheets turn long numbers into numbers
        values[HEADER.index("tanggal_lahir")] = date.fromisoformat(row["tanggal_lahir"])
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    result = import_households(buffer)
    assert result.written, result.errors
    assert Member.objects.count() == 3


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02garbage", b"PK\x03\x04not really a zip", "id_kpm\n".encode()])
def test_unreadable_files_give_a_clear_error_and_write_nothing(villages, content):
    result = import_households(io.BytesIO(content))
    assert not result.written and result.errors and result.errors[0].message
    assert Household.objects.count() == 0


def test_nik_birth_date_mismatch_is_a_warning_not_an_error(villages):
    rows = family()
    rows[1]["tanggal_lahir"] = "1980-01-02"
    result = import_households(csv_bytes(rows))
    assert result.written
    assert any(w.row == 3 and w.column == "nik" and "differs" in w.message for w in result.warnings)


def test_unknown_facilitator_is_an_error_and_one_outside_the_kelurahan_a_warning(villages, world):
    result = import_households(csv_bytes(family(pendamping="nobody")))
    assert [(p.column, p.row) for p in result.errors] == [("pendamping", 2)]
    result = import_households(csv_bytes(family(pendamping=world.other_facilitator.username)))
    assert result.written
    assert any(w.column == "pendamping" for w in result.warnings)


def test_a_coordinator_cannot_import_households_of_another_city(villages, world):
    rows = family(kode_wilayah="31.74.01.1001")
    result = import_households(csv_bytes(rows), actor=world.coordinator)
    assert not result.written
    assert any(p.column == "kode_wilayah" and "outside your city" in p.message for p in result.errors)


def test_the_command_fails_loudly_and_writes_a_report(villages, tmp_path):
    path = tmp_path / "kpm.csv"
    rows = family()
    rows[0]["nik"] = "12"
    path.write_bytes(csv_bytes(rows).getvalue())
    report = tmp_path / "report.csv"
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_households", str(path), "--report", str(report))
    assert "nik" in report.read_text(encoding="utf-8-sig")
    assert Household.objects.count() == 0


def test_the_sample_file_in_the_repository_imports(villages, world):
    from pathlib import Path

    for code in ("31.75.02.1003", "31.75.06.1005", "31.75.09.1002"):
        region(code)
    sample = Path(__file__).resolve().parent.parent / "beneficiaries" / "samples" / "kpm_sample.csv"
    text = sample.read_text().replace("pendamping01", "").replace("pendamping02", "")
    result = import_households(io.BytesIO(text.encode()))
    assert result.written, result.errors
    assert result.households_created == 4
