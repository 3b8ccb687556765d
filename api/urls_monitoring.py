"""API URLs: monitoring."""

urlpatterns: list = []
