"""What transaction monitoring adds to the household page and to the day page (core.extensions)."""

from monitoring import flags
from org import access


def household_panel(user, household, today):
    """The family's bank rows (credits and withdrawals) of its latest stages, with their flags. 3 queries."""
    return {"household": household, **flags.household_monitoring(user, household),
            "can_write": access.can_write(user)}


def day_flags(user, today):
    """Flags waiting for the user: their families' flags (a facilitator) or their city's (a coordinator) without
    an open case yet. Auditors only read: nothing waits for them. 3 queries."""
    if not access.can_write(user):
        return {"total": 0}
    return flags.day_flags(user)
