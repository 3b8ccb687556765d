"""Transaction-monitoring URLs: reports (see monitoring/urls.py)."""

urlpatterns: list = []
