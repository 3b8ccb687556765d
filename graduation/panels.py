"""What graduation adds to the household page and to the facilitator's day (core.extensions). Both read
the stored screening results (refreshed monthly), never classify: a fixed, small number of queries."""

from graduation import assessments, candidates
from org import access


def household_panel(user, household, today):
    """The stored classification with the check that decided it, the latest assessment and links (two
    queries: the stored result with whether a proposal acts on it, the latest assessment)."""
    result = candidates.household_screening(user, household)
    return {
        "household": household,
        "result": result,
        "reason": candidates.decisive_check(result.classification, result.checks) if result else None,
        "latest": assessments.latest_assessment(household),
        "in_program": household.status in assessments.IN_PROGRAM,
        "can_write": access.can_write(user),
    }


def day_candidates(user, today):
    """"Kandidat graduasi" on the day page: counts per classification and the first families not acted on."""
    return {**candidates.day_candidates(user), "limit": candidates.DAY_LIST_LIMIT}
