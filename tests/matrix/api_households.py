"""API: households. The detail is checked per role with objects in and out of scope (GET through the session);
the list answers every role (what it holds per role is tested in tests/api/test_households_api.py)."""

OBJECT_URLS = {
    "api_household_detail": ("get", "read", lambda world, household: household),
}
PAGE_URLS = {
    "api_household_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}
