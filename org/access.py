"""Who may see and change what. The only module that knows the scoping rule.

- facilitator: the households assigned to them (read and write);
- coordinator: every household of their regency/city (read and write, including assignments);
- auditor (Suku Dinas Sosial): every household of their city or cities, read-only;
- administrator: everything;
- anyone else (no role, inactive): nothing.

Out-of-scope objects answer 404 (never revealing that they exist); a write by a role that may
only read answers 403. Every view, form, export, task and admin list reads through here.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from beneficiaries.models import Household, Member
from core.models import AuditEvent, Job
from org.models import FacilitatorProfile, Region, User


def _role(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ""
    if user.is_superuser:
        return User.Role.ADMIN
    return user.role or ""


def city_codes(user) -> list[str]:
    """The regency/city codes a user works in (cached on the user object for the request)."""
    if not hasattr(user, "_pkh_city_codes"):
        user._pkh_city_codes = sorted(user.cities.values_list("code", flat=True)) if user.pk else []
    return user._pkh_city_codes


def _in_cities(codes: list[str], field: str) -> Q:
    """Rows whose village code (`field`) lies in one of the cities; nothing when there is none."""
    if not codes:
        return Q(pk__in=[])
    query = Q()
    for code in codes:
        query |= Q(**{f"{field}__startswith": f"{code}."})
    return query


# --- what a user may do ---------------------------------------------------------------------

def can_write(user) -> bool:
    """Facilitators, coordinators and administrators change data; auditors only read."""
    return _role(user) in {User.Role.FACILITATOR, User.Role.COORDINATOR, User.Role.ADMIN}


def can_manage_caseloads(user) -> bool:
    """Assign and transfer households, import the registry, change a household's status."""
    return _role(user) in {User.Role.COORDINATOR, User.Role.ADMIN}


def can_view_city(user) -> bool:
    return _role(user) in {User.Role.COORDINATOR, User.Role.AUDITOR, User.Role.ADMIN}


def require_write(user) -> None:
    if not can_write(user):
        raise PermissionDenied


def require_caseload_management(user) -> None:
    if not can_manage_caseloads(user):
        raise PermissionDenied


# --- households and members ------------------------------------------------------------------

def _household_scope(user, prefix: str = "") -> Q | None:
    """The households a user sees, as a filter on `prefix` (e.g. "household__"); None means all."""
    role = _role(user)
    if role == User.Role.ADMIN:
        return None
    if role == User.Role.FACILITATOR:
        return Q(**{f"{prefix}facilitator": user})
    if role in {User.Role.COORDINATOR, User.Role.AUDITOR}:
        return _in_cities(city_codes(user), f"{prefix}kelurahan__code")
    return Q(pk__in=[])


def visible_households(user) -> QuerySet:
    scope = _household_scope(user)
    households = Household.objects.all()
    return households if scope is None else households.filter(scope)


def scoped(user, queryset: QuerySet, household_path: str = "household") -> QuerySet:
    """Rows of any model that hangs off a household (visits, cases, ...), limited like the households."""
    scope = _household_scope(user, f"{household_path}__")
    return queryset if scope is None else queryset.filter(scope)


def scoped_by_area(user, queryset: QuerySet, *, facilitator_field: str = "facilitator",
                   village_field: str = "kelurahan") -> QuerySet:
    """Rows owned by a facilitator in a village (P2K2 groups, KUBE, facilities): a facilitator sees their
    own, coordinators and auditors those of their cities, administrators all."""
    role = _role(user)
    if role == User.Role.ADMIN:
        return queryset
    if role == User.Role.FACILITATOR:
        return queryset.filter(**{facilitator_field: user}) if facilitator_field else queryset.filter(
            **{f"{village_field}__in": visible_kelurahan(user)})
    if role in {User.Role.COORDINATOR, User.Role.AUDITOR}:
        return queryset.filter(_in_cities(city_codes(user), f"{village_field}__code"))
    return queryset.none()


def scoped_by_household_or_area(user, queryset: QuerySet, *, household_path: str = "household",
                                facilitator_field: str, village_field: str) -> QuerySet:
    """Rows owned either by a household or by a facilitator's group in a village (a business of a family or
    of a KUBE): rows with a household are limited like the households (`scoped`), the others like the group
    (`scoped_by_area`, with the group's fields, e.g. "kube__facilitator" and "kube__kelurahan")."""
    by_household = scoped(user, queryset.filter(**{f"{household_path}__isnull": False}), household_path)
    by_area = scoped_by_area(user, queryset.filter(**{f"{household_path}__isnull": True}),
                             facilitator_field=facilitator_field, village_field=village_field)
    return by_household | by_area


def scoped_by_household_or_city(user, queryset: QuerySet, *, household_path: str = "household",
                                city_field: str = "city_code") -> QuerySet:
    """Rows that belong to a household when they matched one, else only to a city (a bank row whose ID KPM
    is not in the registry): the first are limited like the households (`scoped`); the others are seen by
    the coordinators and auditors of that city and by administrators, never by a facilitator."""
    by_household = scoped(user, queryset.filter(**{f"{household_path}__isnull": False}), household_path)
    unmatched = queryset.filter(**{f"{household_path}__isnull": True})
    role = _role(user)
    if role == User.Role.ADMIN:
        return by_household | unmatched
    if role in {User.Role.COORDINATOR, User.Role.AUDITOR}:
        return by_household | unmatched.filter(**{f"{city_field}__in": city_codes(user)})
    return by_household


def get_scoped_or_404(user, queryset: QuerySet, pk, *, for_write: bool = False):
    """One row of an already-scoped queryset, else 404; 403 when the user may see but not change it."""
    try:
        obj = queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if for_write:
        require_write(user)
    return obj


def get_household_or_404(user, pk, *, for_write: bool = False) -> Household:
    """The household if the user may see it, else 404; 403 when they may see it but not change it."""
    return get_scoped_or_404(user, visible_households(user).select_related("kelurahan__parent", "facilitator"), pk,
                             for_write=for_write)


def visible_members(user) -> QuerySet:
    return Member.objects.filter(household__in=visible_households(user))


def get_member_or_404(user, household: Household, pk, *, for_write: bool = False) -> Member:
    """A member of an already-scoped household."""
    try:
        member = Member.objects.get(pk=pk, household=household)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if for_write:
        require_write(user)
    return member


# --- regions and staff ------------------------------------------------------------------------

def visible_cities(user) -> QuerySet:
    role = _role(user)
    cities = Region.objects.filter(level=Region.Level.REGENCY)
    if role == User.Role.ADMIN:
        return cities
    if role:
        return cities.filter(code__in=city_codes(user))
    return cities.none()


def visible_kelurahan(user) -> QuerySet:
    """Villages a user works in: a facilitator's assigned ones (plus those of their households)."""
    role = _role(user)
    villages = Region.objects.filter(level=Region.Level.VILLAGE)
    if role == User.Role.ADMIN:
        return villages
    if role == User.Role.FACILITATOR:
        # Two small indexed reads beat one OR-join over every village of the country.
        codes = set(FacilitatorProfile.kelurahan.through.objects.filter(facilitatorprofile__user=user)
                    .values_list("region_id", flat=True))
        codes.update(Household.objects.filter(facilitator=user).order_by().values_list("kelurahan_id", flat=True).distinct())
        return villages.filter(code__in=sorted(codes))
    if role in {User.Role.COORDINATOR, User.Role.AUDITOR}:
        return villages.filter(_in_cities(city_codes(user), "code"))
    return villages.none()


def visible_facilitators(user) -> QuerySet:
    """Facilitator accounts a user may see (and, for a coordinator, assign households to)."""
    role = _role(user)
    facilitators = User.objects.filter(role=User.Role.FACILITATOR)
    if role == User.Role.ADMIN:
        return facilitators
    if role == User.Role.FACILITATOR:
        return facilitators.filter(pk=user.pk)
    if role in {User.Role.COORDINATOR, User.Role.AUDITOR}:
        return facilitators.filter(cities__code__in=city_codes(user)).distinct()
    return facilitators.none()


def selected_city(user, wanted: str | None) -> tuple[Region, list[Region]]:
    """The city a city page shows and the user's cities (for the picker): `wanted` (the page's ?kota=) when
    the user sees it, else 404; without one, the user's first city. 403 for a user without a city role."""
    if not can_view_city(user):
        raise PermissionDenied
    cities = list(visible_cities(user).order_by("code"))
    if not cities:
        raise PermissionDenied
    if not wanted:
        return cities[0], cities
    city = next((c for c in cities if c.code == wanted), None)
    if city is None:
        raise Http404
    return city, cities


def get_city_or_404(user, code) -> Region:
    try:
        return visible_cities(user).get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None


def may_import_into(user, kelurahan_code: str) -> bool:
    """Whether a registry import by this user may write households of that village."""
    role = _role(user)
    if role == User.Role.ADMIN or user is None:
        return True  # command-line imports run as the system
    if role == User.Role.COORDINATOR:
        return kelurahan_code[:5] in city_codes(user)
    return False


# --- jobs -------------------------------------------------------------------------------------

def visible_jobs(user) -> QuerySet:
    """A job is visible to whoever started it, to coordinators/auditors of its city, and to admins."""
    role = _role(user)
    jobs = Job.objects.all()
    if role == User.Role.ADMIN:
        return jobs
    if not role:
        return jobs.none()
    query = Q(created_by=user)
    if role in {User.Role.COORDINATOR, User.Role.AUDITOR}:
        query |= Q(city_code__in=city_codes(user))
    return jobs.filter(query)


def get_job_or_404(user, pk) -> Job:
    try:
        return visible_jobs(user).get(pk=pk)
    except (Job.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- mediation cases --------------------------------------------------------------------------

# Categories whose details are specific personal data of a child (UU 27/2022): child protection.
SENSITIVE_CASE_CATEGORIES = frozenset({"PERLINDUNGAN_ANAK"})


def can_see_case_details(user, case, *, listing: bool = False) -> bool:
    """Whether a user may read a mediation case's details (title, description, notes, outcome, referral
    partner and notes, member concerned), given that they may already see the case itself.

    A child-protection case shows its details only on its own page, and only to the household's assigned
    facilitator and to the coordinator and auditor of the household's city: never to administrators, and
    never in a list (`listing=True`: lists, panels, day sections, admin lists), where it appears as
    "Child protection case" with its status and dates. Every other case shows its details to whoever sees it.
    Reads only `case.category` and `case.household` (select it with the case): no query per case.
    """
    if case.category not in SENSITIVE_CASE_CATEGORIES:
        return True
    if listing:
        return False
    role = _role(user)
    household = case.household
    if role == User.Role.FACILITATOR:
        return household.facilitator_id is not None and household.facilitator_id == user.pk
    if role in {User.Role.COORDINATOR, User.Role.AUDITOR}:
        return household.kelurahan_id[:5] in city_codes(user)
    return False


# --- the change history -----------------------------------------------------------------------

def visible_audit_events(user) -> QuerySet:
    """Audit events a user may read in the change history.

    Administrators read everything. Coordinators and auditors read the events of their cities (`city_code`),
    plus the events without a city that concern the staff of their cities: what such a person did (sign-in,
    sign-out, an export without a city) and the failed sign-ins under their username. Facilitators and
    anyone else read nothing (the history shows who looked at whose data: it is for supervisors only).
    """
    role = _role(user)
    events = AuditEvent.objects.all()
    if role == User.Role.ADMIN:
        return events
    if role not in {User.Role.COORDINATOR, User.Role.AUDITOR}:
        return events.none()
    codes = city_codes(user)
    if not codes:
        return events.none()
    staff = User.objects.filter(cities__code__in=codes)
    return events.filter(
        Q(city_code__in=codes)
        | Q(city_code="", actor_id__in=staff.values("pk"))
        | Q(city_code="", actor_id__isnull=True, action=AuditEvent.Action.LOGIN_FAILED,
            object_repr__in=staff.values("username"))
    )
