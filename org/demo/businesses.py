"""Demo livelihood: family businesses (about 12% of the families in the program, more among graduated
ones) with their monthly revenue and expenses, 3–6 KUBE across the city (the first one in
pendamping01's area, so that the first login sees one), and referrals to Jakpreneur and KUR Mikro
at every step (referred, trained, loan approved within the program's maximum, declined with a reason).

Monthly entries start with the business or in November 2024 (two years of bookkeeping), whichever
is later, and end with October 2026; some months are missing, and about one business in five has no
entry yet for the last month, so the day page has something to chase.
"""

from datetime import date, timedelta

from beneficiaries.models import Household
from livelihood.models import Business, CreditProgram, CreditReferral, Kube, KubeMembership, MonthlyEntry, ReferralStep
from livelihood.selectors import add_months, months_running
from org.demo import texts
from org.demo.fieldwork import World, day_between, later_step, moment, working_minutes

BATCH = 2000
BOOKKEEPING_FROM = date(2024, 11, 1)
# Lebaran months (Idul Fitri 2025: 31 March; 2026: 20 March): food sells more in the month before.
FESTIVE = {date(2025, 3, 1): 1.35, date(2025, 2, 1): 1.1, date(2026, 3, 1): 1.35, date(2026, 2, 1): 1.15}
FOOD = {"warung", "catering", "trading"}


def _weighted(rng, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def _nickname(rng, family) -> str:
    """'Bu Siti', 'Mak Ijah', 'Pak Budi': how a neighbourhood business is called after its owner."""
    pengurus = family.pengurus
    first = pengurus.name.split()[0]
    if pengurus.sex == "P":
        return f"{rng.choice(('Bu', 'Bu', 'Mak', 'Teh', 'Mpok'))} {first}"
    return f"{rng.choice(('Pak', 'Bang', 'Mas'))} {first}"


def _entries(rng, business: Business, *, base: int, margin: tuple, kind: str, last_month: date,
             recorder, limit, gaps: bool) -> list[MonthlyEntry]:
    """Revenue with a slow trend, festive peaks and noise; expenses leave a margin (a loss now and then)."""
    month = max(business.started_on.replace(day=1), BOOKKEEPING_FROM)
    end = min(business.stopped_on.replace(day=1), last_month) if business.stopped_on else last_month
    trend = rng.uniform(-0.01, 0.025)
    rows, level = [], float(base)
    missing = set()
    if gaps:
        span = max(1, (end.year - month.year) * 12 + end.month - month.month)
        missing = {add_months(month, rng.randrange(span)) for _ in range(rng.randint(1, 3))}
    while month <= end:
        level *= 1 + trend
        if month not in missing:
            revenue = level * rng.uniform(0.85, 1.15) * (FESTIVE.get(month, 1.0) if kind in FOOD else 1.0)
            kept = rng.uniform(*margin) if rng.random() > 0.06 else -rng.uniform(0.02, 0.15)
            recorded_day = add_months(month, 1) - timedelta(days=rng.randint(1, 6))
            recorded_at = moment(recorded_day, working_minutes(rng))
            if recorded_at < limit:
                rows.append(MonthlyEntry(business_id=business.pk, month=month, revenue=int(round(revenue, -3)),
                                         expenses=int(round(revenue * (1 - kept), -3)), recorded_by_id=recorder.pk,
                                         recorded_at=recorded_at,
                                         note=rng.choice(texts.ENTRY_NOTES) if rng.random() < 0.05 else ""))
        month = add_months(month, 1)
    return rows


def _start(rng, reference: date) -> date:
    roll = rng.random()
    if roll < 0.35:
        return day_between(rng, reference - timedelta(days=365), reference - timedelta(days=45))
    if roll < 0.75:
        return day_between(rng, reference - timedelta(days=3 * 365), reference - timedelta(days=366))
    return day_between(rng, reference - timedelta(days=7 * 365), reference - timedelta(days=3 * 365))


def seed_businesses(world: World) -> dict:
    rng = world.rng("livelihood")
    reference = world.reference
    last_month = add_months(reference.replace(day=1), -1)
    businesses, plans = [], []  # plans: (business, base revenue, margin, kind, recorder)

    def business_of(kind_key, name, started, owner):
        base_range, margin = (texts.OTHER_BUSINESS[1:] if kind_key == "other" else texts.BUSINESS_KINDS[kind_key][1:])
        business = Business(kind=kind_key, name=name[:150], started_on=started, **owner)
        if started < reference - timedelta(days=150) and rng.random() < 0.08:
            business.stopped_on = day_between(rng, started + timedelta(days=90), reference - timedelta(days=20))
            business.stop_reason = rng.choice(texts.STOP_REASONS)
        businesses.append(business)
        return business, rng.randint(*base_range), margin

    for family in world.families:
        if not family.facilitator_id:
            continue
        share = 0.12 if family.in_program else 0.3 if family.household.status == Household.Status.GRADUATED else 0
        if rng.random() >= share:
            continue
        for _ in range(2 if rng.random() < 0.05 else 1):
            kind = _weighted(rng, texts.BUSINESS_WEIGHTS)
            patterns = texts.OTHER_BUSINESS[0] if kind == "other" else texts.BUSINESS_KINDS[kind][0]
            started = max(_start(rng, reference), family.joined)
            business, base, margin = business_of(kind, rng.choice(patterns).format(nick=_nickname(rng, family)),
                                                 started, {"household": family.household})
            business.created_by = world.users[family.facilitator_id]
            plans.append((business, base, margin, kind, business.created_by))
            world.business_households.add(family.household.pk)

    # KUBE: the first in pendamping01's first kelurahan, the others where a facilitator has enough families.
    kube_rows, kube_members = [], []
    wanted = rng.randint(3, 6)
    areas = [(world.facilitators[0].pk, world.areas[0][0])]
    others = [key for key, families in sorted(world.by_area.items()) if key not in areas
              and sum(1 for f in families if f.in_program) >= 6]
    areas += rng.sample(others, min(len(others), wanted - 1))
    names_left = list(texts.KUBE_NAMES)
    rng.shuffle(names_left)
    for facilitator_id, code in areas[:wanted]:
        pool = [f for f in world.by_area[(facilitator_id, code)] if f.in_program]
        if len(pool) < 3:
            continue
        facilitator = world.users[facilitator_id]
        formed = max(day_between(rng, date(2019, 6, 1), date(2025, 6, 30)), world.start_dates[facilitator_id])
        kube = Kube(name=f"{names_left.pop()} {world.region_names[code]}", kelurahan_id=code, facilitator=facilitator,
                    formed_on=formed, note="Dibentuk dari anggota kelompok P2K2 yang sudah berusaha.")
        members = rng.sample(pool, min(len(pool), rng.randint(5, 10)))
        kube.chairperson = members[0].household
        kube_rows.append(kube)
        for family in members:
            joined = max(formed, family.assigned_from or family.joined)
            left = None
            if family is not members[0] and rng.random() < 0.1 and joined < reference - timedelta(days=120):
                left = day_between(rng, joined + timedelta(days=90), reference - timedelta(days=10))
            kube_members.append(KubeMembership(kube=kube, household=family.household, joined_on=joined, left_on=left))
        kind, pattern = rng.choice(texts.KUBE_BUSINESSES)
        started = min(formed + timedelta(days=rng.randint(20, 90)), reference - timedelta(days=60))
        business, base, margin = business_of(kind, pattern.format(kube=kube.name), started, {"kube": kube})
        business.created_by = facilitator
        plans.append((business, base * 2, margin, kind, facilitator))
    Kube.objects.bulk_create(kube_rows, batch_size=BATCH)
    KubeMembership.objects.bulk_create(kube_members, batch_size=BATCH)
    Business.objects.bulk_create(businesses, batch_size=BATCH)

    entries = []
    for business, base, margin, kind, recorder in plans:
        entries.extend(_entries(rng, business, base=base, margin=margin, kind=kind,
                                last_month=last_month if rng.random() < 0.8 else add_months(last_month, -1),
                                recorder=recorder, limit=world.cutoff(recorder.pk), gaps=rng.random() < 0.15))
    MonthlyEntry.objects.bulk_create(entries, batch_size=BATCH)

    referrals, steps = _referrals(world, rng, plans)
    by_status = {status: sum(1 for r in referrals if r.status == status) for status in CreditReferral.Status.values}
    return {
        "businesses": f"{len(businesses)} ({sum(1 for b in businesses if b.stopped_on)} stopped)",
        "monthly business entries": len(entries),
        "KUBE": f"{len(kube_rows)} ({len(kube_members)} member families)",
        "credit referrals": f"{len(referrals)} (" + ", ".join(f"{n} {status}" for status, n in by_status.items()) + ")",
        "credit referral steps": len(steps),
    }


def _referrals(world: World, rng, plans) -> tuple[list, list]:
    """Jakpreneur (training before the loan) and KUR Mikro referrals of businesses running for months."""
    reference = world.reference
    programs = CreditProgram.objects.in_bulk(["Jakpreneur", "KUR Mikro"], field_name="name")
    referrals, steps = [], []
    for business, _, _, _, recorder in plans:
        roll = rng.random()
        program = programs.get("Jakpreneur") if roll < 0.2 else programs.get("KUR Mikro") if roll < 0.24 else None
        if program is None or months_running(business.started_on, business.stopped_on, reference) < 4:
            continue
        limit = min(world.cutoff(recorder.pk), moment(reference, 0))
        earliest = business.started_on + timedelta(days=30 * (6 if rng.random() > 0.08 else 4))
        latest = min(business.stopped_on - timedelta(days=1) if business.stopped_on else reference,
                     limit.date() - timedelta(days=1))
        first = max(earliest, reference - timedelta(days=540))
        if first > latest:
            continue
        referred_on = day_between(rng, first, latest)
        months = months_running(business.started_on, business.stopped_on, referred_on)
        referral = CreditReferral(business=business, program=program, status=CreditReferral.Status.REFERRED,
                                  status_since=referred_on, referred_on=referred_on,
                                  below_minimum_confirmed=months < program.min_months_running,
                                  months_running_at_referral=months, note=rng.choice(texts.REFERRAL_NOTES),
                                  created_by=recorder)
        at = moment(referred_on, working_minutes(rng))
        history = [(CreditReferral.Status.REFERRED, at, None, referral.note)]
        if program.requires_training:
            final = _weighted(rng, (("referred", 22), ("trained", 25), ("approved", 33), ("declined", 20)))
            path = {"referred": [], "trained": ["trained"], "approved": ["trained", "approved"],
                    "declined": rng.choice((["declined"], ["trained", "declined"]))}[final]
        else:
            path = [_weighted(rng, (("", 30), ("approved", 50), ("declined", 20)))]
            path = [p for p in path if p]
        for status in path:
            step = later_step(rng, at, (14, 60), limit)
            if step is None:
                break
            at = step
            if status == "trained":
                history.append((CreditReferral.Status.TRAINED, at, None, texts.JAKPRENEUR_TRAINING))
            elif status == "approved":
                millions = (2, 3, 4, 5, 6, 7.5, 8, 10) if program.requires_training else (5, 10, 15, 20, 25)
                amount = int(rng.choice(millions) * 1_000_000)
                if program.max_loan_amount is not None:
                    amount = min(amount, program.max_loan_amount)
                history.append((CreditReferral.Status.APPROVED, at, amount, ""))
                referral.loan_amount = amount
            else:
                before = history[-1][0]
                reason = rng.choice(texts.DECLINE_REASONS["trained" if before == CreditReferral.Status.TRAINED else "referred"])
                history.append((CreditReferral.Status.DECLINED, at, None, reason))
                referral.decline_reason = reason
        referral.status, referral.status_since = history[-1][0], history[-1][1].date()
        referrals.append(referral)
        for status, when, amount, reason in history:
            steps.append(ReferralStep(referral=referral, status=status, on=when.date(), loan_amount=amount, reason=reason,
                                      recorded_by=recorder, recorded_at=when))
    CreditReferral.objects.bulk_create(referrals, batch_size=BATCH)
    ReferralStep.objects.bulk_create(steps, batch_size=BATCH)
    return referrals, steps

