"""Graduation URLs: screening (see graduation/urls.py)."""

urlpatterns: list = []
