"""Reads of the registry for pages, exports and tasks. All start from org.access."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from beneficiaries import components as comp
from beneficiaries.models import Assignment, FamilyCardChange, Household, HouseholdStatusChange, KKSCustody, Member
from beneficiaries.rules import RuleBook
from org import access
from org.models import CaseloadNorm, Region

SORTS = {
    "id_kpm": ("id_kpm",),
    "-id_kpm": ("-id_kpm",),
    "name": ("pengurus_name", "id_kpm"),
    "-name": ("-pengurus_name", "id_kpm"),
    "kelurahan": ("kelurahan__name", "id_kpm"),
    "status": ("status", "id_kpm"),
    "-updated": ("-updated_at", "id_kpm"),
}


@dataclass
class CaseloadFilters:
    q: str = ""
    kelurahan: str = ""
    status: str = ""
    component: str = ""
    facilitator: str = ""  # a facilitator's id, or "none" for unassigned
    city: str = ""
    kks_outside: bool = False
    sort: str = "name"


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a non-leap year
        return date(on.year - years, 2, 28)


def _member_may_qualify(code: str, on: date, rules) -> Q:
    """A superset, in SQL, of the members who count for a component on a date (exact check in Python)."""
    present = Q(birth_date__lte=on) & (Q(exit_reason="") | Q(exit_date__gt=on))
    schools = [s for s, level in comp.SCHOOL_LEVEL.items() if level == code]
    if code == comp.HAMIL:
        return present & Q(pregnant=True, expected_delivery_date__gte=on)
    if code == comp.ANAK_USIA_DINI:
        return present & Q(school="", birth_date__gt=_years_before(on, rules.early_childhood_max_age + 1))
    if code in (comp.SD, comp.SMP, comp.SMA):
        return present & Q(school__in=schools, birth_date__gt=_years_before(on, rules.school_max_age + 1))
    if code == comp.DISABILITAS_BERAT:
        return present & Q(severe_disability=True)
    if code == comp.LANSIA:
        return present & Q(birth_date__lte=_years_before(on, rules.elderly_min_age))
    return Q(pk__in=[])


MEMBER_FACT_FIELDS = (
    "household_id", "id", "birth_date", "pregnant", "expected_delivery_date", "pregnancy_order", "school",
    "severe_disability", "exit_reason", "exit_date",
)


def _facts_by_household(member_rows) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in member_rows:
        grouped.setdefault(row[0], []).append(comp.MemberFacts(*row[1:]))
    return grouped


def filter_by_component(households: QuerySet, code: str, on: date, rulebook: RuleBook) -> QuerySet:
    """Households whose counted components on a date include `code` (after the limits and the cap)."""
    rules = rulebook.rules_for(on)
    candidates = households.filter(
        Exists(Member.objects.filter(_member_may_qualify(code, on, rules), household=OuterRef("pk")))
    )
    rows = Member.objects.filter(household__in=candidates.values("pk")).values_list(*MEMBER_FACT_FIELDS)
    matching = [
        household_id
        for household_id, facts in _facts_by_household(rows).items()
        if code in comp.household_components(facts, on, rules).codes
    ]
    return households.filter(pk__in=matching)


def caseload(user, filters: CaseloadFilters, *, on: date, rulebook: RuleBook) -> QuerySet:
    """The households a user sees, searched, filtered and sorted as the caseload page asks."""
    households = access.visible_households(user)
    if filters.city:
        households = households.filter(kelurahan__code__startswith=f"{filters.city}.")
    if filters.kelurahan:
        households = households.filter(kelurahan_id=filters.kelurahan)
    if filters.status:
        households = households.filter(status=filters.status)
    if filters.facilitator == "none":
        households = households.filter(facilitator__isnull=True)
    elif filters.facilitator:
        households = households.filter(facilitator_id=filters.facilitator)
    if filters.kks_outside:
        households = households.exclude(kks_holder__in=Household.FAMILY_HOLDERS)
    if filters.q:
        households = households.filter(_search(filters.q, households))
    if filters.component:
        households = filter_by_component(households, filters.component, on, rulebook)
    sort = SORTS.get(filters.sort, SORTS["name"])
    if "pengurus_name" in sort or "-pengurus_name" in sort:
        # A correlated subquery: cheap on a caseload (~5 ms for 450 families), and count() drops it.
        pengurus = Member.objects.filter(household=OuterRef("pk"), is_pengurus=True).values("name")[:1]
        households = households.annotate(pengurus_name=Subquery(pengurus))
    return households.select_related("kelurahan", "facilitator").order_by(*sort)


def _search(text: str, households: QuerySet) -> Q:
    """Name, NIK, No. KK or ID KPM. Members are searched only within `households` (already scoped):
    a subquery over the caseload, not a scan of every member in the registry."""
    text = text.strip()
    digits = text.replace(" ", "")
    members = Member.objects.filter(household__in=households.values("pk"))
    if digits.isdigit():
        if len(digits) == 16:
            return Q(id_kpm=digits) | Q(no_kk=digits) | Q(pk__in=members.filter(nik=digits).values("household_id"))
        return Q(id_kpm__icontains=digits) | Q(pk__in=members.filter(nik__contains=digits).values("household_id"))
    return Q(id_kpm__iexact=text) | Q(pk__in=members.filter(name__icontains=text).values("household_id"))


@dataclass
class HouseholdRow:
    """One line of the caseload list: the household and its components today."""

    household: Household
    components: list = field(default_factory=list)


def caseload_rows(households, *, on: date, rulebook: RuleBook) -> list[HouseholdRow]:
    """Components (and the pengurus's name) for a page of households, members read in one query."""
    households = list(households)
    members = Member.objects.filter(household__in=[h.pk for h in households]).only(*MEMBER_FACT_FIELDS, "name", "is_pengurus")
    grouped: dict[int, list] = {}
    for member in members:
        grouped.setdefault(member.household_id, []).append(member)
    for household in households:
        if not hasattr(household, "pengurus_name"):
            household.pengurus_name = next((m.name for m in grouped.get(household.pk, []) if m.is_pengurus), None)
    return [
        HouseholdRow(household=h, components=rulebook.components(grouped.get(h.pk, []), on).codes)
        for h in households
    ]


def household_detail(user, household: Household) -> Household:
    """The household with everything its page shows, in a fixed number of queries."""
    return (
        access.visible_households(user).filter(pk=household.pk)
        .select_related("kelurahan__parent__parent", "facilitator")
        .prefetch_related(
            Prefetch("members", queryset=Member.objects.order_by("birth_date", "id")),
            Prefetch("status_changes", queryset=HouseholdStatusChange.objects.select_related("changed_by")),
            Prefetch("assignments", queryset=Assignment.objects.select_related("facilitator", "assigned_by")),
            Prefetch("kks_custody", queryset=KKSCustody.objects.select_related("recorded_by")),
            Prefetch("family_card_changes", queryset=FamilyCardChange.objects.select_related("changed_by")),
        )
        .get()
    )


def current_norm(on: date) -> CaseloadNorm:
    return CaseloadNorm.objects.filter(valid_from__lte=on).order_by("-valid_from").first() or CaseloadNorm()


@dataclass
class FacilitatorLoad:
    facilitator: object
    active: int = 0
    total: int = 0
    kks_outside: int = 0
    ratio: float = 0.0
    over_norm: bool = False
    under_norm: bool = False


@dataclass
class CityOverview:
    city: Region
    norm: CaseloadNorm
    rows: list
    unassigned_active: int
    unassigned_total: int
    active_total: int
    household_total: int
    kks_outside_total: int


def city_overview(user, city: Region, *, on: date) -> CityOverview:
    """Per facilitator of a city: families, ratio against the norm, KKS cards held outside the family."""
    norm = current_norm(on)
    households = access.visible_households(user).filter(kelurahan__code__startswith=f"{city.code}.")
    counts = {
        row["facilitator"]: row
        for row in households.values("facilitator").annotate(
            total=Count("pk"),
            active=Count("pk", filter=Q(status=Household.Status.ACTIVE)),
            kks_outside=Count("pk", filter=~Q(kks_holder__in=Household.FAMILY_HOLDERS)),
        )
    }
    facilitators = (
        access.visible_facilitators(user)
        .filter(Q(cities=city) | Q(pk__in=[pk for pk in counts if pk]))
        .select_related("facilitator_profile")
        .distinct()
        .order_by("username")
    )
    rows = []
    for facilitator in facilitators:
        row = counts.get(facilitator.pk, {})
        active = row.get("active", 0)
        rows.append(FacilitatorLoad(
            facilitator=facilitator,
            active=active,
            total=row.get("total", 0),
            kks_outside=row.get("kks_outside", 0),
            ratio=active / norm.maximum if norm.maximum else 0.0,
            over_norm=active > norm.maximum,
            under_norm=active < norm.minimum,
        ))
    unassigned = counts.get(None, {})
    return CityOverview(
        city=city,
        norm=norm,
        rows=rows,
        unassigned_active=unassigned.get("active", 0),
        unassigned_total=unassigned.get("total", 0),
        active_total=sum(r.get("active", 0) for r in counts.values()),
        household_total=sum(r.get("total", 0) for r in counts.values()),
        kks_outside_total=sum(r.get("kks_outside", 0) for r in counts.values()),
    )
