"""Parsers for values in imported files. Each raises ValueError with a message for the user."""

import math
import re
from datetime import date, datetime

from django.utils.translation import gettext as _

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_AMOUNT_DOTTED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_AMOUNT_PLAIN = re.compile(r"^\d+$")
MAX_AMOUNT_DIGITS = 15


def parse_date(value) -> date:
    """`YYYY-MM-DD` or `DD/MM/YYYY` (spreadsheet cells may already be dates)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DMY_DATE.match(text)
        if not match:
            raise ValueError(_("“%(value)s” is not a date (use YYYY-MM-DD or DD/MM/YYYY)") % {"value": text[:40]})
        day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a real calendar date") % {"value": text[:40]}) from None


def parse_amount(value) -> int:
    """Whole rupiah: `1500000` or `1.500.000` (dots as thousands separators)."""
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not an amount in whole rupiah") % {"value": value})
    if isinstance(value, int):
        if value < 0:
            raise ValueError(_("the amount cannot be negative"))
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or value < 0 or value != int(value):  # a spreadsheet's 1e309 is infinity
            raise ValueError(_("“%(value)s” is not an amount in whole rupiah") % {"value": value})
        return int(value)
    text = str(value).strip()
    # Up to 999.999.999.999.999 rupiah: more digits are no amount (and past 4,300 int() refuses with its own words).
    if len(text.replace(".", "").lstrip("0")) <= MAX_AMOUNT_DIGITS:
        if _AMOUNT_PLAIN.match(text):
            return int(text)
        if _AMOUNT_DOTTED.match(text):
            return int(text.replace(".", ""))
    raise ValueError(_("“%(value)s” is not an amount in whole rupiah (e.g. 1500000 or 1.500.000)") % {"value": text[:40]})


def parse_yes_no(value, *, default: bool = False) -> bool:
    """`Y`/`N` (also YA/TIDAK, 1/0); empty means the default."""
    text = str(value if value is not None else "").strip().upper()
    if text == "":
        return default
    if text in {"Y", "YA", "1", "TRUE"}:
        return True
    if text in {"N", "T", "TIDAK", "0", "FALSE"}:
        return False
    raise ValueError(_("“%(value)s” must be Y or N") % {"value": text[:20]})


def parse_int(value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(value, float) and value == int(value):
        value = int(value)
    text = str(value).strip()
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(_("“%(value)s” is not a whole number") % {"value": text[:20]})
    number = int(text)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ValueError(
            _("%(value)s is outside %(min)s–%(max)s") % {"value": number, "min": minimum, "max": maximum}
        )
    return number


def digits_only(value) -> str:
    """A number-like cell as its digits: spreadsheets turn `3175...` into ints or floats."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return re.sub(r"[\s.\-']", "", str(value if value is not None else "")).strip()
