"""Administrator screens of P2K2. The catalogue, the times of day and the rules are edited here.

Groups, memberships, meetings and attendance are listed through org.access like every page and are
read-only here: their changes go through p2k2.services (validated and audited) on the P2K2 pages.
"""

from django.contrib import admin

from org import access
from p2k2.models import Attendance, Group, GroupMembership, Meeting, Module, ModuleSession, P2K2Settings, TimeBucket


class ModuleSessionInline(admin.TabularInline):
    model = ModuleSession
    extra = 1
    fields = ("number", "title", "title_en", "is_active")


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "title_en", "is_active")
    list_editable = ("is_active",)
    inlines = [ModuleSessionInline]


@admin.register(ModuleSession)
class ModuleSessionAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "module", "is_active")
    list_filter = ("module", "is_active")
    list_select_related = ("module",)
    search_fields = ("title", "title_en")


@admin.register(TimeBucket)
class TimeBucketAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_at")


@admin.register(P2K2Settings)
class P2K2SettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "edit_lock_days", "group_min_households", "group_max_households", "day_horizon_days")

    def has_add_permission(self, request):
        # One row of rules: P2K2Settings.current() reads the first.
        return not P2K2Settings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyScopedAdmin(admin.ModelAdmin):
    """Rows of the user's area only; no add, change or delete (those go through the audited services)."""

    facilitator_field = "facilitator"
    village_field = "kelurahan"
    household_path = ""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.household_path:
            return access.scoped(request.user, queryset, household_path=self.household_path)
        return access.scoped_by_area(request.user, queryset, facilitator_field=self.facilitator_field,
                                     village_field=self.village_field)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Group)
class GroupAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "kelurahan", "facilitator", "formed_on", "closed_on")
    list_filter = ("closed_on",)
    list_select_related = ("kelurahan", "facilitator")
    search_fields = ("name",)
    show_full_result_count = False


@admin.register(GroupMembership)
class GroupMembershipAdmin(ReadOnlyScopedAdmin):
    household_path = "household"
    list_display = ("household", "group", "joined_on", "left_on", "left_reason")
    list_select_related = ("household", "group")
    search_fields = ("household__id_kpm", "group__name")
    show_full_result_count = False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyScopedAdmin):
    facilitator_field = "group__facilitator"
    village_field = "group__kelurahan"
    list_display = ("group", "date", "start_time", "module_session", "status", "place")
    list_filter = ("status",)
    list_select_related = ("group", "module_session")
    date_hierarchy = "date"
    show_full_result_count = False


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyScopedAdmin):
    household_path = "household"
    list_display = ("meeting", "household", "status", "reason", "recorded_by")
    list_filter = ("status",)
    list_select_related = ("meeting__group", "household", "recorded_by")
    search_fields = ("household__id_kpm",)
    show_full_result_count = False
