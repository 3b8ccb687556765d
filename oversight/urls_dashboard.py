"""Oversight URLs: the coordinator dashboard, the lists behind its backlog figures, and rebalancing."""

from django.urls import path

from oversight.views import dashboard as views

urlpatterns = [
    path("dashboard/", views.oversight_dashboard, name="oversight_dashboard"),
    path("dashboard/follow-ups/", views.dashboard_follow_ups, name="oversight_dashboard_follow_ups"),
    path("dashboard/not-visited/", views.dashboard_not_visited, name="oversight_dashboard_not_visited"),
    path("dashboard/rebalance/", views.oversight_rebalance, name="oversight_rebalance"),
]
