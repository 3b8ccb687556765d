"""`manage.py seed_demo`: fill an empty database with the Jakarta Timur demo (see org.demo.seed and
org.demo.fieldwork)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from beneficiaries.models import Household
from org.demo import seed as demo


class Command(BaseCommand):
    help = ("Create demo regions, staff accounts, KPM households and their field work (visits, P2K2, cases, "
            "businesses, commitment verification) for Kota Jakarta Timur (deterministic per seed).")

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=5000, help="number of households (default 5000)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed; the same seed gives the same data")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any household exists")
        parser.add_argument("--allow-production", action="store_true",
                            help="seed even with DEBUG off (creates accounts with a published password)")

    def handle(self, *args, households, seed: int, if_empty: bool, allow_production: bool, **options):
        existing = Household.objects.count()
        if existing:
            if if_empty:
                self.stdout.write(f"The database already has {existing} households; demo data not seeded.")
                self.print_logins()
                return
            raise CommandError(f"The database already has {existing} households; seed_demo only fills an empty "
                               "registry (use --if-empty to skip quietly).")
        if households < 1:
            raise CommandError("--households must be at least 1.")
        if not settings.DEBUG and not allow_production:
            # The demo accounts share a password printed in the README: never by accident on a real server.
            raise CommandError("DEBUG is off: refusing to create demo accounts (pass --allow-production to insist).")

        started = time.monotonic()
        result = demo.seed_demo(households=households, seed=seed)
        elapsed = time.monotonic() - started
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(result.by_status.items()))
        self.stdout.write(self.style.SUCCESS(f"Demo data seeded in {elapsed:.1f} s (seed {seed})."))
        self.stdout.write(
            f"  regions: {result.regions_created} created, {result.regions_updated} renamed\n"
            f"  users: {result.users_created} created, {result.users_updated} updated\n"
            f"  households: {result.households} ({statuses}); {result.unassigned} without a facilitator\n"
            f"  members: {result.members}\n"
            f"  households per facilitator: {demo.caseload_summary(result.caseloads)}"
        )
        self.stdout.write(f"\nField work up to the reference date {demo.REFERENCE_DATE:%d %B %Y} "
                          "(P2K2 meetings scheduled 120 days beyond):")
        width = max((len(label) for label in result.fieldwork.counts), default=0)
        for label, count in result.fieldwork.counts.items():
            self.stdout.write(f"  {label:<{width}}  {count}")
        if result.fieldwork.patterns:
            self.stdout.write("\nPlanted patterns for supervision (see org/demo/fieldwork.py):")
            for key, username, text in result.fieldwork.patterns:
                self.stdout.write(f"  {username}  {key}: {text}")
        self.print_logins()

    def print_logins(self):
        rows = demo.login_rows()
        if not rows:
            return
        width = max(len(username) for username, _, _ in rows)
        role_width = max(len(role) for _, role, _ in rows)
        self.stdout.write(f"\nOpen {demo.URL} and sign in with password {demo.PASSWORD}:")
        for username, role, area in rows:
            self.stdout.write(f"  {username:<{width}}  {role:<{role_width}}  {area}")
