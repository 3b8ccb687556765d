"""Graduation URLs, one module per part: assessments, the household's graduation page and the candidate
lists; proposals, decisions, the family's statement and the follow-ups after graduation; statistics;
the screening on demand."""

from django.urls import include, path

urlpatterns = [
    path("", include("graduation.urls_assessments")),
    path("", include("graduation.urls_proposals")),
    path("", include("graduation.urls_statistics")),
    path("", include("graduation.urls_screening")),
]
