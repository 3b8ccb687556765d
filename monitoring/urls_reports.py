"""Transaction-monitoring URLs: the monthly reports (see monitoring/urls.py)."""

from django.urls import path

from monitoring.views import reports as views

urlpatterns = [
    path("reports/", views.report_list, name="monitoring_report_list"),
    path("reports/build/", views.report_build, name="monitoring_report_build"),
    path("reports/<int:pk>/", views.report_detail, name="monitoring_report_detail"),
    path("reports/<int:pk>/flags/", views.report_flags, name="monitoring_report_flags"),
    path("reports/<int:pk>/export.xlsx", views.report_export, name="monitoring_report_export"),
]
