"""Oversight URLs: records."""

urlpatterns: list = []
