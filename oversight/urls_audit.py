"""Oversight URLs: audit."""

urlpatterns: list = []
