"""Demo data for Jakarta Timur: regions, staff accounts, N plausible KPM households and their field work.

Everything comes from `random.Random` streams derived from the seed (one for the staff, one for
the households, one per part of the field work), so the same seed gives the same data. Ages and
pregnancies are relative to the fixed REFERENCE_DATE, not today, for the same reason. Households
and members are written with bulk inserts (no services, no per-row audit): this is demo data, and
25,000 households must seed in well under three minutes. The field work (visits, P2K2, cases,
businesses, commitment verification) and how it stays plausible after REFERENCE_DATE are described
in org.demo.fieldwork.
"""

import csv
import random
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from beneficiaries.models import Assignment, Bank, Household, HouseholdStatusChange, KKSCustody, Member
from core.audit import audit_record
from core.models import AuditEvent
from org.demo import names
from org.demo.fieldwork import FieldworkResult, build_world, seed_fieldwork
from org.models import FacilitatorProfile, Region, User
from org.regions import regions_import

REGIONS_CSV = Path(__file__).with_name("jakarta_timur.csv")
CODE_LIST = "Kepmendagri 300.2.2-2138/2025 (demo)"
CITY_CODE = "31.75"
REFERENCE_DATE = date(2026, 11, 1)
PASSWORD = "pkh-demo-2026"
URL = "http://127.0.0.1:8000"
FACILITATOR_COUNT = 55
SOCIAL_WELFARE_COUNT = 10  # seed article: 10 of Jakarta Timur's 55 facilitators
VOLUNTEER_COUNT = 15
BATCH = 2000

# Rough centre of each kecamatan (lat, lon); kelurahan centres are jittered around them.
KECAMATAN_CENTRES = {
    "31.75.01": (-6.2030, 106.8620), "31.75.02": (-6.1900, 106.8930), "31.75.03": (-6.2260, 106.8720),
    "31.75.04": (-6.2700, 106.8680), "31.75.05": (-6.3250, 106.8570), "31.75.06": (-6.1850, 106.9400),
    "31.75.07": (-6.2330, 106.9150), "31.75.08": (-6.2650, 106.8850), "31.75.09": (-6.3300, 106.8780),
    "31.75.10": (-6.3200, 106.8980),
}
LAT_RANGE, LON_RANGE = (-6.37, -6.17), (106.85, 106.97)

BANKS = ((Bank.BRI, 38), (Bank.BNI, 30), (Bank.MANDIRI, 22), (Bank.BSI, 4), (Bank.BTN, 4), (Bank.POS, 2))
# Card numbers: GPN prefix 9360 + the bank's clearing code + 10 random digits (fictional accounts).
KKS_PREFIX = {Bank.BRI: "936002", Bank.BNI: "936009", Bank.MANDIRI: "936008", Bank.BSI: "936451", Bank.BTN: "936200"}
# Weights per year joined: slow growth, the 2016–2018 expansion, steady intake since 2021.
JOINED_YEARS = {
    2008: 1.0, 2009: 1.0, 2010: 1.1, 2011: 1.2, 2012: 1.6, 2013: 2.0, 2014: 2.2, 2015: 2.6, 2016: 4.5,
    2017: 6.5, 2018: 7.5, 2019: 5.5, 2020: 6.2, 2021: 9.5, 2022: 10.5, 2023: 11.0, 2024: 12.0, 2025: 11.5,
}
DECILES = ((1, 30), (2, 27), (3, 21), (4, 15), (5, 5), (6, 2))
HOUSEHOLD_SIZES = ((2, 8), (3, 20), (4, 28), (5, 22), (6, 14), (7, 8))

SUSPENSION_REASONS = (
    "Tidak memenuhi komitmen pendidikan 3 bulan berturut-turut",
    "Tidak memenuhi komitmen kesehatan (posyandu) 3 bulan berturut-turut",
    "Tidak hadir P2K2 3 bulan berturut-turut",
    "Data NIK pengurus tidak padan dengan Dukcapil",
)
GRADUATION_REASONS = (
    ("Graduasi alamiah: tidak ada lagi komponen", 7),
    ("Graduasi alamiah: desil DTSEN di atas batas", 3),
    ("Graduasi sejahtera mandiri: surat pernyataan keluarga", 4),
)
EXIT_REASONS = (
    "Pindah domisili ke luar DKI Jakarta",
    "Data ganda (hasil verifikasi DTSEN)",
    "Tidak ditemukan saat verifikasi lapangan",
)
OTHER_HOLDER_NOTES = ("Kartu dititipkan ke tetangga", "Kartu dipegang ketua RT", "Kartu dititipkan ke agen e-warong")

SOCIAL_WELFARE_FIELDS = ("Kesejahteraan Sosial", "Pekerjaan Sosial")
OTHER_FIELDS = {
    "S1": ("Ekonomi", "Manajemen", "Hukum", "Pendidikan Guru SD", "Pendidikan Bahasa Indonesia", "Teknik Informatika",
           "Kesehatan Masyarakat", "Psikologi", "Akuntansi", "Agama Islam", "Ilmu Komunikasi", "Administrasi Negara",
           "Sosiologi", "Pendidikan Agama Islam", "Teknik Sipil"),
    "D3": ("Akuntansi", "Manajemen Informatika", "Keperawatan", "Kebidanan", "Administrasi Bisnis", "Perpajakan"),
    "SMA": ("IPS", "IPA", "Akuntansi (SMK)"),
}


@dataclass
class SeedResult:
    regions_created: int = 0
    regions_updated: int = 0
    users_created: int = 0
    users_updated: int = 0
    households: int = 0
    members: int = 0
    unassigned: int = 0
    by_status: dict = field(default_factory=dict)
    caseloads: list = field(default_factory=list)  # households per facilitator
    fieldwork: FieldworkResult = field(default_factory=FieldworkResult)


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def _day_between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def _birth_date(rng: random.Random, age: int) -> date:
    """A birth date giving exactly `age` completed years on REFERENCE_DATE."""
    first = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age - 1) + timedelta(days=1)
    return _day_between(rng, first, REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age))


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def _jitter(rng: random.Random, centre: float, bounds: tuple[float, float], spread: float = 0.004) -> float:
    """A point near the centre, redrawn (not clamped) so that no homes pile up on the city's edge."""
    for _ in range(20):
        value = rng.gauss(centre, spread)
        if bounds[0] <= value <= bounds[1]:
            return value
    return _clamp(centre, bounds)


def read_regions() -> list[tuple[str, str]]:
    """The (code, name) rows of the demo region file, parents before children."""
    with REGIONS_CSV.open(encoding="utf-8", newline="") as handle:
        return [(row["kode"].strip(), row["nama"].strip()) for row in csv.DictReader(handle)]


def regions_upsert() -> tuple[int, int]:
    """Create the Jakarta Timur regions, or only rename the ones already there. Returns (created, renamed)."""
    with REGIONS_CSV.open("rb") as source:
        result = regions_import(source, code_list=CODE_LIST)
    if not result.ok:
        raise ValueError(f"{REGIONS_CSV.name}: {result.errors[:3]}")
    return result.created, result.updated


def _person_name(rng: random.Random, sex: str, *, age: int = 40, family_name: str = "") -> str:
    """A plausible name for the generation: older people more often have one name and older given names."""
    given, recent, second = (
        (names.MALE_GIVEN, names.MALE_GIVEN_RECENT, names.MALE_SECOND) if sex == "L"
        else (names.FEMALE_GIVEN, names.FEMALE_GIVEN_RECENT, names.FEMALE_SECOND)
    )
    share_recent = 0.0 if age >= 45 else 0.85 if age <= 20 else 0.4
    parts = [rng.choice(recent if rng.random() < share_recent else given)]
    if rng.random() < (0.35 if age >= 50 else 0.75):
        extra = rng.choice(second)
        if extra != parts[0]:
            parts.append(extra)
    if family_name:
        parts.append(family_name)
    return " ".join(parts)


def _facilitator_areas(rng: random.Random, kelurahan: list[str]) -> list[list[str]]:
    """55 working areas covering all 65 kelurahan: in each kecamatan two neighbouring kelurahan share one facilitator."""
    by_kecamatan = defaultdict(list)
    for code in kelurahan:
        by_kecamatan[code[:8]].append(code)
    areas = []
    for kecamatan in sorted(by_kecamatan):
        codes = by_kecamatan[kecamatan]
        paired = rng.randrange(len(codes) - 1)
        i = 0
        while i < len(codes):
            take = 2 if i == paired else 1
            areas.append(codes[i:i + take])
            i += take
    assert len(areas) == FACILITATOR_COUNT, len(areas)
    return areas


def _facilitator_profiles(rng: random.Random) -> list[dict]:
    """Backgrounds of the 55 facilitators: 10 social welfare, 45 other (15 of them with volunteer work)."""
    profiles = []
    for _ in range(SOCIAL_WELFARE_COUNT):
        level = _weighted(rng, (("S1", 7), ("D4", 2), ("S2", 1)))
        field_of_study = "Pekerjaan Sosial" if level == "D4" else rng.choice(SOCIAL_WELFARE_FIELDS)
        profiles.append({"background": FacilitatorProfile.Background.SOCIAL_WELFARE,
                         "education_level": level, "education_field": field_of_study})
    others = ["SMA"] * 6 + ["D3"] * 9
    others += ["S1"] * (FACILITATOR_COUNT - SOCIAL_WELFARE_COUNT - len(others))
    for level in others:
        profiles.append({"background": FacilitatorProfile.Background.OTHER,
                         "education_level": level, "education_field": rng.choice(OTHER_FIELDS[level])})
    for profile in rng.sample(profiles[SOCIAL_WELFARE_COUNT:], VOLUNTEER_COUNT):
        profile["volunteer_experience"] = rng.choice(
            (FacilitatorProfile.Volunteer.TKSK, FacilitatorProfile.Volunteer.RELAWAN_SOSIAL))
        profile["volunteer_years"] = rng.randint(1, 8)
    rng.shuffle(profiles)
    for profile in profiles:
        year = _weighted(rng, [(y, w) for y, w in zip(range(2012, 2025), (3, 3, 3, 4, 9, 8, 8, 5, 4, 4, 3, 3, 3))])
        profile["start_date"] = _day_between(rng, date(year, 1, 1), date(year, 12, 31))
    return profiles


@dataclass
class Staff:
    users: dict  # by username
    facilitators: list  # pendamping01 … pendamping55
    areas: list  # the kelurahan codes of each facilitator, same order
    start_dates: dict  # facilitator id -> working since
    created: int
    updated: int


def users_upsert(rng: random.Random, kelurahan: list[str]) -> Staff:
    """The admin, coordinator, auditor and 55 facilitators, all with the demo password."""
    password = make_password(PASSWORD)  # hashed once: the hasher is deliberately slow
    city = Region.objects.get(code=CITY_CODE)
    areas = _facilitator_areas(rng, kelurahan)
    profiles = _facilitator_profiles(rng)
    wanted = {
        "admin": {"role": User.Role.ADMIN, "is_staff": True, "is_superuser": True,
                  "first_name": "Admin", "last_name": "Demo"},
        "koordinator": {"role": User.Role.COORDINATOR, "first_name": "Hendra", "last_name": "Kurniawan"},
        "sudin": {"role": User.Role.AUDITOR, "first_name": "Ratna", "last_name": "Handayani"},
    }
    for number in range(1, FACILITATOR_COUNT + 1):
        sex = "P" if rng.random() < 0.6 else "L"
        first = rng.choice(names.MALE_GIVEN if sex == "L" else names.FEMALE_GIVEN)
        last = rng.choice(names.FAMILY_NAMES) if rng.random() < 0.12 else rng.choice(
            names.FEMALE_SECOND if sex == "P" else names.MALE_SECOND)
        wanted[f"pendamping{number:02d}"] = {"role": User.Role.FACILITATOR, "first_name": first, "last_name": last}

    existing = User.objects.in_bulk(list(wanted), field_name="username")
    created = updated = 0
    users = {}
    for username, values in wanted.items():
        values = {"is_staff": False, "is_superuser": False, "is_active": True, "password": password, **values}
        user = existing.get(username)
        if user is None:
            user = User(username=username, **values)
            created += 1
        else:
            for name, value in values.items():
                setattr(user, name, value)
            updated += 1
        users[username] = user
    User.objects.bulk_create([u for u in users.values() if u.pk is None])
    User.objects.bulk_update([u for u in users.values() if u.username in existing],
                             ["role", "is_staff", "is_superuser", "is_active", "password", "first_name", "last_name"])
    users = User.objects.in_bulk(list(wanted), field_name="username")  # pks on every backend
    for username, user in users.items():
        if user.role != User.Role.ADMIN:
            user.cities.set([city])

    facilitators = [users[f"pendamping{n:02d}"] for n in range(1, FACILITATOR_COUNT + 1)]
    for user, profile, area in zip(facilitators, profiles, areas):
        defaults = {"volunteer_experience": "", "volunteer_years": 0, **profile}
        facilitator_profile, _ = FacilitatorProfile.objects.update_or_create(user=user, defaults=defaults)
        facilitator_profile.kelurahan.set(area)
    start_dates = {user.pk: profile["start_date"] for user, profile in zip(facilitators, profiles)}
    return Staff(users, facilitators, areas, start_dates, created, updated)


class _HouseholdMaker:
    """Builds unsaved households and members; keeps the counters that make numbers unique."""

    def __init__(self, rng: random.Random, start_dates: dict):
        self.rng = rng
        self.start_dates = start_dates
        self.nik_serial = Counter()
        self.kk_serial = Counter()
        self.kks_numbers = set()
        self.centres, self.streets = {}, {}

    def place(self, kelurahan: str):
        """A deterministic centre and a handful of streets per kelurahan."""
        if kelurahan not in self.centres:
            lat, lon = KECAMATAN_CENTRES[kelurahan[:8]]
            lat = _clamp(lat + self.rng.uniform(-0.012, 0.012), (LAT_RANGE[0] + 0.01, LAT_RANGE[1] - 0.01))
            lon = _clamp(lon + self.rng.uniform(-0.010, 0.010), (LON_RANGE[0] + 0.01, LON_RANGE[1] - 0.01))
            rw_count = self.rng.randint(6, 15)
            self.centres[kelurahan] = (lat, lon, rw_count)
            self.streets[kelurahan] = self.rng.sample(names.STREETS, 6)
        return self.centres[kelurahan]

    def nik(self, kecamatan_digits: str, birth: date, sex: str, *, wrong_date: bool = False) -> str:
        encoded = birth
        if wrong_date:  # so the UI's NIK/birth-date warning has something to show
            encoded = birth + timedelta(days=self.rng.choice((-1, 1)) * self.rng.randint(1, 400))
        day = encoded.day + (40 if sex == "P" else 0)
        prefix = f"{kecamatan_digits}{day:02d}{encoded.month:02d}{encoded.year % 100:02d}"
        self.nik_serial[prefix] += 1
        return f"{prefix}{self.nik_serial[prefix]:04d}"

    def no_kk(self, kecamatan_digits: str, joined: date) -> str:
        # The family card was issued (or last reissued) around the time the family joined.
        issued = _day_between(self.rng, joined - timedelta(days=3 * 365),
                              min(joined + timedelta(days=3 * 365), REFERENCE_DATE))
        prefix = f"{kecamatan_digits}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}"
        self.kk_serial[prefix] += 1
        return f"{prefix}{self.kk_serial[prefix]:04d}"

    def kks_number(self, bank: str) -> str:
        while True:
            number = KKS_PREFIX[bank] + f"{self.rng.randrange(10 ** 10):010d}"
            if number not in self.kks_numbers:
                self.kks_numbers.add(number)
                return number

    def household(self, id_kpm: str, kelurahan: str, facilitator) -> tuple:
        """(Household, member dicts, status changes, custody records, assignment start or None)."""
        rng = self.rng
        lat, lon, rw_count = self.place(kelurahan)
        kecamatan_digits = kelurahan[:8].replace(".", "")
        year = _weighted(rng, JOINED_YEARS.items())
        joined = _day_between(rng, date(year, 1, 1), date(year, 12, 31))
        bank = _weighted(rng, BANKS)
        household = Household(
            id_kpm=id_kpm, no_kk=self.no_kk(kecamatan_digits, joined), kelurahan_id=kelurahan,
            address=f"Jl. {rng.choice(self.streets[kelurahan])} No. {rng.randint(1, 120)} "
                    f"RT {rng.randint(1, 12):03d}/RW {rng.randint(1, rw_count):03d}",
            bank=bank, kks_number="" if bank == Bank.POS else self.kks_number(bank),
            joined_year=year, decile=_weighted(rng, DECILES), facilitator=facilitator,
            status=Household.Status.ACTIVE, status_since=joined,
        )
        if rng.random() < 0.6:
            household.home_latitude = Decimal(f"{_jitter(rng, lat, LAT_RANGE):.6f}")
            household.home_longitude = Decimal(f"{_jitter(rng, lon, LON_RANGE):.6f}")
        members = self.members(kecamatan_digits, joined)

        statuses = [HouseholdStatusChange(status=Household.Status.ACTIVE, effective_date=joined,
                                          reason="Terdaftar sebagai KPM")]
        roll = rng.random()
        if roll < 0.06:
            status, reason, since = (
                (Household.Status.SUSPENDED, rng.choice(SUSPENSION_REASONS), date(2026, 1, 1)) if roll < 0.03 else
                (Household.Status.GRADUATED, _weighted(rng, GRADUATION_REASONS), date(2023, 1, 1)) if roll < 0.05 else
                (Household.Status.EXITED, rng.choice(EXIT_REASONS), date(2022, 1, 1))
            )
            changed = _day_between(rng, max(since, joined + timedelta(days=180)), REFERENCE_DATE - timedelta(days=1))
            household.status, household.status_since = status, changed
            statuses.append(HouseholdStatusChange(status=status, effective_date=changed, reason=reason))

        assigned_from = max(joined, self.start_dates[facilitator.pk]) if facilitator else None
        custody = []
        if household.kks_number:
            custody.append(KKSCustody(holder=Household.KKSHolder.PENGURUS, since=joined, note="Kartu diterima pengurus"))
            roll = rng.random()
            changed = _day_between(rng, (assigned_from or joined) + timedelta(days=30), REFERENCE_DATE - timedelta(days=1))
            adults = [m for m in members if not m["is_pengurus"] and not m["exit_reason"]
                      and m["birth_date"] <= REFERENCE_DATE.replace(year=REFERENCE_DATE.year - 17)]
            if roll < 0.03 and adults:
                holder = rng.choice(adults)
                custody.append(KKSCustody(holder=Household.KKSHolder.FAMILY_MEMBER, holder_name=holder["name"],
                                          since=changed, note="Pengurus menitipkan kartu ke anggota keluarga"))
            elif roll < 0.045 and facilitator is not None:
                custody.append(KKSCustody(holder=Household.KKSHolder.FACILITATOR, holder_name=facilitator.get_full_name(),
                                          since=changed, note="Kartu dipegang pendamping (temuan monitoring)"))
            elif 0.045 <= roll < 0.05:
                holder_name = _person_name(rng, rng.choice("LP"), age=rng.randint(30, 60))
                custody.append(KKSCustody(holder=Household.KKSHolder.OTHER, holder_name=holder_name, since=changed,
                                          note=rng.choice(OTHER_HOLDER_NOTES)))
            household.kks_holder = custody[-1].holder
        return household, members, statuses, custody, assigned_from

    def members(self, kecamatan_digits: str, joined: date) -> list[dict]:
        rng = self.rng
        size = _weighted(rng, HOUSEHOLD_SIZES)
        kind = _weighted(rng, (("couple", 87), ("mother", 11), ("father", 2)))
        family_name = rng.choice(names.FAMILY_NAMES) if rng.random() < 0.1 else ""
        people = []

        def person(relationship, sex, age, **extra):
            # Children inherit the family name (marga); a wife or grandmother keeps her own.
            inherits = sex == "L" or relationship in {Member.Relationship.CHILD, Member.Relationship.GRANDCHILD}
            people.append({"relationship": relationship, "sex": sex, "age": age, **extra,
                           "name": _person_name(rng, sex, age=age, family_name=family_name if inherits else "")})

        pregnant = kind == "couple" and rng.random() < 0.092
        if pregnant:  # expecting families are younger and smaller
            size = _weighted(rng, ((2, 20), (3, 30), (4, 27), (5, 15), (6, 8)))
        # A couple alone qualifies only when elderly (or expecting): otherwise they have a child.
        elderly_couple = kind == "couple" and size == 2 and not pregnant and rng.random() < 0.6
        if kind == "couple" and size == 2 and not pregnant and not elderly_couple:
            size = 3
        if elderly_couple:
            wife_age = rng.randint(55, 68)
            head_age = min(72, max(60, wife_age + rng.randint(0, 6)))
            person(Member.Relationship.HEAD, "L", head_age, is_pengurus=rng.random() < 0.02)
            person(Member.Relationship.WIFE, "P", wife_age, is_pengurus=not people[0]["is_pengurus"])
            mother_age = wife_age
        elif kind == "couple":
            wife_age = round(rng.triangular(20, 40, 27)) if pregnant else round(rng.triangular(20, 60, 34))
            head_age = min(65, max(28, wife_age + rng.randint(-2, 9)))
            person(Member.Relationship.HEAD, "L", head_age, is_pengurus=rng.random() < 0.02)
            person(Member.Relationship.WIFE, "P", wife_age, is_pengurus=not people[0]["is_pengurus"])
            mother_age = wife_age
        elif kind == "mother":
            mother_age = round(rng.triangular(25, 70, 42))
            person(Member.Relationship.HEAD, "P", mother_age, is_pengurus=True)
        else:
            head_age = round(rng.triangular(30, 65, 45))
            person(Member.Relationship.HEAD, "L", head_age, is_pengurus=True)
            mother_age = head_age - 4
        head_age = people[0]["age"]
        slots = max(0, size - len(people))
        if slots >= 2 and head_age <= 62 and rng.random() < 0.14:
            person(Member.Relationship.PARENT, "P" if rng.random() < 0.65 else "L", rng.randint(max(60, head_age + 18), 85))
            slots -= 1
        youngest, eldest = max(0, mother_age - 43), min(21, mother_age - 17)
        if slots and head_age >= 45 and (rng.random() < 0.1 or youngest > eldest):
            for _ in range(1 if youngest <= eldest else slots):
                person(Member.Relationship.GRANDCHILD, rng.choice("LP"), rng.randint(0, 12))
                slots -= 1
        children = sorted((rng.randint(youngest, eldest) for _ in range(slots)), reverse=True)
        for age in children:
            person(Member.Relationship.CHILD, rng.choice("LP"), age)

        result = []
        for p in people:
            birth = _birth_date(rng, p["age"])
            m = {"name": p["name"], "sex": p["sex"], "birth_date": birth, "relationship": p["relationship"],
                 "is_pengurus": p.get("is_pengurus", False), "pregnant": False, "expected_delivery_date": None,
                 "pregnancy_order": None, "school": self.school(p["age"]), "severe_disability": False,
                 "exit_reason": "", "exit_date": None}
            m["nik"] = self.nik(kecamatan_digits, birth, p["sex"], wrong_date=rng.random() < 0.01)
            m["severe_disability"] = rng.random() < (0.07 if p["age"] >= 60 else 0.025)
            if pregnant and p["relationship"] == Member.Relationship.WIFE:
                m["pregnant"] = True
                m["expected_delivery_date"] = REFERENCE_DATE + timedelta(days=rng.randint(30, 240))
                m["pregnancy_order"] = min(4, len(children) + 1 + (rng.random() < 0.1))
            elif not m["is_pengurus"] and p["relationship"] != Member.Relationship.HEAD:
                leaves = 0.10 if p["relationship"] == Member.Relationship.PARENT else 0.08 if p["age"] >= 18 else 0.004
                if rng.random() < leaves:
                    elderly = p["relationship"] == Member.Relationship.PARENT
                    m["exit_reason"] = Member.Exit.DECEASED if elderly or rng.random() < 0.2 else Member.Exit.MOVED_OUT
                    m["exit_date"] = _day_between(rng, max(joined, birth) + timedelta(days=1),
                                                  REFERENCE_DATE - timedelta(days=1))
            result.append(m)
        return result

    def school(self, age: int) -> str:
        """Enrolment consistent with age on the reference date (some not enrolled, some in madrasah)."""
        rng = self.rng
        S = Member.School
        if age <= 5 or age >= 22:
            return S.NONE
        if age == 6:
            return S.SD if rng.random() < 0.3 else S.NONE
        if age >= 19:
            return _weighted(rng, ((S.NONE, 92), (S.SMA, 2), (S.SMK, 3), (S.PAKET_C, 3)))
        if rng.random() < (0.03 if age <= 12 else 0.08 if age <= 15 else 0.14):
            return S.NONE  # out of school: a case for the facilitator
        if age <= 12:
            return _weighted(rng, ((S.SD, 89), (S.MI, 10), (S.PAKET_A, 1)))
        if age <= 15:
            return _weighted(rng, ((S.SMP, 84), (S.MTS, 15), (S.PAKET_B, 1)))
        return _weighted(rng, ((S.SMA, 48), (S.SMK, 40), (S.MA, 10), (S.PAKET_C, 2)))


def _allocate(total: int, weights: dict) -> dict:
    """Split `total` over the keys in proportion to the weights (largest remainder, exact sum)."""
    scale = total / sum(weights.values())
    shares = {key: weight * scale for key, weight in weights.items()}
    counts = {key: int(share) for key, share in shares.items()}
    for key in sorted(shares, key=lambda k: (counts[k] - shares[k], k))[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


@transaction.atomic
def seed_demo(*, households: int = 5000, seed: int = 2026) -> SeedResult:
    """Write the whole demo: regions, staff, `households` KPM with members and history."""
    result = SeedResult()
    result.regions_created, result.regions_updated = regions_upsert()
    kelurahan = [code for code, _ in read_regions() if code.count(".") == 3]
    # Separate streams: the staff stay the same whatever the number of households.
    staff_rng, rng = random.Random(f"{seed}:staff"), random.Random(seed)
    staff = users_upsert(staff_rng, kelurahan)
    result.users_created, result.users_updated = staff.created, staff.updated

    # Caseloads differ between facilitators (the norm is 200–250, reality 270–640).
    weights, owner = {}, {}
    for facilitator, area in zip(staff.facilitators, staff.areas):
        load = rng.uniform(0.7, 1.35)
        split = rng.uniform(0.35, 0.65) if len(area) == 2 else 1.0
        for i, code in enumerate(area):
            weights[code] = load * (split if i == 0 else 1 - split)
            owner[code] = facilitator
    per_kelurahan = _allocate(households, weights)
    slots = [code for code in kelurahan for _ in range(per_kelurahan[code])]
    rng.shuffle(slots)
    serials = rng.sample(range(10 ** 8), households)

    maker = _HouseholdMaker(rng, staff.start_dates)
    plans = []
    for serial, code in zip(serials, slots):
        facilitator = None if rng.random() < 0.01 else owner[code]
        plans.append(maker.household(f"3175{serial:08d}", code, facilitator))

    Household.objects.bulk_create([p[0] for p in plans], batch_size=BATCH)
    members, members_of, statuses, custody, assignments = [], [], [], [], []
    coordinator = staff.users["koordinator"]
    for household, member_rows, status_rows, custody_rows, assigned_from in plans:
        members_of.append([Member(household_id=household.pk, **m) for m in member_rows])
        members.extend(members_of[-1])
        for row in status_rows:
            row.household_id = household.pk
            row.changed_by = coordinator if row.status != Household.Status.ACTIVE else None
        statuses.extend(status_rows)
        for row in custody_rows:
            row.household_id = household.pk
        custody.extend(custody_rows)
        if assigned_from:
            assignments.append(Assignment(household_id=household.pk, facilitator=household.facilitator,
                                          start_date=assigned_from, reason="Penugasan awal (data demo)"))
    Member.objects.bulk_create(members, batch_size=BATCH)
    HouseholdStatusChange.objects.bulk_create(statuses, batch_size=BATCH)
    KKSCustody.objects.bulk_create(custody, batch_size=BATCH)
    Assignment.objects.bulk_create(assignments, batch_size=BATCH)

    result.households, result.members = len(plans), len(members)
    result.unassigned = sum(1 for p in plans if p[0].facilitator is None)
    result.by_status = dict(Counter(p[0].status for p in plans))
    loads = Counter(p[0].facilitator_id for p in plans if p[0].facilitator_id)
    result.caseloads = sorted(loads.get(f.pk, 0) for f in staff.facilitators)
    world = build_world(seed=seed, reference=REFERENCE_DATE, staff=staff, plans=plans, members_of=members_of,
                        region_rows=read_regions(), centres=maker.centres)
    result.fieldwork = seed_fieldwork(world)
    audit_record(actor=None, action=AuditEvent.Action.IMPORT, object_type="demo",
                 message=f"Demo data (seed_demo --seed {seed}): {result.households} households, {result.members} members")
    return result


def login_rows() -> list[tuple[str, str, str]]:
    """(username, role, area) for every demo login, read from the database."""
    rows = []
    order = {User.Role.ADMIN: 0, User.Role.COORDINATOR: 1, User.Role.AUDITOR: 2, User.Role.FACILITATOR: 3}
    demo = ["admin", "koordinator", "sudin"] + [f"pendamping{n:02d}" for n in range(1, FACILITATOR_COUNT + 1)]
    users = User.objects.filter(username__in=demo).select_related("facilitator_profile").prefetch_related(
        "cities", "facilitator_profile__kelurahan")
    for user in sorted(users, key=lambda u: (order.get(u.role, 9), u.username)):
        if user.is_facilitator and hasattr(user, "facilitator_profile"):
            area = ", ".join(r.name for r in user.facilitator_profile.kelurahan.all())
        else:
            area = ", ".join(r.name for r in user.cities.all()) or "all regions"
        rows.append((user.username, user.get_role_display(), area))
    return rows


def caseload_summary(caseloads: list[int]) -> str:
    if not caseloads:
        return "no facilitators"
    return f"min {caseloads[0]}, median {statistics.median(caseloads):g}, max {caseloads[-1]}"
