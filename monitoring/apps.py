from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Transaction monitoring")

    def ready(self):
        from core.extensions import register_day_section, register_household_panel
        from monitoring import panels

        register_household_panel("monitoring", "monitoring/_household_panel.html", panels.household_panel, order=45)
        register_day_section("monitoring_flags", "monitoring/_day_flags.html", panels.day_flags, order=65)
