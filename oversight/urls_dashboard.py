"""Oversight URLs: the coordinator dashboard and rebalancing."""

urlpatterns: list = []
