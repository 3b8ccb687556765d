"""API: P2K2 groups, meetings ("sessions") and recording attendance. The objects are those of the P2K2 pages'
rows (tests/matrix/p2k2.py): a meeting of a group of the household's facilitator, in scope exactly when the
household is."""

from tests.matrix.p2k2 import _meeting

OBJECT_URLS = {
    "api_p2k2_session_detail": ("get", "read", _meeting),
    "api_p2k2_attendance_record": ("post", "write", _meeting),
}

PAGE_URLS = {
    "api_p2k2_group_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "api_p2k2_session_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}
