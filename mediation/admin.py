"""Administrator screens of mediation: the category rules (editable) and the cases (read-only, scoped,
child-protection details hidden: see org.access.can_see_case_details)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from beneficiaries.admin import ScopedAdmin
from mediation.models import Case, CategoryRule
from org import access


@admin.register(CategoryRule)
class CategoryRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "default_due_days")
    list_editable = ("default_due_days",)

    def has_delete_permission(self, request, obj=None):
        return False  # every category keeps its rule; change the days instead


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    """Cases change only through the case pages (timeline and audit); here they are read."""

    list_display = ("__str__", "household", "category", "listed_title", "status", "opened_at", "due_date", "finished_at")
    list_filter = ("status", "category")
    # No search on the title: it would find child-protection cases by their hidden details.
    search_fields = ("household__id_kpm",)
    list_select_related = ("household",)
    date_hierarchy = "opened_at"
    show_full_result_count = False
    ALWAYS_SHOWN = ("household", "category", "status", "opened_at", "opened_by", "due_date", "finished_at", "source",
                    "source_ref", "updated_at")
    DETAILS = ("member", "kks_reason", "title", "description", "outcome")

    @admin.display(description=_("title"))
    def listed_title(self, case):
        return case.title if access.can_see_case_details(None, case, listing=True) else _("Child protection case")

    def get_fields(self, request, obj=None):
        if obj is not None and not access.can_see_case_details(request.user, obj):
            return self.ALWAYS_SHOWN
        return self.ALWAYS_SHOWN + self.DETAILS

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
