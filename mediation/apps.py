from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("Mediation cases and referrals")

    def ready(self):
        # Household-page panels and day-page sections are registered here (core.extensions).
        pass
