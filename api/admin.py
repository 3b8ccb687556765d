"""API tokens in the admin: listed read-only (the key's hash is never shown), revoked with an action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api import tokens
from api.models import ApiToken
from core.admin import ReadOnlyAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user", "created_by")
    fields = ("user", "name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at", "revoked_by")
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            tokens.token_revoke(actor=request.user, token=token)
            revoked += 1
        self.message_user(request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
                          % {"count": revoked}, messages.SUCCESS)
