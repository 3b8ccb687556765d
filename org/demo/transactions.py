"""Demo bank data: the credits (SALUR) and withdrawals (TARIK) of the 2026 stages up to the reference date
for the demo families of Jakarta Timur, as the banks' files would bring them, then the reconciliation flags
(monitoring.reconcile.refresh_flags as of the reference date, so the same seed gives the same flags).

The ordinary case: every family active on a stage's first day and on its bank's credit day, with a KKS
account (PT Pos pays in cash and sends no file here) and an entitlement, is credited its entitlement a few
weeks into the stage (each bank on its own day); most withdraw within days, at the agent, e-warong or ATM
they usually use, some later, some families stop using their card (money not withdrawn).

Planted, so that every flag code shows (the first of each kind among pendamping01's families when possible):
- NOMINAL_TIDAK_SESUAI: five families credited in stage 3 an amount that misses or adds a component;
- TIDAK_SALUR: five families left out of stage 3;
- SALUR_GANDA: three families credited twice in stage 2, and one card credited in stage 3 for its own family
  and for a neighbour (whose row therefore also does not match the registry: TIDAK_DIKENAL);
- DANA_MENGENDAP: about one family in a hundred stops using its card from some stage on; planted, two
  from stage 2 and two from stage 3, and four late stage-3 credits (18 September) on cards unused since, so
  every age bucket (30–59, 60–89, 90+ days) has families;
- SALUR_KE_NONAKTIF: up to three families that graduated or left during 2026 and were credited in stage 4;
- TARIK_MENGELOMPOK: six families of one facilitator withdraw at one agent within an hour, in stages 3 and 4
  (the command prints the facilitator);
- KKS_BUKAN_KELUARGA: from the registry's KKS custody (cards held by a facilitator or someone else);
- TIDAK_DIKENAL: rows for four ID KPM the registry does not know, and one family credited on an old card.
Rows are written with COPY on PostgreSQL and bulk_create elsewhere (no import job, no audit: demo data).
"""

import csv
import io
from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db import connection

from beneficiaries.models import Bank, Household
from beneficiaries.rules import RuleBook, member_facts
from monitoring.models import BankEvent, EventKind, FlagCode, Match
from monitoring.reconcile import refresh_flags, without_cyclic_gc
from org.demo.fieldwork import JAKARTA, World, analyze

BATCH = 5000
CITY_CODE = "31.75"
YEAR = 2026
# The day each stage is credited (BRI first, the others a day or more apart).
CREDIT_DAYS = {1: date(2026, 2, 12), 2: date(2026, 5, 13), 3: date(2026, 8, 12), 4: date(2026, 10, 14)}
BANK_OFFSET = {Bank.BRI: 0, Bank.BNI: 1, Bank.MANDIRI: 2, Bank.BSI: 3, Bank.BTN: 6}
REF_PREFIX = {Bank.BRI: "BRI", Bank.BNI: "BNI", Bank.MANDIRI: "MDR", Bank.BSI: "BSI", Bank.BTN: "BTN"}
KKS_PREFIX = {Bank.BRI: "936002", Bank.BNI: "936009", Bank.MANDIRI: "936008", Bank.BSI: "936451", Bank.BTN: "936200"}
PLACES_PER_KELURAHAN = 40  # agents (BRILink, e-warong, ...) and ATMs: Jakarta has many per kelurahan
NEVER_WITHDRAWN = 0.008  # this stage's money left on the card (taken out with the next one)
STOPPED_SHARE = 0.01  # families whose card is not used any more from some stage on
LATE_CREDIT_DAY = date(2026, 9, 18)
CLUSTER_SIZE = 6
CLUSTER_MINUTES = (5, 12, 20, 31, 44, 55)


COLUMNS = ("bank", "ref", "id_kpm", "kks_number", "year", "stage", "kind", "occurred_on", "occurred_time", "amount",
           "balance", "location", "household_id", "match", "city_code", "imported_at")


class _Writer:
    """Collects the rows (tuples in COLUMNS order) with unique references and running balances per card, and
    writes them: COPY on PostgreSQL (200,000 rows in a few seconds), bulk inserts elsewhere."""

    def __init__(self, world: World):
        self.rows: list[tuple] = []
        self.serial = 0
        self.balance: dict[str, int] = {}
        self.reference = world.reference
        self.imported: dict[date, datetime] = {}

    def add(self, *, bank, id_kpm, kks, stage, kind, day, amount, household_id, match=Match.MATCHED, at=None,
            location="") -> None:
        if day >= self.reference:
            return  # not happened yet on the reference date
        self.serial += 1
        balance = self.balance.get(kks, 0) + (amount if kind == EventKind.SALUR else -amount)
        self.balance[kks] = balance
        if day not in self.imported:  # the file arrives about three weeks later
            imported = min(day + timedelta(days=20), self.reference - timedelta(days=1))
            self.imported[day] = datetime.combine(imported, time(9, 0), tzinfo=JAKARTA)
        self.rows.append((bank, f"{REF_PREFIX[bank]}{YEAR % 100}{stage}{kind[0]}{self.serial:08d}", id_kpm, kks, YEAR,
                          stage, str(kind), day, at, amount, balance, location, household_id, str(match), CITY_CODE,
                          self.imported[day]))

    def save(self) -> None:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            out = csv.writer(buffer)
            for row in self.rows:
                out.writerow(["\\N" if value is None else value for value in row])
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.copy_expert(f"COPY {BankEvent._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN WITH "
                                   "(FORMAT csv, NULL '\\N')", buffer)
        else:
            BankEvent.objects.bulk_create((BankEvent(**dict(zip(COLUMNS, row))) for row in self.rows),
                                          batch_size=BATCH)


def _places(kelurahan: str, bank: str) -> list[str]:
    digits = kelurahan.replace(".", "")[-6:]
    agents = [f"AGEN-{digits}-{n:02d}" for n in range(1, PLACES_PER_KELURAHAN - 3)]
    return agents + [f"ATM-{REF_PREFIX[bank]}-{digits}-{n}" for n in range(1, 4)]


def _withdrawal_minutes(rng) -> int:
    """Agents and ATMs: 07:00–21:00, a little busier in the morning."""
    return int(rng.triangular(7 * 60, 21 * 60, 11 * 60))


def _status_on(family, day: date) -> str:
    """A demo household is active from joining until its one status change (if any)."""
    household = family.household
    if day < family.joined:
        return ""
    if household.status != Household.Status.ACTIVE and day >= household.status_since:
        return household.status
    return Household.Status.ACTIVE


def _withdraw(writer: _Writer, rng, family, stage: int, credited_on: date, amount: int, habit: str, places) -> None:
    """Usually all of it within days at the usual place; sometimes in two goes; rarely much later or never."""
    household = family.household
    roll = rng.random()
    if roll < NEVER_WITHDRAWN:
        return
    delay = (rng.randint(0, 6) if roll < 0.80 else rng.randint(4, 14) if roll < 0.95 else
             rng.randint(15, 29) if roll < 0.985 else rng.randint(30, 80))
    first = credited_on + timedelta(days=delay)
    parts = [amount]
    if rng.random() < 0.2 and amount >= 200_000:
        kept = (amount * rng.randint(2, 4) // 10) // 50_000 * 50_000
        parts = [amount - kept, kept] if kept else [amount]
    day = first
    for part in parts:
        place = habit if rng.random() < 0.85 else rng.choice(places)
        minute = _withdrawal_minutes(rng)
        writer.add(bank=household.bank, id_kpm=household.id_kpm, kks=household.kks_number, stage=stage,
                   kind=EventKind.TARIK, day=day, amount=part, household_id=household.pk,
                   at=time(minute // 60, minute % 60), location=place)
        day += timedelta(days=rng.randint(5, 20))


def _pick(rng, candidates: list, count: int, taken: set, first_owner=None) -> list:
    """`count` families not yet used for another plant; the first one of `first_owner` when there is one."""
    free = [f for f in candidates if f.household.pk not in taken]
    chosen = []
    if first_owner is not None:
        own = [f for f in free if f.facilitator_id == first_owner.pk]
        if own:
            chosen.append(rng.choice(own))
    rest = [f for f in free if f not in chosen]
    chosen += rng.sample(rest, min(count - len(chosen), len(rest)))
    taken.update(f.household.pk for f in chosen)
    return chosen


def _unused_card(rng, bank: str, used: set) -> str:
    while True:
        number = KKS_PREFIX[bank] + f"{rng.randrange(10 ** 10):010d}"
        if number not in used:
            used.add(number)
            return number


def seed_transactions(world: World) -> dict:
    """Write the bank rows of the 2026 stages and refresh the flags; returns the counts to print."""
    with without_cyclic_gc():
        return _seed_transactions(world)


def _seed_transactions(world: World) -> dict:
    rng = world.rng("transactions")
    rulebook = RuleBook()
    stages = {s.number: s for s in rulebook.stages_of(YEAR) if s.first_day <= world.reference}
    writer = _Writer(world)
    banked = [f for f in world.families if f.household.kks_number and f.household.bank in REF_PREFIX]
    cards = {f.household.kks_number for f in banked}

    entitlement: dict[tuple, int] = {}
    for family in banked:
        facts = None
        for number, stage in stages.items():
            credited_on = CREDIT_DAYS[number] + timedelta(days=BANK_OFFSET.get(family.household.bank, 0))
            if _status_on(family, stage.first_day) == _status_on(family, credited_on) == Household.Status.ACTIVE:
                facts = facts or [member_facts(m) for m in family.members]
                entitlement[(family.household.pk, number)] = rulebook.stage_entitlement(facts, stage)[0]

    # The plants, drawn from families active all year with a facilitator and an entitlement in every stage.
    steady = [f for f in banked if f.facilitator_id and f.household.status == Household.Status.ACTIVE
              and all(entitlement.get((f.household.pk, n), 0) > 0 for n in stages)]
    first_login = world.facilitators[0]
    taken: set = set()
    cluster_facilitator, cluster = _cluster_families(rng, world, steady, taken)
    plants = {
        "nominal": _pick(rng, steady, 5, taken, first_login),
        "missing": _pick(rng, steady, 5, taken, first_login),
        "double": _pick(rng, steady, 3, taken),
        "late": _pick(rng, steady, 4, taken, first_login),
        "stopped": _pick(rng, steady, 4, taken),
        "old_card": _pick(rng, steady, 1, taken),
    }
    owner = _pick(rng, steady, 1, taken)
    neighbours = [f for f in steady if owner and f.household.pk not in taken
                  and f.household.kelurahan_id == owner[0].household.kelurahan_id]
    plants["shared"] = owner + _pick(rng, neighbours, 1, taken) if owner and neighbours else []
    last = stages[max(stages)]
    left = [f for f in banked if f.household.status in (Household.Status.GRADUATED, Household.Status.EXITED)
            and date(YEAR, 1, 1) <= f.household.status_since < last.first_day
            and rulebook.stage_entitlement(f.members, last)[0] > 0]
    plants["inactive"] = _pick(rng, left, 3, taken)
    nominal_shift = {f.household.pk: shift for f, shift in zip(plants["nominal"], (-225_000, 150_000, -750_000,
                                                                                  375_000, -150_000))}
    cluster_pks = {f.household.pk for f in cluster}
    # Cards left unused from a stage on (lost, blocked, held by someone): planted from stage 3 (the late
    # credits), 2 and 3, and about one family in a hundred from a random stage.
    stopped_from = {f.household.pk: 3 for f in plants["late"]}
    stopped_from.update({f.household.pk: stage for f, stage in zip(plants["stopped"], (2, 2, 3, 3))})
    skipped = {(f.household.pk, 3) for f in plants["missing"] + plants["late"]}
    skipped |= {(plants["shared"][1].household.pk, 3)} if plants["shared"] else set()
    skipped |= {(f.household.pk, max(stages)) for f in plants["old_card"]}

    for family in banked:
        household = family.household
        places = _places(household.kelurahan_id, household.bank)
        habit = rng.choice(places)
        if rng.random() < STOPPED_SHARE and household.pk not in taken:
            stopped_from.setdefault(household.pk, rng.randint(1, max(stages)))
        for number in sorted(stages):
            amount = entitlement.get((household.pk, number), 0)
            if amount <= 0 or (household.pk, number) in skipped:
                continue
            if number == 3 and household.pk in nominal_shift:
                shift = nominal_shift[household.pk]
                amount = amount + shift if amount + shift > 0 else amount + abs(shift)
            credited_on = CREDIT_DAYS[number] + timedelta(days=BANK_OFFSET[household.bank])
            writer.add(bank=household.bank, id_kpm=household.id_kpm, kks=household.kks_number, stage=number,
                       kind=EventKind.SALUR, day=credited_on, amount=amount, household_id=household.pk)
            if household.pk in cluster_pks and number >= 3:
                continue  # withdrawn together below
            if number >= stopped_from.get(household.pk, 99):
                continue  # the card is no longer used
            _withdraw(writer, rng, family, number, credited_on, amount, habit, places)

    # SALUR_GANDA: a second credit of stage 2 a few days after the first.
    for family in plants["double"]:
        household = family.household
        day = CREDIT_DAYS[2] + timedelta(days=BANK_OFFSET[household.bank] + rng.randint(3, 10))
        writer.add(bank=household.bank, id_kpm=household.id_kpm, kks=household.kks_number, stage=2,
                   kind=EventKind.SALUR, day=day, amount=entitlement[(household.pk, 2)], household_id=household.pk)
    # One card credited for two families: the neighbour's stage 3 lands on the owner's card.
    if plants["shared"]:
        card_owner, neighbour = (f.household for f in plants["shared"])
        writer.add(bank=card_owner.bank, id_kpm=neighbour.id_kpm, kks=card_owner.kks_number, stage=3,
                   kind=EventKind.SALUR, day=CREDIT_DAYS[3] + timedelta(days=BANK_OFFSET[card_owner.bank]),
                   amount=entitlement[(neighbour.pk, 3)], household_id=neighbour.pk, match=Match.KKS_MISMATCH)
    # Late stage-3 credits never withdrawn (30–59 days old on the reference date).
    for family in plants["late"]:
        household = family.household
        writer.add(bank=household.bank, id_kpm=household.id_kpm, kks=household.kks_number, stage=3,
                   kind=EventKind.SALUR, day=LATE_CREDIT_DAY, amount=entitlement[(household.pk, 3)],
                   household_id=household.pk)
    # Stage 4 credited on a card the family no longer has (a replaced KKS), withdrawn with it.
    for family in plants["old_card"]:
        household = family.household
        old = _unused_card(rng, household.bank, cards)
        day = CREDIT_DAYS[4] + timedelta(days=BANK_OFFSET[household.bank])
        amount = entitlement[(household.pk, 4)]
        for kind, when in ((EventKind.SALUR, day), (EventKind.TARIK, day + timedelta(days=2))):
            writer.add(bank=household.bank, id_kpm=household.id_kpm, kks=old, stage=4, kind=kind, day=when,
                       amount=amount, household_id=household.pk, match=Match.KKS_MISMATCH,
                       at=time(10, 15) if kind == EventKind.TARIK else None,
                       location=_places(household.kelurahan_id, household.bank)[0] if kind == EventKind.TARIK else "")
    # Families that left the program during 2026, credited in stage 4 all the same.
    for family in plants["inactive"]:
        household = family.household
        day = CREDIT_DAYS[last.number] + timedelta(days=BANK_OFFSET[household.bank])
        writer.add(bank=household.bank, id_kpm=household.id_kpm, kks=household.kks_number, stage=last.number,
                   kind=EventKind.SALUR, day=day, amount=rulebook.stage_entitlement(family.members, last)[0],
                   household_id=household.pk)
    # The cluster: six families' cards used at one agent within the hour, in stages 3 and 4.
    if cluster:
        agent = f"AGEN-{cluster[0].household.kelurahan_id.replace('.', '')[-6:]}-77"
        for number in (n for n in (3, 4) if n in stages):
            day = CREDIT_DAYS[number] + timedelta(days=max(BANK_OFFSET.values()) + 1)  # after every bank's credit
            for family, minute in zip(cluster, CLUSTER_MINUTES):
                household = family.household
                writer.add(bank=household.bank, id_kpm=household.id_kpm, kks=household.kks_number, stage=number,
                           kind=EventKind.TARIK, day=day, amount=entitlement[(household.pk, number)],
                           household_id=household.pk, at=time(9, minute), location=agent)
    # ID KPM the registry does not know: credited and withdrawn in stage 3.
    known = {f.household.id_kpm for f in world.families}
    for _ in range(4):
        id_kpm = f"3175{rng.randrange(10 ** 8):08d}"
        while id_kpm in known:
            id_kpm = f"3175{rng.randrange(10 ** 8):08d}"
        known.add(id_kpm)
        card = _unused_card(rng, Bank.BRI, cards)
        day = CREDIT_DAYS[3]
        writer.add(bank=Bank.BRI, id_kpm=id_kpm, kks=card, stage=3, kind=EventKind.SALUR, day=day, amount=750_000,
                   household_id=None, match=Match.UNKNOWN_KPM)
        writer.add(bank=Bank.BRI, id_kpm=id_kpm, kks=card, stage=3, kind=EventKind.TARIK, day=day + timedelta(days=1),
                   amount=750_000, household_id=None, match=Match.UNKNOWN_KPM, at=time(11, 0),
                   location=f"ATM-BRI-{rng.randint(100000, 999999)}-1")

    writer.save()
    analyze()  # the bank rows just loaded: plan the flags and the report on real statistics
    counts = refresh_flags(city_codes={CITY_CODE}, as_of=world.reference)
    kinds = Counter(row[COLUMNS.index("kind")] for row in writer.rows)
    result = {
        f"bank events {YEAR} (stages {min(stages)}–{max(stages)})": f"{len(writer.rows)} "
                                                                    f"({kinds[EventKind.SALUR]} SALUR, "
                                                                    f"{kinds[EventKind.TARIK]} TARIK)",
        f"transaction flags {world.reference:%Y-%m-%d}": ", ".join(
            f"{counts[code]} {code}" for code in FlagCode.values),
    }
    # The monthly report of the month before the reference date, as the 1st-of-the-month schedule builds it.
    from monitoring.reports import Month, report_build

    month = Month.of(world.reference - timedelta(days=1))
    report = report_build(actor=None, city_code=CITY_CODE, month=month, trigger="demo")
    result[f"monthly report {month.first:%Y-%m}"] = f"version {report.version}, {len(report.content['flags'])} flagged rows"
    if cluster_facilitator is not None:
        result["  planted: clustered withdrawals"] = (f"{len(cluster)} families of {cluster_facilitator.username} "
                                                      f"at one agent within an hour")
    return result


def _cluster_families(rng, world: World, steady: list, taken: set):
    """A facilitator (not pendamping01, not one of the field-work patterns) with six steady families in one
    kelurahan: their cards are used together at one agent."""
    patterns = {user.pk for user in world.patterns.values()}
    by_area: dict[tuple, list] = {}
    for family in steady:
        by_area.setdefault((family.facilitator_id, family.household.kelurahan_id), []).append(family)
    candidates = sorted(key for key, families in by_area.items() if len(families) >= CLUSTER_SIZE
                        and key[0] not in patterns and key[0] != world.facilitators[0].pk)
    if not candidates:
        return None, []
    key = rng.choice(candidates)
    families = rng.sample(by_area[key], CLUSTER_SIZE)
    taken.update(f.household.pk for f in families)
    return world.users[key[0]], families
