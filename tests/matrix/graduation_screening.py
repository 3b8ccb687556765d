"""Graduation screening on demand: coordinators and administrators start it; others may not."""

PAGE_URLS = {
    "graduation_screening_refresh": {"facilitator": 403, "coordinator": 200, "auditor": 403, "admin": 200},
}
