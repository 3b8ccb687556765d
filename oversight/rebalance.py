"""Rebalancing caseloads in one click: which families to move from facilitators above the caseload norm to
facilitators of the same city with room, and applying one such move (beneficiaries.services.households_assign,
audited, all or nothing).

`suggest_moves` is the rule, a plain function of plain data (no database): the page's suggestions and the
tests use the same code. `city_plan` reads its input for a city; `rebalance_apply` makes one move.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries import services as registry
from beneficiaries.models import Household, Member
from beneficiaries.selectors import CityOverview, current_norm
from graduation.models import Proposal
from mediation.models import Case
from org import access
from org.models import FacilitatorProfile, Region, User

# --- the rule (no database) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """An active family of a facilitator above the norm: a family that could move."""

    pk: int
    id_kpm: str
    kelurahan: str
    facilitator: int
    held: bool = False  # an open mediation case or a graduation proposal waiting: moved only when nothing else can


@dataclass(frozen=True)
class Carer:
    """A facilitator of the city: active families, the kelurahan they cover, whether they may receive families."""

    pk: int
    active: int
    kelurahan: frozenset = frozenset()
    can_receive: bool = True


@dataclass(frozen=True)
class Move:
    """One suggestion: these families from `source` to `target`."""

    source: int
    target: int
    households: tuple
    covered: int = 0  # how many live in a kelurahan the target already covers
    held: int = 0  # how many have an open case or a graduation proposal waiting

    @property
    def count(self) -> int:
        return len(self.households)


@dataclass(frozen=True)
class Plan:
    moves: tuple = ()
    # facilitator pk -> active families still above the maximum after the moves (no room left in the city)
    remaining: dict = field(default_factory=dict)


def _level_quotas(receivers: list[Carer], need: int, maximum: int) -> dict[int, int]:
    """How many families each receiver may take: fill the least loaded first, up to one common level (at most
    the maximum) that is just high enough for `need` families. Spreads the excess evenly."""
    if need <= 0 or not receivers:
        return {}

    def room_at(level: int) -> int:
        return sum(max(0, level - r.active) for r in receivers)

    low, high = min(r.active for r in receivers), maximum
    if room_at(high) <= need:
        level = high
    else:
        while low < high:  # the smallest level whose room covers the need
            middle = (low + high) // 2
            if room_at(middle) >= need:
                high = middle
            else:
                low = middle + 1
        level = low
    return {r.pk: max(0, level - r.active) for r in receivers}


def suggest_moves(carers: list[Carer], families: list[Family], *, maximum: int) -> Plan:
    """Moves that bring every facilitator above `maximum` down to it, without taking anyone above it.

    - Receivers are the facilitators below the maximum who may receive families. The excess is spread to one
      common level, the least loaded first (so facilitators below the norm's minimum fill first), never above
      the maximum; what does not fit is reported in `remaining`.
    - First every facilitator above the norm (largest excess first) hands over the families living in a kelurahan
      a receiver already covers (its profile's kelurahan or those of its current families); then the other
      families go to the least loaded receivers, families of one kelurahan kept together.
    - Families with an open case or a graduation proposal waiting (`held`) move only when the facilitator has no
      other family left to move; each move counts them.
    - Deterministic: the same input, in any order, gives the same moves.
    """
    donors = sorted((c for c in carers if c.active > maximum), key=lambda c: (-(c.active - maximum), c.pk))
    receivers = sorted((c for c in carers if c.can_receive and c.active < maximum), key=lambda c: c.pk)
    quotas = _level_quotas(receivers, sum(d.active - maximum for d in donors), maximum)
    pools: dict[int, list[Family]] = {}
    for family in sorted(families, key=lambda f: (f.kelurahan, f.id_kpm, f.pk)):
        pools.setdefault(family.facilitator, []).append(family)
    need = {d.pk: min(d.active - maximum, len(pools.get(d.pk, []))) for d in donors}
    received = {r.pk: 0 for r in receivers}
    picked: dict[tuple[int, int], list[Family]] = {}
    taken: set[int] = set()

    def available(donor: Carer, *, held: bool, covered_by: Carer | None = None) -> list[Family]:
        return [f for f in pools.get(donor.pk, []) if f.pk not in taken and f.held == held
                and (covered_by is None or f.kelurahan in covered_by.kelurahan)]

    def give(donor: Carer, receiver: Carer, candidates: list[Family]) -> None:
        for family in candidates:
            if need[donor.pk] <= 0 or quotas.get(receiver.pk, 0) <= 0:
                return
            picked.setdefault((donor.pk, receiver.pk), []).append(family)
            taken.add(family.pk)
            need[donor.pk] -= 1
            quotas[receiver.pk] -= 1
            received[receiver.pk] += 1

    def load(receiver: Carer) -> int:
        return receiver.active + received[receiver.pk]

    for held in (False, True):
        eligible = [d for d in donors if not held or not available(d, held=False)]
        for donor in eligible:  # families in a kelurahan the receiver covers
            for receiver in sorted(receivers, key=lambda r: (-len(available(donor, held=held, covered_by=r)),
                                                             load(r), r.pk)):
                give(donor, receiver, available(donor, held=held, covered_by=receiver))
        for donor in eligible:  # the others, to the least loaded
            for receiver in sorted(receivers, key=lambda r: (load(r), r.pk)):
                give(donor, receiver, available(donor, held=held))

    covers = {r.pk: r.kelurahan for r in receivers}
    moves = [
        Move(source=source, target=target, households=tuple(f.pk for f in chosen),
             covered=sum(1 for f in chosen if f.kelurahan in covers[target]), held=sum(1 for f in chosen if f.held))
        for donor in donors
        for (source, target), chosen in picked.items() if source == donor.pk
    ]
    moved = {d.pk: sum(m.count for m in moves if m.source == d.pk) for d in donors}
    remaining = {d.pk: d.active - maximum - moved[d.pk] for d in donors if d.active - maximum > moved[d.pk]}
    return Plan(moves=tuple(moves), remaining=remaining)


# --- reading a city's input -----------------------------------------------------------------------

def _in_city(city: Region) -> dict:
    return {"kelurahan__code__startswith": f"{city.code}."}


def _held_annotations(user) -> dict:
    """Whether a household has an open case or a graduation proposal waiting. The households are already
    scoped (org.access), so their own cases and proposals are too: plain subqueries, no second scope join."""
    return {
        "open_case": Exists(Case.objects.filter(household=OuterRef("pk"), status__in=Case.OPEN_STATUSES)),
        "pending_proposal": Exists(Proposal.objects.filter(household=OuterRef("pk"), status=Proposal.Status.PENDING)),
    }


def city_plan(user, overview: CityOverview) -> Plan:
    """The suggested moves for a city, from its overview (beneficiaries.selectors.city_overview).

    No query when nobody is above the norm; otherwise four (three when nobody has room), whatever the number of
    facilitators and families:
    who may receive (an active account working in this city: households_assign refuses another city's
    facilitator), the kelurahan of their profiles, the kelurahan of their active families, and the active
    families of the facilitators above the norm with whether each is held by a case or a proposal.
    """
    city, maximum = overview.city, overview.norm.maximum
    donors = [row.facilitator.pk for row in overview.rows if row.over_norm]
    if not donors:
        return Plan()
    ids = [row.facilitator.pk for row in overview.rows]
    receivers = set(access.visible_facilitators(user).filter(pk__in=ids, cities=city, is_active=True)
                    .values_list("pk", flat=True))
    covered: dict[int, set] = {pk: set() for pk in ids}
    for user_id, code in (FacilitatorProfile.kelurahan.through.objects
                          .filter(facilitatorprofile__user_id__in=ids)
                          .values_list("facilitatorprofile__user_id", "region_id")):
        covered[user_id].add(code)
    active = access.visible_households(user).filter(status=Household.Status.ACTIVE, **_in_city(city))
    for user_id, code in (active.filter(facilitator_id__in=ids).order_by()
                          .values_list("facilitator_id", "kelurahan_id").distinct()):
        covered[user_id].add(code)
    carers = [Carer(pk=row.facilitator.pk, active=row.active, kelurahan=frozenset(covered[row.facilitator.pk]),
                    can_receive=row.facilitator.pk in receivers) for row in overview.rows]
    if not any(c.can_receive and c.active < maximum for c in carers):
        return suggest_moves(carers, [], maximum=maximum)  # no room in the city: only what stays above the norm
    families = [
        Family(pk=pk, id_kpm=id_kpm, kelurahan=kelurahan, facilitator=facilitator, held=open_case or pending)
        for pk, id_kpm, kelurahan, facilitator, open_case, pending in (
            active.filter(facilitator_id__in=donors).annotate(**_held_annotations(user)).order_by()
            .values_list("pk", "id_kpm", "kelurahan_id", "facilitator_id", "open_case", "pending_proposal")
        )
    ]
    return suggest_moves(carers, families, maximum=maximum)


def move_households(user, move: Move):
    """The families of a move for its confirmation page, with their pengurus, kelurahan and whether an open
    case or a graduation proposal waits (one query)."""
    pengurus = Member.objects.filter(household=OuterRef("pk"), is_pengurus=True).values("name")[:1]
    return list(
        access.visible_households(user).filter(pk__in=move.households)
        .annotate(pengurus_name=Subquery(pengurus), **_held_annotations(user))
        .select_related("kelurahan").order_by("kelurahan__name", "id_kpm")
    )


# --- applying a move ------------------------------------------------------------------------------

class StaleMove(ValidationError):
    """The caseloads changed since the suggestion was shown: nothing was moved."""


def default_reason(source: User, target: User) -> str:
    """The reason prefilled on the confirmation page, in the active language."""
    return _("Workload rebalancing: %(source)s is above the caseload norm, %(target)s has room") % {
        "source": source.get_full_name() or source.username, "target": target.get_full_name() or target.username}


@transaction.atomic
def rebalance_apply(*, actor: User, city: Region, source: User, target: User, household_ids, reason: str,
                    on: date | None = None) -> int:
    """Move the families of a confirmed suggestion from `source` to `target`, all or none.

    Refused as stale (StaleMove, nothing written) when any of them is no longer an active family of `source`
    in the city, or when the target would now go above the norm's maximum; the move itself is
    beneficiaries.services.households_assign (closes and opens the assignments, one audit event per family).
    """
    access.require_caseload_management(actor)
    on = on or timezone.localdate()
    ids = sorted({int(pk) for pk in household_ids})
    if not ids:
        raise ValidationError({"households": _("Select at least one household.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the move.")})
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose another facilitator to receive the families.")})
    households = list(access.visible_households(actor).filter(pk__in=ids)
                      .select_for_update(of=("self",)).order_by("pk"))
    changed = [h.id_kpm for h in households
               if h.facilitator_id != source.pk or h.status != Household.Status.ACTIVE
               or not h.kelurahan_id.startswith(f"{city.code}.")]
    if changed or len(households) != len(ids):
        raise StaleMove(_(
            "The caseloads changed since this suggestion was made: %(count)s of the families are no longer active "
            "families of %(source)s%(list)s. Nothing was moved; look at the current suggestions."
        ) % {"count": len(changed) + len(ids) - len(households), "source": source.get_full_name() or source.username,
             "list": f" ({', '.join(changed[:10])})" if changed else ""})
    maximum = current_norm(on).maximum
    target_active = access.visible_households(actor).filter(
        facilitator=target, status=Household.Status.ACTIVE, **_in_city(city)).count()
    if target_active + len(ids) > maximum:
        raise StaleMove(_(
            "The caseloads changed since this suggestion was made: %(target)s now has %(active)s active families "
            "and would go above the norm (%(maximum)s). Nothing was moved; look at the current suggestions."
        ) % {"target": target.get_full_name() or target.username, "active": target_active, "maximum": maximum})
    return registry.households_assign(actor=actor, household_ids=ids, facilitator=target, reason=reason.strip(),
                                      on=on)
