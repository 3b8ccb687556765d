"""Synthetic transaction-monitoring data for benchmarks: a city's households with members, created quickly
(COPY on PostgreSQL, bulk inserts elsewhere), and the bank's event file for them, deterministic per seed.

Every household attribute is a pure function of (seed, household index), so the event file can be written
for any number of households without reading them back:

    from bench.transactions_data import create_households, write_bank_csv

    population = create_households(city_code="31.75", count=25_000, seed=2026, year=2025)
    stats = write_bank_csv("/tmp/bank.csv", population)          # 4 stages, SALUR + usually TARIK
    stats.rows, stats.planted                                      # what was written, the anomalies planted

- `create_households(*, city_code, count, seed=2026, year=2025, start=0, caseload=450, prefix="BT") -> Population`
  creates the city's region tree (10 kecamatan × 6 kelurahan, kept if present), one facilitator per
  `caseload` households (username `<prefix>_<city digits>_<n>`), the households (ID KPM
  `<prefix><city digits><index:08d>`, KKS `6<city digits><index:011d>`) with their members, assignments, status
  changes and KKS custody records. Households `start .. start+count-1`: a second call with another `start`
  adds more to the same city. Families follow eight compositions (`TEMPLATES`) built around `year`, so each
  household's entitlement per stage is that of its composition (`Population.entitlement`).
- `write_bank_csv(target, population, *, stages=(1, 2, 3, 4), max_rows=None, delimiter=",", bom=False,
  anomalies=True) -> EventFileStats` writes the import format of monitoring/importer.py: for each household and
  stage a SALUR of its entitlement (none when it has none) and usually a TARIK 1–20 days later. Every fourth row
  writes its date as DD/MM/YYYY and every third amount as 1.500.000, to exercise both accepted forms.
- `bank_rows(population, ...)` yields the same rows as tuples (header `BANK_COLUMNS`), for callers that want them
  in memory.

Anomalies planted (when `anomalies`), by a hash of (seed, household, stage), reported in `EventFileStats.planted`:
`nominal` (SALUR amount differs from the entitlement, ~1 %), `missing_salur` (entitled, no SALUR, ~0.5 %),
`double_salur` (a second SALUR for the stage, ~0.3 %), `not_withdrawn` (SALUR without TARIK, ~3 %),
`inactive_credited` (SALUR to a household suspended since March, ~0.4 % of households),
`kks_mismatch` (SALUR on another card number, ~0.2 %), `unknown_kpm` (an extra row for an ID KPM not in the
registry, one per 5,000 households and stage, at least one), `cluster` (the first six households of the first
facilitator withdraw stage 2 at the same agent within 25 minutes), and households whose card is held by
their facilitator (`kks_outside_family`, ~0.2 %, in the registry, not in the file).
"""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

BANK_COLUMNS = ("ref", "bank", "id_kpm", "no_kks", "tahun", "tahap", "jenis", "tanggal", "waktu", "nominal", "saldo",
                "lokasi")
BANKS = ("BRI", "BNI", "MANDIRI", "BTN", "BSI")
DISTRICTS = 10
VILLAGES_PER_DISTRICT = 6

# Family compositions: (relationship, sex, age in years on 1 January of `year`, school, flags), the first member
# is the pengurus. Flags: "hamil" (pregnant, 1st pregnancy, delivery due 15 December of `year`), "disabilitas".
TEMPLATES = (
    (("ISTRI", "P", 36, "", ""), ("KEPALA KELUARGA", "L", 40, "", ""), ("ANAK", "L", 9, "SD", ""),
     ("ANAK", "P", 13, "SMP", "")),
    (("ISTRI", "P", 28, "", ""), ("ANAK", "L", 3, "", ""), ("ANAK", "P", 1, "", "")),
    (("KEPALA KELUARGA", "P", 67, "", ""),),
    (("ISTRI", "P", 41, "", ""), ("ANAK", "L", 16, "SMA", ""), ("ANAK", "P", 8, "SD", "")),
    (("ISTRI", "P", 25, "", "hamil"), ("KEPALA KELUARGA", "L", 29, "", ""), ("ANAK", "L", 4, "", "")),
    (("ISTRI", "P", 45, "", ""), ("ANAK", "L", 19, "", "disabilitas"), ("ANAK", "P", 10, "SD", "")),
    (("ISTRI", "P", 38, "", ""), ("ORANG TUA", "P", 72, "", ""), ("ANAK", "L", 2, "", ""), ("ANAK", "P", 5, "", ""),
     ("ANAK", "L", 8, "SD", ""), ("ANAK", "P", 12, "SMP", ""), ("ANAK", "L", 15, "SMA", "")),
    (("ISTRI", "P", 50, "", ""), ("KEPALA KELUARGA", "L", 53, "", ""), ("ANAK", "L", 24, "", "")),
)


def _mix(*values: int) -> int:
    """A fast deterministic 32-bit hash of a few integers (no Python hash randomisation)."""
    h = 2166136261
    for value in values:
        h = ((h ^ (value & 0xFFFFFFFF)) * 16777619) & 0xFFFFFFFF
        h ^= h >> 13
        h = (h * 0x5BD1E995) & 0xFFFFFFFF
        h ^= h >> 15
    return h


def _fraction(*values: int) -> float:
    return _mix(*values) / 4294967296.0


@dataclass(frozen=True)
class Population:
    """The synthetic households of one city: parameters and the rules that derive every attribute."""

    city_code: str
    count: int
    seed: int
    year: int
    start: int = 0
    caseload: int = 450
    prefix: str = "BT"
    villages: tuple = ()
    facilitator_ids: tuple = ()  # per facilitator slot, in order
    entitlements: dict = field(default_factory=dict)  # (template, stage) -> rupiah

    @property
    def digits(self) -> str:
        return self.city_code.replace(".", "")

    @property
    def indexes(self) -> range:
        return range(self.start, self.start + self.count)

    def id_kpm(self, i: int) -> str:
        return f"{self.prefix}{self.digits}{i:08d}"

    def kks_number(self, i: int) -> str:
        return f"6{self.digits}{i:011d}"

    def template(self, i: int) -> int:
        return _mix(self.seed, i, 1) % len(TEMPLATES)

    def bank(self, i: int) -> str:
        return BANKS[_mix(self.seed, i, 2) % len(BANKS)]

    def slot(self, i: int) -> int:
        """The facilitator slot of a household: consecutive households share a facilitator and a village."""
        return i // self.caseload

    def village(self, i: int) -> str:
        return self.villages[self.slot(i) % len(self.villages)]

    def suspended_since(self, i: int) -> date | None:
        """Planted: ~0.4 % of households were suspended on 1 March of the year (the bank keeps crediting)."""
        return date(self.year, 3, 1) if _fraction(self.seed, i, 3) < 0.004 else None

    def card_outside_family(self, i: int) -> bool:
        """Planted: ~0.2 % of cards are recorded as held by the facilitator."""
        return _fraction(self.seed, i, 4) < 0.002

    def entitlement(self, i: int, stage: int) -> int:
        return self.entitlements[(self.template(i), stage)]


@dataclass
class EventFileStats:
    rows: int = 0
    households: int = 0
    planted: Counter = field(default_factory=Counter)


# --- the registry ---------------------------------------------------------------------------------------

def template_members(template: int, year: int) -> list[dict]:
    """The members of a family composition, as Member field values (NIK and household left out)."""
    members = []
    for position, (relationship, sex, age, school, flag) in enumerate(TEMPLATES[template]):
        born = date(year - age - 1, 7 + position % 5, 1 + (template * 3 + position) % 27)
        members.append({
            "name": f"{'Ibu' if sex == 'P' else 'Bapak'} {relationship.title()} {position + 1}",
            "sex": sex, "birth_date": born, "relationship": relationship, "is_pengurus": position == 0,
            "pregnant": flag == "hamil", "expected_delivery_date": date(year, 12, 15) if flag == "hamil" else None,
            "pregnancy_order": 1 if flag == "hamil" else None, "school": school,
            "severe_disability": flag == "disabilitas",
        })
    return members


def template_entitlements(year: int) -> dict:
    """(template, stage number) -> the stage's entitlement, by the registry's own rules (beneficiaries.rules)."""
    from beneficiaries.components import MemberFacts
    from beneficiaries.rules import RuleBook

    rules = RuleBook()
    amounts = {}
    for template in range(len(TEMPLATES)):
        facts = [MemberFacts(id=n + 1, **{k: v for k, v in m.items() if k not in {"name", "sex", "relationship",
                                                                                  "is_pengurus"}})
                 for n, m in enumerate(template_members(template, year))]
        for stage in rules.stages_of(year):
            amounts[(template, stage.number)] = rules.stage_entitlement(facts, stage)[0]
    return amounts


def ensure_city(city_code: str, name: str | None = None) -> list[str]:
    """The city, its 10 kecamatan and 6 kelurahan each (created when missing); returns the village codes."""
    from org.models import Region

    province = city_code.split(".")[0]
    Region.objects.get_or_create(code=province, defaults={"name": f"Provinsi {province}", "level": Region.Level.PROVINCE})
    Region.objects.get_or_create(code=city_code, defaults={"name": name or f"Kota {city_code}",
                                                           "level": Region.Level.REGENCY, "parent_id": province})
    districts = [Region(code=f"{city_code}.{d:02d}", name=f"Kecamatan {city_code}.{d:02d}", level=Region.Level.DISTRICT,
                        parent_id=city_code) for d in range(1, DISTRICTS + 1)]
    Region.objects.bulk_create(districts, ignore_conflicts=True)
    villages = [Region(code=f"{d.code}.{1000 + v}", name=f"Kelurahan {d.code}.{1000 + v}", level=Region.Level.VILLAGE,
                       parent_id=d.code) for d in districts for v in range(1, VILLAGES_PER_DISTRICT + 1)]
    Region.objects.bulk_create(villages, ignore_conflicts=True)
    return [v.code for v in villages]


def _facilitators(city_code: str, slots: range, prefix: str, villages: list[str]) -> list[int]:
    """One facilitator per slot (created when missing), each covering the village of its slot."""
    from org.models import FacilitatorProfile, User

    digits = city_code.replace(".", "")
    names = {slot: f"{prefix.lower()}_{digits}_{slot}" for slot in slots}
    existing = set(User.objects.filter(username__in=names.values()).values_list("username", flat=True))
    new_slots = [slot for slot, name in names.items() if name not in existing]
    User.objects.bulk_create([User(username=names[slot], first_name=f"Pendamping {slot}", role=User.Role.FACILITATOR,
                                   password="!") for slot in new_slots], batch_size=1000)
    ids = dict(User.objects.filter(username__in=names.values()).values_list("username", "pk"))
    new_ids = {slot: ids[names[slot]] for slot in new_slots}
    User.cities.through.objects.bulk_create(
        [User.cities.through(user_id=pk, region_id=city_code) for pk in new_ids.values()], batch_size=1000)
    FacilitatorProfile.objects.bulk_create([FacilitatorProfile(user_id=pk) for pk in new_ids.values()], batch_size=1000)
    profiles = dict(FacilitatorProfile.objects.filter(user_id__in=new_ids.values()).values_list("user_id", "pk"))
    FacilitatorProfile.kelurahan.through.objects.bulk_create([
        FacilitatorProfile.kelurahan.through(facilitatorprofile_id=profiles[pk], region_id=villages[slot % len(villages)])
        for slot, pk in new_ids.items()
    ], batch_size=1000)
    return [ids[names[slot]] for slot in slots]


def create_households(*, city_code: str = "31.75", count: int = 25_000, seed: int = 2026, year: int = 2025,
                      start: int = 0, caseload: int = 450, prefix: str = "BT", city_name: str | None = None) -> Population:
    """Create `count` households (indexes start .. start+count-1) of a city; see the module docstring."""
    from django.db import connection, transaction

    villages = ensure_city(city_code, city_name)
    first_slot, last_slot = start // caseload, (start + count - 1) // caseload
    facilitator_ids = _facilitators(city_code, range(0, last_slot + 1), prefix, villages)
    population = Population(city_code=city_code, count=count, seed=seed, year=year, start=start, caseload=caseload,
                            prefix=prefix, villages=tuple(villages), facilitator_ids=tuple(facilitator_ids),
                            entitlements=template_entitlements(year))
    assert first_slot <= last_slot
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy_registry(population)
        else:
            _bulk_registry(population)
    return population


def _household_values(p: Population, i: int, now: datetime) -> dict:
    suspended = p.suspended_since(i)
    return {
        "id_kpm": p.id_kpm(i), "no_kk": f"{p.digits}{i:012d}", "address": f"Jl. Sintetis No. {i % 300 + 1}",
        "bank": p.bank(i), "kks_number": p.kks_number(i),
        "kks_holder": "facilitator" if p.card_outside_family(i) else "pengurus",
        "joined_year": 2015 + i % 8, "status": "suspended" if suspended else "active",
        "status_since": suspended or date(2015 + i % 8, 1, 1), "facilitator_id": p.facilitator_ids[p.slot(i)],
        "kelurahan_id": p.village(i), "created_at": now, "updated_at": now, "version": 1,
    }


def _nik(p: Population, i: int, position: int) -> str:
    """Unique per city and household index (4 + 9 + 3 digits)."""
    return f"{p.digits}{i:09d}{position:03d}"


def _copy_rows(cursor, table: str, columns: tuple, rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["\\N" if v is None else v for v in row])
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer,
                       1 << 20)


def _copy_registry(p: Population) -> None:
    from django.db import connection

    now = datetime.now(dt_timezone.utc)
    household_columns = ("id_kpm", "no_kk", "address", "bank", "kks_number", "kks_holder", "joined_year", "status",
                         "status_since", "facilitator_id", "kelurahan_id", "created_at", "updated_at", "version")
    members_of = [template_members(t, p.year) for t in range(len(TEMPLATES))]
    with connection.cursor() as cursor:
        _copy_rows(cursor, "beneficiaries_household", household_columns,
                   (tuple(_household_values(p, i, now)[c] for c in household_columns) for i in p.indexes))
        cursor.execute("SELECT id FROM beneficiaries_household WHERE id_kpm BETWEEN %s AND %s ORDER BY id_kpm",
                       [p.id_kpm(p.start), p.id_kpm(p.start + p.count - 1)])
        ids = [row[0] for row in cursor.fetchall()]
        assert len(ids) == p.count, "households of these indexes existed already"
        member_columns = ("household_id", "nik", "name", "sex", "birth_date", "relationship", "is_pengurus", "pregnant",
                          "expected_delivery_date", "pregnancy_order", "school", "severe_disability", "exit_reason",
                          "created_at", "updated_at")

        def members():
            for i, pk in zip(p.indexes, ids):
                for position, m in enumerate(members_of[p.template(i)]):
                    yield (pk, _nik(p, i, position), m["name"], m["sex"], m["birth_date"], m["relationship"],
                           m["is_pengurus"], m["pregnant"], m["expected_delivery_date"], m["pregnancy_order"],
                           m["school"], m["severe_disability"], "", now, now)

        _copy_rows(cursor, "beneficiaries_member", member_columns, members())
        _copy_rows(cursor, "beneficiaries_assignment", ("household_id", "facilitator_id", "start_date", "reason",
                                                         "recorded_at"),
                   ((pk, p.facilitator_ids[p.slot(i)], date(2015 + i % 8, 1, 1), "", now) for i, pk in zip(p.indexes, ids)))

        def status_changes():
            for i, pk in zip(p.indexes, ids):
                yield pk, "active", date(2015 + i % 8, 1, 1), "", now
                if p.suspended_since(i):
                    yield pk, "suspended", p.suspended_since(i), "Synthetic: commitments not met", now

        _copy_rows(cursor, "beneficiaries_householdstatuschange", ("household_id", "status", "effective_date", "reason",
                                                                    "recorded_at"), status_changes())

        def custody():
            for i, pk in zip(p.indexes, ids):
                yield pk, "pengurus", "", date(2015 + i % 8, 1, 1), "", now
                if p.card_outside_family(i):
                    yield pk, "facilitator", "", date(p.year - 1, 6, 1), "Synthetic: held by the facilitator", now

        _copy_rows(cursor, "beneficiaries_kkscustody", ("household_id", "holder", "holder_name", "since", "note",
                                                         "recorded_at"), custody())
        cursor.execute("ANALYZE beneficiaries_household")
        cursor.execute("ANALYZE beneficiaries_member")


def _bulk_registry(p: Population) -> None:
    from beneficiaries.models import Assignment, Household, HouseholdStatusChange, KKSCustody, Member

    now = datetime.now(dt_timezone.utc)
    households = Household.objects.bulk_create([Household(**_household_values(p, i, now)) for i in p.indexes],
                                               batch_size=500)
    if households and households[0].pk is None:
        households = list(Household.objects.filter(id_kpm__in=[h.id_kpm for h in households]).order_by("id_kpm"))
    members, assignments, changes, custody = [], [], [], []
    for i, household in zip(p.indexes, households):
        for position, m in enumerate(template_members(p.template(i), p.year)):
            members.append(Member(household=household, nik=_nik(p, i, position), **m))
        start = date(2015 + i % 8, 1, 1)
        assignments.append(Assignment(household=household, facilitator_id=household.facilitator_id, start_date=start))
        changes.append(HouseholdStatusChange(household=household, status="active", effective_date=start))
        if p.suspended_since(i):
            changes.append(HouseholdStatusChange(household=household, status="suspended",
                                                 effective_date=p.suspended_since(i)))
        custody.append(KKSCustody(household=household, holder="pengurus", since=start))
        if p.card_outside_family(i):
            custody.append(KKSCustody(household=household, holder="facilitator", since=date(p.year - 1, 6, 1)))
    Member.objects.bulk_create(members, batch_size=500)
    Assignment.objects.bulk_create(assignments, batch_size=500)
    HouseholdStatusChange.objects.bulk_create(changes, batch_size=500)
    KKSCustody.objects.bulk_create(custody, batch_size=500)


# --- the bank's file ------------------------------------------------------------------------------------

def _dotted(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def bank_rows(population: Population, *, stages=(1, 2, 3, 4), anomalies: bool = True, stats: EventFileStats | None = None):
    """Yield the event rows (tuples in `BANK_COLUMNS` order, all text) for the population; see the module docstring."""
    from beneficiaries.rules import RuleBook

    p = population
    stats = stats if stats is not None else EventFileStats()
    rules = RuleBook()
    stage_of = {s.number: s for s in rules.stages_of(p.year)}
    serial = 0
    cluster = _cluster(p, stage=2) if anomalies and 2 in stages else []

    def row(ref, bank, id_kpm, kks, stage, kind, on: date, at: str, amount: int, balance, place):
        nonlocal serial
        serial += 1
        when = on.strftime("%d/%m/%Y") if serial % 4 == 0 else on.isoformat()
        nominal = _dotted(amount) if serial % 3 == 1 else str(amount)
        return (ref, bank, id_kpm, kks, str(p.year), str(stage), kind, when, at, nominal,
                "" if balance is None else str(balance), place)

    for i in p.indexes:
        stats.households += 1
        bank, id_kpm, kks = p.bank(i), p.id_kpm(i), p.kks_number(i)
        suspended = p.suspended_since(i)
        for number in stages:
            stage = stage_of[number]
            expected = p.entitlement(i, number)
            if not expected:
                continue
            u = _fraction(p.seed, i, number, 7) if anomalies else 1.0
            if u < 0.005:
                stats.planted["missing_salur"] += 1
                continue
            credited_on = date(p.year, stage.first_month, 5 + i % 20)
            amount = expected
            if u < 0.015:
                amount = expected + 150_000 if u < 0.01 else expected - 150_000
                stats.planted["nominal"] += 1
            card = kks
            if anomalies and _fraction(p.seed, i, number, 8) < 0.002:
                card = f"7{kks[1:]}"
                stats.planted["kks_mismatch"] += 1
            if suspended and credited_on >= suspended:
                stats.planted["inactive_credited"] += 1
            ref = f"{p.year}{number}{p.digits}{i:08d}"
            yield row(f"S{ref}", bank, id_kpm, card, number, "SALUR", credited_on, "", amount, amount, "")
            if 0.015 <= u < 0.018:
                stats.planted["double_salur"] += 1
                yield row(f"S{ref}B", bank, id_kpm, card, number, "SALUR", credited_on + timedelta(days=1), "", amount,
                          2 * amount, "")
            if i in cluster and number == 2:
                stats.planted["cluster"] += 1
                minutes = 5 * cluster.index(i)
                yield row(f"T{ref}", bank, id_kpm, card, number, "TARIK", credited_on.replace(day=25),
                          f"10:{minutes:02d}", amount, 0, f"AGEN-{p.digits}-KLASTER")
                continue
            if 0.018 <= u < 0.05:
                stats.planted["not_withdrawn"] += 1
                continue
            delay = 1 + _mix(p.seed, i, number, 9) % 20
            hour = 8 + _mix(p.seed, i, number, 10) % 12
            agent = f"AGEN-{p.digits}-{_mix(p.seed, i, 11) % 400:03d}"
            yield row(f"T{ref}", bank, id_kpm, card, number, "TARIK", credited_on + timedelta(days=delay),
                      f"{hour:02d}:{(i * 7) % 60:02d}", amount, 0, agent)
        if anomalies and (i - p.start) % 5000 == 0:
            for number in stages:
                stats.planted["unknown_kpm"] += 1
                stage = stage_of[number]
                yield row(f"U{p.year}{number}{p.digits}{i:08d}", bank, f"{p.prefix}X{p.digits}{i:08d}",
                          f"8{p.digits}{i:011d}", number, "SALUR", date(p.year, stage.first_month, 10), "", 750_000,
                          750_000, "")


def _cluster(p: Population, *, stage: int, size: int = 6) -> list[int]:
    """The first `size` households of the first facilitator credited in `stage`: they withdraw together."""
    chosen = []
    for i in range(p.start, min(p.start + p.count, (p.slot(p.start) + 1) * p.caseload)):
        if p.entitlement(i, stage) and _fraction(p.seed, i, stage, 7) >= 0.05:
            chosen.append(i)
        if len(chosen) == size:
            return chosen
    return []


def write_bank_csv(target, population: Population, *, stages=(1, 2, 3, 4), max_rows: int | None = None,
                   delimiter: str = ",", bom: bool = False, anomalies: bool = True) -> EventFileStats:
    """Write the bank's event file (a path or a text file object); stops after `max_rows` rows when given.

    `planted` counts the anomalies among the rows written (a file cut by `max_rows` may miss the last ones).
    """
    stats = EventFileStats()
    own = not hasattr(target, "write")
    out = open(target, "w", encoding="utf-8", newline="") if own else target
    try:
        if bom:
            out.write("\ufeff")
        out.write(delimiter.join(BANK_COLUMNS) + "\n")
        lines = []
        for values in bank_rows(population, stages=stages, anomalies=anomalies, stats=stats):
            lines.append(delimiter.join(values))
            stats.rows += 1
            if len(lines) >= 50_000:
                out.write("\n".join(lines) + "\n")
                lines = []
            if max_rows is not None and stats.rows >= max_rows:
                break
        if lines:
            out.write("\n".join(lines) + "\n")
    finally:
        if own:
            out.close()
    return stats


def households_for_rows(rows: int) -> int:
    """How many households give about `rows` event rows over four stages (about 6.85 rows per household)."""
    return max(1, -(-rows * 100 // 685))
