from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Home visits and the facilitator's day")

    def ready(self):
        from casework import panels
        from core.extensions import register_day_section, register_household_panel

        register_household_panel("visits", "casework/_household_panel.html", panels.household_panel, order=10)
        register_day_section("follow_ups", "casework/_day_follow_ups.html", panels.day_follow_ups, order=10)
        register_day_section("not_visited", "casework/_day_not_visited.html", panels.day_not_visited, order=90)
