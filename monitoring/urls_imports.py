"""Transaction-monitoring URLs: bank-data imports (see monitoring/urls.py)."""

from django.urls import path

from monitoring.views import imports

urlpatterns = [
    path("imports/", imports.import_list, name="bank_import"),
    path("imports/sample.csv", imports.import_sample, name="bank_import_sample"),
]
