"""Oversight URLs: the records behind each figure of the activity audit (drill-downs). Without a figure, a
facilitator's visits."""

from django.urls import path

from oversight.views import records

urlpatterns: list = [
    path("facilitators/<int:pk>/records/<slug:figure>/", records.records, name="oversight_records"),
    path("facilitators/<int:pk>/records/", records.records, name="oversight_records"),
]
