"""Transaction-monitoring URLs: flags (see monitoring/urls.py)."""

from django.urls import path

from monitoring.views import flags

urlpatterns = [
    path("flags/", flags.flag_list, name="monitoring_flag_list"),
    path("flags/<int:pk>/", flags.flag_detail, name="monitoring_flag_detail"),
    path("flags/<int:pk>/case/", flags.flag_case_open, name="monitoring_flag_case_open"),
]
