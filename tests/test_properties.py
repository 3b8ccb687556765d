"""Property-based tests (hypothesis) of what reads untrusted input: the NIK check, the amount and date parsers,
the CSV/XLSX reader and both importers. Arbitrary text and bytes must end in a value or in the clear error the
code uses (ValueError with a message, TableError, problems listed per row and column), and a rejected import
writes nothing. Bounded and derandomized: the same examples on every run, a few seconds in all."""

import io
import string
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from beneficiaries.models import Household, Member
from beneficiaries.validation import is_sixteen_digits, nik_birth_date_parts, nik_birth_date_warning, nik_problem
from core.parsing import parse_amount, parse_date
from core.tabular import TableError, open_table
from monitoring.models import BankEvent

BOUNDED = settings(max_examples=150, deadline=None, derandomize=True, database=None)
DB_BOUNDED = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

digits = st.text(alphabet=string.digits, min_size=16, max_size=16)


# --- NIK ------------------------------------------------------------------------------------------

@BOUNDED
@given(st.text())
@example("3175014101850001\n")  # a line break after 16 digits
@example("٣١٧٥٠١٤١٠١٨٥٠٠٠١")  # 16 Arabic-Indic digits: digits to Python, not a NIK
def test_a_nik_is_accepted_only_as_sixteen_ascii_digits(text):
    problem = nik_problem(text)
    assert problem is None or isinstance(problem, str)
    if problem is None:
        assert len(text) == 16 and text.isascii() and text.isdigit() and not text.startswith("00")
    assert is_sixteen_digits(text) == (len(text) == 16 and text.isascii() and text.isdigit())


@BOUNDED
@given(digits, st.one_of(st.none(), st.dates()), st.sampled_from(["L", "P", "", "x"]))
def test_the_birth_date_in_a_nik_never_crashes(nik, birth_date, sex):
    parts = nik_birth_date_parts(nik)
    assert parts is None or (1 <= parts[0] <= 31 and 1 <= parts[1] <= 12)
    warning = nik_birth_date_warning(nik, birth_date, sex)
    assert warning is None or isinstance(warning, str)


@BOUNDED
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from(["L", "P"]),
       st.integers(1, 9999))
def test_a_nik_made_from_a_birth_date_agrees_with_it(birth_date, sex, serial):
    from tests.factories import make_nik

    nik = make_nik(birth_date, sex, serial=serial)
    assert nik_problem(nik) is None
    assert nik_birth_date_warning(nik, birth_date, sex) is None


# --- amounts and dates ---------------------------------------------------------------------------------

@BOUNDED
@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=True), st.booleans()))
@example("9" * 5000)  # more digits than Python converts
@example("1.500.000\n")
def test_an_amount_is_whole_non_negative_rupiah_or_a_clear_error(value):
    try:
        amount = parse_amount(value)
    except ValueError as exc:
        message = str(exc)
        assert ("rupiah" in message or "negative" in message) and "limit" not in message, message
    else:
        assert isinstance(amount, int) and not isinstance(amount, bool) and amount >= 0


@BOUNDED
@given(st.integers(0, 10**15 - 1))
def test_an_amount_reads_back_plain_and_with_thousands_dots(amount):
    assert parse_amount(str(amount)) == amount
    assert parse_amount(f"{amount:,}".replace(",", ".")) == amount
    assert parse_amount(f" {amount:,} ".replace(",", ".")) == amount


@BOUNDED
@given(st.one_of(st.text(), st.integers(), st.dates(), st.datetimes()))
@example("2024-02-30")
@example("00/00/0000")
@example("٢٠٢٤-٠١-٠١")
def test_a_date_is_a_calendar_date_or_a_clear_error(value):
    try:
        day = parse_date(value)
    except ValueError as exc:
        assert "date" in str(exc), str(exc)
    else:
        assert isinstance(day, date)


@BOUNDED
@given(st.dates(min_value=date(1000, 1, 1)))
def test_a_date_reads_back_in_both_spellings(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_date(f"{day:%d/%m/%Y}") == day


# --- the CSV/XLSX reader ---------------------------------------------------------------------------------

def _read_all(raw: bytes):
    table = open_table(io.BytesIO(raw), required={"a"}, known={"a", "b"})
    return [(number, row) for number, row in table.rows]


csv_text = st.text(alphabet=st.sampled_from(list('ab,;"\n\r\t x1é\x00\ufeff')), max_size=200)


@BOUNDED
@given(st.one_of(st.binary(max_size=400), st.binary(max_size=400).map(lambda b: b"PK\x03\x04" + b),
                 csv_text.map(lambda t: t.encode()), csv_text.map(lambda t: ("a,b\n" + t).encode("utf-8")),
                 csv_text.map(lambda t: ("a;b\r\n" + t).encode("utf-16"))))
def test_any_file_is_read_or_refused_with_a_table_error(raw):
    try:
        rows = _read_all(raw)
    except TableError as exc:
        assert str(exc)
    else:
        assert all(isinstance(number, int) and number >= 2 and isinstance(row, dict) for number, row in rows)


@BOUNDED
@given(st.lists(st.lists(st.one_of(st.none(), st.text(max_size=20), st.integers(-10**6, 10**6), st.floats(),
                                   st.dates()), min_size=1, max_size=3), max_size=5))
def test_any_workbook_is_read_or_refused_with_a_table_error(cells):
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["a", "b"])
    for row in cells:
        try:
            sheet.append(row)
        except (ValueError, IllegalCharacterError):
            return  # openpyxl refuses the cell (control characters): no such workbook can exist
    buffer = io.BytesIO()
    workbook.save(buffer)
    try:
        rows = _read_all(buffer.getvalue())
    except TableError as exc:
        assert str(exc)
    else:
        assert len(rows) <= len(cells)


# --- the importers -----------------------------------------------------------------------------------------

HOUSEHOLD_HEADER = ("id_kpm,no_kk,kode_wilayah,alamat,nik,nama,jenis_kelamin,tanggal_lahir,hubungan,pengurus,no_kks,"
                    "bank,tahun_kepesertaan\n")
GOOD_HOUSEHOLD_ROW = ("KPM90000001,3175010101010001,31.75.01.1001,Jl. Uji 1,3175014101850001,Ibu Uji,P,1985-01-01,"
                      "ISTRI,Y,6013000000000999,BRI,2019\n")
cell = st.text(alphabet=st.sampled_from(list("0123456789 .,-/;\"'\nYNPLaxé\x00")), max_size=18)


def _counts():
    return Household.objects.count(), Member.objects.count(), BankEvent.objects.count()


@pytest.mark.django_db
@DB_BOUNDED
@given(st.one_of(
    st.binary(max_size=300),
    st.lists(cell, min_size=13, max_size=13).map(lambda cells: (HOUSEHOLD_HEADER + GOOD_HOUSEHOLD_ROW
                                                                + ",".join(cells) + "\n").encode()),
    st.binary(max_size=200).map(lambda b: HOUSEHOLD_HEADER.encode() + GOOD_HOUSEHOLD_ROW.encode() + b),
))
def test_a_household_file_is_imported_whole_or_not_at_all(raw):
    from beneficiaries.importer import import_households
    from tests.factories import region

    region("31.75.01.1001", "Pisangan Baru")
    before = _counts()
    result = import_households(io.BytesIO(raw))
    assert all(problem.message for problem in result.errors)
    if result.errors:
        assert not result.written
        assert _counts() == before, "a refused import wrote rows"


BANK_HEADER = "ref,bank,id_kpm,no_kks,tahun,tahap,jenis,tanggal,nominal\n"
GOOD_BANK_ROW = "R1,BRI,KPM90000001,6013000000000999,2026,1,SALUR,2026-02-03,600.000\n"


@pytest.mark.django_db
@DB_BOUNDED
@given(st.one_of(
    st.binary(max_size=300),
    st.lists(cell, min_size=9, max_size=9).map(lambda cells: (BANK_HEADER + GOOD_BANK_ROW + ",".join(cells)
                                                              + "\n").encode()),
    st.binary(max_size=200).map(lambda b: BANK_HEADER.encode() + GOOD_BANK_ROW.encode() + b),
))
def test_a_bank_file_is_imported_whole_or_not_at_all(raw):
    from monitoring.importer import import_bank_events
    from tests.factories import region

    region("31.75", "Kota Administrasi Jakarta Timur")
    before = _counts()
    result = import_bank_events(raw, city_code="31.75", today=date(2026, 6, 1))
    assert all(problem.message for problem in result.errors)
    if result.error_count:
        assert not result.written
        assert _counts() == before, "a refused import wrote rows"
