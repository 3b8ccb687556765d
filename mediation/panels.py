"""What mediation adds to the household page and to the facilitator's day (core.extensions)."""

from mediation import selectors
from org import access


def household_panel(user, household, today):
    """The family's open cases (child-protection cases masked) and, for writers, a button to open one."""
    return {
        "household": household,
        "cases": selectors.household_cases(user, household),
        "can_write": access.can_write(user),
        "today": today,
    }


def day_cases(user, today):
    """The open cases of the caseload by due date, overdue first."""
    day = selectors.day_cases(user, today=today)
    return {
        "items": day.items, "open_count": day.open_count, "overdue_count": day.overdue_count,
        "due_today_count": day.due_today_count, "today": today, "more": max(day.open_count - len(day.items), 0),
    }
