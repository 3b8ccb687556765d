"""Graduation statistics: the page and its XLSX export, for every role (each sees its own scope)."""

PAGE_URLS = {
    "graduation_statistics": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "graduation_statistics_export": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}
