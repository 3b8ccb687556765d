"""Casework URLs: the day page and home visits."""

PAGE_URLS = {
    "today": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}
