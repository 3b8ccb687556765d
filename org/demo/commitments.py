"""Demo commitment verification: facilities per kelurahan, members linked to them, the records of the
quarter before the reference date (complete, mostly compliant) and of the reference date's quarter
(partial: October only), then the stored results of both quarters and a handful of suspension proposals.

The stored results are computed with the verification's own functions (compliance.verification:
household_dues, household_verdict), exactly as compliance.services.results_recompute computes them,
but from the rows already in memory: going through results_refresh would read every family back and
compute everything twice (a third of the seeding time at 25,000 households). The families
non-compliant in both quarters then go through services.results_recompute, run as the coordinator:
it opens their suspension proposals and, through mediation.services.case_open, the mediation cases,
as the app does. tests/test_demo.py checks that a results_refresh afterwards changes nothing.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from beneficiaries.models import Household, Member
from beneficiaries.rules import RuleBook
from compliance import selectors, services
from compliance import verification as v
from compliance.models import CommitmentRecord, Facility, FacilityLink, HouseholdResult, SuspensionProposal
from compliance.periods import Period
from mediation.models import Case
from org.demo import names, texts
from org.demo.fieldwork import World, day_between, moment, workday_between, working_minutes

BATCH = 2000
SCHOOL_NPSN = range(20_100_000, 20_110_000)
MADRASAH = {"MI": "MIN {n} Jakarta", "MTS": "MTsN {n} Jakarta", "MA": "MAN {n} Jakarta"}
LEVEL_NAMES = {"SMP": "SMPN {n} Jakarta", "SMA": "SMAN {n} Jakarta"}


@dataclass
class Facilities:
    counts: dict
    kelurahan: dict = field(default_factory=dict)  # code -> {"SD": [..], "SMP": [..], "SMA": [..], "posyandu": F, "lansia": F}
    kecamatan: dict = field(default_factory=dict)  # code -> {"puskesmas": F, "MI"/"MTS"/"MA"/"PKBM": F, "SD"/"SMP"/"SMA": [..]}

    @property
    def schools_by_kelurahan(self) -> dict:
        """Kelurahan code -> names of the schools there (referrals of education cases)."""
        return {code: [f.name for level in ("SD", "SMP", "SMA") for f in places[level]]
                for code, places in self.kelurahan.items()}


def seed_facilities(world: World) -> Facilities:
    """1–3 schools, a posyandu and a posyandu lansia per kelurahan; a puskesmas, madrasah and PKBM per kecamatan."""
    rng = world.rng("facilities")
    kelurahan = sorted(code for code in world.region_names if code.count(".") == 3)
    by_kecamatan = defaultdict(list)
    for code in kelurahan:
        by_kecamatan[code[:8]].append(code)
    npsn = iter(rng.sample(SCHOOL_NPSN, 12 * len(kelurahan)))
    numbers = {"SMP": iter(rng.sample(range(1, 290), 150)), "SMA": iter(rng.sample(range(1, 118), 100)),
               "MI": iter(rng.sample(range(1, 30), 20)), "MTS": iter(rng.sample(range(1, 45), 20)),
               "MA": iter(rng.sample(range(1, 25), 20)), "PKBM": iter(rng.sample(range(1, 60), 20))}
    created_at = moment(date(2025, 1, 6), 9 * 60)
    rows: list[Facility] = []
    result = Facilities(counts={})

    def add(kind, name, code, with_npsn=False) -> Facility:
        street = rng.choice(names.STREETS)
        facility = Facility(name=name, kind=kind, kelurahan_id=code, npsn=str(next(npsn)) if with_npsn else "",
                            address=f"Jl. {street} No. {rng.randint(1, 90)}, {world.region_names[code]}",
                            created_by=world.coordinator, created_at=created_at)
        rows.append(facility)
        return facility

    for kecamatan, codes in sorted(by_kecamatan.items()):
        levels = {code: ["SD"] * (1 + (rng.random() < 0.35)) for code in codes}
        for level, share in (("SMP", 0.45), ("SMA", 0.25)):
            chosen = [code for code in codes if rng.random() < share] or [rng.choice(codes)]
            for code in chosen:
                levels[code].append(level)
        place = {"SD": [], "SMP": [], "SMA": []}
        for code in codes:
            wanted = levels[code]
            while len(wanted) > 3:
                wanted.remove("SD")
            places = {"SD": [], "SMP": [], "SMA": []}
            sd_numbers = sorted(rng.sample(range(1, 16), wanted.count("SD")))
            for level in wanted:
                name = (f"SDN {world.region_names[code]} {sd_numbers.pop(0):02d}" if level == "SD"
                        else LEVEL_NAMES[level].format(n=next(numbers[level])))
                places[level].append(add(Facility.Kind.SCHOOL, name, code, with_npsn=True))
            rw = world.centres[code][2] if code in world.centres else 10
            places["posyandu"] = add(Facility.Kind.POSYANDU, f"Posyandu {rng.choice(texts.POSYANDU_NAMES)} "
                                     f"RW {rng.randint(1, rw):02d}", code)
            places["lansia"] = add(Facility.Kind.POSYANDU_LANSIA, f"Posyandu Lansia {rng.choice(texts.POSYANDU_LANSIA_NAMES)} "
                                   f"RW {rng.randint(1, rw):02d}", code)
            result.kelurahan[code] = places
            for level in place:
                place[level].extend(places[level])
        first = codes[0]
        place["puskesmas"] = add(Facility.Kind.PUSKESMAS, f"Puskesmas Kecamatan {world.region_names[kecamatan]}", first)
        for level, pattern in MADRASAH.items():
            place[level] = add(Facility.Kind.SCHOOL, pattern.format(n=next(numbers[level])), rng.choice(codes), with_npsn=True)
        place["PKBM"] = add(Facility.Kind.OTHER, f"PKBM Negeri {next(numbers['PKBM'])} Jakarta", rng.choice(codes),
                            with_npsn=True)
        result.kecamatan[kecamatan] = place
    Facility.objects.bulk_create(rows, batch_size=BATCH)
    result.counts["facilities"] = len(rows)
    return result


# --- links, records, results ----------------------------------------------------------------------

def _facility_for(rng, facilities: Facilities, family, member: Member, commitment: str) -> Facility:
    code = family.household.kelurahan_id
    here, district = facilities.kelurahan[code], facilities.kecamatan[code[:8]]
    if commitment == v.EDUCATION:
        school = member.school
        if school in MADRASAH:
            return district[school]
        if school.startswith("PAKET"):
            return district["PKBM"]
        level = Member.SCHOOL_LEVEL.get(school, "SD")
        return rng.choice(here[level] or district[level])
    if commitment == v.EARLY_CHILDHOOD:
        return here["posyandu"]
    if commitment == v.ANTENATAL:
        return here["posyandu"] if rng.random() < 0.45 else district["puskesmas"]
    return district["puskesmas"] if member.severe_disability and rng.random() < 0.6 else here["lansia"]


def _values(rng, due: v.Due, period: Period, *, ok: bool, partial: bool) -> dict | None:
    """The record's values: compliant or failing; `partial` records only the first month of the quarter."""
    if due.commitment == v.EDUCATION:
        value = max(85.0, 100 - abs(rng.gauss(0, 5))) if ok else rng.uniform(55, 84.4)
        return {"attendance_percent": Decimal(f"{value:.1f}")}
    if due.commitment == v.ANTENATAL:
        ending = v.pregnancy_end(due, None, period) is not None
        if ending:
            return {"checkups_total": rng.randint(4, 8) if ok else rng.randint(1, 3)}
        in_period = rng.randint(1, 3) if ok else 0
        return {"checkups_in_period": in_period, "checkups_total": in_period + rng.randint(0, 4)}
    if due.commitment == v.EARLY_CHILDHOOD:
        months = [n for n in due.months if not partial or n == 1]
        if not months:
            return None
        missed = rng.choice(months) if not ok else None
        return {f"month_{n}_visited": n != missed for n in months}
    if ok:
        return {"activity_done": True, "activity": rng.choice(texts.WELFARE_ACTIVITIES)}
    return {"activity_done": False, "activity": ""}


def seed_commitments(world: World, facilities: Facilities) -> dict:
    """Links and records for the two quarters, then their stored results (and the proposals they open)."""
    rng = world.rng("commitments")
    current = Period.of(world.reference)
    previous = current.previous()
    rulebook = RuleBook()
    thresholds = {p: selectors.thresholds_for(p) for p in (previous, current)}
    quiet = world.patterns.get("quiet")
    verified = [f for f in world.families if f.in_program]  # the families results_refresh verifies
    dues = {id(f): {p: v.household_dues(f.members, p, rulebook, thresholds[p]) for p in (previous, current)}
            for f in verified}
    families = [f for f in verified if f.facilitator_id]  # a family without a facilitator has no records

    # Where each member's commitment is checked (a few still without a facility: the pages ask for one).
    links, link_of = [], {}
    members_by_id = {m.pk: m for f in families for m in f.members}
    for family in families:
        keys = {d.key for p in (previous, current) for d in dues[id(family)][p]}
        for member_id, commitment in sorted(keys):
            if rng.random() < 0.06:
                continue
            facility = _facility_for(rng, facilities, family, members_by_id[member_id], commitment)
            link_of[(member_id, commitment)] = facility
            linked_on = day_between(rng, date(2025, 7, 1), previous.last_day)
            links.append(FacilityLink(member_id=member_id, commitment=commitment, facility_id=facility.pk,
                                      linked_by_id=family.facilitator_id, linked_at=moment(linked_on, working_minutes(rng))))
    FacilityLink.objects.bulk_create(links, batch_size=BATCH)

    # Who fails: a few families last quarter; the planted ones fail both quarters (→ suspension proposal).
    with_dues = [f for f in families if dues[id(f)][previous]]

    def pupil(family):
        now = {d.member_id for d in dues[id(family)][current] if d.commitment == v.EDUCATION}
        return next((d for d in dues[id(family)][previous] if d.commitment == v.EDUCATION and d.member_id in now), None)

    candidates = [f for f in with_dues if f.household.status == Household.Status.ACTIVE
                  and (quiet is None or f.facilitator_id != quiet.pk) and pupil(f) is not None]
    planted = rng.sample(candidates, min(len(candidates), max(2, min(12, round(len(world.families) / 1000)))))
    planted_ids = {id(f) for f in planted}
    failing_before = planted_ids | {id(f) for f in with_dues if rng.random() < 0.035}
    failing_now = planted_ids | {id(f) for f in with_dues if id(f) not in failing_before and rng.random() < 0.01}

    records = []
    counts = {previous: 0, current: 0}
    for family in families:
        fid = family.facilitator_id
        limit = world.cutoff(fid)
        for period in (previous, current):
            partial = period == current
            if partial and quiet is not None and fid == quiet.pk:
                continue  # the quiet facilitator entered nothing this quarter
            period_dues = dues[id(family)][period]
            fail = None
            if id(family) in (failing_now if partial else failing_before) and period_dues:
                fail = pupil(family) if id(family) in planted_ids else rng.choice(period_dues)
            first = previous.last_day + timedelta(days=1) if not partial else world.reference - timedelta(days=8)
            last = min(first + timedelta(days=19), limit.date() - timedelta(days=1), world.reference - timedelta(days=1))
            for due in period_dues:
                failing = fail is not None and due.key == fail.key
                recorded = 0.96 if not partial else {v.EDUCATION: 0.55, v.EARLY_CHILDHOOD: 0.7,
                                                     v.ANTENATAL: 0.45, v.WELFARE: 0.4}[due.commitment]
                if not failing and rng.random() >= recorded:
                    continue
                values = _values(rng, due, period, ok=not failing, partial=partial)
                day = workday_between(rng, first, last)
                if values is None or day is None:
                    continue
                records.append(CommitmentRecord(
                    member_id=due.member_id, period=period.code, commitment=due.commitment,
                    facility_id=link_of[due.key].pk if due.key in link_of else None, recorded_by_id=fid, recorded_at=moment(day, working_minutes(rng)),
                    **values))
                counts[period] += 1
    CommitmentRecord.objects.bulk_create(records, batch_size=BATCH)

    # The stored results, as results_recompute computes them (the records exist only for the dues, so
    # household_dues with the records gives the same dues).
    by_key = {(r.member_id, r.period, r.commitment): r for r in records}
    now = timezone.now()
    results, statuses, failed = [], {previous: Counter(), current: Counter()}, defaultdict(int)
    for family in verified:
        for period in (previous, current):
            period_dues = dues[id(family)][period]
            found = {d.key: by_key[(d.member_id, period.code, d.commitment)] for d in period_dues
                     if (d.member_id, period.code, d.commitment) in by_key}
            verdict = v.household_verdict(period_dues, found, period, thresholds[period])
            results.append(HouseholdResult(
                household_id=family.household.pk, period=period.code, status=verdict.status, reasons=verdict.reasons,
                missing=verdict.missing, members_to_verify=verdict.to_verify, members_recorded=verdict.recorded,
                computed_at=now))
            statuses[period][verdict.status] += 1
            failed[id(family)] += verdict.status == v.NON_COMPLIANT
    HouseholdResult.objects.bulk_create(results, batch_size=BATCH)
    # Non-compliant in both quarters: the service proposes the suspension and opens the case.
    twice = [f.household for f in verified if failed[id(f)] == 2]
    services.results_recompute(actor=world.coordinator, households=twice, period=current, rulebook=rulebook)

    result = {"facility links": len(links)}
    for period in (previous, current):
        done = statuses[period]
        result[f"commitment records {period.key}"] = counts[period]
        result[f"results {period.key}"] = (f"{done[v.COMPLIANT]} compliant, {done[v.NON_COMPLIANT]} not compliant, "
                                           f"{done[v.NOT_VERIFIED]} not verified, {done[v.NOTHING_TO_VERIFY]} nothing to verify")
    result["suspension proposals (pending)"] = SuspensionProposal.objects.filter(
        status=SuspensionProposal.Status.PENDING).count()
    result["cases opened by the proposals"] = Case.objects.filter(source="compliance").count()
    return result
