from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class P2k2Config(AppConfig):
    name = "p2k2"
    verbose_name = _("P2K2 family development sessions")

    def ready(self):
        from core.extensions import register_day_section, register_household_panel
        from p2k2 import selectors

        register_household_panel("p2k2", "p2k2/_household_panel.html", selectors.household_panel, order=40)
        register_day_section("p2k2", "p2k2/_day_section.html", selectors.day_section, order=40)
