"""The change history and its export: coordinators and auditors (their cities) and administrators;
facilitators are refused (403). What each sees is tested in tests/oversight/test_history_*.py."""

PAGE_URLS = {
    "history": {"facilitator": 403, "coordinator": 200, "auditor": 200, "admin": 200},
    "history_export": {"facilitator": 403, "coordinator": 200, "auditor": 200, "admin": 200},
}
