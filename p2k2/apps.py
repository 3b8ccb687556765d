from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class P2k2Config(AppConfig):
    name = "p2k2"
    verbose_name = _("P2K2 family development sessions")

    def ready(self):
        # Household-page panels and day-page sections are registered here (core.extensions).
        pass
