"""Transaction-monitoring URLs: flags (see monitoring/urls.py)."""

urlpatterns: list = []
