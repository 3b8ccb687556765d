"""Administrator screens of the activity audit: the thresholds (one row, edited here) and a read-only list
of the stored monthly rows, scoped through org.access like every page. Rows come only from a computation
(oversight.compute: the monthly Celery task or a refresh), never from a hand edit."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, SettingsAdmin
from org import access
from oversight.models import ActivitySettings, FacilitatorMonth


@admin.register(ActivitySettings)
class ActivitySettingsAdmin(SettingsAdmin):
    list_display = ("__str__", "active_min_visits", "active_min_visited_share_90", "inactive_max_activities",
                    "inactive_idle_days", "working_day_start", "working_day_end", "repeated_coordinate_households")


@admin.register(FacilitatorMonth)
class FacilitatorMonthAdmin(ReadOnlyAdmin):
    list_display = ("facilitator", "city", "month", "activity_class", "caseload", "visits", "households_visited",
                    "sessions_held", "cases_opened", "flags", "as_of", "computed_at")
    list_filter = ("activity_class", "month")
    list_select_related = ("facilitator", "city")
    search_fields = ("facilitator__username", "facilitator__first_name", "facilitator__last_name")
    date_hierarchy = "month"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(city__in=access.visible_cities(request.user))
