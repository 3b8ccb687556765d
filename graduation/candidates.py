"""The "Kandidat graduasi" lists: reads of the stored screening results (graduation.models.ScreeningResult,
refreshed monthly by Celery), never a classification on the fly, so a list of any length runs a fixed
number of queries. Also which check decided a classification, for lists, panels and pages.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When

from beneficiaries.models import Member
from graduation.classifier import ALAMIAH, ALAMIAH_SEGERA, BELUM, KANDIDAT_MANDIRI, Check, missing_checks
from graduation.models import Assessment, Classification, Proposal, ScreeningResult
from org import access

ACTIONABLE = (ALAMIAH, ALAMIAH_SEGERA, KANDIDAT_MANDIRI)
# The order of the lists: what is due now first.
RANK = {ALAMIAH: 0, ALAMIAH_SEGERA: 1, KANDIDAT_MANDIRI: 2, BELUM: 3}
ALL = "all"
DAY_LIST_LIMIT = 5
ACTED_STATUSES = (Proposal.Status.PENDING, Proposal.Status.APPROVED)


# --- which check decided -------------------------------------------------------------------------------

def as_checks(checks) -> list[Check]:
    return [c if isinstance(c, Check) else Check.from_json(c) for c in checks or ()]


def blocking_checks(classification: str, checks) -> list[Check]:
    """What keeps a family from being an independent-prosperous candidate: the failed required checks and
    the score. Income and a running business are alternatives, so neither blocks when the other passed."""
    if classification != BELUM:
        return []
    return missing_checks(as_checks(checks))


def decisive_check(classification: str, checks) -> Check | None:
    """The one check that explains a classification best: the natural-graduation rule that fired, the
    horizon, the score reached, or the first thing missing."""
    checks = as_checks(checks)
    if classification == ALAMIAH:
        return next((c for c in checks if c.kind == "natural" and c.passed), None)
    if classification == ALAMIAH_SEGERA:
        return next((c for c in checks if c.kind == "natural_soon"), None)
    if classification == KANDIDAT_MANDIRI:
        return next((c for c in checks if c.kind == "score"), None)
    blocking = blocking_checks(classification, checks)
    if blocking:
        return blocking[0]
    return next((c for c in checks if c.kind == "natural_soon"), None)


# --- the lists ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CandidateFilters:
    """`classification`: "" for the three actionable ones, ALL, or one code; `facilitator`: a user id or
    "none" (not assigned); `not_acted`: only families without a pending or approved proposal."""

    classification: str = ""
    kelurahan: str = ""
    facilitator: str = ""
    not_acted: bool = False


def visible_results(user) -> QuerySet:
    return access.scoped(user, ScreeningResult.objects.all())


def _area(results: QuerySet, filters: CandidateFilters) -> QuerySet:
    if filters.kelurahan:
        results = results.filter(household__kelurahan_id=filters.kelurahan)
    if filters.facilitator == "none":
        results = results.filter(household__facilitator__isnull=True)
    elif filters.facilitator:
        results = results.filter(household__facilitator_id=filters.facilitator)
    return results


def _acted():
    return Exists(Proposal.objects.filter(household=OuterRef("household_id"), status__in=ACTED_STATUSES))


def candidate_list(user, filters: CandidateFilters = CandidateFilters()) -> QuerySet:
    """Stored results of the user's scope with what a row shows: the family's recipient, the latest
    assessment, whether a proposal acts on it. Due-now first, then not yet acted on, then by score."""
    results = _area(visible_results(user), filters)
    if filters.classification == ALL:
        pass
    elif filters.classification:
        results = results.filter(classification=filters.classification)
    else:
        results = results.filter(classification__in=ACTIONABLE)
    latest = Assessment.objects.filter(household=OuterRef("household_id")).order_by("-assessed_on", "-number")
    results = results.annotate(
        acted_on=_acted(),
        pengurus_name=Subquery(Member.objects.filter(household=OuterRef("household_id"), is_pengurus=True)
                               .values("name")[:1]),
        latest_assessment_on=Subquery(latest.values("assessed_on")[:1]),
        latest_assessment_id=Subquery(latest.values("pk")[:1]),
        rank=Case(*[When(classification=code, then=Value(rank)) for code, rank in RANK.items()],
                  default=Value(9), output_field=IntegerField()),
    )
    if filters.not_acted:
        results = results.filter(acted_on=False)
    return results.select_related("household__kelurahan", "household__facilitator").order_by(
        "rank", "acted_on", F("score").desc(nulls_last=True), "household__id_kpm")


def classification_counts(user, filters: CandidateFilters = CandidateFilters()) -> dict[str, int]:
    """How many families of the scope (and area filters) each classification has (one query)."""
    rows = _area(visible_results(user), filters).order_by().values_list("classification").annotate(n=Count("pk"))
    counts = {code: 0 for code in Classification.values}
    counts.update(dict(rows))
    return counts


@dataclass(frozen=True)
class CandidateRow:
    result: ScreeningResult
    reason: Check | None

    @property
    def household(self):
        return self.result.household


def rows_of(results) -> list[CandidateRow]:
    """The page's rows with the check that decided each (read from the stored checks: no query)."""
    return [CandidateRow(result, decisive_check(result.classification, result.checks)) for result in results]


# --- the day page and the household page ----------------------------------------------------------------

def day_candidates(user) -> dict:
    """Counts per classification in the scope, and the first few actionable families not acted on (two
    queries)."""
    counts = classification_counts(user)
    waiting = rows_of(candidate_list(user, CandidateFilters(not_acted=True))[:DAY_LIST_LIMIT])
    return {"counts": counts, "actionable": sum(counts[code] for code in ACTIONABLE), "waiting": waiting}


def household_screening(user, household) -> ScreeningResult | None:
    """The household's stored result, with whether a proposal acts on it (one query)."""
    return visible_results(user).filter(household=household).annotate(acted_on=_acted()).first()


def rules_version_in_use(version: int) -> bool:
    """Whether a stored result or a proposal records this rules version (it must then stay, unchanged)."""
    return (ScreeningResult.objects.filter(rules_version=version).exists()
            or Proposal.objects.filter(rules_version=version).exists())
