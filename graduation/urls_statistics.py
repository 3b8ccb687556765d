"""Graduation URLs: statistics (see graduation/urls.py)."""

from django.urls import path

from graduation.views import statistics as views

urlpatterns = [
    path("statistics/", views.statistics, name="graduation_statistics"),
    path("statistics/export.xlsx", views.statistics_export, name="graduation_statistics_export"),
]
