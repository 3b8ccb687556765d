"""Administrator screens of livelihood. Business, entry, referral and KUBE lists go through org.access like
every page; the program catalogue (Jakpreneur, KUR, ...) is edited here."""

from django.contrib import admin

from core.admin import AuditedAdminMixin
from livelihood import selectors
from livelihood.models import Business, CreditProgram, CreditReferral, Kube, KubeMembership, MonthlyEntry, ReferralStep
from org import access


class ScopedLivelihoodAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Lists only what the signed-in user may see; only roles that may write change anything, and every change
    is written to the audit trail (core.admin.AuditedAdminMixin)."""

    # The livelihood selector of the rows this user sees, e.g. selectors.visible_businesses.
    visible = staticmethod(selectors.visible_businesses)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=self.visible(request.user).values("pk"))

    def has_add_permission(self, request, *args):
        return access.can_write(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return access.can_write(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return access.can_write(request.user) and super().has_delete_permission(request, obj)


@admin.register(CreditProgram)
class CreditProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "organiser", "min_months_running", "max_loan_amount", "interest_rate", "requires_training", "active")
    list_filter = ("active", "requires_training")
    search_fields = ("name", "organiser")


class MonthlyEntryInline(admin.TabularInline):
    model = MonthlyEntry
    extra = 0
    fields = ("month", "revenue", "expenses", "note", "recorded_by")
    raw_id_fields = ("recorded_by",)


@admin.register(Business)
class BusinessAdmin(ScopedLivelihoodAdmin):
    list_display = ("name", "kind", "household", "kube", "started_on", "stopped_on")
    list_filter = ("kind",)
    search_fields = ("name", "household__id_kpm", "kube__name")
    list_select_related = ("household", "kube")
    raw_id_fields = ("household", "kube", "created_by")
    inlines = [MonthlyEntryInline]
    show_full_result_count = False
    visible = staticmethod(selectors.visible_businesses)


@admin.register(MonthlyEntry)
class MonthlyEntryAdmin(ScopedLivelihoodAdmin):
    list_display = ("business", "month", "revenue", "expenses", "recorded_by")
    list_select_related = ("business", "recorded_by")
    raw_id_fields = ("business", "recorded_by")
    date_hierarchy = "month"
    show_full_result_count = False
    visible = staticmethod(selectors.visible_entries)


class ReferralStepInline(admin.TabularInline):
    model = ReferralStep
    extra = 0
    fields = ("status", "on", "loan_amount", "reason", "recorded_by")
    raw_id_fields = ("recorded_by",)


@admin.register(CreditReferral)
class CreditReferralAdmin(ScopedLivelihoodAdmin):
    list_display = ("business", "program", "status", "status_since", "referred_on", "loan_amount")
    list_filter = ("status", "program")
    list_select_related = ("business", "program")
    raw_id_fields = ("business", "created_by")
    inlines = [ReferralStepInline]
    show_full_result_count = False
    visible = staticmethod(selectors.visible_referrals)


class KubeMembershipInline(admin.TabularInline):
    model = KubeMembership
    extra = 0
    fields = ("household", "joined_on", "left_on")
    raw_id_fields = ("household",)


@admin.register(Kube)
class KubeAdmin(ScopedLivelihoodAdmin):
    list_display = ("name", "kelurahan", "facilitator", "chairperson", "formed_on")
    search_fields = ("name",)
    list_select_related = ("kelurahan", "facilitator", "chairperson")
    raw_id_fields = ("kelurahan", "facilitator", "chairperson")
    inlines = [KubeMembershipInline]
    visible = staticmethod(selectors.visible_kube)


@admin.register(KubeMembership)
class KubeMembershipAdmin(ScopedLivelihoodAdmin):
    list_display = ("household", "kube", "joined_on", "left_on")
    list_select_related = ("household", "kube")
    raw_id_fields = ("household", "kube")
    visible = staticmethod(selectors.visible_memberships)
