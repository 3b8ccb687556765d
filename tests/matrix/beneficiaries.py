"""Registry and core URLs."""

HOUSEHOLD_URLS = {
    "household_detail": ("get", "read"),
    "household_identity": ("post", "read"),
    "household_edit": ("get", "write"),
    "member_create": ("get", "write"),
    "member_edit": ("get", "write"),
    "member_make_pengurus": ("post", "write"),
    "kks_custody_create": ("post", "write"),
    "household_status": ("post", "manage"),
}


def _first_member(household):
    return {"member_pk": household.members.order_by("pk").first().pk}


EXTRA_KWARGS = {"member_edit": _first_member, "member_make_pengurus": _first_member}

PAGE_URLS = {
    "home": {"facilitator": 302, "coordinator": 302, "auditor": 302, "admin": 302},
    "household_list": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
    "city_overview": {"facilitator": 403, "coordinator": 200, "auditor": 200, "admin": 200},
    "caseload_assign": {"facilitator": 403, "coordinator": 200, "auditor": 403, "admin": 200},
    "household_import": {"facilitator": 403, "coordinator": 200, "auditor": 403, "admin": 200},
    "household_import_sample": {"facilitator": 200, "coordinator": 200, "auditor": 200, "admin": 200},
}

# Authentication, language and health pages show no registry data; jobs are tested on their own.
NOT_SCOPED = {"login", "logout", "password_change", "password_change_done", "set_language", "health",
              "job_detail", "job_status", "job_report"}
