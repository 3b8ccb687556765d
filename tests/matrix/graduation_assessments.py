"""Graduation URLs of the assessments: the household's graduation page, recording and reading an
assessment, the candidate lists."""

from datetime import date


def _assessment(world, household):
    from graduation.models import Assessment

    return Assessment.objects.create(
        household=household, number=household.assessments.count() + 1, assessed_on=date(2026, 3, 1),
        assessor=world.admin, household_size=4, income_work=3_000_000, work_stability="daily", floor="wood",
        walls="brick", roof="zinc", toilet="own", water="piped", jkn="all")


HOUSEHOLD_URLS = {
    "graduation_household": ("get", "read"),
    "graduation_assessment_create": ("get", "write"),
}

OBJECT_URLS = {
    "graduation_assessment_detail": ("get", "read", _assessment),
}

PAGE_URLS = {
    "graduation_candidates": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}
