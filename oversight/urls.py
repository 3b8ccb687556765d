"""Oversight URLs, one module per part: the facilitator activity audit (table, facilitator page, map); the
records behind each figure (drill-downs); the change history; the coordinator dashboard."""

from django.urls import include, path

urlpatterns = [
    path("", include("oversight.urls_audit")),
    path("", include("oversight.urls_records")),
    path("", include("oversight.urls_history")),
    path("", include("oversight.urls_dashboard")),
]
