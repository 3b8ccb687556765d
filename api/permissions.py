"""Who may call the API: the same rules as the pages (org.access). Reading needs a role; writing needs a role
that writes (auditors only read: 403). Which objects a user sees is decided by the querysets, which always
come from org.access (out of scope: 404)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from org import access


class RoleAccess(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active and (user.role or user.is_superuser)):
            return False
        return request.method in SAFE_METHODS or access.can_write(user)


class CaseloadManagement(BasePermission):
    """Assignments and registry changes: coordinators and administrators."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or access.can_manage_caseloads(request.user)
