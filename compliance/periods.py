"""Verification periods: the quarters of the calendar year (Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec).

A period is stored as one integer, `year * 10 + quarter` (20264 = October–December 2026): readable in
the database and the admin, ordered like time, and cheap to compare.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

_KEY = re.compile(r"^(\d{4})-Q([1-4])$")



@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    # --- conversions ----------------------------------------------------------------------------

    @classmethod
    def of(cls, day: date) -> "Period":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def from_code(cls, code: int) -> "Period":
        return cls(int(code) // 10, int(code) % 10)

    @classmethod
    def parse(cls, key: str | None) -> "Period | None":
        """`2026-Q4` → Period(2026, 4); None for anything else."""
        match = _KEY.match((key or "").strip())
        return cls(int(match[1]), int(match[2])) if match else None

    @property
    def code(self) -> int:
        return self.year * 10 + self.quarter

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    def __str__(self):
        return self.label

    # --- calendar -------------------------------------------------------------------------------

    @property
    def months(self) -> tuple[int, int, int]:
        first = (self.quarter - 1) * 3 + 1
        return first, first + 1, first + 2

    @property
    def first_day(self) -> date:
        return date(self.year, self.months[0], 1)

    @property
    def last_day(self) -> date:
        month = self.months[-1]
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def month_starts(self) -> tuple[date, date, date]:
        """The dates on which membership of a component is judged: the first day of each month."""
        return tuple(date(self.year, month, 1) for month in self.months)

    def contains(self, day: date | None) -> bool:
        return day is not None and self.first_day <= day <= self.last_day

    def previous(self, count: int = 1) -> "Period":
        index = self.year * 4 + self.quarter - 1 - count
        return Period(index // 4, index % 4 + 1)

    def next(self) -> "Period":
        return self.previous(-1)

    def last(self, count: int) -> list["Period"]:
        """This period and the `count - 1` before it, oldest first."""
        return [self.previous(n) for n in range(count - 1, -1, -1)]

    @property
    def label(self) -> str:
        return _("%(first)s–%(last)s %(year)s") % {
            "first": month_name(self.months[0], short=True), "last": month_name(self.months[-1], short=True),
            "year": self.year,
        }


def month_name(month: int, short: bool = False) -> str:
    """The month's name in the current language (Django's own catalogue translates them)."""
    name = str(MONTHS[month])
    return name[:3] if short else name


def choices(today: date, count: int = 8) -> list[tuple[str, str]]:
    """The current period and the ones before it, newest first (never a period that has not begun)."""
    current = Period.of(today)
    return [(p.key, f"{p.key} · {p.label}") for p in (current.previous(n) for n in range(count))]
