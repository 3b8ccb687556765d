"""Demo graduation: poverty lines, socio-economic assessments, graduation and exit proposals, follow-up
visits after graduation, and the stored screening, so that the graduation pages and statistics have
content for `pendamping01`, `koordinator` and `sudin`.

- Poverty lines of DKI Jakarta (province `31`) for 2024–2026: the BPS figures of September 2024 and
  September 2025, and for 2026 an estimate clearly labelled as demo data (no BPS figure yet).
- Assessments for about a third of the active families with a facilitator, a third of them with two or
  three assessments months apart showing progress (income, assets, savings, housing), with strengths and
  goals written in Bahasa Indonesia. A few families are planted to pass as KANDIDAT_MANDIRI on the reference
  date (a business of their own running for a year or more, every child in school, decent housing, assets,
  savings and JKN); as many are planted just below, each with one clear shortfall (a business of only a
  few months, poor housing, a child out of school, or no savings and few assets), and a few hold a strong
  assessment older than 12 months, to be repeated.
- Every graduated household gets its approved proposal (natural or independent-prosperous, as the reason
  of its status change says), decided by `koordinator`; independent-prosperous ones with the assessment
  they rested on and the family's recorded confirmation. Every exited household gets its approved exit
  (moved out, duplicate/ineligible). The classifier's snapshot is computed by graduation.classifier with
  the data of the time; where the type differs from it, the proposal carries the facilitator's justification.
- After the screening of the reference date: pending proposals for some natural-graduation and
  independent-prosperous candidates (the latter with a recorded confirmation), one independent-prosperous
  proposal that disagrees with the classifier (with its justification), one rejected, and one exit for
  non-compliance of a suspended family.
- Follow-up visits (purpose post_graduation) about 6 and 12 months after graduation for most graduated
  families, by their facilitator.

Deterministic: one random stream per part (org.demo.fieldwork.World.rng), dates relative to
REFERENCE_DATE, rows written with bulk_create and no per-row audit. The four planted supervision
patterns stay intact: no activity of the "quiet" facilitator in its last 20 days, and no visits by the
pattern facilitators here (every visit of theirs keeps showing its pattern).
"""

from collections import Counter, defaultdict
from datetime import date, timedelta

from django.db.models import Q

from beneficiaries.components import age_on, household_components
from beneficiaries.models import Household, HouseholdStatusChange
from beneficiaries.rules import RuleBook, member_facts
from casework.models import CaseworkSettings, HomeVisit
from casework.services import distance_m
from graduation import classifier, screening
from graduation.models import Assessment, GraduationRules, PovertyLine, Proposal, ScreeningResult
from livelihood.selectors import add_months
from org.demo.fieldwork import World, dec6, moment, offset, workday_between, working_minutes
from org.models import Region

BATCH = 2000
PROVINCE_CODE = "31"
CITY_CODE = "31.75"
POVERTY_LINES = (
    (2024, 846_085, "BPS Provinsi DKI Jakarta, Susenas September 2024: Rp846.085 per kapita per bulan"),
    (2025, 897_768, "BPS Provinsi DKI Jakarta, Susenas September 2025: Rp897.768 per kapita per bulan"),
    (2026, 934_000, "Perkiraan untuk data demo, bukan angka BPS: garis September 2025 + 4%"),
)
ASSESSED_SHARE = 0.33  # of the active families with a facilitator
REPEATED = ((1, 66), (2, 24), (3, 10))  # assessments per assessed family
PLANTED_PER_FAMILIES = 400  # one strong and one near-candidate family per 400 active families (at least 3)
STRONG, NEAR_BUSINESS, NEAR_HOUSING, NEAR_SCHOOL, NEAR_SCORE, STALE, ORDINARY = (
    "strong", "near_business", "near_housing", "near_school", "near_score", "stale", "ordinary")
NEAR = (NEAR_BUSINESS, NEAR_HOUSING, NEAR_SCHOOL, NEAR_SCORE)

OCCUPATIONS = {
    "ordinary": ("Buruh harian lepas", "Ojek pangkalan", "Buruh cuci", "Pedagang keliling", "Kuli bangunan",
                 "Asisten rumah tangga", "Pemulung", "Buruh pabrik (kontrak)", "Tukang parkir", "Penjahit borongan"),
    "strong": ("Karyawan minimarket", "Satpam perumahan", "Sopir ojek daring", "Pegawai katering",
               "Tukang las (bengkel sendiri)", "Penjahit (usaha sendiri)", "Pedagang sembako"),
}
BUSINESSES = ("warung sembako", "warung kopi dan gorengan", "katering rumahan", "jahit pakaian", "laundry kiloan",
              "jualan kue basah", "bengkel tambal ban", "pulsa dan token listrik", "dagang sayur keliling")
SKILLS = ("Memasak dan membuat kue", "Menjahit dan memperbaiki pakaian", "Mengemudi, punya SIM C",
          "Berdagang dan menghitung modal", "Merias pengantin", "Memperbaiki motor", "Membuat kerajinan dari plastik bekas",
          "Mengasuh anak dan lansia", "Menyablon kaos", "Bertukang kayu")
RESOURCES = ("Teras rumah bisa dipakai berjualan", "Punya mesin jahit sendiri", "Gerobak dorong milik sendiri",
             "Tabungan di kelompok arisan RT", "Motor untuk antar pesanan", "Kompor dan peralatan masak lengkap",
             "Tempat di depan sekolah untuk berjualan", "Anggota KUBE di kelurahan")
NETWORKS = ("Kakak ipar membantu modal", "Ketua RT sering memberi pesanan", "Kelompok pengajian ibu-ibu",
            "Tetangga menitipkan anak saat ibu berjualan", "Kelompok P2K2 saling membantu", "Pelanggan tetap dari kantor kelurahan",
            "Orang tua tinggal dekat dan membantu mengasuh", "Pendamping Jakpreneur dari kecamatan")
GOALS = ("Anak sulung lulus SMK lalu bekerja", "Membuka warung di depan rumah", "Menambah modal usaha katering",
         "Memperbaiki atap rumah sebelum musim hujan", "Menabung untuk biaya kuliah anak", "Mandiri tanpa bantuan PKH dalam dua tahun",
         "Punya BPJS Ketenagakerjaan untuk suami", "Melunasi utang ke rentenir")
NOTES = {
    STRONG: "Usaha berjalan stabil dan tercatat; keluarga menyatakan siap keluar dari PKH atas kemauan sendiri.",
    NEAR_BUSINESS: "Usaha baru berjalan beberapa bulan; perlu dipantau sampai minimal 6 bulan.",
    NEAR_HOUSING: "Penghasilan membaik tetapi kondisi rumah masih kurang layak (lantai tanah, dinding bilik).",
    NEAR_SCHOOL: "Satu anak berhenti sekolah untuk membantu berjualan; sedang diupayakan kembali sekolah atau Paket.",
    NEAR_SCORE: "Usaha berjalan, tetapi belum punya tabungan dan sebagian anggota belum terdaftar JKN.",
    STALE: "Kondisi baik saat asesmen; perlu asesmen ulang karena sudah lebih dari setahun.",
    ORDINARY: "",
}
FOLLOW_UP_NOTES = (
    ("Keluarga masih berjualan; omzet stabil, anak-anak tetap sekolah.", "Kondisi keluarga baik setelah graduasi"),
    ("Pengurus bercerita usaha sempat sepi saat musim hujan, sekarang ramai lagi.", "Usaha tetap berjalan"),
    ("Suami sudah bekerja tetap; keluarga mendaftar BPJS mandiri.", "Keluarga mandiri, tidak perlu bantuan"),
    ("Anak sulung sudah bekerja dan ikut membantu biaya sekolah adiknya.", "Kondisi keluarga baik setelah graduasi"),
    ("Penghasilan turun karena suami sakit; diarahkan ke puskesmas dan program sembako daerah.",
     "Perlu dipantau; dirujuk ke layanan lain"),
)
PENDING_NOTES = {
    Proposal.Kind.ALAMIAH: ("Tidak ada lagi komponen: anak terakhir sudah lulus SMA dan bekerja.",
                            "Hasil penyaringan: tidak ada komponen yang tersisa; keluarga sudah diberi tahu.",
                            "Desil DTSEN terbaru di atas batas kelayakan; sudah dikonfirmasi saat kunjungan."),
    Proposal.Kind.MANDIRI: ("Usaha keluarga berjalan lebih dari setahun dengan catatan keuangan rapi; keluarga ingin "
                            "keluar dari PKH atas kemauan sendiri.",
                            "Hasil asesmen terbaru memenuhi semua syarat; pengurus sudah menandatangani surat pernyataan."),
}
CONFIRMATION_NOTES = (
    "Pengurus membacakan dan menandatangani surat pernyataan di rumah, disaksikan ketua RT; pindaian menyusul.",
    "Keluarga menyatakan secara lisan saat kunjungan dan menandatangani surat pernyataan yang dicetak pendamping.",
    "Suami dan istri hadir, menandatangani surat pernyataan di kantor kelurahan.",
)
# Why a proposal's type differs from the classifier's result, by that result.
JUSTIFICATIONS = {
    "BELUM": "Asesmen menunjukkan keluarga sudah mampu: penghasilan usaha cukup dan keluarga sendiri ingin keluar. "
             "Kekurangan yang tercatat sudah dibahas dengan koordinator.",
    "ALAMIAH": "Keluarga memilih keluar dengan surat pernyataan sejahtera mandiri sebelum komponennya habis: "
               "penghasilan dari usaha sudah cukup.",
    "ALAMIAH_SEGERA": "Komponen akan berakhir dalam beberapa bulan, tetapi keluarga sudah mandiri dan memilih keluar "
                      "lebih dulu dengan surat pernyataan.",
}
NEAR_JUSTIFICATION = ("Usaha katering baru berjalan beberapa bulan, tetapi sudah ada kontrak tetap dengan kantor "
                      "kelurahan dan keluarga sendiri ingin keluar dari PKH; kami usulkan tanpa menunggu 6 bulan.")
REJECTION_REASON = ("Syarat sejahtera mandiri belum terpenuhi (lihat hasil penyaringan) dan surat pernyataan belum "
                    "ditandatangani. Dampingi keluarga dan lakukan asesmen ulang tiga bulan lagi.")
NON_COMPLIANCE_NOTE = ("Tidak memenuhi komitmen pendidikan dan P2K2 tiga bulan berturut-turut setelah ditangguhkan; "
                       "sudah dimediasi dua kali tanpa perubahan.")
EXIT_KIND = {
    "Pindah domisili ke luar DKI Jakarta": Proposal.Kind.MOVED,
    "Tidak ditemukan saat verifikasi lapangan": Proposal.Kind.MOVED,
    "Data ganda (hasil verifikasi DTSEN)": Proposal.Kind.INELIGIBLE,
}


def _weighted(rng, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def _round(amount: float, step: int = 50_000) -> int:
    return max(0, int(round(amount / step)) * step)


class _Context:
    """What every part needs: the world, the rules, the poverty lines and the families' member facts."""

    def __init__(self, world: World):
        self.world = world
        self.rulebook = RuleBook()
        self.rules = sorted(GraduationRules.objects.values_list("valid_from", "version"))
        self.rule_models = {r.version: r for r in GraduationRules.objects.all()}
        self.lines = {year: amount for year, amount, _ in POVERTY_LINES}
        self._facts = {}

    def facts(self, family) -> list:
        """The members as the rules see them (made on demand: only a few hundred families need them)."""
        pk = family.household.pk
        if pk not in self._facts:
            self._facts[pk] = [member_facts(m) for m in family.members]
        return self._facts[pk]

    def line(self, on: date) -> int | None:
        years = [year for year in self.lines if year <= on.year]
        return self.lines[max(years)] if years else None

    def ruleset(self, on: date) -> classifier.RuleSet:
        versions = [version for valid_from, version in self.rules if valid_from <= on]
        return classifier.RuleSet.from_model(self.rule_models[versions[-1]]) if versions else classifier.RuleSet()

    def components(self, family, on: date):
        return household_components(self.facts(family), on, self.rulebook.rules_for(on))

    def classify(self, family, on: date, *, assessment=None, members=None, decile=None):
        """The classifier on a date with the data of the demo (no business or P2K2 records: historical)."""
        household = family.household
        rules = self.ruleset(on)
        return classifier.classify(
            household=classifier.HouseholdFacts(household.pk, household.decile if decile is None else decile,
                                                household.joined_year),
            members=self.facts(family) if members is None else members, as_of=on, rules=rules,
            year_rules=self.rulebook.rules_for(on),
            horizon_year_rules=self.rulebook.rules_for(classifier.add_months(on, rules.horizon_months)),
            assessment=assessment, poverty_line=self.line(on))


# --- poverty lines --------------------------------------------------------------------------------

def seed_poverty_lines() -> int:
    province = Region.objects.get(code=PROVINCE_CODE)
    for year, amount, source in POVERTY_LINES:
        PovertyLine.objects.update_or_create(region=province, year=year, defaults={"amount": amount, "source": source})
    return len(POVERTY_LINES)


# --- assessments ----------------------------------------------------------------------------------

def _present(facts, on: date) -> list:
    return [m for m in facts if m.birth_date <= on and (not m.exit_reason or (m.exit_date and m.exit_date > on))]


def _assessment(rng, ctx: _Context, family, *, profile: str, on: date, number: int, progress: float) -> Assessment:
    """One assessment of a family on a date. `progress` (0–1) scales an earlier, weaker state of the same
    family toward its latest one."""
    present = _present(ctx.facts(family), on)
    size = max(1, len(present))
    school_age = _school_age(ctx, family, on)
    in_school = sum(1 for m in school_age if m.school)
    line = ctx.line(on) or ctx.lines[min(ctx.lines)]
    good = profile in (STRONG, STALE) or profile in NEAR
    has_records = family.household.pk in ctx.world.business_households
    a = Assessment(household_id=family.household.pk, number=number, assessed_on=on,
                   assessor_id=family.facilitator_id, household_size=size,
                   school_age_children=len(school_age), children_in_school=in_school)
    a.recorded_at = moment(on, working_minutes(rng))

    if good:
        a.income_work = _round(rng.uniform(0.55, 0.95) * line * size * (0.75 + 0.25 * progress))
        a.work_stability = _weighted(rng, ((Assessment.WorkStability.PERMANENT, 5), (Assessment.WorkStability.CONTRACT, 3)))
        a.main_occupation = rng.choice(OCCUPATIONS["strong"])
        business = rng.choice(BUSINESSES)
        net = _round(rng.uniform(1_800_000, 3_500_000) * (0.6 + 0.4 * progress), 100_000)
        a.income_business = net
        if not has_records:
            a.business_net_income = net
            a.business_months = rng.randint(3, 5) if profile == NEAR_BUSINESS else rng.randint(12, 48)
        a.income_transfers = _round(rng.choice((0, 0, 200_000, 300_000)))
        if profile == NEAR_BUSINESS:  # the income alone must not pass either: the shortfall is the business
            needed = classifier.income_needed(line, ctx.ruleset(on).income_multiple) * size
            if a.total_income >= needed:
                target = needed * rng.uniform(0.6, 0.85)
                a.income_transfers = 0
                a.income_business = _round(target * 0.4, 10_000)
                a.income_work = _round(target * 0.6, 10_000)
                if not has_records:
                    a.business_net_income = a.income_business
        a.savings_amount = 0
        a.monthly_spending = _round((a.income_work + a.income_business) * rng.uniform(0.65, 0.8))
        if profile != NEAR_SCORE:
            a.savings_amount = _round(a.monthly_spending * rng.uniform(1.3, 3.0) * (0.5 + 0.5 * progress), 100_000)
            a.jkn = Assessment.JKN.ALL
            for name in rng.sample(("has_motorcycle", "has_refrigerator", "has_television", "has_smartphone",
                                    "has_work_equipment"), rng.randint(3, 5)):
                setattr(a, name, True)
            a.owns_house = rng.random() < 0.4
        else:
            a.jkn = Assessment.JKN.SOME
            a.has_smartphone = True
        if profile == NEAR_HOUSING:
            a.floor, a.walls, a.roof = Assessment.Floor.EARTH, Assessment.Walls.BAMBOO, Assessment.Roof.ZINC
            a.toilet, a.water = Assessment.Toilet.SHARED, Assessment.Water.UNPROTECTED
        else:
            a.floor = rng.choice((Assessment.Floor.TILE, Assessment.Floor.WOOD))
            a.walls = Assessment.Walls.BRICK
            a.roof = rng.choice((Assessment.Roof.ZINC, Assessment.Roof.TILE))
            a.toilet, a.water = Assessment.Toilet.OWN, rng.choice((Assessment.Water.PIPED, Assessment.Water.WELL))
        # The family says every school-age child goes to school, except the one who stopped (NEAR_SCHOOL).
        a.children_in_school = a.school_age_children - (1 if profile == NEAR_SCHOOL and a.school_age_children else 0)
        a.skills = "; ".join(rng.sample(SKILLS, 2))
        a.resources = f"Usaha {business}; " + rng.choice(RESOURCES)
        a.support_network = "; ".join(rng.sample(NETWORKS, 2))
        a.goals = rng.choice(GOALS)
        a.wants_to_graduate = progress >= 1 and rng.random() < (0.85 if profile in (STRONG, STALE) else 0.5)
        a.notes = NOTES[profile] if progress >= 1 else ""
        if a.owns_house is False and rng.random() < 0.2:
            a.debt_source, a.debt_amount = Assessment.DebtSource.COOPERATIVE, _round(rng.uniform(2e6, 6e6), 500_000)
            a.debt_monthly_payment = _round(a.debt_amount / 12, 10_000)
        return a

    # Most families: income per person below or around the line, irregular work, few assets.
    per_capita = line * rng.uniform(0.3, 1.05) * (0.8 + 0.2 * progress)
    total = per_capita * size
    a.income_work = _round(total * rng.uniform(0.7, 1.0))
    a.income_other = _round(total - a.income_work, 10_000)
    a.work_stability = _weighted(rng, ((Assessment.WorkStability.DAILY, 35), (Assessment.WorkStability.IRREGULAR, 25),
                                       (Assessment.WorkStability.CONTRACT, 25), (Assessment.WorkStability.PERMANENT, 10),
                                       (Assessment.WorkStability.NONE, 5)))
    a.main_occupation = "" if a.work_stability == Assessment.WorkStability.NONE else rng.choice(OCCUPATIONS["ordinary"])
    if a.work_stability == Assessment.WorkStability.NONE:
        a.income_transfers, a.income_work = a.income_work, 0
    a.monthly_spending = _round((a.income_work + a.income_other + a.income_transfers) * rng.uniform(0.95, 1.15))
    a.savings_amount = _round(rng.choice((0, 0, 0, 100_000, 250_000, 500_000)) * (0.5 + 0.5 * progress), 50_000)
    for name in rng.sample(("has_television", "has_smartphone", "has_motorcycle", "has_refrigerator"), rng.randint(0, 3)):
        setattr(a, name, True)
    a.owns_house = rng.random() < 0.25
    a.jkn = _weighted(rng, ((Assessment.JKN.ALL, 70), (Assessment.JKN.SOME, 25), (Assessment.JKN.NONE, 5)))
    a.floor = _weighted(rng, ((Assessment.Floor.EARTH, 10), (Assessment.Floor.WOOD, 55), (Assessment.Floor.TILE, 35)))
    a.walls = _weighted(rng, ((Assessment.Walls.BAMBOO, 10), (Assessment.Walls.WOOD, 40), (Assessment.Walls.BRICK, 50)))
    a.roof = _weighted(rng, ((Assessment.Roof.THATCH, 3), (Assessment.Roof.ZINC, 77), (Assessment.Roof.TILE, 20)))
    a.toilet = _weighted(rng, ((Assessment.Toilet.NONE, 3), (Assessment.Toilet.SHARED, 35), (Assessment.Toilet.OWN, 62)))
    a.water = _weighted(rng, ((Assessment.Water.UNPROTECTED, 5), (Assessment.Water.WELL, 30), (Assessment.Water.PIPED, 65)))
    if rng.random() < 0.45:
        a.debt_source = _weighted(rng, ((Assessment.DebtSource.FAMILY, 45), (Assessment.DebtSource.COOPERATIVE, 30),
                                        (Assessment.DebtSource.MONEYLENDER, 15), (Assessment.DebtSource.BANK, 10)))
        a.debt_amount = _round(rng.uniform(300_000, 5_000_000), 100_000)
        a.debt_monthly_payment = _round(a.debt_amount / rng.choice((6, 10, 12)), 10_000)
    if rng.random() < 0.08 and a.children_in_school:
        a.children_in_school -= 1  # a child the family says has stopped going
    a.skills = rng.choice(SKILLS)
    a.resources = rng.choice(RESOURCES) if rng.random() < 0.6 else ""
    a.support_network = rng.choice(NETWORKS)
    a.goals = rng.choice(GOALS)
    a.wants_to_graduate = False
    return a


def _assessment_series(rng, ctx: _Context, family, *, profile: str, latest: date, count: int, first_number: int = 1):
    """`count` assessments ending on `latest`, 5–9 months apart, earlier ones weaker (progress over time)."""
    floor = max(family.joined, family.assigned_from or family.joined)
    days = [latest]
    for _ in range(count - 1):
        earlier = days[-1] - timedelta(days=rng.randint(150, 270))
        if earlier <= floor:
            break
        days.append(earlier)
    days.reverse()
    rows = []
    for index, day in enumerate(days):
        progress = 1.0 if index == len(days) - 1 else (index + 1) / len(days) * 0.8
        rows.append(_assessment(rng, ctx, family, profile=profile, on=day, number=first_number + index,
                                progress=progress))
    return rows


def _latest_day(rng, ctx: _Context, family, months: tuple[int, int]) -> date | None:
    """A working day `months` (min, max) before the reference date, before the facilitator's cut-off."""
    world = ctx.world
    limit = world.cutoff(family.facilitator_id).date() - timedelta(days=1)
    first = max(world.reference - timedelta(days=31 * months[1]), family.assigned_from or family.joined, family.joined)
    last = min(world.reference - timedelta(days=31 * months[0]), limit)
    return workday_between(rng, first, last) if first < last else None


def _school_age(ctx: _Context, family, on: date) -> list:
    return [m for m in _present(ctx.facts(family), on) if 7 <= age_on(m.birth_date, on) <= 18]


def _could_be_candidate(ctx: _Context, family) -> bool:
    """Components now and at the horizon, every child in school by the registry, an eligible decile: the
    only things between the family and KANDIDAT_MANDIRI are in its assessment."""
    household = family.household
    if household.decile is not None and household.decile > ctx.ruleset(ctx.world.reference).max_eligible_decile:
        return False
    now = ctx.components(family, ctx.world.reference)
    later = ctx.components(family, classifier.add_months(ctx.world.reference, ctx.ruleset(ctx.world.reference).horizon_months))
    return bool(now.counted) and bool(later.counted) and not now.out_of_school


def seed_assessments(ctx: _Context) -> tuple[list[Assessment], dict]:
    world = ctx.world
    rng = world.rng("graduation:assessments")
    active = [f for f in world.families if f.household.status == Household.Status.ACTIVE and f.facilitator_id]
    planted_count = max(3, round(len(active) / PLANTED_PER_FAMILIES))
    # Planted families: their own business outside the business records, five years or more in the program
    # helps but is not needed (assets, savings and JKN already reach the score).
    others = [f for f in active if f.household.pk not in world.business_households]
    rng.shuffle(others)
    wanted = 2 * planted_count + max(1, planted_count // 3)
    pool = []
    for family in others:  # checked lazily: the components of a few dozen families, not of the whole city
        if len(pool) == wanted:
            break
        if _could_be_candidate(ctx, family):
            pool.append(family)
    profiles = {}
    for family in pool[:planted_count]:
        profiles[family.household.pk] = STRONG
    for index, family in enumerate(pool[planted_count:2 * planted_count]):
        profile = NEAR[index % len(NEAR)]
        if profile == NEAR_SCHOOL and not any(8 <= age_on(m.birth_date, world.reference) <= 17
                                              for m in _school_age(ctx, family, world.reference)):
            profile = NEAR_HOUSING  # no child of school age through the months before the reference date
        profiles[family.household.pk] = profile
    for family in pool[2 * planted_count:2 * planted_count + max(1, planted_count // 3)]:
        profiles[family.household.pk] = STALE

    rows, planted = [], defaultdict(list)
    for family in active:
        profile = profiles.get(family.household.pk)
        if profile is None and rng.random() >= ASSESSED_SHARE:
            continue
        profile = profile or ORDINARY
        window = {STRONG: (1, 5), STALE: (13, 18), ORDINARY: (0, 20)}.get(profile, (1, 5))
        latest = _latest_day(rng, ctx, family, window)
        if latest is None:
            continue
        count = _weighted(rng, REPEATED) if profile == ORDINARY else rng.choice((2, 2, 3))
        rows.extend(_assessment_series(rng, ctx, family, profile=profile, latest=latest, count=count))
        if profile != ORDINARY:
            planted[profile].append(family.household.pk)
    return rows, planted


# --- proposals for the families that already left -----------------------------------------------

def _decided_times(rng, world: World, effective: date, proposer_id):
    """Proposed 4–31 days before the effective date (never in the quiet facilitator's silent days),
    decided by the coordinator a few days later."""
    decided = effective - timedelta(days=rng.randint(1, 10))
    proposed = decided - timedelta(days=rng.randint(3, 21))
    if proposer_id:
        proposed = min(proposed, world.cutoff(proposer_id).date() - timedelta(days=1))
    proposed_at = moment(proposed, working_minutes(rng))
    return proposed_at, max(moment(decided, working_minutes(rng)), proposed_at + timedelta(hours=2))


def seed_decided(ctx: _Context) -> tuple[list[Proposal], list[Assessment]]:
    """Approved proposals for every graduated and exited household, as the reason of its status change says."""
    world = ctx.world
    rng = world.rng("graduation:decided")
    coordinator = world.coordinator
    by_pk = {f.household.pk: f for f in world.families}
    reasons = dict(HouseholdStatusChange.objects.filter(
        household_id__in=[pk for pk, f in by_pk.items() if not f.in_program],
        status__in=(Household.Status.GRADUATED, Household.Status.EXITED),
    ).values_list("household_id", "reason"))
    proposals, assessments = [], []
    for family in world.families:
        household = family.household
        if family.in_program or household.pk not in reasons:
            continue
        reason = reasons[household.pk]
        effective = household.status_since
        proposed_at, decided_at = _decided_times(rng, world, effective, household.facilitator_id)
        proposal = Proposal(household_id=household.pk, effective_date=effective, status=Proposal.Status.APPROVED,
                            proposed_by_id=household.facilitator_id or coordinator.pk, proposed_at=proposed_at,
                            decided_by_id=coordinator.pk, decided_at=decided_at, decision_reason="Disetujui.")
        if household.status == Household.Status.EXITED:
            proposal.kind = EXIT_KIND.get(reason, Proposal.Kind.INELIGIBLE)
            proposal.notes = reason
            result = ctx.classify(family, effective)
        elif "mandiri" in reason:
            proposal.kind = Proposal.Kind.MANDIRI
            proposal.notes = rng.choice(PENDING_NOTES[Proposal.Kind.MANDIRI])
            if household.facilitator_id:
                # assessed before the proposal (so never in the quiet facilitator's silent days either)
                on = min(effective - timedelta(days=rng.randint(20, 90)), proposed_at.date())
                series = _assessment_series(rng, ctx, family, profile=STRONG, latest=max(on, family.joined),
                                            count=rng.choice((1, 2)))
                assessments.extend(series)
                proposal.assessment = series[-1]  # saved before the proposals (see seed_graduation)
            result = ctx.classify(family, effective, assessment=proposal.assessment)
            proposal.confirmation = Proposal.Confirmation.RECORDED
            proposal.confirmation_note = rng.choice(CONFIRMATION_NOTES)
        else:
            proposal.kind = Proposal.Kind.ALAMIAH
            proposal.notes = reason
            if "desil" in reason:  # the registry update of the time put the family above the cut-off
                result = ctx.classify(family, effective, decile=rng.choice((5, 5, 6, 7)))
            else:  # the last component ended (the members' data of the time)
                result = ctx.classify(family, effective, members=[])
        _snapshot(proposal, result)
        proposals.append(proposal)
    return proposals, assessments


def _snapshot(proposal: Proposal, result) -> None:
    proposal.classification = result.classification
    proposal.rules_version = result.rules_version
    proposal.checks = [c.as_json() for c in result.checks]
    agrees = {Proposal.Kind.ALAMIAH: ("ALAMIAH", "ALAMIAH_SEGERA"), Proposal.Kind.MANDIRI: ("KANDIDAT_MANDIRI",)}
    if proposal.kind in agrees and result.classification not in agrees[proposal.kind]:
        proposal.justification = JUSTIFICATIONS[result.classification]


# --- after the screening: pending and rejected proposals -----------------------------------------

def seed_open_proposals(ctx: _Context, planted: dict, assessments_by_household: dict) -> list[Proposal]:
    world = ctx.world
    rng = world.rng("graduation:open")
    coordinator = world.coordinator
    by_pk = {f.household.pk: f for f in world.families}
    # Only the results a proposal may copy: candidates, the planted families just below, suspended families.
    wanted = [pk for profile in NEAR for pk in planted.get(profile, ())] + [
        f.household.pk for f in world.families if f.household.status == Household.Status.SUSPENDED]
    rows = ScreeningResult.objects.filter(
        Q(classification__in=("KANDIDAT_MANDIRI", "ALAMIAH")) | Q(household_id__in=wanted),
        household__kelurahan__code__startswith=f"{CITY_CODE}.",
    ).order_by("household_id").values_list("household_id", "classification", "rules_version", "checks")
    results = {pk: (classification, version, checks) for pk, classification, version, checks in rows if pk in by_pk}
    effective = add_months(world.reference, 1)
    proposals, used = [], set()

    def propose(pk, kind, notes, *, days=(3, 25), **fields):
        family = by_pk[pk]
        classification, version, checks = results[pk]
        limit = world.cutoff(family.facilitator_id).date() - timedelta(days=1)
        day = min(world.reference - timedelta(days=rng.randint(*days)), limit)
        proposal = Proposal(household_id=pk, kind=kind, effective_date=effective, notes=notes,
                            classification=classification, rules_version=version, checks=checks,
                            proposed_by_id=family.facilitator_id, proposed_at=moment(day, working_minutes(rng)),
                            **fields)
        proposals.append(proposal)
        used.add(pk)
        return proposal

    def eligible(pk):
        return pk in results and pk not in used and by_pk[pk].facilitator_id and by_pk[pk].in_program

    candidates = [pk for pk in sorted(results) if results[pk][0] == "KANDIDAT_MANDIRI" and eligible(pk)]
    for pk in candidates[: max(1, len(candidates) // 2)]:
        latest = assessments_by_household.get(pk)
        propose(pk, Proposal.Kind.MANDIRI, rng.choice(PENDING_NOTES[Proposal.Kind.MANDIRI]), assessment_id=latest,
                confirmation=Proposal.Confirmation.RECORDED, confirmation_note=rng.choice(CONFIRMATION_NOTES))
    natural = [pk for pk in sorted(results) if results[pk][0] == "ALAMIAH" and eligible(pk)]
    rng.shuffle(natural)
    for pk in natural[: max(1, len(natural) // 10)]:
        propose(pk, Proposal.Kind.ALAMIAH, rng.choice(PENDING_NOTES[Proposal.Kind.ALAMIAH]))

    near = [pk for profile in NEAR for pk in planted.get(profile, ()) if eligible(pk) and results[pk][0] == "BELUM"]
    if near:  # the facilitator disagrees with the classifier and says why (the business one first, if any)
        pk = near[0]
        business = pk in planted.get(NEAR_BUSINESS, ())
        propose(pk, Proposal.Kind.MANDIRI, PENDING_NOTES[Proposal.Kind.MANDIRI][0],
                assessment_id=assessments_by_household.get(pk),
                justification=NEAR_JUSTIFICATION if business else JUSTIFICATIONS["BELUM"],
                confirmation=Proposal.Confirmation.RECORDED, confirmation_note=rng.choice(CONFIRMATION_NOTES))
    if len(near) > 1:  # and one the coordinator turned down
        pk = near[1]
        proposal = propose(pk, Proposal.Kind.MANDIRI, PENDING_NOTES[Proposal.Kind.MANDIRI][0], days=(35, 50),
                           assessment_id=assessments_by_household.get(pk), justification=JUSTIFICATIONS["BELUM"])
        proposal.status = Proposal.Status.REJECTED
        proposal.decided_by_id = coordinator.pk
        proposal.decided_at = proposal.proposed_at + timedelta(days=rng.randint(3, 9))
        proposal.decision_reason = REJECTION_REASON
    suspended = [pk for pk in sorted(results) if eligible(pk) and by_pk[pk].household.status == Household.Status.SUSPENDED]
    if suspended:
        propose(rng.choice(suspended), Proposal.Kind.NON_COMPLIANCE, NON_COMPLIANCE_NOTE)
    return proposals


# --- follow-up visits after graduation ------------------------------------------------------------

def seed_follow_ups(ctx: _Context) -> list[HomeVisit]:
    world = ctx.world
    rng = world.rng("graduation:follow-ups")
    settings = CaseworkSettings.current()
    patterned = {user.pk for user in world.patterns.values()}
    visits = []
    for family in world.families:
        household = family.household
        if household.status != Household.Status.GRADUATED or not household.facilitator_id:
            continue
        if household.facilitator_id in patterned:
            continue
        limit = world.cutoff(household.facilitator_id)
        for months, share in ((6, 0.75), (12, 0.6)):
            target = classifier.add_months(household.status_since, months)
            if rng.random() >= share:
                continue
            day = workday_between(rng, target - timedelta(days=10), target + timedelta(days=25))
            if day is None or moment(day, 0) >= limit - timedelta(days=1):
                continue
            visited_at = moment(day, working_minutes(rng))
            notes, outcome = rng.choice(FOLLOW_UP_NOTES)
            visit = HomeVisit(household_id=household.pk, facilitator_id=household.facilitator_id, visited_at=visited_at,
                              received_at=visited_at + timedelta(minutes=rng.randint(2, 90)),
                              purpose=HomeVisit.Purpose.POST_GRADUATION, met=HomeVisit.Met.PENGURUS,
                              met_name=family.pengurus.name,
                              notes=f"Kunjungan {months} bulan setelah graduasi. {notes}", outcome=outcome)
            if household.has_home_position:
                point = offset(float(household.home_latitude), float(household.home_longitude),
                               min(abs(rng.gauss(0, 25)), 120), rng.uniform(0, 360))
            else:
                lat, lon, _ = world.centres[household.kelurahan_id]
                point = offset(lat, lon, rng.uniform(50, 700), rng.uniform(0, 360))
            visit.geo_status = HomeVisit.Geo.OK
            visit.latitude, visit.longitude = dec6(point[0]), dec6(point[1])
            visit.accuracy_m = round(rng.uniform(5, 35), 1)
            if household.has_home_position:
                visit.distance_m = round(distance_m(household.home_latitude, household.home_longitude,
                                                    visit.latitude, visit.longitude), 1)
            visit.flag_far = visit.distance_m is not None and visit.distance_m > settings.far_visit_metres
            visits.append(visit)
    return visits


# --- all of it ------------------------------------------------------------------------------------

def seed_graduation(world: World) -> dict:
    """Poverty lines, assessments, proposals, follow-up visits and the stored screening; returns the counts."""
    lines = seed_poverty_lines()
    ctx = _Context(world)
    assessments, planted = seed_assessments(ctx)
    decided, decided_assessments = seed_decided(ctx)
    Assessment.objects.bulk_create(assessments + decided_assessments, batch_size=BATCH)
    for proposal in decided:  # bulk_create set the assessments' keys
        if proposal.assessment is not None:
            proposal.assessment_id = proposal.assessment.pk
    Proposal.objects.bulk_create(decided, batch_size=BATCH)
    visits = seed_follow_ups(ctx)
    HomeVisit.objects.bulk_create(visits, batch_size=BATCH)

    counts = screening.refresh_city(CITY_CODE, as_of=world.reference)
    latest = {}
    for assessment in sorted(assessments, key=lambda a: (a.household_id, a.assessed_on, a.number)):
        latest[assessment.household_id] = assessment.pk
    open_proposals = seed_open_proposals(ctx, planted, latest)
    Proposal.objects.bulk_create(open_proposals, batch_size=BATCH)

    per_family = Counter(a.household_id for a in assessments)
    approved = Counter(p.kind for p in decided)
    waiting = Counter(p.kind for p in open_proposals if p.status == Proposal.Status.PENDING)
    return {
        "poverty lines (DKI Jakarta)": f"{lines} ({', '.join(str(year) for year, _, _ in POVERTY_LINES)})",
        "socio-economic assessments": f"{len(assessments) + len(decided_assessments)} "
                                      f"({len(per_family)} families in the program, "
                                      f"{sum(1 for n in per_family.values() if n > 1)} assessed more than once)",
        "  planted: candidates / just below / to reassess": f"{len(planted[STRONG])} / "
                                                            f"{sum(len(planted[p]) for p in NEAR)} / {len(planted[STALE])}",
        "graduations approved (alamiah / mandiri)": f"{approved[Proposal.Kind.ALAMIAH]} / {approved[Proposal.Kind.MANDIRI]}",
        "other exits approved": sum(n for kind, n in approved.items() if kind not in Proposal.GRADUATIONS),
        "proposals waiting (alamiah / mandiri / other)": f"{waiting[Proposal.Kind.ALAMIAH]} / "
                                                         f"{waiting[Proposal.Kind.MANDIRI]} / "
                                                         f"{sum(n for k, n in waiting.items() if k not in Proposal.GRADUATIONS)}",
        "proposals rejected": sum(1 for p in open_proposals if p.status == Proposal.Status.REJECTED),
        # Replaces the field work's own line (same place in the list): every visit row is counted.
        "home visits": f"{HomeVisit.objects.count()} (of which {len(visits)} follow-ups after graduation)",
        f"screening {world.reference:%Y-%m-%d}": ", ".join(f"{counts.get(c, 0)} {c}" for c in (
            "KANDIDAT_MANDIRI", "ALAMIAH", "ALAMIAH_SEGERA", "BELUM")),
    }
