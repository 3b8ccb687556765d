"""Graduation URLs: proposals (see graduation/urls.py)."""

urlpatterns: list = []
