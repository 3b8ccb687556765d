"""Graduation statistics (selectors): graduations per month and year, natural vs independent-prosperous
share against the national reference, by kelurahan, by facilitator and by facilitator background, families
long in the program without graduating, and the stored screening's candidates with how many were acted on.

Definitions (shown on the page too):
- a *graduation* is an approved proposal of kind alamiah or mandiri, counted in the year and month of its
  effective date; approved proposals of the other kinds are *other exits* and never count as graduations;
- a graduation belongs to the kelurahan and the facilitator of its household (the current assignment);
- *families served* in a year are the households that were in the program at some time that year: joined
  in or before it, and still in the program or left on or after its 1 January (all households for "all years");
- *more than 5 years without graduating*: in the program now and joined PKH in (this year − 6) or earlier;
- *candidates* come from the stored screening (graduation.screening: the families in the program at its last
  run), never classified here, counted as the candidate list (graduation.candidates) shows them; a candidate
  is *acted on* when its household has a proposal of any kind waiting for approval or approved.

Everything starts from org.access.visible_households and costs three queries whatever the number of
households or facilitators.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Household
from graduation.models import Classification, Proposal, ScreeningResult
from org import access
from org.models import FacilitatorProfile

IN_PROGRAM = (Household.Status.ACTIVE, Household.Status.SUSPENDED)
LONG_IN_PROGRAM_YEARS = 5
CANDIDATE_CLASSES = (Classification.ALAMIAH, Classification.ALAMIAH_SEGERA, Classification.KANDIDAT_MANDIRI)
ACTED_ON = (Proposal.Status.PENDING, Proposal.Status.APPROVED)
BACKGROUND_ORDER = (FacilitatorProfile.BackgroundGroup.SOCIAL_WELFARE,
                    FacilitatorProfile.BackgroundGroup.OTHER_WITH_VOLUNTEER,
                    FacilitatorProfile.BackgroundGroup.OTHER, "")
NO_BACKGROUND_LABEL = _("Background not recorded")


@dataclass(frozen=True)
class NationalReference:
    """Graduations of 2020 nationally (Kemensos): 1,179,304 families, 71% natural, 29% independent-prosperous."""

    year: int = 2020
    graduated: int = 1_179_304
    alamiah_share: float = 0.71
    mandiri_share: float = 0.29


NATIONAL_2020 = NationalReference()


@dataclass(frozen=True)
class StatisticsFilters:
    year: int | None = None  # None: every year
    city: str = ""  # a regency/city code (`31.75`)
    kelurahan: str = ""  # a village code


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Exits:
    """Approved proposals: graduations by kind, and the other exits (not graduations)."""

    alamiah: int = 0
    mandiri: int = 0
    other: int = 0

    def add(self, kind: str, count: int) -> None:
        if kind == Proposal.Kind.ALAMIAH:
            self.alamiah += count
        elif kind == Proposal.Kind.MANDIRI:
            self.mandiri += count
        else:
            self.other += count

    def __iadd__(self, other: "Exits") -> "Exits":
        self.alamiah += other.alamiah
        self.mandiri += other.mandiri
        self.other += other.other
        return self

    @property
    def graduations(self) -> int:
        return self.alamiah + self.mandiri

    @property
    def alamiah_share(self) -> float | None:
        return _share(self.alamiah, self.graduations)

    @property
    def mandiri_share(self) -> float | None:
        return _share(self.mandiri, self.graduations)


@dataclass
class Caseload:
    """Households counted at the time of the request (served: in the selected year)."""

    in_program: int = 0
    active: int = 0
    served: int = 0
    long_in_program: int = 0

    def __iadd__(self, other: "Caseload") -> "Caseload":
        self.in_program += other.in_program
        self.active += other.active
        self.served += other.served
        self.long_in_program += other.long_in_program
        return self

    @property
    def long_share(self) -> float | None:
        return _share(self.long_in_program, self.in_program)


def _per_100(exits: Exits, caseload: Caseload) -> float | None:
    return 100 * exits.graduations / caseload.served if caseload.served else None


@dataclass
class Candidates:
    """The stored screening of the families in the program: how many per classification, and how many
    candidates (every class but BELUM) have a proposal waiting or approved."""

    by_class: dict = field(default_factory=dict)
    acted_on: int = 0
    screened: int = 0
    as_of: date | None = None

    def add(self, classification: str, count: int, acted: int, as_of: date | None) -> None:
        self.by_class[classification] = self.by_class.get(classification, 0) + count
        self.screened += count
        if classification in CANDIDATE_CLASSES:
            self.acted_on += acted
        if as_of and (self.as_of is None or as_of > self.as_of):
            self.as_of = as_of

    def __iadd__(self, other: "Candidates") -> "Candidates":
        for classification, count in other.by_class.items():
            self.by_class[classification] = self.by_class.get(classification, 0) + count
        self.screened += other.screened
        self.acted_on += other.acted_on
        if other.as_of and (self.as_of is None or other.as_of > self.as_of):
            self.as_of = other.as_of
        return self

    def count(self, classification: str) -> int:
        return self.by_class.get(classification, 0)

    @property
    def candidates(self) -> int:
        return sum(self.count(c) for c in CANDIDATE_CLASSES)

    @property
    def waiting(self) -> int:
        return self.candidates - self.acted_on


@dataclass
class MonthRow:
    month: date  # the first day
    exits: Exits


@dataclass
class YearRow:
    year: int
    exits: Exits


@dataclass
class KelurahanRow:
    code: str
    name: str
    exits: Exits = field(default_factory=Exits)
    caseload: Caseload = field(default_factory=Caseload)

    @property
    def per_100(self) -> float | None:
        return _per_100(self.exits, self.caseload)


@dataclass
class FacilitatorRow:
    """One facilitator (or, with `id` None, the households without one)."""

    id: int | None
    name: str
    background: str | None  # a BackgroundGroup value, "" when no profile; None for "not assigned"
    exits: Exits = field(default_factory=Exits)
    caseload: Caseload = field(default_factory=Caseload)
    candidates: Candidates = field(default_factory=Candidates)

    @property
    def per_100(self) -> float | None:
        return _per_100(self.exits, self.caseload)

    @property
    def background_label(self) -> str:
        if self.background is None:
            return ""
        return FacilitatorProfile.BackgroundGroup(self.background).label if self.background else NO_BACKGROUND_LABEL


@dataclass
class BackgroundRow:
    group: str  # a BackgroundGroup value, or "" for facilitators without a profile
    facilitators: int = 0
    exits: Exits = field(default_factory=Exits)
    caseload: Caseload = field(default_factory=Caseload)

    @property
    def label(self) -> str:
        return FacilitatorProfile.BackgroundGroup(self.group).label if self.group else NO_BACKGROUND_LABEL

    @property
    def per_100(self) -> float | None:
        return _per_100(self.exits, self.caseload)


@dataclass
class GraduationStatistics:
    filters: StatisticsFilters
    today: date
    long_joined_by: int  # families who joined in this year or earlier count as "more than 5 years"
    months: list[MonthRow]
    years: list[YearRow]  # every year, whatever the filter
    total: Exits  # in the selected period
    caseload: Caseload
    kelurahan: list[KelurahanRow]
    facilitators: list[FacilitatorRow]  # by name; the "not assigned" row last
    backgrounds: list[BackgroundRow]
    candidates: Candidates
    national: NationalReference = NATIONAL_2020

    @property
    def per_100(self) -> float | None:
        return _per_100(self.total, self.caseload)


def scoped_households(user, filters: StatisticsFilters):
    """The households the statistics count: the user's (org.access), narrowed by city and kelurahan."""
    households = access.visible_households(user)
    if filters.city:
        households = households.filter(kelurahan__code__startswith=f"{filters.city}.")
    if filters.kelurahan:
        households = households.filter(kelurahan_id=filters.kelurahan)
    return households


def _background_group(background: str | None, volunteer: str | None) -> str:
    if background is None:
        return ""
    return FacilitatorProfile(background=background, volunteer_experience=volunteer or "").background_group


def _months(year: int | None, seen: set[date]) -> list[date]:
    if year is not None:
        return [date(year, month, 1) for month in range(1, 13)]
    if not seen:
        return []
    first, last = min(seen), max(seen)
    months, month = [], first
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def graduation_statistics(user, filters: StatisticsFilters, *, today: date) -> GraduationStatistics:
    """Every figure of the statistics page for the user's scope, in three queries: the households grouped
    by facilitator and kelurahan, the approved proposals grouped by month, kind, facilitator and
    kelurahan, and the stored screening grouped by facilitator and classification."""
    households = scoped_households(user, filters)
    year = filters.year
    long_joined_by = today.year - LONG_IN_PROGRAM_YEARS - 1

    # 1. Households: caseloads, families served in the period, long in the program.
    served = Count("pk")
    if year is not None:
        served = Count("pk", filter=Q(joined_year__lte=year) & (
            Q(status__in=IN_PROGRAM) | Q(status_since__gte=date(year, 1, 1))))
    household_rows = households.order_by().values(
        "facilitator", "facilitator__username", "facilitator__first_name", "facilitator__last_name",
        "facilitator__facilitator_profile__background", "facilitator__facilitator_profile__volunteer_experience",
        "kelurahan", "kelurahan__name",
    ).annotate(
        in_program=Count("pk", filter=Q(status__in=IN_PROGRAM)),
        active=Count("pk", filter=Q(status=Household.Status.ACTIVE)),
        served=served,
        long_in_program=Count("pk", filter=Q(status__in=IN_PROGRAM, joined_year__lte=long_joined_by)),
    )
    facilitators: dict[int | None, FacilitatorRow] = {}
    kelurahan: dict[str, KelurahanRow] = {}
    for row in household_rows:
        caseload = Caseload(row["in_program"], row["active"], row["served"], row["long_in_program"])
        pk = row["facilitator"]
        if pk not in facilitators:
            if pk is None:
                facilitators[pk] = FacilitatorRow(None, str(_("Not assigned")), None)
            else:
                # Names repeat (two "Wati Marlina"): the username tells them apart.
                username = row["facilitator__username"]
                name = f"{row['facilitator__first_name']} {row['facilitator__last_name']}".strip()
                facilitators[pk] = FacilitatorRow(pk, f"{name} ({username})" if name else username, _background_group(
                    row["facilitator__facilitator_profile__background"],
                    row["facilitator__facilitator_profile__volunteer_experience"]))
        facilitators[pk].caseload += caseload
        area = kelurahan.setdefault(row["kelurahan"], KelurahanRow(row["kelurahan"], row["kelurahan__name"]))
        area.caseload += caseload

    # 2. Approved proposals: graduations and other exits.
    proposal_rows = Proposal.objects.filter(
        household__in=households.values("pk"), status=Proposal.Status.APPROVED,
    ).order_by().values(
        "kind", "household__facilitator", "household__kelurahan",
        year=ExtractYear("effective_date"), month=ExtractMonth("effective_date"),
    ).annotate(count=Count("pk"))
    by_month: dict[date, Exits] = defaultdict(Exits)
    by_year: dict[int, Exits] = defaultdict(Exits)
    total = Exits()
    for row in proposal_rows:
        kind, count = row["kind"], row["count"]
        by_year[row["year"]].add(kind, count)
        if year is not None and row["year"] != year:
            continue
        by_month[date(row["year"], row["month"], 1)].add(kind, count)
        total.add(kind, count)
        # A household always has a kelurahan and appears in query 1; its facilitator may be missing.
        if row["household__kelurahan"] in kelurahan:
            kelurahan[row["household__kelurahan"]].exits.add(kind, count)
        if row["household__facilitator"] in facilitators:
            facilitators[row["household__facilitator"]].exits.add(kind, count)

    # 3. The stored screening (as the candidate list shows it), with the candidates acted on.
    acted = Proposal.objects.filter(household=OuterRef("household"), status__in=ACTED_ON)
    screening_rows = ScreeningResult.objects.filter(household__in=households.values("pk")).order_by().values("household__facilitator", "classification").annotate(
        count=Count("pk"), acted=Count("pk", filter=Exists(acted)), as_of=Max("as_of"),
    )
    candidates = Candidates()
    for row in screening_rows:
        candidates.add(row["classification"], row["count"], row["acted"], row["as_of"])
        if row["household__facilitator"] in facilitators:
            facilitators[row["household__facilitator"]].candidates.add(
                row["classification"], row["count"], row["acted"], row["as_of"])

    backgrounds = {group: BackgroundRow(group) for group in BACKGROUND_ORDER}
    caseload = Caseload()
    for row in facilitators.values():
        caseload += row.caseload
        if row.id is None:
            continue
        group = backgrounds[row.background]
        group.facilitators += 1
        group.exits += row.exits
        group.caseload += row.caseload

    years = [YearRow(y, by_year[y]) for y in range(min(by_year), max(by_year) + 1)] if by_year else []
    return GraduationStatistics(
        filters=filters,
        today=today,
        long_joined_by=long_joined_by,
        months=[MonthRow(month, by_month.get(month, Exits())) for month in _months(year, set(by_month))],
        years=years,
        total=total,
        caseload=caseload,
        kelurahan=sorted(kelurahan.values(), key=lambda r: (r.name.lower(), r.code)),
        facilitators=sorted(facilitators.values(), key=lambda r: (r.id is None, r.name.lower(), r.id or 0)),
        backgrounds=[row for row in backgrounds.values() if row.facilitators or row.group],
        candidates=candidates,
    )
