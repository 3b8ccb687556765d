from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Home visits and the facilitator's day")

    def ready(self):
        # Household-page panels and day-page sections are registered here (core.extensions).
        pass
