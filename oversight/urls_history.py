"""Oversight URLs: history."""

urlpatterns: list = []
