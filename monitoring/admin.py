"""Administrator screens of transaction monitoring: the thresholds (one row, edited here), and read-only
lists of the bank's rows, the flags and the monthly reports, scoped through org.access like every page.
Bank rows come only from imports, flags only from reconciliation, reports only from a build."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, SettingsAdmin
from monitoring.flags import visible_events, visible_flags
from monitoring.models import BankEvent, Flag, MonitoringSettings, MonthlyReport
from org import access


@admin.register(MonitoringSettings)
class MonitoringSettingsAdmin(SettingsAdmin):
    list_display = ("__str__", "dormant_days", "dormant_buckets", "cluster_min_households", "cluster_window_minutes")


@admin.register(BankEvent)
class BankEventAdmin(ReadOnlyAdmin):
    list_display = ("bank", "ref", "id_kpm", "year", "stage", "kind", "occurred_on", "amount", "match", "city_code")
    list_filter = ("kind", "match", "bank", "year", "stage")
    search_fields = ("=ref", "=id_kpm")
    date_hierarchy = "occurred_on"
    # The KKS number and the balance are specific personal data: not in lists.
    exclude = ("kks_number", "balance")

    def get_queryset(self, request):
        return visible_events(request.user).select_related("household", "job")


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("code", "id_kpm", "year", "stage", "occurred_on", "expected", "credited", "facilitator",
                    "city_code", "computed_at")
    list_filter = ("code", "year", "stage")
    search_fields = ("=id_kpm",)
    list_select_related = ("facilitator",)

    def get_queryset(self, request):
        return visible_flags(request.user).select_related("facilitator", "household", "event")


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    list_display = ("city", "month", "version", "generated_at", "generated_by", "checksum")
    list_filter = ("month",)
    list_select_related = ("city", "generated_by")
    exclude = ("content",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(city__in=access.visible_cities(request.user))
