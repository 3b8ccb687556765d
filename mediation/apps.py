from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("Mediation cases and referrals")

    def ready(self):
        from core.extensions import register_day_section, register_household_panel
        from mediation import panels

        register_household_panel("cases", "mediation/_household_panel.html", panels.household_panel, order=30)
        register_day_section("cases", "mediation/_day_cases.html", panels.day_cases, order=20)
