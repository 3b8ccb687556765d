"""The facilitator activity audit: the city table, its XLSX download and refresh (city roles; refresh only
coordinators and administrators), and one facilitator's page and map.

A facilitator page's `pk` is a facilitator's: the factory returns the household's facilitator (none for the
unassigned household), so the page is in scope exactly when the household is — a facilitator sees only
their own page, a coordinator or auditor the facilitators of their city.
"""


def _facilitator(world, household):
    return household.facilitator


OBJECT_URLS = {
    "oversight_facilitator": ("get", "read", _facilitator),
    "oversight_map": ("get", "read", _facilitator),
}

PAGE_URLS = {
    "oversight_audit": {"facilitator": 403, "coordinator": 200, "auditor": 200, "admin": 200},
    "oversight_audit_export": {"facilitator": 403, "coordinator": 200, "auditor": 200, "admin": 200},
    # GET asks for confirmation; the POST (starting the job) is tested in tests/oversight/test_audit_pages.py.
    "oversight_refresh": {"facilitator": 403, "coordinator": 200, "auditor": 403, "admin": 200},
}
