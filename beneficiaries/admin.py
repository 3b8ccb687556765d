"""Administrator screens of the registry. Household lists go through org.access like every page."""

from django.contrib import admin

from beneficiaries.models import (
    Assignment,
    BenefitYear,
    ComponentIndex,
    DisbursementStage,
    Household,
    HouseholdStatusChange,
    KKSCustody,
    Member,
)
from core.admin import AuditedAdminMixin
from org import access


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ("nik", "name", "sex", "birth_date", "relationship", "is_pengurus", "school", "pregnant",
              "expected_delivery_date", "severe_disability", "exit_reason", "exit_date")


class ScopedAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Lists only what the signed-in user may see (administrators: everything); every add, change and delete
    here is written to the audit trail (core.admin.AuditedAdminMixin)."""

    household_path = "household"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        visible = access.visible_households(request.user)
        if self.household_path == "":
            return queryset.filter(pk__in=visible.values("pk"))
        return queryset.filter(**{f"{self.household_path}__in": visible.values("pk")})


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    household_path = ""
    list_display = ("id_kpm", "kelurahan", "status", "facilitator", "bank", "kks_holder", "joined_year")
    list_filter = ("status", "bank", "kks_holder")
    search_fields = ("id_kpm", "members__name", "=members__nik", "=no_kk")
    raw_id_fields = ("kelurahan", "facilitator")
    list_select_related = ("kelurahan", "facilitator")
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = [MemberInline]
    show_full_result_count = False


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    list_display = ("name", "household", "sex", "birth_date", "relationship", "school", "exit_reason")
    search_fields = ("name", "=nik", "household__id_kpm")
    list_select_related = ("household",)
    raw_id_fields = ("household",)
    show_full_result_count = False


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    list_display = ("household", "facilitator", "start_date", "end_date", "assigned_by")
    list_select_related = ("household", "facilitator", "assigned_by")
    raw_id_fields = ("household", "facilitator", "assigned_by")


@admin.register(HouseholdStatusChange)
class StatusChangeAdmin(ScopedAdmin):
    list_display = ("household", "status", "effective_date", "changed_by")
    list_select_related = ("household", "changed_by")
    raw_id_fields = ("household", "changed_by")


@admin.register(KKSCustody)
class KKSCustodyAdmin(ScopedAdmin):
    list_display = ("household", "holder", "holder_name", "since", "recorded_by")
    list_filter = ("holder",)
    list_select_related = ("household", "recorded_by")
    raw_id_fields = ("household", "recorded_by")


class ComponentIndexInline(admin.TabularInline):
    model = ComponentIndex
    extra = 0


@admin.register(BenefitYear)
class BenefitYearAdmin(admin.ModelAdmin):
    list_display = ("year", "max_components", "elderly_min_age", "family_amount", "note")
    inlines = [ComponentIndexInline]


@admin.register(DisbursementStage)
class DisbursementStageAdmin(admin.ModelAdmin):
    list_display = ("year", "number", "first_month", "last_month")
    list_filter = ("year",)
