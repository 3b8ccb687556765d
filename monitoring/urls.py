"""Transaction-monitoring URLs, one module per part: bank-data imports; reconciliation flags; monthly
reports."""

from django.urls import include, path

urlpatterns = [
    path("", include("monitoring.urls_imports")),
    path("", include("monitoring.urls_flags")),
    path("", include("monitoring.urls_reports")),
]
