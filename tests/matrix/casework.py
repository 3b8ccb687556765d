"""Casework URLs: the day page and home visits."""

from datetime import timedelta

from django.utils import timezone

PAGE_URLS = {
    "today": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "visit_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "not_visited": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    # coordinators and admins are sent to the family list to pick a family; auditors cannot write
    "visit_create": {"facilitator": 200, "coordinator": 302, "auditor": 403, "admin": 302},
}

HOUSEHOLD_URLS = {
    "household_visits": ("get", "read"),
}


def _visit(world, household):
    from casework.models import HomeVisit

    return HomeVisit.objects.create(
        household=household, facilitator=household.facilitator or world.coordinator,
        visited_at=timezone.now() - timedelta(hours=1), purpose="data", met="pengurus",
    )


OBJECT_URLS = {
    "visit_detail": ("get", "read", _visit),
}
