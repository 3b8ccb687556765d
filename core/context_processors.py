"""Template context every page needs: the user's role and the navigation."""

from django.utils.translation import gettext_lazy as _

from org import access

# (app, URL name, label): the field-work sections, marked current on every page of their app.
CASEWORK_NAV = (
    ("casework", "visit_list", _("Visits")),
    ("p2k2", "p2k2_group_list", "P2K2"),
    ("mediation", "case_list", _("Cases")),
    ("livelihood", "livelihood_overview", _("Businesses")),
    ("compliance", "compliance_index", _("Commitments")),
    ("graduation", "graduation_candidates", _("Graduation")),
    ("monitoring", "monitoring_flag_list", _("Transactions")),
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    section = match.func.__module__.split(".")[0] if match else ""
    url_name = match.url_name if match else ""
    return {
        "nav_section": section,
        "nav_casework": [
            {"url_name": name, "label": label, "active": section == app and url_name != "today"}
            for app, name, label in CASEWORK_NAV
        ],
        "nav_can_write": access.can_write(user),
        "nav_can_manage": access.can_manage_caseloads(user),
        "nav_can_view_city": access.can_view_city(user),
        "nav_is_admin": user.is_administrator,
    }
