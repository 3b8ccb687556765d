"""The REST API under /api/v1/: the OpenAPI 3 schema and its browsable docs, and one URL module per part
(households and visits; P2K2; cases; graduation; transaction monitoring). Token pages live under /accounts/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start-up script as a file (no inline script: CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include("api.urls_households")),
    path("", include("api.urls_visits")),
    path("", include("api.urls_p2k2")),
    path("", include("api.urls_cases")),
    path("", include("api.urls_graduation")),
    path("", include("api.urls_monitoring")),
]
