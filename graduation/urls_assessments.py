"""Graduation URLs: assessments (see graduation/urls.py)."""

urlpatterns: list = []
