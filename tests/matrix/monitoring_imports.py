"""Bank-data imports: coordinators and administrators upload; auditors see the list of their cities' imports
read-only (a POST is 403, tested in tests/monitoring/test_import_pages.py); facilitators have no import page."""

PAGE_URLS = {
    "bank_import": {"facilitator": 403, "coordinator": 200, "auditor": 200, "admin": 200},
    "bank_import_sample": {"facilitator": 403, "coordinator": 200, "auditor": 200, "admin": 200},
}
