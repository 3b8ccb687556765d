"""API URLs: transaction monitoring (reconciliation flags and monthly reports)."""

from django.urls import path

from api import monitoring

urlpatterns = [
    path("monitoring/flags/", monitoring.FlagList.as_view(), name="api_monitoring_flag_list"),
    path("monitoring/flags/<int:pk>/", monitoring.FlagDetail.as_view(), name="api_monitoring_flag_detail"),
    path("monitoring/reports/", monitoring.ReportList.as_view(), name="api_monitoring_report_list"),
    path("monitoring/reports/<int:pk>/", monitoring.ReportDetail.as_view(), name="api_monitoring_report_detail"),
]
