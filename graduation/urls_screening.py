"""Graduation URLs: screening (see graduation/urls.py)."""

from django.urls import path

from graduation.views import screening

urlpatterns = [
    path("screening/", screening.refresh, name="graduation_screening_refresh"),
]
