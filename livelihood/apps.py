from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivelihoodConfig(AppConfig):
    name = "livelihood"
    verbose_name = _("Businesses, KUBE and entrepreneurship referrals")

    def ready(self):
        from core.extensions import register_day_section, register_household_panel
        from livelihood import panels

        register_household_panel("livelihood", "livelihood/_household_panel.html", panels.household_panel, order=40)
        register_day_section("livelihood_missing_entries", "livelihood/_day_missing_entries.html",
                             panels.day_missing_entries, order=60)
