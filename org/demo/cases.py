"""Demo mediation cases: about 6% of the families in the program, with a dated timeline (opened → in
progress → referred to a partner → resolved or closed with the outcome), due dates on both sides of
the reference date, and texts in Indonesian.

Every family whose KKS is recorded as held outside the family gets a KKS case most of the time
(opened by the coordinator when the facilitator holds the card); children out of school get
education cases; two or three child-protection cases per 5,000 families.
"""

from datetime import timedelta

from beneficiaries.models import Household
from mediation.models import Case, CaseEvent, Category, CategoryRule, KKSReason, Referral
from org.demo import texts
from org.demo.fieldwork import HISTORY_DAYS, World, age_on, later_step, moment, workday_between, working_minutes

BATCH = 2000
SHARE = 0.06
OTHER_CATEGORIES = ((Category.SALDO_NOL, 30), (Category.KKS, 16), (Category.PINDAH, 10), (Category.KOMPONEN, 14),
                    (Category.KESEHATAN, 14), (Category.KOMPLEMENTARITAS, 11), (Category.LAINNYA, 5))
KKS_REASONS = ((KKSReason.LOST, 40), (KKSReason.BLOCKED, 25), (KKSReason.SWALLOWED_OR_DAMAGED, 20), (KKSReason.PIN, 15))
S = Case.Status


def _weighted(rng, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def _final_status(rng, age_days: int) -> str:
    """Older cases are more often finished."""
    if age_days > 90:
        weights = ((S.RESOLVED, 58), (S.CLOSED, 14), (S.IN_PROGRESS, 12), (S.REFERRED, 11), (S.OPEN, 5))
    elif age_days > 30:
        weights = ((S.RESOLVED, 33), (S.CLOSED, 5), (S.IN_PROGRESS, 27), (S.REFERRED, 25), (S.OPEN, 10))
    else:
        weights = ((S.RESOLVED, 10), (S.IN_PROGRESS, 35), (S.REFERRED, 15), (S.OPEN, 40))
    return _weighted(rng, weights)


def _out_of_school(family, day):
    return [m for m in family.current_members() if 7 <= age_on(m.birth_date, day) <= 18 and not m.school]


def _plans(world: World, rng) -> list[dict]:
    """Which family gets which case (category, KKS problem, member concerned, who opens it)."""
    reference = world.reference
    families = [f for f in world.families if f.in_program and f.facilitator_id]
    target = round(SHARE * len(families))
    plans, taken = [], set()

    def add(family, category, **extra):
        taken.add(id(family))
        plans.append({"family": family, "category": category, **extra})

    for family in families:
        holder = family.household.kks_holder
        if holder not in Household.FAMILY_HOLDERS and rng.random() < 0.75:
            add(family, Category.KKS, kks_reason=KKSReason.HELD_BY_OTHER, holder=holder,
                since=family.custody[-1].since if family.custody else None,
                by_coordinator=holder == Household.KKSHolder.FACILITATOR)
    protection = max(1, round(rng.uniform(2, 3) * len(world.families) / 5000))
    with_children = [f for f in families if id(f) not in taken
                     and any(5 <= age_on(m.birth_date, reference) <= 15 for m in f.current_members())]
    for family in rng.sample(with_children, min(protection, len(with_children))):
        child = rng.choice([m for m in family.current_members() if 5 <= age_on(m.birth_date, reference) <= 15])
        add(family, Category.PERLINDUNGAN_ANAK, member=child)
    for family in families:
        if id(family) not in taken and _out_of_school(family, reference) and rng.random() < 0.35:
            add(family, Category.PENDIDIKAN, member=rng.choice(_out_of_school(family, reference)))
    rest = [f for f in families if id(f) not in taken]
    rng.shuffle(rest)
    for family in rest[:max(0, target - len(plans))]:
        category = _weighted(rng, OTHER_CATEGORIES)
        extra = {}
        if category == Category.KKS:
            if not family.household.kks_number:
                category = Category.SALDO_NOL
            else:
                extra["kks_reason"] = _weighted(rng, KKS_REASONS)
        if category == Category.KESEHATAN:
            concerned = [m for m in family.current_members()
                         if m.pregnant or m.severe_disability or age_on(m.birth_date, reference) >= 60
                         or age_on(m.birth_date, reference) < 5]
            if not concerned:
                category = Category.KOMPLEMENTARITAS
            else:
                extra["member"] = rng.choice(concerned)
        add(family, category, **extra)
    return plans


def _story(rng, plan: dict, reference) -> tuple:
    """(title, description, referral kind, referral note, outcome) for the plan's category."""
    category = plan["category"]
    if category == Category.KKS:
        return texts.CASE_STORIES["KKS"][plan["kks_reason"]]
    stories = texts.CASE_STORIES[category]
    member = plan.get("member")
    if category == Category.KESEHATAN:
        # The story that fits the member concerned: elderly, pregnant, toddler, disabled.
        if member.pregnant:
            return stories[1]
        if member.severe_disability:
            return stories[3]
        return stories[2] if age_on(member.birth_date, reference) < 5 else stories[0]
    return rng.choice(stories)


def seed_cases(world: World, *, schools: dict) -> dict:
    rng = world.rng("cases")
    reference = world.reference
    due_days = dict(CategoryRule.objects.values_list("category", "default_due_days"))
    window_start = reference - timedelta(days=HISTORY_DAYS)
    cases, referrals, events = [], [], []  # events: (case, referral or None, CaseEvent)
    for plan in _plans(world, rng):
        family, category = plan["family"], plan["category"]
        household = family.household
        actor = world.coordinator if plan.get("by_coordinator") else world.users[household.facilitator_id]
        limit = min(world.cutoff(actor.pk), moment(reference, 0))
        first = max(window_start, family.assigned_from or family.joined)
        if plan.get("since") and plan["since"] + timedelta(days=7) < limit.date() - timedelta(days=1):
            first = max(first, plan["since"] + timedelta(days=7))  # found after the card changed hands
        opened_day = workday_between(rng, first, limit.date() - timedelta(days=1))
        if opened_day is None:
            continue
        opened_at = moment(opened_day, working_minutes(rng))
        title, description, referral_kind, referral_note, outcome = _story(rng, plan, reference)
        member = plan.get("member")
        code = household.kelurahan_id
        fill = {
            "tahap": (opened_day.month - 1) // 3 + 1,
            "holder": texts.KKS_HOLDER_LABEL.get(plan.get("holder", ""), ""),
            "child": member.name if member is not None else "anak",
            "age": age_on(member.birth_date, opened_day) if member is not None else "",
        }
        case = Case(household=household, member=member, category=category, kks_reason=plan.get("kks_reason", ""),
                    title=title.format(**fill)[:200], description=description.format(**fill), status=S.OPEN,
                    due_date=opened_day + timedelta(days=due_days.get(category, 14)), source="manual",
                    opened_at=opened_at, opened_by=actor)
        cases.append(case)
        events.append((case, None, CaseEvent(kind=CaseEvent.Kind.OPENED, to_status=S.OPEN, new_due_date=case.due_date,
                                             actor=actor, at=opened_at)))
        final = _final_status(rng, (reference - opened_day).days)
        at = opened_at
        if final != S.OPEN and (step := later_step(rng, at, (1, 6), limit)):
            at = step
            events.append((case, None, CaseEvent(kind=CaseEvent.Kind.STATUS, from_status=S.OPEN, to_status=S.IN_PROGRESS,
                                                 note=rng.choice(texts.PROGRESS_NOTES), actor=actor, at=at)))
            case.status = S.IN_PROGRESS
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                if step := later_step(rng, at, (2, 10), limit):
                    at = step
                    events.append((case, None, CaseEvent(kind=CaseEvent.Kind.NOTE, note=rng.choice(texts.CASE_NOTES),
                                                         actor=actor, at=at)))
            refer = referral_kind and (final == S.REFERRED or (final in Case.FINISHED_STATUSES and rng.random() < 0.5))
            if refer and (step := later_step(rng, at, (2, 12), limit)):
                at = step
                partner = (texts.BANK_BRANCH.get(household.bank or "BRI") if referral_kind == "bank"
                           else texts.PARTNERS[referral_kind]).format(
                    kelurahan=world.region_names[code], kecamatan=world.kecamatan_name(code),
                    school=rng.choice(schools.get(code) or ["PKBM Negeri 23 Jakarta"]))
                referral = Referral(kind=referral_kind, partner_name=partner, referred_on=at.date(),
                                    note=referral_note.format(**fill), created_by=actor, created_at=at)
                referrals.append((case, referral))
                events.append((case, referral, CaseEvent(kind=CaseEvent.Kind.REFERRAL, from_status=case.status,
                                                         to_status=S.REFERRED, referral_status=Referral.Status.PENDING,
                                                         note=referral.note, actor=actor, at=at)))
                case.status = S.REFERRED
                answers = ((Referral.Status.RESOLVED, 55), (Referral.Status.ACCEPTED, 30), (Referral.Status.DECLINED, 15))
                answered = final in Case.FINISHED_STATUSES or rng.random() < 0.5
                if answered and (step := later_step(rng, at, (5, 30), limit)):
                    at = step
                    answer = _weighted(rng, answers) if final in Case.FINISHED_STATUSES else Referral.Status.ACCEPTED
                    referral.status, referral.outcome_on = answer, at.date()
                    referral.outcome_note = texts.REFERRAL_ANSWERS[answer]
                    events.append((case, referral, CaseEvent(kind=CaseEvent.Kind.REFERRAL_OUTCOME, referral_status=answer,
                                                             note=referral.outcome_note, actor=actor, at=at)))
            if final in Case.FINISHED_STATUSES and (step := later_step(rng, at, (3, 25), limit)):
                at = step
                text = outcome.format(**fill) if final == S.RESOLVED else rng.choice(texts.CLOSED_OUTCOMES)
                events.append((case, None, CaseEvent(kind=CaseEvent.Kind.STATUS, from_status=case.status, to_status=final,
                                                     note=text, actor=actor, at=at)))
                case.status, case.outcome, case.finished_at = final, text, at
        # Some open cases got more time (a bank or Dukcapil is slow); the others are overdue.
        if case.is_open and case.due_date < reference and rng.random() < 0.45:
            if step := later_step(rng, at, (1, 10), limit):
                new_due = reference + timedelta(days=rng.randint(3, 35))
                events.append((case, None, CaseEvent(kind=CaseEvent.Kind.DUE_DATE, old_due_date=case.due_date,
                                                     new_due_date=new_due, note=rng.choice(texts.DUE_NOTES),
                                                     actor=actor, at=step)))
                case.due_date = new_due
        world.case_opened[household.pk] = opened_day

    Case.objects.bulk_create(cases, batch_size=BATCH)
    for case, referral in referrals:
        referral.case = case
    Referral.objects.bulk_create([r for _, r in referrals], batch_size=BATCH)
    rows = []
    for case, referral, event in events:
        event.case, event.referral = case, referral
        rows.append(event)
    CaseEvent.objects.bulk_create(rows, batch_size=BATCH)

    open_cases = [c for c in cases if c.is_open]
    return {
        "mediation cases": f"{len(cases)} ({len(open_cases)} open, "
                           f"{sum(1 for c in open_cases if c.due_date < reference)} overdue on the reference date)",
        "  of which KKS held outside the family": sum(1 for c in cases if c.kks_reason == KKSReason.HELD_BY_OTHER),
        "  of which child protection": sum(1 for c in cases if c.category == Category.PERLINDUNGAN_ANAK),
        "case timeline events": len(rows),
        "case referrals": len(referrals),
    }

