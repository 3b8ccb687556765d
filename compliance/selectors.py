"""Reads of commitment verification for pages, the household panel and the day page. Every read
starts from org.access; each function runs a fixed number of queries whatever the caseload size."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Count, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value, When

from beneficiaries.models import Household
from beneficiaries.rules import RuleBook
from compliance import verification as v
from compliance.models import (
    CommitmentRecord,
    Facility,
    FacilityLink,
    HouseholdResult,
    SuspensionProposal,
    VerificationRules,
)
from compliance.periods import Period
from org import access
from org.models import Region

# Households whose members are verified: suspended ones too (they must comply to be reactivated).
VERIFIED_STATUSES = (Household.Status.ACTIVE, Household.Status.SUSPENDED)

# Which facilities can give the evidence for which commitment.
FACILITY_SERVES = {
    Facility.Kind.SCHOOL: (v.EDUCATION,),
    Facility.Kind.POSYANDU: (v.EARLY_CHILDHOOD, v.ANTENATAL),
    Facility.Kind.POSYANDU_LANSIA: (v.WELFARE,),
    Facility.Kind.PUSKESMAS: (v.ANTENATAL, v.EARLY_CHILDHOOD, v.WELFARE),
    Facility.Kind.OTHER: (v.EDUCATION, v.ANTENATAL, v.EARLY_CHILDHOOD, v.WELFARE),
}


def facility_kinds_for(commitment: str) -> list[str]:
    return [kind for kind, serves in FACILITY_SERVES.items() if commitment in serves]


def serves(facility: Facility, commitment: str) -> bool:
    return commitment in FACILITY_SERVES.get(facility.kind, ())


# --- thresholds ---------------------------------------------------------------------------------

def thresholds_for(period: Period) -> v.Thresholds:
    """The verification rules valid on the period's first day (model defaults if none is entered)."""
    rules = VerificationRules.objects.filter(valid_from__lte=period.first_day).order_by("-valid_from").first()
    rules = rules or VerificationRules()
    return v.Thresholds(
        min_attendance_percent=rules.min_attendance_percent,
        min_antenatal_checkups=rules.min_antenatal_checkups,
        min_antenatal_checkups_per_period=rules.min_antenatal_checkups_per_period,
        pregnancy_weeks=rules.pregnancy_weeks,
        consecutive_periods_for_suspension=rules.consecutive_periods_for_suspension,
    )


class ThresholdBook:
    """Thresholds loaded once per period and reused (per request, per job)."""

    def __init__(self):
        self._by_period: dict[Period, v.Thresholds] = {}

    def for_period(self, period: Period) -> v.Thresholds:
        if period not in self._by_period:
            self._by_period[period] = thresholds_for(period)
        return self._by_period[period]


# --- scoped querysets -------------------------------------------------------------------------

def visible_facilities(user) -> QuerySet:
    """Facilities of the kelurahan a user works in (coordinators and auditors: their cities)."""
    return access.scoped_by_area(user, Facility.objects.all(), facilitator_field=None, village_field="kelurahan")


def visible_records(user) -> QuerySet:
    return access.scoped(user, CommitmentRecord.objects.all(), household_path="member__household")


def visible_links(user) -> QuerySet:
    return access.scoped(user, FacilityLink.objects.all(), household_path="member__household")


def visible_results(user) -> QuerySet:
    return access.scoped(user, HouseholdResult.objects.all(), household_path="household")


def visible_proposals(user) -> QuerySet:
    return access.scoped(user, SuspensionProposal.objects.all(), household_path="household")


def facility_choices(user, commitment: str, *, kelurahan: str = "", include=()) -> list[Facility]:
    """Facilities in use that can give evidence for a commitment: the kelurahan's first, then the others
    the user sees; `include` adds facilities members are already linked to (even if out of the user's area)."""
    facilities = list(
        visible_facilities(user).filter(active=True, kind__in=facility_kinds_for(commitment))
        .select_related("kelurahan").order_by("name", "id")
    )
    known = {f.pk for f in facilities}
    facilities += [f for f in include if f is not None and f.pk not in known]
    return sorted(facilities, key=lambda f: (f.kelurahan_id != kelurahan, f.name.lower(), f.pk))


def facility_options(user, *, kelurahan: str = "", include=()) -> dict[str, list[Facility]]:
    """facility_choices for every commitment at once (one query), for a household's page."""
    facilities = list(visible_facilities(user).filter(active=True).select_related("kelurahan"))
    known = {f.pk for f in facilities}
    facilities += [f for f in include if f is not None and f.pk not in known]
    facilities.sort(key=lambda f: (f.kelurahan_id != kelurahan, f.name.lower(), f.pk))
    return {commitment: [f for f in facilities if serves(f, commitment)] for commitment in v.COMMITMENTS}


# --- members, read lightly -------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberRow:
    """A member as the rules and the entry screens need them. Read with values_list: a caseload or a
    kelurahan has thousands of members, and building model instances would cost most of the page."""

    id: int
    household_id: int
    name: str
    birth_date: date
    pregnant: bool
    expected_delivery_date: date | None
    pregnancy_order: int | None
    school: str
    severe_disability: bool
    exit_reason: str
    exit_date: date | None
    is_pengurus: bool
    id_kpm: str
    kelurahan_id: str
    kelurahan_name: str

    @property
    def pk(self) -> int:
        return self.id


MEMBER_ROW_FIELDS = (
    "id", "household_id", "name", "birth_date", "pregnant", "expected_delivery_date", "pregnancy_order", "school",
    "severe_disability", "exit_reason", "exit_date", "is_pengurus", "household__id_kpm", "household__kelurahan_id",
    "household__kelurahan__name",
)


def member_rows(members: QuerySet) -> list[MemberRow]:
    """Already-scoped members as MemberRow, in one query."""
    return [MemberRow(*values) for values in members.order_by().values_list(*MEMBER_ROW_FIELDS)]


# --- the rows of the entry screens -------------------------------------------------------------

@dataclass
class Row:
    """One commitment of one member on an entry screen, with what is recorded and the outcome."""

    member: MemberRow
    due: v.Due
    record: CommitmentRecord | None
    link: FacilityLink | None
    outcome: v.Outcome

    @property
    def key(self) -> str:
        return f"m{self.member.pk}-{self.due.commitment}"

    @property
    def facility(self) -> Facility | None:
        return self.link.facility if self.link else None


@dataclass
class Sheet:
    """Everything an entry screen shows: rows, and per commitment how many are to verify / recorded."""

    period: Period
    thresholds: v.Thresholds
    rows: list = field(default_factory=list)
    to_verify: dict = field(default_factory=dict)
    recorded: dict = field(default_factory=dict)
    unlinked: dict = field(default_factory=dict)
    verdicts: dict = field(default_factory=dict)  # household id -> Verdict
    members: list = field(default_factory=list)


def _build_sheet(members: list[MemberRow], records, links, period: Period, rulebook: RuleBook,
                 thresholds: v.Thresholds) -> Sheet:
    by_household: dict[int, list[MemberRow]] = defaultdict(list)
    for member in members:
        by_household[member.household_id].append(member)
    member_by_id = {m.pk: m for m in members}
    records_by_household: dict[int, list] = defaultdict(list)
    record_by_key = {}
    for record in records:
        member = member_by_id.get(record.member_id)
        if member is None:
            continue
        records_by_household[member.household_id].append(record)
        record_by_key[(record.member_id, record.commitment)] = record
    link_by_key = {(link.member_id, link.commitment): link for link in links}
    sheet = Sheet(period=period, thresholds=thresholds, members=members)
    for commitment in v.COMMITMENTS:
        sheet.to_verify[commitment] = sheet.recorded[commitment] = sheet.unlinked[commitment] = 0
    for household_id, household_members in by_household.items():
        dues = v.household_dues(household_members, period, rulebook, thresholds, records_by_household[household_id])
        verdict = v.household_verdict(dues, record_by_key, period, thresholds)
        sheet.verdicts[household_id] = verdict
        for outcome in verdict.outcomes:
            due = outcome.due
            link = link_by_key.get(due.key)
            sheet.rows.append(Row(member=member_by_id[due.member_id], due=due, record=record_by_key.get(due.key),
                                  link=link, outcome=outcome))
            sheet.to_verify[due.commitment] += 1
            sheet.recorded[due.commitment] += outcome.status != v.MISSING
            sheet.unlinked[due.commitment] += link is None
    return sheet


def kelurahan_sheet(user, *, period: Period, kelurahan: Region, rulebook: RuleBook, thresholds: v.Thresholds) -> Sheet:
    """Every commitment of the period among the families of a kelurahan the user sees (4 queries)."""
    members = member_rows(
        access.visible_members(user).filter(household__kelurahan=kelurahan, household__status__in=VERIFIED_STATUSES))
    in_kelurahan = {"member__household__kelurahan": kelurahan, "member__household__status__in": VERIFIED_STATUSES}
    records = visible_records(user).filter(period=period.code, **in_kelurahan)
    links = visible_links(user).filter(**in_kelurahan).select_related("facility")
    sheet = _build_sheet(members, records, links, period, rulebook, thresholds)
    sheet.rows.sort(key=lambda r: (r.member.name.lower(), r.member.id_kpm, r.member.pk))
    return sheet


def facility_rows(sheet: Sheet, commitment: str, facility: Facility | None) -> tuple[list[Row], list[Row]]:
    """The rows of one commitment: (linked to the facility, not linked to any facility yet). Without a
    facility: (every row of the commitment, [])."""
    rows = [r for r in sheet.rows if r.due.commitment == commitment]
    if facility is None:
        return rows, []
    linked = [r for r in rows if r.link is not None and r.link.facility_id == facility.pk]
    unlinked = [r for r in rows if r.link is None]
    return linked, unlinked


def household_sheet(user, household: Household, *, period: Period, rulebook: RuleBook,
                    thresholds: v.Thresholds) -> Sheet:
    """The commitments of one (already scoped) household in the period (3 queries)."""
    members = member_rows(access.visible_members(user).filter(household=household))
    records = visible_records(user).filter(period=period.code, member__household=household)
    links = visible_links(user).filter(member__household=household).select_related("facility")
    return _build_sheet(members, records, links, period, rulebook, thresholds)


# --- progress per kelurahan --------------------------------------------------------------------

@dataclass
class KelurahanProgress:
    kelurahan: Region
    families: int = 0
    to_verify: int = 0
    recorded: int = 0
    compliant: int = 0
    non_compliant: int = 0
    not_verified: int = 0
    computed: int = 0  # families with a stored result (stored figures only)

    @property
    def percent(self) -> int:
        return int(100 * self.recorded / self.to_verify) if self.to_verify else 0


def progress_live(user, *, period: Period, rulebook: RuleBook, thresholds: v.Thresholds) -> list[KelurahanProgress]:
    """Progress per kelurahan computed from the records now, for a facilitator's own caseload (a few
    hundred families: fast enough to compute on every page view). 5 queries."""
    kelurahan = {k.code: k for k in access.visible_kelurahan(user).order_by("name")}
    members = member_rows(access.visible_members(user).filter(household__status__in=VERIFIED_STATUSES))
    records = visible_records(user).filter(
        period=period.code, member__household__status__in=VERIFIED_STATUSES)
    sheet = _build_sheet(members, records, [], period, rulebook, thresholds)
    rows = {code: KelurahanProgress(kelurahan=region) for code, region in kelurahan.items()}
    household_kelurahan = {m.household_id: m.kelurahan_id for m in members}
    for household_id, verdict in sheet.verdicts.items():
        row = rows.get(household_kelurahan[household_id])
        if row is None:
            continue
        row.families += 1
        row.to_verify += verdict.to_verify
        row.recorded += verdict.recorded
        row.compliant += verdict.status == v.COMPLIANT
        row.non_compliant += verdict.status == v.NON_COMPLIANT
        row.not_verified += verdict.status == v.NOT_VERIFIED
    return list(rows.values())


def progress_stored(user, *, period: Period, city_code: str) -> tuple[list[KelurahanProgress], object]:
    """Progress per kelurahan of a city from the stored results (a city has tens of thousands of
    families: too many to compute on a page view). Returns the rows and when the oldest figure was
    computed. 3 queries."""
    kelurahan = access.visible_kelurahan(user).filter(code__startswith=f"{city_code}.").order_by("name")
    rows = {k.code: KelurahanProgress(kelurahan=k) for k in kelurahan}
    households = access.visible_households(user).filter(
        kelurahan__code__startswith=f"{city_code}.", status__in=VERIFIED_STATUSES)
    for row in households.values("kelurahan").annotate(n=Count("pk")).order_by():
        if row["kelurahan"] in rows:
            rows[row["kelurahan"]].families = row["n"]
    results = (
        visible_results(user)
        .filter(period=period.code, household__status__in=VERIFIED_STATUSES,
                household__kelurahan__code__startswith=f"{city_code}.")
        .values("household__kelurahan")
        .annotate(
            n=Count("pk"), to_verify=Sum("members_to_verify"), recorded=Sum("members_recorded"),
            compliant=Count("pk", filter=Q(status=HouseholdResult.Status.COMPLIANT)),
            non_compliant=Count("pk", filter=Q(status=HouseholdResult.Status.NON_COMPLIANT)),
            not_verified=Count("pk", filter=Q(status=HouseholdResult.Status.NOT_VERIFIED)),
            oldest=Min("computed_at"),
        )
        .order_by()
    )
    oldest = None
    for result in results:
        row = rows.get(result["household__kelurahan"])
        if row is None:
            continue
        row.computed = result["n"]
        row.to_verify = result["to_verify"] or 0
        row.recorded = result["recorded"] or 0
        row.compliant, row.non_compliant, row.not_verified = (
            result["compliant"], result["non_compliant"], result["not_verified"])
        oldest = min(oldest, result["oldest"]) if oldest else result["oldest"]
    return list(rows.values()), oldest


# --- the household panel and the day page ------------------------------------------------------

def household_history(user, household: Household, periods: list[Period]) -> list[tuple[Period, HouseholdResult | None]]:
    """The stored result of each period (None: nothing recorded or computed yet), newest first. 1 query."""
    results = {r.period: r for r in visible_results(user).filter(household=household, period__in=[p.code for p in periods])}
    return [(p, results.get(p.code)) for p in sorted(periods, reverse=True)]


def household_proposals(user, household: Household, limit: int = 3) -> list[SuspensionProposal]:
    """The household's proposals, a pending one first. 1 query."""
    return list(_pending_first(visible_proposals(user).filter(household=household)).select_related("decided_by")[:limit])


def _pending_first(proposals: QuerySet) -> QuerySet:
    return proposals.annotate(
        pending_order=Case(When(status=SuspensionProposal.Status.PENDING, then=Value(0)), default=Value(1),
                           output_field=IntegerField())
    ).order_by("pending_order", "-created_at", "-id")


def proposal_list(user, *, status: str = "") -> QuerySet:
    proposals = visible_proposals(user)
    if status:
        proposals = proposals.filter(status=status)
    return _pending_first(proposals).select_related("household__kelurahan", "household__facilitator", "decided_by")


def proposal_results(user, proposal: SuspensionProposal) -> list[tuple[Period, HouseholdResult | None]]:
    """The results now stored for the periods the proposal is about (they may have been corrected since)."""
    return household_history(user, proposal.household, proposal.periods)


@dataclass
class MissingData:
    """A facilitator's commitments still without data in a period, per kelurahan and commitment."""

    kelurahan_code: str
    kelurahan_name: str
    commitment: str
    missing: int


def missing_data(user, *, period: Period, rulebook: RuleBook, thresholds: v.Thresholds) -> list[MissingData]:
    """Commitments of the user's own families still without data for the period. 4 queries."""
    members = member_rows(access.visible_members(user).filter(household__status__in=VERIFIED_STATUSES))
    records = visible_records(user).filter(
        period=period.code, member__household__status__in=VERIFIED_STATUSES)
    sheet = _build_sheet(members, records, [], period, rulebook, thresholds)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    names = {}
    for row in sheet.rows:
        if row.outcome.status == v.MISSING:
            names[row.member.kelurahan_id] = row.member.kelurahan_name
            counts[(row.member.kelurahan_id, row.due.commitment)] += 1
    order = {c: n for n, c in enumerate(v.COMMITMENTS)}
    return [
        MissingData(kelurahan_code=code, kelurahan_name=names[code], commitment=commitment, missing=n)
        for (code, commitment), n in sorted(counts.items(), key=lambda i: (names[i[0][0]], order[i[0][1]]))
    ]


@dataclass
class StoredMissing:
    """The stored figures behind the day page: what is missing, as of when, and how many families
    have no stored result for the period yet (the nightly job and every save fill them in)."""

    items: list
    computed_at: object
    not_computed: int


def missing_data_stored(user, *, period: Period) -> StoredMissing:
    """Like missing_data, from the stored results (a fixed 2 queries, whatever the caseload size)."""
    results = visible_results(user).filter(period=period.code, household__status__in=VERIFIED_STATUSES)
    households = access.visible_households(user).filter(status__in=VERIFIED_STATUSES)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    names, computed, stored = {}, [], 0
    for code, name, missing, at in results.values_list(
            "household__kelurahan_id", "household__kelurahan__name", "missing", "computed_at"):
        stored += 1
        computed.append(at)
        for entry in missing or []:
            names[code] = name
            counts[(code, entry.get("commitment", ""))] += 1
    order = {c: n for n, c in enumerate(v.COMMITMENTS)}
    items = [
        MissingData(kelurahan_code=code, kelurahan_name=names[code], commitment=commitment, missing=n)
        for (code, commitment), n in sorted(counts.items(), key=lambda i: (names[i[0][0]], order.get(i[0][1], 9)))
    ]
    return StoredMissing(items=items, computed_at=min(computed) if computed else None,
                         not_computed=max(households.count() - stored, 0))


def non_compliant_results(user, *, period: Period, city_code: str = "") -> QuerySet:
    """Families not compliant in the period (optionally of one city), with the family recipient's name. 1 query."""
    pengurus = access.visible_members(user).filter(household=OuterRef("household"), is_pengurus=True).values("name")[:1]
    results = visible_results(user)
    if city_code:
        results = results.filter(household__kelurahan__code__startswith=f"{city_code}.")
    return (
        results
        .filter(period=period.code, status=HouseholdResult.Status.NON_COMPLIANT)
        .annotate(pengurus_name=Subquery(pengurus))
        .select_related("household__kelurahan")
        .order_by("household__id_kpm")
    )


def pending_proposal_count(user) -> int:
    return visible_proposals(user).filter(status=SuspensionProposal.Status.PENDING).count()


def today_period(today: date) -> Period:
    return Period.of(today)
