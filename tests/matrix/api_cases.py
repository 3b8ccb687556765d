"""API: mediation cases (the list and opening a case, a case, its status and notes). The case is the case
pages' row (tests/matrix/mediation.py): in scope exactly when its household is."""

from tests.matrix.mediation import _case

OBJECT_URLS = {
    "api_case_detail": ("get", "read", _case),
    "api_case_transition": ("post", "write", _case),
    "api_case_note": ("post", "write", _case),
}

PAGE_URLS = {
    "api_case_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}
