"""Oversight URLs: the change history (audit trail) and its export."""

from django.urls import path

from oversight.views import history

urlpatterns = [
    path("history/", history.history_list, name="history"),
    path("history/export/", history.history_export, name="history_export"),
]
