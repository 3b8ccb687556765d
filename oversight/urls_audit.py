"""Oversight URLs: the facilitator activity audit (the city table, its XLSX download and refresh, one
facilitator's page and map)."""

from django.urls import path

from oversight.views import audit

urlpatterns = [
    path("", audit.audit, name="oversight_audit"),
    path("export/", audit.audit_export, name="oversight_audit_export"),
    path("refresh/", audit.refresh, name="oversight_refresh"),
    path("facilitators/<int:pk>/", audit.facilitator, name="oversight_facilitator"),
    path("facilitators/<int:pk>/map/", audit.facilitator_map, name="oversight_map"),
]
