from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Commitment verification")

    def ready(self):
        from compliance import panels, tasks  # noqa: F401 - tasks registers its job kind
        from core.extensions import register_day_section, register_household_panel

        register_household_panel("compliance", "compliance/_household_panel.html", panels.household_panel, order=30)
        register_day_section("compliance", "compliance/_day_section.html", panels.day_section, order=40)
