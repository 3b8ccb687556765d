from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Commitment verification")

    def ready(self):
        # Household-page panels and day-page sections are registered here (core.extensions).
        pass
