"""Checks of identity numbers and member data shared by the forms, the services and the import.

NIK layout (16 digits): `PPKKCC DDMMYY NNNN` — region of first registration, birth date (women:
day + 40), serial number.
"""

import re
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

# [0-9], not \d (which also takes Arabic-Indic and other digits), and fullmatch, not $ (which allows a line break).
_SIXTEEN = re.compile(r"[0-9]{16}")


def is_sixteen_digits(value: str) -> bool:
    return bool(_SIXTEEN.fullmatch(value or ""))


def nik_problem(nik: str) -> str | None:
    """An error message when the NIK cannot be a NIK, else None."""
    if not is_sixteen_digits(nik):
        return _("NIK must be exactly 16 digits (got %(count)s characters).") % {"count": len(nik or "")}
    if nik[:2] == "00":
        return _("NIK must start with a province code, not 00.")
    return None


def nik_birth_date_parts(nik: str) -> tuple[int, int, int] | None:
    """(day, month, two-digit year) as encoded in the NIK, with women's +40 removed; None if not a date."""
    if not is_sixteen_digits(nik):
        return None
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return day, month, year


def nik_birth_date_warning(nik: str, birth_date: date | None, sex: str) -> str | None:
    """A warning (not an error) when the birth date and sex encoded in the NIK disagree with the record."""
    if not is_sixteen_digits(nik) or birth_date is None:
        return None
    raw_day = int(nik[6:8])
    parts = nik_birth_date_parts(nik)
    if parts is None:
        return _("The NIK does not encode a valid birth date (digits 7–12).")
    day, month, year = parts
    if (day, month, year) != (birth_date.day, birth_date.month, birth_date.year % 100):
        return _("The birth date in the NIK (%(nik_date)s) differs from the recorded birth date %(birth_date)s.") % {
            "nik_date": f"{day:02d}-{month:02d}-{year:02d}", "birth_date": birth_date.strftime("%d-%m-%Y"),
        }
    if sex == "P" and raw_day <= 40:
        return _("The NIK is coded as a man's (birth day without +40) but the member is recorded as female.")
    if sex == "L" and raw_day > 40:
        return _("The NIK is coded as a woman's (birth day + 40) but the member is recorded as male.")
    return None


def member_problems(member) -> dict:
    """Field errors in a member's data that no single field check catches. {field: message}."""
    errors = {}
    today = timezone.localdate()
    problem = nik_problem(member.nik)
    if problem:
        errors["nik"] = problem
    if member.birth_date and member.birth_date > today:
        errors["birth_date"] = _("The birth date cannot be in the future.")
    if member.pregnant:
        if member.sex != "P":
            errors["pregnant"] = _("Only a female member can be recorded as pregnant.")
        elif member.expected_delivery_date is None:
            errors["expected_delivery_date"] = _("Give the expected delivery date (HPL) of the pregnancy.")
    elif member.expected_delivery_date is not None:
        errors["expected_delivery_date"] = _("An expected delivery date is given but the member is not recorded as pregnant.")
    if member.exit_reason and member.exit_date is None:
        errors["exit_date"] = _("Give the date the member died or moved out.")
    if member.exit_date and not member.exit_reason:
        errors["exit_reason"] = _("Say whether the member died or moved out.")
    if member.exit_date and member.exit_date > today:
        errors["exit_date"] = _("The date cannot be in the future.")
    return errors
