"""Transaction-monitoring URLs: imports (see monitoring/urls.py)."""

urlpatterns: list = []
