"""Template context every page needs: the user's role for the navigation."""

from org import access


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_write": access.can_write(user),
        "nav_can_manage": access.can_manage_caseloads(user),
        "nav_can_view_city": access.can_view_city(user),
        "nav_is_admin": user.is_administrator,
    }
