"""What commitment verification adds to the household page and to the facilitator's day."""

from compliance import selectors
from compliance.periods import Period
from compliance.reasons import reason_texts
from org import access

HISTORY_PERIODS = 4
DAY_LIST_LIMIT = 10


def household_panel(user, household, today):
    """The last periods' results with their reasons, and the household's suspension proposal. 2 queries."""
    current = Period.of(today)
    history = selectors.household_history(user, household, current.last(HISTORY_PERIODS))
    proposals = selectors.household_proposals(user, household, limit=1)
    return {
        "household": household,
        "current": current,
        "history": [
            (period, result, reason_texts(result.reasons) if result else [], reason_texts(result.missing) if result else [])
            for period, result in history
        ],
        "proposal": proposals[0] if proposals else None,
        "can_write": access.can_write(user),
    }


def day_section(user, today):
    """A facilitator: data still missing this period and families non-compliant last period.
    A coordinator: suspension proposals waiting for a decision. 4–6 queries."""
    current = Period.of(today)
    context = {"period": current, "last_period": current.previous(), "limit": DAY_LIST_LIMIT,
               "is_facilitator": user.is_facilitator, "missing": [], "non_compliant": [], "pending_proposals": 0}
    if user.is_facilitator:
        # Stored figures (refreshed on every save and nightly): the live ones cost ~0.3 s for 450 families.
        stored = selectors.missing_data_stored(user, period=current)
        missing = stored.items
        context.update(computed_at=stored.computed_at, not_computed=stored.not_computed)
        totals: dict[str, int] = {}
        for item in missing:
            totals[item.commitment] = totals.get(item.commitment, 0) + item.missing
        results = list(selectors.non_compliant_results(user, period=current.previous())[:DAY_LIST_LIMIT + 1])
        context.update(
            missing=missing, missing_totals=totals, missing_total=sum(totals.values()),
            non_compliant=[(result, reason_texts(result.reasons)) for result in results],
        )
    elif access.can_manage_caseloads(user):
        context["pending_proposals"] = selectors.pending_proposal_count(user)
    return context
