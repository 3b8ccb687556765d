"""Screening: the classifier run over many households, with a fixed number of queries per batch of
households (never per household or per facilitator), and the stored results the candidate lists and
statistics read. Callers pass households they have already scoped through org.access.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from beneficiaries.models import Household, Member
from beneficiaries.components import MemberFacts
from beneficiaries.rules import RuleBook
from graduation import classifier
from graduation.models import Assessment, GraduationRules, PovertyLine, ScreeningResult

BATCH = 2000
IN_PROGRAM = (Household.Status.ACTIVE, Household.Status.SUSPENDED)
MEMBER_FIELDS = ("id", "household_id", "name", "birth_date", "pregnant", "expected_delivery_date",
                 "pregnancy_order", "school", "severe_disability", "exit_reason", "exit_date")


def rules_on(as_of: date) -> tuple[classifier.RuleSet, GraduationRules | None]:
    """The rules valid on a date: the highest version whose `valid_from` is on or before it (the
    classifier's defaults, version 0, when none is entered)."""
    rules = GraduationRules.objects.filter(valid_from__lte=as_of).order_by("-version").first()
    return (classifier.RuleSet.from_model(rules) if rules else classifier.RuleSet()), rules


class PovertyLines:
    """Every poverty line, loaded once: the city's line of the latest year on or before the date, else
    the province's."""

    def __init__(self):
        self._lines: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for code, year, amount in PovertyLine.objects.values_list("region__code", "year", "amount"):
            self._lines[code].append((year, amount))
        for rows in self._lines.values():
            rows.sort(reverse=True)

    def for_village(self, village_code: str, year: int) -> int | None:
        parts = village_code.split(".")
        for code in (".".join(parts[:2]), parts[0]):
            for line_year, amount in self._lines.get(code, ()):
                if line_year <= year:
                    return amount
        return None


@dataclass(frozen=True)
class Screened:
    household_id: int
    id_kpm: str
    status: str
    facilitator_id: int | None
    result: classifier.Result


def _latest_assessments(ids: list[int], as_of: date) -> dict[int, Assessment]:
    latest = {}
    rows = (Assessment.objects.filter(household_id__in=ids, assessed_on__lte=as_of)
            .order_by("household_id", "-assessed_on", "-number"))
    for assessment in rows:
        latest.setdefault(assessment.household_id, assessment)
    return latest


def screen(households, *, as_of: date, rulebook: RuleBook | None = None,
           progress: Callable[[int], None] | None = None) -> Iterator[Screened]:
    """Classify each household of the (scoped) queryset on `as_of`, in batches of BATCH households:
    five queries per batch (households, members, assessments, businesses, P2K2) plus three in all."""
    from livelihood.selectors import business_summaries
    from p2k2.selectors import attendance_rates

    rulebook = rulebook or RuleBook()
    rules, _ = rules_on(as_of)
    year_rules = rulebook.rules_for(as_of)
    horizon_rules = rulebook.rules_for(classifier.add_months(as_of, rules.horizon_months))
    lines = PovertyLines()
    p2k2_since = classifier.add_months(as_of, -12)
    ids = list(households.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        rows = Household.objects.filter(pk__in=chunk).order_by("pk").values_list(
            "pk", "id_kpm", "status", "decile", "joined_year", "kelurahan__code", "facilitator_id")
        members = defaultdict(list)
        for values in Member.objects.filter(household_id__in=chunk).order_by("pk").values_list(*MEMBER_FIELDS):
            row = dict(zip(MEMBER_FIELDS, values))
            members[row.pop("household_id")].append(MemberFacts(**row))
        assessments = _latest_assessments(chunk, as_of)
        businesses = business_summaries(chunk, on=as_of)
        p2k2 = attendance_rates(chunk, since=p2k2_since, until=as_of)
        for pk, id_kpm, status, decile, joined_year, village, facilitator_id in rows:
            result = classifier.classify(
                household=classifier.HouseholdFacts(pk, decile, joined_year), members=members[pk], as_of=as_of,
                rules=rules, year_rules=year_rules, horizon_year_rules=horizon_rules,
                assessment=assessments.get(pk), businesses=businesses.get(pk, ()), p2k2=p2k2.get(pk),
                poverty_line=lines.for_village(village, as_of.year),
            )
            yield Screened(pk, id_kpm, status, facilitator_id, result)
        done += len(chunk)
        if progress:
            progress(done)


def classify_household(household: Household, *, as_of: date, rulebook: RuleBook | None = None) -> classifier.Result:
    """One household's classification now (the household page): the same code path as the screening."""
    return next(screen(Household.objects.filter(pk=household.pk), as_of=as_of, rulebook=rulebook)).result


def program_households(city_code: str):
    """The households in the program (active or suspended) of a regency/city."""
    return Household.objects.filter(kelurahan__code__startswith=f"{city_code}.", status__in=IN_PROGRAM)


@transaction.atomic
def store_results(households, *, as_of: date, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Classify the households and replace their stored results; results of households no longer in
    the program are removed. Returns the count per classification."""
    now = timezone.now()
    counts: dict[str, int] = defaultdict(int)
    batch = []
    fields = ["as_of", "classification", "rules_version", "score", "checks", "components", "annual_entitlement",
              "computed_at"]
    for screened in screen(households, as_of=as_of, progress=progress):
        result = screened.result
        counts[result.classification] += 1
        batch.append(ScreeningResult(
            household_id=screened.household_id, as_of=as_of, classification=result.classification,
            rules_version=result.rules_version, score=result.score, checks=[c.as_json() for c in result.checks],
            components=result.components, annual_entitlement=result.annual_entitlement, computed_at=now,
        ))
        if len(batch) >= BATCH:
            ScreeningResult.objects.bulk_create(batch, update_conflicts=True, unique_fields=["household"],
                                                update_fields=fields)
            batch = []
    if batch:
        ScreeningResult.objects.bulk_create(batch, update_conflicts=True, unique_fields=["household"],
                                            update_fields=fields)
    return dict(counts)


def refresh_city(city_code: str, *, as_of: date, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Store the results of every household in the program of a city, and drop those of households that
    left it (graduated, exited) so that no list shows them as candidates."""
    counts = store_results(program_households(city_code), as_of=as_of, progress=progress)
    ScreeningResult.objects.filter(household__kelurahan__code__startswith=f"{city_code}.").exclude(
        household__status__in=IN_PROGRAM).delete()
    return counts
