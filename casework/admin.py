from django.contrib import admin

from beneficiaries.admin import ScopedAdmin
from casework.models import CaseworkSettings, HomeVisit


@admin.register(CaseworkSettings)
class CaseworkSettingsAdmin(admin.ModelAdmin):
    list_display = ("far_visit_metres", "late_entry_hours", "backdate_reason_days", "home_position_accuracy_metres",
                    "day_not_visited_days")

    def has_add_permission(self, request):
        return not CaseworkSettings.objects.exists()


@admin.register(HomeVisit)
class HomeVisitAdmin(ScopedAdmin):
    list_display = ("household", "facilitator", "visited_at", "purpose", "geo_status", "distance_m",
                    "flag_far", "flag_no_geotag", "flag_late")
    list_filter = ("purpose", "geo_status", "flag_far", "flag_no_geotag", "flag_late")
    search_fields = ("household__id_kpm", "facilitator__username")
    list_select_related = ("household", "facilitator")
    raw_id_fields = ("household", "facilitator")
    date_hierarchy = "visited_at"
    readonly_fields = [f.name for f in HomeVisit._meta.fields if f.name != "id"]

    def has_add_permission(self, request):
        return False  # visits are logged by facilitators, with their position and the server's time
