"""Reads of the facilitator activity audit for the pages: the stored monthly rows of a city (the table and
its six-month trend), one facilitator's months, and the points of the facilitator's map.

Scoping goes through org.access: a city only when the user may see it (`get_city_or_404`), a facilitator
only when they are among the user's visible facilitators (`visible_facilitators`, which for a facilitator
is themselves), visits and homes only of households the user sees (`scoped`, `visible_households`).
Every read here is a fixed number of queries, whatever the number of facilitators, months or records.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max, Q
from django.http import Http404

from casework.models import HomeVisit
from livelihood.selectors import add_months, month_start
from org import access
from org.models import FacilitatorProfile, Region, User
from oversight.models import ActivityClass, FacilitatorMonth

TREND_MONTHS = 6  # the trend shown beside each row and on the facilitator's page
PICKER_MONTHS = 12  # months offered by the month picker
_MONTH_PARAM = re.compile(r"^(\d{4})-(\d{2})$")


# --- months ------------------------------------------------------------------------------------

def parse_month(value: str | None, today: date) -> date:
    """The month of a `?bulan=YYYY-MM` parameter (its first day); the current month when it is missing,
    malformed or in the future."""
    current = month_start(today)
    match = _MONTH_PARAM.match(value or "")
    if not match:
        return current
    year, number = int(match.group(1)), int(match.group(2))
    if not (1 <= number <= 12 and 2000 <= year):
        return current
    wanted = date(year, number, 1)
    return current if wanted > current else wanted


def picker_months(today: date, selected: date) -> list[date]:
    """The last twelve months, newest first (plus the selected month when it is older)."""
    current = month_start(today)
    months = [add_months(current, -offset) for offset in range(PICKER_MONTHS)]
    if selected not in months:
        months.append(selected)
    return months


def trend_months(month: date) -> list[date]:
    """The six months ending with `month`, oldest first."""
    return [add_months(month, offset) for offset in range(1 - TREND_MONTHS, 1)]


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as an aware [start, end) interval in the project's time zone (Asia/Jakarta)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return (datetime.combine(month, time.min, tzinfo=zone),
            datetime.combine(add_months(month, 1), time.min, tzinfo=zone))


# --- the city table ----------------------------------------------------------------------------

@dataclass
class AuditRow:
    """One facilitator's figures for the month, with their profile and their class over six months."""

    facilitator: User
    row: FacilitatorMonth
    profile: FacilitatorProfile | None
    trend: list  # (month, activity class or "") for each of the six months, oldest first

    @property
    def background_group(self) -> str:
        return self.profile.background_group if self.profile else ""


@dataclass
class CityAudit:
    city: Region
    month: date
    months: list[date]  # the six trend months, oldest first
    rows: list[AuditRow] = field(default_factory=list)
    class_counts: dict = field(default_factory=dict)  # month -> {activity class: facilitators}
    computed_at: datetime | None = None
    as_of: date | None = None


def _profile(user: User) -> FacilitatorProfile | None:
    try:
        return user.facilitator_profile
    except FacilitatorProfile.DoesNotExist:
        return None


def city_audit(user, city: Region, month: date) -> CityAudit:
    """The stored rows of a city for the month, each with the six-month trend, in one query.

    `city` comes from org.access (visible_cities / get_city_or_404) for this user; the rows are the city's,
    as computed: a facilitator who has since moved to another city keeps their past months here.
    """
    if not access.visible_cities(user).filter(code=city.code).exists():
        raise Http404
    months = trend_months(month)
    stored = list(
        FacilitatorMonth.objects.filter(city=city, month__in=months)
        .select_related("facilitator__facilitator_profile")
        .order_by("facilitator__first_name", "facilitator__last_name", "facilitator__username", "month")
    )
    by_facilitator: dict[int, dict[date, FacilitatorMonth]] = {}
    counts = {m: dict.fromkeys(ActivityClass.values, 0) for m in months}
    for row in stored:
        by_facilitator.setdefault(row.facilitator_id, {})[row.month] = row
        if row.activity_class in counts[row.month]:
            counts[row.month][row.activity_class] += 1
    audit = CityAudit(city=city, month=month, months=months, class_counts=counts)
    seen = set()
    for row in stored:
        if row.month != month or row.facilitator_id in seen:
            continue
        seen.add(row.facilitator_id)
        history = by_facilitator[row.facilitator_id]
        trend = [(m, history[m].activity_class if m in history else "") for m in months]
        audit.rows.append(AuditRow(facilitator=row.facilitator, row=row, profile=_profile(row.facilitator),
                                   trend=trend))
        if audit.computed_at is None or row.computed_at > audit.computed_at:
            audit.computed_at, audit.as_of = row.computed_at, row.as_of
    return audit


# --- one facilitator ---------------------------------------------------------------------------

def get_facilitator_or_404(user, pk) -> User:
    """A facilitator the user may see (a facilitator: only themselves), with their profile; else 404."""
    try:
        return access.visible_facilitators(user).select_related("facilitator_profile").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def facilitator_city(user, facilitator: User, wanted: str | None) -> Region:
    """The city whose audit is shown for a facilitator: `?kota=` when given (it must be a city the user
    sees and one the facilitator works in, else 404), otherwise the first such city."""
    cities = access.visible_cities(user).filter(code__in=[c.code for c in facilitator.cities.all()]).order_by("code")
    if wanted:
        city = cities.filter(code=wanted).first()
    else:
        city = cities.first()
    if city is None:
        raise Http404
    return city


def facilitator_months(facilitator: User, city: Region, months: list[date]) -> dict[date, FacilitatorMonth]:
    """The stored rows of one (already scoped) facilitator in one (already scoped) city, by month."""
    rows = FacilitatorMonth.objects.filter(facilitator=facilitator, city=city, month__in=months)
    return {row.month: row for row in rows}


def city_computed_at(city: Region, month: date):
    """When the city's month was last computed (None when it never was)."""
    return FacilitatorMonth.objects.filter(city=city, month=month).aggregate(at=Max("computed_at"))["at"]


# --- the map -------------------------------------------------------------------------------------

@dataclass
class MapData:
    visits: list[dict]
    homes: list[dict]
    far_lines: list[dict]

    def as_json(self) -> dict:
        return {"visits": self.visits, "homes": self.homes, "lines": self.far_lines}


def _coordinate(value) -> float:
    return round(float(value), 6)


def map_points(user, facilitator: User, city: Region, month: date, *, household_url) -> MapData:
    """The facilitator's geotagged visits in the month and the home positions of their families (and of
    the families they visited), limited to what the user sees; a far visit is joined by a line to the
    family's home position. `household_url(pk)` gives the link of a household. Two queries."""
    start, end = month_bounds(month)
    prefix = f"{city.code}."
    visits = list(
        access.scoped(user, HomeVisit.objects.filter(
            facilitator=facilitator, visited_at__gte=start, visited_at__lt=end,
            latitude__isnull=False, longitude__isnull=False, household__kelurahan__code__startswith=prefix,
        ))
        .select_related("household")
        .order_by("visited_at", "pk")
    )
    visited_ids = {visit.household_id for visit in visits}
    homes = list(
        access.visible_households(user)
        .filter(Q(facilitator=facilitator) | Q(pk__in=visited_ids), kelurahan__code__startswith=prefix,
                home_latitude__isnull=False, home_longitude__isnull=False)
        .order_by("id_kpm")
        .only("pk", "id_kpm", "home_latitude", "home_longitude", "facilitator_id")
    )
    zone = ZoneInfo(settings.TIME_ZONE)
    visit_points, lines = [], []
    for visit in visits:
        household = visit.household
        local = visit.visited_at.astimezone(zone)
        visit_points.append({
            "id": visit.pk, "lat": _coordinate(visit.latitude), "lng": _coordinate(visit.longitude),
            "when": local.strftime("%d/%m/%Y %H:%M"), "household": household.id_kpm,
            "url": household_url(household.pk),
            "distance": round(visit.distance_m) if visit.distance_m is not None else None,
            "far": visit.flag_far, "late": visit.flag_late,
        })
        if visit.flag_far and household.has_home_position:
            lines.append({"from": [_coordinate(visit.latitude), _coordinate(visit.longitude)],
                          "to": [_coordinate(household.home_latitude), _coordinate(household.home_longitude)],
                          "visit": visit.pk})
    home_points = [{
        "id": household.pk, "lat": _coordinate(household.home_latitude), "lng": _coordinate(household.home_longitude),
        "household": household.id_kpm, "url": household_url(household.pk),
        "caseload": household.facilitator_id == facilitator.pk,
    } for household in homes]
    return MapData(visits=visit_points, homes=home_points, far_lines=lines)
