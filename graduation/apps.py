from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GraduationConfig(AppConfig):
    name = "graduation"
    verbose_name = _("Graduation")

    def ready(self):
        from core.extensions import register_city_card, register_day_section, register_household_panel
        from graduation import followups, panels, proposals

        register_household_panel("graduation", "graduation/_household_panel.html", panels.household_panel, order=50)
        register_household_panel("graduation_workflow", "graduation/_workflow_panel.html", proposals.workflow_panel,
                                 order=55)
        register_day_section("graduation_candidates", "graduation/_day_candidates.html", panels.day_candidates, order=70)
        register_day_section("graduation_followups", "graduation/_day_followups.html", followups.day_follow_ups,
                             order=75)
        register_city_card("graduation_pending", "graduation/_city_card.html", proposals.city_card, order=20)
