"""The demo's facilitator activity audit: the monthly table (oversight.compute) of the demo city for every
month with field work, from the first month of the history to the current month (live), so the audit pages
open with figures and the planted patterns (org.demo.fieldwork) show in their rows."""

from datetime import timedelta

from django.utils import timezone

from livelihood.selectors import add_months, month_start
from oversight.compute import store_city_month
from oversight.models import ActivitySettings

# The demo's caseloads are about 90 families (5,000 families, 55 facilitators), a third of a real one, and
# so is the number of visits a month that makes a facilitator "active" (the default, 40, is for ~250).
DEMO_ACTIVE_MIN_VISITS = 15


def seed_activity(world, city_code: str = "31.75") -> dict:
    from org.demo.fieldwork import HISTORY_DAYS

    month = month_start(world.reference - timedelta(days=HISTORY_DAYS))
    last = max(month_start(timezone.localdate()), month_start(world.reference))
    settings = ActivitySettings.current()
    settings.active_min_visits = DEMO_ACTIVE_MIN_VISITS
    settings.save(update_fields=["active_min_visits"])
    rows = 0
    while month <= last:
        rows += store_city_month(city_code, month)
        month = add_months(month, 1)
    return {"facilitator activity rows (audit)": rows}
