"""Socio-economic assessments (*asesmen sosial ekonomi*): the service that records one, and the reads of the
assessment form, the assessment page and the household's graduation page.

An assessment is never edited: saving always makes the household's next numbered assessment, so earlier
ones stay as they were and the history shows progress. Callers pass households they have already scoped
through org.access; the reads here start from org.access too.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils import formats
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from beneficiaries.components import (
    ANAK_USIA_DINI,
    HAMIL,
    OUT_OF_SCHOOL_MAX_AGE,
    OUT_OF_SCHOOL_MIN_AGE,
    SCHOOL_LEVEL,
    age_on,
    is_present,
)
from beneficiaries.models import Household
from beneficiaries.rules import RuleBook, member_facts
from casework.models import HomeVisit
from core.audit import audit_record, diff
from core.models import AuditEvent
from graduation import classifier
from graduation.models import Assessment, GraduationRules, PovertyLine, Proposal
from graduation.screening import IN_PROGRAM, classify_household, rules_on
from org import access

SCHOOL_AGE = (OUT_OF_SCHOOL_MIN_AGE, OUT_OF_SCHOOL_MAX_AGE)  # children aged 7–18 (the registry's out-of-school ages)
VISIT_DAYS = 30  # visits of the last 30 days are offered for linking (only one of the same day is accepted)
DUPLICATE_WINDOW = timedelta(minutes=10)  # the same form sent twice on a flaky connection makes one assessment

MONEY_FIELDS = (
    "income_work", "income_business", "income_transfers", "income_other", "savings_amount", "monthly_spending",
    "debt_amount", "debt_monthly_payment",
)
ASSET_FIELDS = classifier.ASSET_FIELDS
HOUSING_FIELDS = tuple(classifier.HOUSING_POINTS)
STRENGTH_FIELDS = ("skills", "resources", "support_network", "goals", "wants_to_graduate")
# Every field the assessor fills in, in the order of the form.
INPUT_FIELDS = (
    "assessed_on", "visit",
    "household_size", "income_work", "income_business", "income_transfers", "income_other", "work_stability",
    "main_occupation", "business_months", "business_net_income",
    "savings_amount", "monthly_spending", *ASSET_FIELDS, "debt_amount", "debt_source", "debt_monthly_payment",
    *HOUSING_FIELDS,
    "school_age_children", "children_in_school", "jkn",
    *STRENGTH_FIELDS, "notes",
)
# What a new assessment takes over from the latest one (the date, the visit and the notes are this visit's own).
CARRIED_OVER = tuple(name for name in INPUT_FIELDS if name not in ("assessed_on", "visit", "notes"))
JKN_ORDER = {Assessment.JKN.NONE: 0, Assessment.JKN.SOME: 1, Assessment.JKN.ALL: 2}


def multiple_text(value) -> str:
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


# --- the registry and the family's records ------------------------------------------------------

@dataclass(frozen=True)
class RegistryFacts:
    """What the registry says on a date: the people present, the children aged 7–18 and their enrolment."""

    on: date
    household_size: int
    school_age_children: int
    children_in_school: int
    out_of_school: tuple[str, ...] = ()


def registry_facts(members, *, on: date) -> RegistryFacts:
    present = [m for m in members if is_present(member_facts(m), on)]
    children = [m for m in present if SCHOOL_AGE[0] <= age_on(m.birth_date, on) <= SCHOOL_AGE[1]]
    in_school = [m for m in children if SCHOOL_LEVEL.get(m.school, "")]
    return RegistryFacts(on, len(present), len(children), len(in_school),
                         tuple(m.name for m in children if m not in in_school))


def household_members(household: Household) -> list:
    return list(household.members.order_by("birth_date", "id"))


def family_businesses(household: Household, *, on: date) -> list:
    """The family's recorded businesses on a date (livelihood's summaries: months running, average net)."""
    from livelihood.selectors import business_summaries

    return business_summaries([household.pk], on=on)[household.pk]


def running_businesses(summaries) -> list:
    return [summary for summary in summaries if not summary.stopped]




@dataclass(frozen=True)
class P2K2Attendance:
    present: int
    meetings: int
    since: date
    until: date

    @property
    def percent(self) -> int | None:
        return classifier.attendance_percent(self.present, self.meetings)


def p2k2_attendance(household: Household, *, on: date) -> P2K2Attendance:
    """Attendance at the held P2K2 meetings of the 12 months up to the date (the classifier's window)."""
    from p2k2.selectors import attendance_rates

    since = classifier.add_months(on, -12)
    present, meetings = attendance_rates([household.pk], since=since, until=on)[household.pk]
    return P2K2Attendance(present, meetings, since, on)


class RegionLines:
    """The poverty lines of one household's regency/city and province, read once."""

    def __init__(self, household: Household):
        code = household.kelurahan_id
        self.city, self.province = code[:5], code[:2]
        self._lines: dict[str, list[tuple[int, int]]] = {self.city: [], self.province: []}
        rows = PovertyLine.objects.filter(region_id__in=[self.city, self.province]).values_list(
            "region_id", "year", "amount")
        for region, year, amount in rows:
            self._lines[region].append((year, amount))
        for lines in self._lines.values():
            lines.sort(reverse=True)

    def for_year(self, year: int) -> int | None:
        """The city's line of the latest year on or before `year`, else the province's (screening's rule)."""
        for region in (self.city, self.province):
            for line_year, amount in self._lines[region]:
                if line_year <= year:
                    return amount
        return None


def household_visits(user, household: Household, *, today: date) -> list:
    """The household's home visits of the last VISIT_DAYS days, newest first (an assessment may link one)."""
    from casework.selectors import visible_visits

    since = timezone.make_aware(datetime.combine(today - timedelta(days=VISIT_DAYS), time.min))
    return list(visible_visits(user).filter(household=household, visited_at__gte=since)
                .select_related("facilitator").order_by("-visited_at", "-id"))


def visit_day(visit) -> date:
    return timezone.localtime(visit.visited_at).date()


def pengurus_name(household: Household, members=None) -> str:
    members = household_members(household) if members is None else members
    return next((m.name for m in members if m.is_pengurus), "")


# --- prefill and the form's context ---------------------------------------------------------------

def assessment_initial(*, latest: Assessment | None, registry: RegistryFacts, on: date, visit=None) -> dict:
    """The starting values of a new assessment: the latest assessment's answers, the registry's people and
    children (the registry is the more recent record of who lives there), today and the visit of today."""
    initial = {name: getattr(latest, name) for name in CARRIED_OVER} if latest else {}
    if registry.household_size:
        initial["household_size"] = registry.household_size
    initial["school_age_children"] = registry.school_age_children
    initial["children_in_school"] = registry.children_in_school
    initial["assessed_on"] = on
    if visit is not None:
        initial["visit"] = str(visit.pk)
    return initial


@dataclass
class FormContext:
    """Everything the assessment form shows beside its fields."""

    household: Household
    members: list
    pengurus_name: str
    latest: Assessment | None
    registry: RegistryFacts
    businesses: list
    running: list
    p2k2: P2K2Attendance
    poverty_line: int | None
    income_needed: int | None
    rules: classifier.RuleSet
    visits: list
    initial: dict = field(default_factory=dict)

    @property
    def multiple_label(self) -> str:
        """The income multiple as people write it: 1,5 (not 1,50)."""
        return formats.number_format(Decimal(multiple_text(self.rules.income_multiple)))

    @property
    def asks_business(self) -> bool:
        """The form asks for a business's months and net income only when no running business is recorded."""
        return not self.running


def form_context(user, household: Household, *, today: date, visit_pk: str = "") -> FormContext:
    members = household_members(household)
    latest = latest_assessment(household)
    registry = registry_facts(members, on=today)
    businesses = family_businesses(household, on=today)
    rules, _rules_row = rules_on(today)
    line = RegionLines(household).for_year(today.year)
    visits = household_visits(user, household, today=today)
    chosen = next((v for v in visits if str(v.pk) == str(visit_pk)), None) if visit_pk else None
    if chosen is None:
        todays = [v for v in visits if visit_day(v) == today]
        chosen = next((v for v in todays if v.purpose == HomeVisit.Purpose.GRADUATION), todays[0] if todays else None)
    return FormContext(
        household=household, members=members, pengurus_name=pengurus_name(household, members), latest=latest,
        registry=registry, businesses=businesses, running=running_businesses(businesses),
        p2k2=p2k2_attendance(household, on=today), poverty_line=line,
        income_needed=classifier.income_needed(line, rules.income_multiple) if line is not None else None,
        rules=rules, visits=visits,
        initial=assessment_initial(latest=latest, registry=registry, on=chosen and visit_day(chosen) or today,
                                   visit=chosen),
    )


# --- the service -----------------------------------------------------------------------------------

def _values(data: dict, *, asks_business: bool) -> dict:
    values = {name: data[name] for name in INPUT_FIELDS if name in data and name != "visit"}
    for name in MONEY_FIELDS:
        values[name] = values.get(name) or 0
    for name in ("main_occupation", "debt_source", "notes", "skills", "resources", "support_network", "goals"):
        values[name] = (values.get(name) or "").strip()
    for name in (*ASSET_FIELDS, "wants_to_graduate"):
        values[name] = bool(values.get(name))
    if not asks_business:
        values["business_months"] = values["business_net_income"] = None
    return values


def _check(assessment: Assessment, household: Household, *, visit, today: date, asks_business: bool) -> dict:
    """Every rule a form cannot check alone; {field: message}."""
    errors = {}
    day = assessment.assessed_on
    if day is not None:
        if day > today:
            errors["assessed_on"] = _("The assessment date cannot be in the future.")
        elif day < date(household.joined_year, 1, 1):
            errors["assessed_on"] = _("The family joined PKH in %(year)d: the assessment cannot be dated before that.") % {
                "year": household.joined_year}
    children, in_school = assessment.school_age_children, assessment.children_in_school
    if children is not None and in_school is not None and in_school > children:
        errors["children_in_school"] = _("Cannot be more than the %(count)d children aged 7–18.") % {"count": children}
    if visit is not None:
        if visit.household_id != household.pk:
            errors["visit"] = _("This visit is of another family.")
        elif day is not None and visit_day(visit) != day:
            errors["visit"] = _("This visit was on %(visit)s; an assessment can only be linked to a visit of the same day "
                                "(%(day)s).") % {"visit": _day(visit_day(visit)), "day": _day(day)}
    if asks_business:
        months, net = assessment.business_months, assessment.business_net_income
        if months is not None and net is None:
            errors["business_net_income"] = _("Give the business's average net income per month too (0 if it earns nothing).")
        elif net is not None and months is None:
            errors["business_months"] = _("Say how many months the business has been running.")
    if assessment.debt_amount and not assessment.debt_source:
        errors["debt_source"] = _("Say where the debt comes from.")
    elif assessment.debt_source and not assessment.debt_amount:
        errors["debt_amount"] = _("Enter the amount still owed, or choose “No debt”.")
    if not assessment.debt_amount and assessment.debt_monthly_payment:
        errors["debt_monthly_payment"] = _("There is no debt to repay: enter the amount still owed first.")
    return errors


def _same_answers(one: Assessment, other: Assessment) -> bool:
    return all(getattr(one, name) == getattr(other, name) for name in INPUT_FIELDS if name != "visit") and \
        one.visit_id == other.visit_id


@transaction.atomic
def assessment_create(*, actor, household: Household, data: dict, visit=None) -> Assessment:
    """Record the household's next assessment (no. n + 1). `visit` is one of the household's home visits of
    the same day, or None. Raises ValidationError naming the field."""
    access.require_write(actor)
    # Lock the household so two assessments saved at once get different numbers.
    household = access.get_scoped_or_404(
        actor, access.visible_households(actor).select_for_update(of=("self",)), household.pk, for_write=True)
    if household.status not in IN_PROGRAM:
        raise ValidationError(_("This family is no longer in the program (%(status)s): a new assessment cannot be "
                                "recorded.") % {"status": household.get_status_display()})
    today = timezone.localdate()
    asks_business = not running_businesses(family_businesses(household, on=min(data.get("assessed_on") or today, today)))
    assessment = Assessment(household=household, assessor=actor, visit=visit,
                            **_values(data, asks_business=asks_business))
    errors = {}
    try:
        assessment.full_clean(exclude=["household", "assessor", "number", "visit", "recorded_at"],
                              validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for name, message in _check(assessment, household, visit=visit, today=today, asks_business=asks_business).items():
        errors.setdefault(name, [message])
    if errors:
        raise ValidationError(errors)

    latest = household.assessments.order_by("-number").first()
    if (latest is not None and latest.assessor_id == actor.pk and timezone.now() - latest.recorded_at < DUPLICATE_WINDOW
            and _same_answers(latest, assessment)):
        return latest  # the same form sent again: nothing new to record
    assessment.number = (household.assessments.aggregate(top=Max("number"))["top"] or 0) + 1
    assessment.recorded_at = timezone.now()
    assessment.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=assessment, household_id=household.pk,
                 city_code=household.city_code, changes=diff({}, key_figures(assessment)),
                 message=_("Assessment no. %(number)d of %(date)s") % {"number": assessment.number,
                                                                        "date": _day(assessment.assessed_on)})
    return assessment


def key_figures(assessment: Assessment) -> dict:
    """The figures the audit trail keeps of an assessment."""
    return {
        "assessed_on": assessment.assessed_on, "household_size": assessment.household_size,
        "total_income": assessment.total_income, "income_per_capita": assessment.income_per_capita,
        "housing_score": classifier.housing_score(assessment), "assets": len(classifier.asset_names(assessment)),
        "savings_amount": assessment.savings_amount, "jkn": assessment.jkn,
        "children_in_school": f"{assessment.children_in_school}/{assessment.school_age_children}",
        "wants_to_graduate": assessment.wants_to_graduate,
        "visit": assessment.visit_id,
    }


# --- reads ---------------------------------------------------------------------------------------

def visible_assessments(user) -> QuerySet:
    return access.scoped(user, Assessment.objects.all())


def assessment_detail(user, pk) -> Assessment:
    assessments = visible_assessments(user).select_related("household__kelurahan", "household__facilitator",
                                                          "assessor", "visit__facilitator")
    return access.get_scoped_or_404(user, assessments, pk)


def latest_assessment(household: Household) -> Assessment | None:
    return household.assessments.order_by("-assessed_on", "-number").first()


def assessment_neighbours(assessment: Assessment) -> tuple[int | None, int | None]:
    """The ids of the household's previous and next assessment by number (one query)."""
    numbers = dict(assessment.household.assessments.filter(
        number__in=[assessment.number - 1, assessment.number + 1]).values_list("number", "pk"))
    return numbers.get(assessment.number - 1), numbers.get(assessment.number + 1)


@dataclass(frozen=True)
class Figures:
    """The key figures of one assessment, and how they changed since the one before."""

    assessment: Assessment
    income_per_capita: int
    poverty_line: int | None
    income_needed: int | None
    housing_score: int
    housing_level: str
    assets: int
    savings: int
    savings_months: float | None
    jkn: str
    in_school: int
    children: int
    change: dict = field(default_factory=dict)  # name -> +n / -n (None when there is no previous assessment)

    @property
    def poverty_ratio(self) -> float | None:
        """Income per capita as a multiple of the poverty line."""
        return round(self.income_per_capita / self.poverty_line, 2) if self.poverty_line else None

    @property
    def reaches_income(self) -> bool | None:
        return None if self.income_needed is None else self.income_per_capita >= self.income_needed

    @property
    def school_missing(self) -> int:
        return self.children - self.in_school


def figures_of(assessment: Assessment, *, lines: RegionLines, rules: classifier.RuleSet,
               previous: "Figures | None" = None) -> Figures:
    line = lines.for_year(assessment.assessed_on.year)
    score = classifier.housing_score(assessment)
    months = classifier.savings_months(assessment.savings_amount, assessment.monthly_spending)
    figures = Figures(
        assessment=assessment, income_per_capita=assessment.income_per_capita, poverty_line=line,
        income_needed=classifier.income_needed(line, rules.income_multiple) if line is not None else None,
        housing_score=score, housing_level=classifier.housing_level(score),
        assets=len(classifier.asset_names(assessment)), savings=assessment.savings_amount, savings_months=months,
        jkn=assessment.jkn, in_school=assessment.children_in_school, children=assessment.school_age_children,
    )
    if previous is not None:
        figures.change.update(
            income_per_capita=figures.income_per_capita - previous.income_per_capita,
            housing_score=figures.housing_score - previous.housing_score,
            assets=figures.assets - previous.assets,
            savings=figures.savings - previous.savings,
            jkn=JKN_ORDER.get(figures.jkn, 0) - JKN_ORDER.get(previous.jkn, 0),
            school_missing=figures.school_missing - previous.school_missing,
        )
    return figures


def assessment_history(household: Household, *, rules: classifier.RuleSet) -> list[Figures]:
    """Every assessment of the household with its key figures and the change since the one before, newest
    first (two queries: the assessments, the region's poverty lines)."""
    assessments = list(household.assessments.select_related("assessor").order_by("assessed_on", "number"))
    lines = RegionLines(household)
    history, previous = [], None
    for assessment in assessments:
        previous = figures_of(assessment, lines=lines, rules=rules, previous=previous)
        history.append(previous)
    return history[::-1]


# --- the household's graduation page ----------------------------------------------------------------

@dataclass(frozen=True)
class OutlookItem:
    """A component that counts today, and the last day it counts if the data do not change."""

    code: str
    member_name: str
    amount: int
    until: date | None
    why: str  # "age", "school_age", "delivery" or "" (elderly, disability: no end date)


def _birthday(birth_date: date, years: int) -> date:
    """The day a person turns `years` (a 29 February birthday falls on 1 March in other years)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return date(birth_date.year + years, 3, 1)


def component_outlook(members, *, today: date, rulebook: RuleBook) -> list[OutlookItem]:
    """Today's components with the day each stops counting on its own (age limits, expected delivery)."""
    result = rulebook.components(members, today)
    rules = result.rules
    by_id = {m.pk: m for m in members}
    items = []
    for counted in result.counted:
        member = by_id[counted.member_id]
        until, why = None, ""
        if counted.code == ANAK_USIA_DINI:
            until, why = _birthday(member.birth_date, rules.early_childhood_max_age + 1) - timedelta(days=1), "age"
        elif counted.code in ("SD", "SMP", "SMA"):
            until, why = _birthday(member.birth_date, rules.school_max_age + 1) - timedelta(days=1), "school_age"
        elif counted.code == HAMIL:
            until, why = member.expected_delivery_date, "delivery"
        items.append(OutlookItem(counted.code, counted.member_name, counted.amount, until, why))
    return items


@dataclass
class GraduationPage:
    household: Household
    pengurus_name: str
    today: date
    result: classifier.Result
    rules: classifier.RuleSet
    rules_row: GraduationRules | None
    checks_by_kind: dict
    missing: list
    outlook: list
    horizon: date
    horizon_components: list
    horizon_entitlement: int
    history: list
    proposals: list
    in_program: bool

    @property
    def latest(self) -> Figures | None:
        return self.history[0] if self.history else None

    @property
    def pending(self) -> bool:
        """A proposal is waiting for the coordinator: no second one can be made."""
        return any(p.status == Proposal.Status.PENDING for p in self.proposals)


def graduation_page(user, household: Household, *, today: date) -> GraduationPage:
    """Today's classification computed live (the screening's code path), with every check, what is missing,
    the component outlook and the assessment history."""
    from graduation.candidates import blocking_checks

    rulebook = RuleBook()
    result = classify_household(household, as_of=today, rulebook=rulebook)
    rules, rules_row = rules_on(today)
    members = household_members(household)
    horizon = classifier.add_months(today, rules.horizon_months)
    at_horizon = rulebook.components(members, horizon)
    checks_by_kind: dict[str, list] = {}
    for check in result.checks:
        group = {"natural_soon": "natural", "score": "weighted"}.get(check.kind, check.kind)
        checks_by_kind.setdefault(group, []).append(check)
    return GraduationPage(
        household=household, pengurus_name=pengurus_name(household, members), today=today, result=result,
        rules=rules, rules_row=rules_row, checks_by_kind=checks_by_kind,
        missing=blocking_checks(result.classification, result.checks),
        outlook=component_outlook(members, today=today, rulebook=rulebook), horizon=horizon,
        horizon_components=at_horizon.counted, horizon_entitlement=at_horizon.annual_entitlement,
        history=assessment_history(household, rules=rules),
        proposals=list(household.graduation_proposals.select_related("proposed_by").order_by("-proposed_at")[:5]),
        in_program=household.status in IN_PROGRAM,
    )

