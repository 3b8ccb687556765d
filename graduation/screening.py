"""Screening: the classifier run over many households, with a fixed number of queries per batch of
households (never per household or per facilitator), and the stored results the candidate lists and
statistics read. Callers pass households they have already scoped through org.access.
"""

import gc
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.components import MemberFacts
from beneficiaries.models import Household, Member
from beneficiaries.rules import RuleBook
from graduation import classifier
from graduation.models import Assessment, Classification, GraduationRules, PovertyLine, ScreeningResult
from org import access

BATCH = 2000
IN_PROGRAM = (Household.Status.ACTIVE, Household.Status.SUSPENDED)
# MemberFacts' fields in their order, then the household: rows become MemberFacts positionally.
MEMBER_FIELDS = (*MemberFacts.__dataclass_fields__, "household_id")
# What the classifier reads of an assessment (the long texts of the strength perspective are not needed).
ASSESSMENT_FIELDS = ("id", "household_id", "number", "assessed_on", "household_size", "income_work", "income_business",
                     "income_transfers", "income_other", "business_months", "business_net_income", "savings_amount",
                     "monthly_spending", *classifier.ASSET_FIELDS, *classifier.HOUSING_POINTS, "school_age_children",
                     "children_in_school", "jkn", "wants_to_graduate")


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
        for code, year, amount in PovertyLine.objects.values_list("region_id", "year", "amount"):
            self._lines[code].append((year, amount))
        for rows in self._lines.values():
            rows.sort(reverse=True)
        self._found: dict[tuple[str, int], int | None] = {}

    def for_village(self, village_code: str, year: int) -> int | None:
        city = village_code[:5]
        if (city, year) not in self._found:
            self._found[city, year] = self._lookup(city, year)
        return self._found[city, year]

    def _lookup(self, city: str, year: int) -> int | None:
        for code in (city, city[:2]):
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
    """The latest assessment made on or before the date, per household (PostgreSQL: DISTINCT ON, one row
    per household; elsewhere every row, the first kept)."""
    rows = (Assessment.objects.filter(household_id__in=ids, assessed_on__lte=as_of).only(*ASSESSMENT_FIELDS)
            .order_by("household_id", "-assessed_on", "-number"))
    if connection.features.can_distinct_on_fields:
        rows = rows.distinct("household_id")
    latest = {}
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
            "pk", "id_kpm", "status", "decile", "joined_year", "kelurahan_id", "facilitator_id")
        members = defaultdict(list)
        for *facts, household_id in Member.objects.filter(household_id__in=chunk).order_by("pk").values_list(
                *MEMBER_FIELDS):
            members[household_id].append(MemberFacts(*facts))
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


RESULT_FIELDS = ["as_of", "classification", "rules_version", "score", "checks", "components", "annual_entitlement",
                 "computed_at"]


@contextmanager
def gc_paused():
    """Python's cycle collector off while a city is classified: the work allocates a few hundred thousand
    small dicts and lists (no cycles), and the full collections they trigger took a fifth of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@transaction.atomic
def store_results(households, *, as_of: date, progress: Callable[[int], None] | None = None,
                  each: Callable[[Screened], None] | None = None) -> dict[str, int]:
    """Classify the households and replace their stored results (one upsert per batch). `each` sees every
    household's result as it is stored (the screening command writes its file from it, so a city is
    classified once). Returns the count per classification."""
    now = timezone.now()
    counts: dict[str, int] = defaultdict(int)
    batch = []
    with gc_paused():
        for screened in screen(households, as_of=as_of, progress=progress):
            result = screened.result
            counts[result.classification] += 1
            batch.append(screened)
            if each:
                each(screened)
            if len(batch) >= BATCH:
                _upsert(batch, as_of=as_of, now=now)
                batch = []
        if batch:
            _upsert(batch, as_of=as_of, now=now)
    return dict(counts)


def _upsert(batch: list[Screened], *, as_of: date, now: datetime) -> None:
    """Insert or replace the results of a batch. On PostgreSQL one INSERT … SELECT FROM unnest(arrays)
    ON CONFLICT: nine array parameters instead of nine per row, and no model instances (half the time of
    bulk_create for a city of 25,000: `bench/run.py graduation`); elsewhere bulk_create does the same."""
    values = {
        "household_id": [s.household_id for s in batch],
        "as_of": [as_of] * len(batch),
        "classification": [s.result.classification for s in batch],
        "rules_version": [s.result.rules_version for s in batch],
        "score": [s.result.score for s in batch],
        "checks": [[c.as_json() for c in s.result.checks] for s in batch],
        "components": [s.result.components for s in batch],
        "annual_entitlement": [s.result.annual_entitlement for s in batch],
        "computed_at": [now] * len(batch),
    }
    if connection.vendor != "postgresql":
        rows = [ScreeningResult(**dict(zip(values, row))) for row in zip(*values.values())]
        ScreeningResult.objects.bulk_create(rows, update_conflicts=True, unique_fields=["household"],
                                            update_fields=RESULT_FIELDS)
        return
    for name in ("checks", "components"):
        values[name] = [_json(value) for value in values[name]]
    meta, quote = ScreeningResult._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in values]
    columns = [field.column for field in fields]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    updates = ", ".join(f"{quote(column)} = EXCLUDED.{quote(column)}" for column in columns[1:])
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) SELECT * FROM unnest({arrays}) "
           f"ON CONFLICT ({quote('household_id')}) DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.execute(sql, list(values.values()))


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def refresh_city(city_code: str, *, as_of: date, progress: Callable[[int], None] | None = None,
                 each: Callable[[Screened], None] | None = None) -> dict[str, int]:
    """Store the results of every household in the program of a city, and drop those of households that
    left it (graduated, exited) so that no list shows them as candidates. One transaction: the lists
    show either the old results or the new ones."""
    with transaction.atomic():
        counts = store_results(program_households(city_code), as_of=as_of, progress=progress, each=each)
        ScreeningResult.objects.filter(household__kelurahan__code__startswith=f"{city_code}.").exclude(
            household__status__in=IN_PROGRAM).delete()
    return counts


def cities_with_households() -> list[str]:
    """The regency/city codes that have households (in the program or not: a city whose last families
    left still has stored results to drop)."""
    return sorted(Household.objects.order_by().annotate(city=Substr("kelurahan_id", 1, 5))
                  .values_list("city", flat=True).distinct())


def screening_refresh(*, actor, city_code: str, as_of: date,
                      progress: Callable[[int, int, str], None] | None = None) -> dict[str, int]:
    """A coordinator's or administrator's refresh of one of their cities (the on-demand job). Returns
    the number of households screened and the count per classification."""
    access.require_caseload_management(actor)
    if not access.visible_cities(actor).filter(code=city_code).exists():
        raise PermissionDenied
    total = program_households(city_code).count()
    label = _("Families screened")

    def report(done: int) -> None:
        if progress:
            progress(done, total, label)

    counts = refresh_city(city_code, as_of=as_of, progress=report)
    return {"households": sum(counts.values()), **{code: counts.get(code, 0) for code in Classification.values}}


@dataclass(frozen=True)
class CityScreening:
    """A city's families in the program and its stored screening: when, as of which date, how many of each."""

    code: str
    name: str
    households: int
    screened: int
    computed_at: datetime | None
    as_of: date | None
    counts: dict

    def count_rows(self) -> list[tuple[str, str, int]]:
        return [(code, label, self.counts.get(code, 0)) for code, label in Classification.choices]


def city_screenings(user) -> list[CityScreening]:
    """Every city the user sees that has families in the program or stored results, with its latest
    screening. Three queries, whatever the number of cities and households."""
    households = dict(
        access.visible_households(user).filter(status__in=IN_PROGRAM).order_by()
        .annotate(city=Substr("kelurahan_id", 1, 5)).values("city").annotate(n=Count("pk")).values_list("city", "n"))
    stored: dict[str, dict] = defaultdict(lambda: {"counts": {}, "computed_at": None, "as_of": None})
    rows = (access.scoped(user, ScreeningResult.objects.all()).order_by()
            .annotate(city=Substr("household__kelurahan_id", 1, 5)).values("city", "classification")
            .annotate(n=Count("pk"), computed_at=Max("computed_at"), as_of=Max("as_of")))
    for row in rows:
        city = stored[row["city"]]
        city["counts"][row["classification"]] = row["n"]
        if city["computed_at"] is None or row["computed_at"] > city["computed_at"]:
            city["computed_at"], city["as_of"] = row["computed_at"], row["as_of"]
    codes = set(households) | set(stored)
    names = dict(access.visible_cities(user).filter(code__in=codes).values_list("code", "name"))
    return [
        CityScreening(code=code, name=names[code], households=households.get(code, 0),
                      screened=sum(stored[code]["counts"].values()) if code in stored else 0,
                      computed_at=stored[code]["computed_at"] if code in stored else None,
                      as_of=stored[code]["as_of"] if code in stored else None,
                      counts=dict(stored[code]["counts"]) if code in stored else {})
        for code in sorted(codes) if code in names
    ]
