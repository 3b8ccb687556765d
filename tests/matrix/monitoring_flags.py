"""Transaction-monitoring URLs: reconciliation flags (the list, a flag, opening its case)."""


def _flag(world, household):
    """A flag of the household (in scope exactly when the household is)."""
    from monitoring.models import Flag

    return Flag.objects.create(code="TIDAK_SALUR", household=household, id_kpm=household.id_kpm,
                               city_code=household.city_code, facilitator=household.facilitator, year=2026, stage=2,
                               expected=600_000, credited=0, detail={"bank": "BRI", "credits_of_bank": 3,
                                                                     "expected": 600_000})


OBJECT_URLS = {
    "monitoring_flag_detail": ("get", "read", _flag),
    "monitoring_flag_case_open": ("post", "write", _flag),
}

PAGE_URLS = {
    "monitoring_flag_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}
