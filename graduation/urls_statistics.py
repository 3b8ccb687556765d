"""Graduation URLs: statistics (see graduation/urls.py)."""

urlpatterns: list = []
