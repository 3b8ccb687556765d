"""API: visits. The detail is checked per role with a visit of each world household; what the list holds per
role is tested in tests/api/test_visits_api.py."""

from datetime import timedelta

from django.utils import timezone


def _visit(world, household):
    from casework.models import HomeVisit

    if household.facilitator_id is None:
        return None
    return HomeVisit.objects.create(household=household, facilitator=household.facilitator, purpose="data",
                                    met="pengurus", visited_at=timezone.now() - timedelta(hours=1))


OBJECT_URLS = {
    "api_visit_detail": ("get", "read", _visit),
}
PAGE_URLS = {
    "api_visit_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}
