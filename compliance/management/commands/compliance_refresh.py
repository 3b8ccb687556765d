"""Recompute the stored commitment results of a period, e.g. nightly from cron or Celery beat:

    python manage.py compliance_refresh --user koordinator --period 2026-Q4 [--city 31.75]

The results are recomputed as that user (their scope decides which families), and suspension
proposals and mediation cases are opened in their name.
"""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from compliance import services
from compliance.periods import Period
from org.models import User


class Command(BaseCommand):
    help = "Recompute the commitment-verification results of a period."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username of a coordinator or administrator")
        parser.add_argument("--period", help="e.g. 2026-Q4 (default: the current period)")
        parser.add_argument("--city", default="", help="regency/city code, e.g. 31.75 (default: every city the user sees)")

    def handle(self, *args, user, period, city, **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {user!r}")
        chosen = Period.parse(period) if period else Period.of(timezone.localdate())
        if chosen is None:
            raise CommandError("the period looks like 2026-Q4")
        try:
            result = services.results_refresh(actor=actor, period=chosen, city_code=city)
        except PermissionDenied:
            raise CommandError(f"{user} may not recompute results (coordinators and administrators may)") from None
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in result.items()))
