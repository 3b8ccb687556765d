from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivelihoodConfig(AppConfig):
    name = "livelihood"
    verbose_name = _("Businesses, KUBE and entrepreneurship referrals")

    def ready(self):
        # Household-page panels and day-page sections are registered here (core.extensions).
        pass
