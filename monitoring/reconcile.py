"""Reconciliation: the bank's events of a city against the registry and the entitlements, as flags.

`compute_flags` reads and returns the findings without writing anything (the monthly report calls it);
`refresh_flags` replaces the stored `Flag` rows with them (the importer calls it after every import).

The rules, as of a date D, for each household and each (year, tahap) present in the imported data
(events dated after D are not known yet on D):
- NOMINAL_TIDAK_SESUAI: the sum of a household's SALUR of a stage differs from its entitlement computed
  from its components on the stage's first day (RuleBook.stage_entitlement). Not checked for a year
  without benefit rules (nothing to compare with).
- SALUR_KE_NONAKTIF: a SALUR to a household that was not active on the credit date (suspended,
  graduated, exited, or not yet registered), from its dated status history.
- TIDAK_SALUR: a household active on the stage's first day, with an entitlement > 0, got no SALUR in a
  stage that the data covers for its bank (at least one SALUR of that bank for that stage in the city);
  a household no longer active on the bank's first credit day of that stage was not to be paid.
- SALUR_GANDA: two or more SALUR for the same household and stage, or one KKS number credited for two
  households (or unknown ID KPM) in the same stage. One flag per household and stage.
- DANA_MENGENDAP: a SALUR with no TARIK on that card from the credit up to D, at least `dormant_days`
  old on D: money still not withdrawn (a late withdrawal ends the flag; the monthly report's "withdrawn
  within N days" counts those). The detail gives the age on D and its bucket (MonitoringSettings).
- TARIK_MENGELOMPOK: withdrawals of at least `cluster_min_households` households of one facilitator at
  one `lokasi` within `cluster_window_minutes` (withdrawals without a time cannot be placed and are left
  out). One flag per household involved and stage; the detail names the place, the window and the others.
- KKS_BUKAN_KELUARGA: the registry says that on D the card is held by someone outside the family (the
  latest KKS custody record, else `Household.kks_holder`), for households still in the program. A
  registry finding, not tied to a stage: year and stage are empty.
- TIDAK_DIKENAL: a row whose ID KPM or KKS number does not match the registry (one flag per row).

A fixed number of queries per city whatever its size: the events, the households, the members, the
status history, the KKS custody, the settings, and the rules and stages of each year involved.
"""

import gc
from bisect import bisect_left, bisect_right
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from beneficiaries.components import MemberFacts
from beneficiaries.models import Household, HouseholdStatusChange, KKSCustody, Member
from beneficiaries.rules import DEFAULT_STAGES, RuleBook, Stage
from core.templatetags.pkh import mask_id
from monitoring.models import BankEvent, EventKind, Flag, FlagCode, Match, MonitoringSettings
from org.models import Region

ACTIVE = str(Household.Status.ACTIVE)
SALUR, TARIK, MATCHED = str(EventKind.SALUR), str(EventKind.TARIK), str(Match.MATCHED)  # plain str: hot loops
IN_PROGRAM = (Household.Status.ACTIVE, Household.Status.SUSPENDED)
NOT_REGISTERED = "not_registered"  # the status before a household's first history row
BATCH = 2000


@dataclass(slots=True)
class FlagRow:
    """One finding, with the fields of the Flag model (see monitoring.models.Flag)."""

    code: str
    household_id: int | None
    event_id: int | None
    id_kpm: str
    city_code: str
    facilitator_id: int | None
    year: int | None
    stage: int | None
    occurred_on: date | None
    expected: int | None = None
    credited: int | None = None
    detail: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        """(code, id_kpm, year, stage): what a test or a report compares."""
        return (self.code, self.id_kpm, self.year, self.stage)

    def as_model(self, computed_at: datetime) -> Flag:
        return Flag(computed_at=computed_at, **asdict(self))


# --- loading ---------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Event:
    id: int
    bank: str
    ref: str
    id_kpm: str
    kks_number: str
    year: int
    stage: int
    kind: str
    occurred_on: date
    occurred_time: object
    amount: int
    household_id: int | None
    match: str
    location: str

    def brief(self) -> dict:
        """What a flag's detail says about the event."""
        return {"ref": self.ref, "bank": self.bank, "date": self.occurred_on.isoformat(), "amount": self.amount,
                **({"time": self.occurred_time.strftime("%H:%M")} if self.occurred_time else {})}


EVENT_FIELDS = ("id", "bank", "ref", "id_kpm", "kks_number", "year", "stage", "kind", "occurred_on", "occurred_time",
                "amount", "household_id", "match", "location")
HOUSEHOLD_FIELDS = ("id", "id_kpm", "facilitator_id", "status", "status_since", "bank", "kks_number", "kks_holder")
MEMBER_FIELDS = ("household_id", "id", "birth_date", "pregnant", "expected_delivery_date", "pregnancy_order", "school",
                 "severe_disability", "exit_reason", "exit_date", "name")


@dataclass(slots=True)
class _Household:
    id: int
    id_kpm: str
    facilitator_id: int | None
    status: str
    status_since: date
    bank: str
    kks_number: str
    kks_holder: str


def _stage_filter(stages: set[tuple[int, int]]) -> Q:
    """Events of the stages, and every withdrawal since the first of them began (money of an earlier stage may be
    withdrawn later, and a credit is only "not withdrawn" when no withdrawal at all followed it)."""
    query = Q()
    for year, number in sorted(stages):
        query |= Q(year=year, stage=number)
    earliest = min(date(year, 1, 1) for year, _ in stages)
    return query | Q(kind=EventKind.TARIK, occurred_on__gte=earliest)


def _load_events(city_code: str, as_of: date, stages) -> list[_Event]:
    events = BankEvent.objects.filter(city_code=city_code, occurred_on__lte=as_of)
    if stages is not None:
        events = events.filter(_stage_filter(stages))
    return [_Event(*row) for row in events.order_by().values_list(*EVENT_FIELDS).iterator(chunk_size=10_000)]


def _city_prefix(city_code: str) -> str:
    return f"{city_code}."


class _Registry:
    """The city's households, members, status history and KKS custody, loaded once."""

    def __init__(self, city_code: str):
        prefix = _city_prefix(city_code)
        self.households = {
            row[0]: _Household(*row)
            for row in Household.objects.filter(kelurahan__code__startswith=prefix).order_by()
            .values_list(*HOUSEHOLD_FIELDS).iterator(chunk_size=10_000)
        }
        self.members: dict[int, list[MemberFacts]] = defaultdict(list)
        for row in (Member.objects.filter(household__kelurahan__code__startswith=prefix).order_by()
                    .values_list(*MEMBER_FIELDS).iterator(chunk_size=10_000)):
            self.members[row[0]].append(MemberFacts(*row[1:]))
        # Status history, oldest first; on equal dates the latest recorded wins (bisect_right below).
        history = defaultdict(list)
        for household_id, status, effective, recorded, pk in (
            HouseholdStatusChange.objects.filter(household__kelurahan__code__startswith=prefix).order_by()
            .values_list("household_id", "status", "effective_date", "recorded_at", "id").iterator(chunk_size=10_000)
        ):
            history[household_id].append((effective, recorded, pk, status))
        self.history = {}
        for household_id, rows in history.items():
            rows.sort()
            self.history[household_id] = ([r[0] for r in rows], [r[3] for r in rows])
        custody = defaultdict(list)
        for household_id, holder, holder_name, since, recorded, pk, note in (
            KKSCustody.objects.filter(household__kelurahan__code__startswith=prefix).order_by()
            .values_list("household_id", "holder", "holder_name", "since", "recorded_at", "id", "note")
            .iterator(chunk_size=10_000)
        ):
            custody[household_id].append((since, recorded, pk, holder, holder_name, note))
        self.custody = {}
        for household_id, rows in custody.items():
            rows.sort()
            self.custody[household_id] = ([r[0] for r in rows], rows)

    def status_on(self, household: _Household, day: date) -> str:
        """The household's status on a day, from its dated history. A household without history (entered
        before the history was kept) has its current status since `status_since`, and was active before."""
        found = self.history.get(household.id)
        if found is None:
            if household.status == ACTIVE or day >= household.status_since:
                return household.status
            return ACTIVE
        dates, statuses = found
        index = bisect_right(dates, day)
        return statuses[index - 1] if index else NOT_REGISTERED

    def status_since(self, household: _Household, day: date) -> date | None:
        found = self.history.get(household.id)
        if found is None:
            return household.status_since if day >= household.status_since else None
        index = bisect_right(found[0], day)
        return found[0][index - 1] if index else None

    def holder_on(self, household: _Household, day: date) -> tuple[str, str, date | None, str]:
        """(holder, holder's name, since, note) of the KKS card on a day: the latest custody record by then,
        else the registry's `kks_holder`."""
        found = self.custody.get(household.id)
        if found:
            index = bisect_right(found[0], day)
            if index:
                since, _recorded, _pk, holder, name, note = found[1][index - 1]
                return holder, name, since, note
        return household.kks_holder, "", None, ""


def _stage(rulebook: RuleBook, year: int, number: int) -> Stage:
    for stage in rulebook.stages_of(year):
        if stage.number == number:
            return stage
    first, last = next(((a, b) for n, a, b in DEFAULT_STAGES if n == number), (1, 3))
    return Stage(year, number, first, last)


def _components(result) -> list[dict]:
    return [{"code": c.code, "member": c.member_name, "amount": c.amount} for c in result]


# --- the rules -------------------------------------------------------------------------------------

@contextmanager
def without_cyclic_gc():
    """Hundreds of thousands of small objects, none in a reference cycle: the cyclic garbage collector would
    walk them again and again while they are created (a third of the time for a city of 25,000 families)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compute_flags(city_code: str, *, as_of: date, stages: set[tuple[int, int]] | None = None, rulebook=None,
                  settings=None) -> list[FlagRow]:
    """The findings of a city as of a date, for the given (year, stage) pairs or every stage present in the
    city's data. Reads only; see the module docstring for the rules."""
    with without_cyclic_gc():
        return _compute_flags(city_code, as_of=as_of, stages=stages, rulebook=rulebook, settings=settings)


def _compute_flags(city_code: str, *, as_of: date, stages, rulebook, settings) -> list[FlagRow]:
    rulebook = rulebook or RuleBook()
    settings = settings or MonitoringSettings.current()
    stages = {(int(y), int(s)) for y, s in stages} if stages is not None else None
    events = _load_events(city_code, as_of, stages)
    registry = _Registry(city_code)
    households = registry.households
    targets = stages if stages is not None else {(e.year, e.stage) for e in events}
    # One pass: the events of the target stages, their credits and withdrawals, and every withdrawal per card.
    in_targets, salur, tarik = [], [], []
    withdrawals: dict[str, list[date]] = defaultdict(list)
    for event in events:
        if event.kind == TARIK and event.kks_number:
            withdrawals[event.kks_number].append(event.occurred_on)
        if (event.year, event.stage) in targets:
            in_targets.append(event)
            (salur if event.kind == SALUR else tarik).append(event)
    flags: list[FlagRow] = []

    def household_flag(code, household: _Household, year, stage, *, event=None, occurred_on=None, expected=None,
                       credited=None, detail=None) -> FlagRow:
        row = FlagRow(code=code, household_id=household.id, event_id=event.id if event else None,
                      id_kpm=household.id_kpm, city_code=city_code, facilitator_id=household.facilitator_id,
                      year=year, stage=stage, occurred_on=occurred_on or (event.occurred_on if event else None),
                      expected=expected, credited=credited, detail=detail or {})
        flags.append(row)
        return row

    entitlements: dict[tuple, tuple] = {}

    def entitlement(household_id: int, year: int, number: int):
        """(stage amount, component result, stage), or None for a year without benefit rules."""
        key = (household_id, year, number)
        if key not in entitlements:
            stage = _stage(rulebook, year, number)
            if rulebook.rules_for(stage.first_day).missing:
                entitlements[key] = None
            else:
                amount, result = rulebook.stage_entitlement(registry.members.get(household_id, ()), stage)
                entitlements[key] = (amount, result, stage)
        return entitlements[key]

    def expected_detail(found) -> dict:
        amount, result, stage = found
        return {"expected": amount, "annual": result.annual_entitlement, "months": stage.months,
                "stage_first_day": stage.first_day.isoformat(), "components": _components(result.counted),
                "dropped_by_cap": _components(result.dropped_by_cap)}

    # Credits per household and stage (events whose ID KPM is a household of this city).
    credits: dict[tuple, list[_Event]] = defaultdict(list)
    for event in salur:
        if event.household_id in households:
            credits[(event.household_id, event.year, event.stage)].append(event)

    # NOMINAL_TIDAK_SESUAI and the first half of SALUR_GANDA.
    duplicates: dict[tuple, dict] = {}
    for (household_id, year, number), rows in credits.items():
        household = households[household_id]
        credited = sum(e.amount for e in rows)
        found = entitlement(household_id, year, number)
        if found is not None and credited != found[0]:
            household_flag(FlagCode.NOMINAL_TIDAK_SESUAI, household, year, number, event=rows[0], expected=found[0],
                           credited=credited, detail={**expected_detail(found), "credited": credited,
                                                      "difference": credited - found[0],
                                                      "salur": [e.brief() for e in rows]})
        if len(rows) > 1:
            duplicates[(household_id, year, number)] = {"salur": [e.brief() for e in rows], "event": rows[1]}

    # SALUR_KE_NONAKTIF: one flag per credit.
    for event in salur:
        household = households.get(event.household_id)
        if household is None:
            continue
        status = registry.status_on(household, event.occurred_on)
        if status != ACTIVE:
            since = registry.status_since(household, event.occurred_on)
            household_flag(FlagCode.SALUR_KE_NONAKTIF, household, event.year, event.stage, event=event,
                           credited=event.amount, detail={**event.brief(), "status": status,
                                                          "status_since": since.isoformat() if since else None})

    # TIDAK_SALUR: stages the data covers for a bank, households of that bank without a credit that were active
    # on the stage's first day and still on the bank's first credit day of the stage.
    covered: dict[tuple, list] = {}
    for event in salur:
        found = covered.setdefault((event.bank, event.year, event.stage), [0, event.occurred_on])
        found[0] += 1
        found[1] = min(found[1], event.occurred_on)
    by_bank: dict[str, list[_Household]] = defaultdict(list)
    for household in households.values():
        by_bank[household.bank].append(household)
    for (bank, year, number), (count, paid_on) in sorted(covered.items()):
        first_day = _stage(rulebook, year, number).first_day
        for household in by_bank.get(bank, ()):
            if (household.id, year, number) in credits:
                continue
            if (registry.status_on(household, first_day) != ACTIVE
                    or registry.status_on(household, max(paid_on, first_day)) != ACTIVE):
                continue
            found = entitlement(household.id, year, number)
            if found is None or found[0] <= 0:
                continue
            household_flag(FlagCode.TIDAK_SALUR, household, year, number, expected=found[0], credited=0,
                           detail={**expected_detail(found), "bank": bank, "credits_of_bank": count,
                                   "bank_paid_on": paid_on.isoformat()})

    # SALUR_GANDA: the same card credited for two households (or unknown ID KPM) in a stage.
    by_card: dict[tuple, list[_Event]] = defaultdict(list)
    for event in salur:
        if event.kks_number:
            by_card[(event.kks_number, event.year, event.stage)].append(event)
    shared: dict[tuple, dict] = {}
    for (card, year, number), rows in by_card.items():
        owners = {}
        for event in rows:
            owners.setdefault(event.household_id if event.household_id in households else event.id_kpm, event)
        if len(owners) < 2:
            continue
        id_kpms = sorted({e.id_kpm for e in owners.values()})
        for owner, event in owners.items():
            shared[(owner, year, number)] = {"kks": mask_id(card), "event": event,
                                             "others": [i for i in id_kpms if i != event.id_kpm]}
    for key in sorted(set(duplicates) | set(shared), key=str):
        owner, year, number = key
        same_household, same_card = duplicates.get(key), shared.get(key)
        event = (same_household or same_card)["event"]
        detail = {"reasons": [r for r, v in (("same_household", same_household), ("same_card", same_card)) if v]}
        if same_household:
            detail["salur"] = same_household["salur"]
        if same_card:
            detail.update(kks=same_card["kks"], others=same_card["others"])
        credited = sum(e["amount"] for e in same_household["salur"]) if same_household else event.amount
        if owner in households:
            household_flag(FlagCode.SALUR_GANDA, households[owner], year, number, event=event, credited=credited,
                           detail=detail)
        else:
            flags.append(FlagRow(code=FlagCode.SALUR_GANDA, household_id=None, event_id=event.id, id_kpm=event.id_kpm,
                                 city_code=city_code, facilitator_id=None, year=year, stage=number,
                                 occurred_on=event.occurred_on, credited=credited, detail=detail))

    # DANA_MENGENDAP: no withdrawal on the card since the credit, which is at least `dormant_days` old on D.
    # A withdrawal made late ends the flag (the report's "withdrawn within N days" counts the late ones).
    for days in withdrawals.values():
        days.sort()
    buckets = settings.buckets()
    for event in salur:
        household = households.get(event.household_id)
        age = (as_of - event.occurred_on).days
        if household is None or age < settings.dormant_days:
            continue  # unknown rows are TIDAK_DIKENAL; a younger credit may still be withdrawn in time
        days = withdrawals.get(event.kks_number, [])
        if bisect_left(days, event.occurred_on) < len(days):
            continue  # withdrawn since
        bucket = max((b for b in buckets if b <= age), default=0)
        household_flag(FlagCode.DANA_MENGENDAP, household, event.year, event.stage, event=event,
                       credited=event.amount, detail={**event.brief(), "kks": mask_id(event.kks_number),
                                                      "age_days": age, "bucket": bucket, "buckets": buckets,
                                                      "dormant_days": settings.dormant_days})

    # TARIK_MENGELOMPOK.
    flags.extend(_clusters(city_code, tarik, households, settings))

    # KKS_BUKAN_KELUARGA: a registry finding as of D, for households still in the program.
    for household in households.values():
        if registry.status_on(household, as_of) not in IN_PROGRAM:
            continue
        holder, name, since, note = registry.holder_on(household, as_of)
        if holder in Household.FAMILY_HOLDERS:
            continue
        household_flag(FlagCode.KKS_BUKAN_KELUARGA, household, None, None, occurred_on=since,
                       detail={"holder": holder, "holder_name": name, "since": since.isoformat() if since else None,
                               "note": note})

    # TIDAK_DIKENAL: one flag per row that does not match the registry.
    for event in in_targets:
        if event.match == MATCHED:
            continue
        household = households.get(event.household_id)
        detail = {**event.brief(), "kind": event.kind, "match": event.match, "kks": mask_id(event.kks_number)}
        if household is not None:
            detail["registry_kks"] = mask_id(household.kks_number)
        flags.append(FlagRow(code=FlagCode.TIDAK_DIKENAL, household_id=household.id if household else None,
                             event_id=event.id, id_kpm=event.id_kpm, city_code=city_code,
                             facilitator_id=household.facilitator_id if household else None, year=event.year,
                             stage=event.stage, occurred_on=event.occurred_on,
                             credited=event.amount if event.kind == SALUR else None, detail=detail))
    flags.sort(key=lambda f: (f.code, f.id_kpm, f.year or 0, f.stage or 0, f.event_id or 0))
    return flags


def _clusters(city_code: str, withdrawals: list[_Event], households: dict, settings) -> list[FlagRow]:
    """Withdrawals of many households of one facilitator at one place within the window: a sliding window over
    each (facilitator, place)'s withdrawals in time order; overlapping windows merge into one cluster."""
    window, minimum = settings.cluster_window_minutes, settings.cluster_min_households
    groups: dict[tuple, list] = defaultdict(list)
    for event in withdrawals:
        if event.occurred_time is None or not event.location:
            continue
        household = households.get(event.household_id)
        if household is None or household.facilitator_id is None:
            continue
        at = event.occurred_time
        minute = event.occurred_on.toordinal() * 1440 + at.hour * 60 + at.minute
        groups[(household.facilitator_id, event.location.strip().upper())].append((minute, event.id, event))
    flags = []
    for (facilitator_id, _place), rows in groups.items():
        if len(rows) < minimum:
            continue
        rows.sort()  # (minute, id): ids are unique, events are never compared
        times = [row[0] for row in rows]
        span = minimum - 1
        # Cheap test first: no `minimum` withdrawals at all within the window, so no cluster.
        if not any(times[i + span] - times[i] <= window for i in range(len(times) - span)):
            continue
        clusters: list[list[int]] = []  # [first index, last index]
        left, counts = 0, defaultdict(int)
        for right, (minute, _pk, event) in enumerate(rows):
            counts[event.household_id] += 1
            while minute - rows[left][0] > window:
                gone = rows[left][2].household_id
                counts[gone] -= 1
                if not counts[gone]:
                    del counts[gone]
                left += 1
            if len(counts) >= minimum:
                if clusters and left <= clusters[-1][1]:
                    clusters[-1][1] = right
                else:
                    clusters.append([left, right])
        for first, last in clusters:
            members = [row[2] for row in rows[first:last + 1]]
            id_kpms = sorted({households[e.household_id].id_kpm for e in members})
            start, end = members[0], members[-1]
            for event in members:
                household = households[event.household_id]
                flags.append(FlagRow(
                    code=FlagCode.TARIK_MENGELOMPOK, household_id=household.id, event_id=event.id,
                    id_kpm=household.id_kpm, city_code=city_code, facilitator_id=facilitator_id, year=event.year,
                    stage=event.stage, occurred_on=event.occurred_on,
                    detail={**event.brief(), "location": event.location,
                            "start": datetime.combine(start.occurred_on, start.occurred_time).isoformat(),
                            "end": datetime.combine(end.occurred_on, end.occurred_time).isoformat(),
                            "households": len(id_kpms), "others": [i for i in id_kpms if i != household.id_kpm],
                            "window_minutes": window}))
    # One flag per household and stage, even when it took part in two clusters (or withdrew twice in one).
    unique = {}
    for row in flags:
        unique.setdefault((row.household_id, row.year, row.stage), row)
    return list(unique.values())


# --- storing ---------------------------------------------------------------------------------------

def refresh_flags(*, city_codes: set[str], stages: set[tuple[int, int]] | None = None,
                  as_of: date | None = None) -> dict[str, int]:
    """Replace the stored flags of these cities (only those of the given stages, and the registry findings
    without a stage, when stages are given) with `compute_flags` as of `as_of` (default today), in one
    transaction. Returns the number of flags per code."""
    as_of = as_of or timezone.localdate()
    stages = {(int(y), int(s)) for y, s in stages} if stages is not None else None
    counts = dict.fromkeys(FlagCode.values, 0)
    rulebook, settings = RuleBook(), MonitoringSettings.current()
    with transaction.atomic():
        for city_code in sorted(city_codes):
            # Serialise refreshes of one city (two imports finishing together), without blocking rows that
            # merely reference the city (FOR NO KEY UPDATE).
            list(Region.objects.select_for_update(no_key=True).filter(code=city_code).values_list("code"))
            rows = compute_flags(city_code, as_of=as_of, stages=stages, rulebook=rulebook, settings=settings)
            stored = Flag.objects.filter(city_code=city_code)
            if stages is not None:
                selected = Q(year__isnull=True)
                for year, number in sorted(stages):
                    selected |= Q(year=year, stage=number)
                stored = stored.filter(selected)
            stored.delete()
            now = timezone.now()
            Flag.objects.bulk_create([row.as_model(now) for row in rows], batch_size=BATCH)
            for row in rows:
                counts[row.code] += 1
    return counts
