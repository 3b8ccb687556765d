"""Administrator screens of commitment verification. Household-linked lists go through org.access
like every page; records, results and proposals are read-only here because their services keep the
results, proposals and audit trail consistent."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from beneficiaries.admin import ScopedAdmin
from core.admin import AuditedAdminMixin
from compliance.models import CommitmentRecord, Facility, FacilityLink, HouseholdResult, SuspensionProposal, VerificationRules
from compliance.periods import Period
from org import access


@admin.register(VerificationRules)
class VerificationRulesAdmin(admin.ModelAdmin):
    list_display = ("valid_from", "min_attendance_percent", "min_antenatal_checkups", "min_antenatal_checkups_per_period",
                    "consecutive_periods_for_suspension", "note")


@admin.register(Facility)
class FacilityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "kelurahan", "npsn", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "=npsn")
    list_select_related = ("kelurahan",)
    raw_id_fields = ("kelurahan", "created_by")

    def get_queryset(self, request):
        return access.scoped_by_area(request.user, super().get_queryset(request), facilitator_field=None)


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.display(description=_("period"), ordering="period")
def period_label(obj):
    return Period.from_code(obj.period).key


@admin.register(FacilityLink)
class FacilityLinkAdmin(ReadOnlyScopedAdmin):
    household_path = "member__household"
    list_display = ("member", "commitment", "facility", "linked_by", "linked_at")
    list_filter = ("commitment",)
    list_select_related = ("member", "facility", "linked_by")
    search_fields = ("member__name", "facility__name")


@admin.register(CommitmentRecord)
class CommitmentRecordAdmin(ReadOnlyScopedAdmin):
    household_path = "member__household"
    list_display = ("member", period_label, "commitment", "facility", "attendance_percent", "checkups_in_period",
                    "checkups_total", "activity_done", "recorded_by", "recorded_at")
    list_filter = ("commitment", "period")
    list_select_related = ("member", "facility", "recorded_by")
    search_fields = ("member__name", "member__household__id_kpm")
    show_full_result_count = False


@admin.register(HouseholdResult)
class HouseholdResultAdmin(ReadOnlyScopedAdmin):
    list_display = ("household", period_label, "status", "members_to_verify", "members_recorded", "computed_at")
    list_filter = ("status", "period")
    list_select_related = ("household",)
    search_fields = ("household__id_kpm",)
    show_full_result_count = False


@admin.register(SuspensionProposal)
class SuspensionProposalAdmin(ReadOnlyScopedAdmin):
    list_display = ("household", "periods_label", "status", "case_id", "created_at", "decided_by", "decided_at")
    list_filter = ("status",)
    list_select_related = ("household", "decided_by")
    search_fields = ("household__id_kpm",)
