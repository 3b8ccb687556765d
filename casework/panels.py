"""What casework adds to the household page and to the facilitator's day."""

from datetime import timedelta

from casework import selectors
from casework.models import CaseworkSettings
from org import access

DAY_LIST_LIMIT = 10


def household_panel(user, household, today):
    visits = selectors.household_timeline(user, household, limit=5)
    return {
        "household": household,
        "visits": visits,
        "can_write": access.can_write(user),
        "last_visit_days": (today - visits[0].visited_at.date()).days if visits else None,
    }


def day_follow_ups(user, today):
    due = selectors.follow_ups_due(user, today=today)
    return {"items": list(due[:DAY_LIST_LIMIT + 1]), "limit": DAY_LIST_LIMIT, "today": today}


def day_not_visited(user, today):
    days = CaseworkSettings.current().day_not_visited_days
    households = selectors.not_visited(user, days=days, today=today)
    return {"items": list(households[:DAY_LIST_LIMIT + 1]), "limit": DAY_LIST_LIMIT, "days": days,
            "since": today - timedelta(days=days)}
