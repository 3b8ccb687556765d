"""What livelihood adds to the household page and to the facilitator's day (core.extensions)."""

from livelihood import selectors
from org import access


def household_panel(user, household, today):
    """The family's businesses with months running, recent average net income and latest referral; its KUBE."""
    return {
        "household": household,
        "rows": selectors.household_businesses(user, household, on=today),
        "memberships": selectors.household_kube_memberships(user, household),
        "recent_months": selectors.RECENT_MONTHS,
        "can_write": access.can_write(user),
    }


def day_missing_entries(user, today):
    """Businesses of the caseload without figures for last month: the first few, and how many in all."""
    businesses = selectors.businesses_missing_last_month(user, today=today)
    return {
        "items": list(businesses[:selectors.DAY_LIST_LIMIT]),
        "count": businesses.count(),
        "month": selectors.last_month_of(today),
        "limit": selectors.DAY_LIST_LIMIT,
    }
