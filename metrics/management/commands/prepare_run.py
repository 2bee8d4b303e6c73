"""What `make run` does between `migrate` and `runserver` (DESIGN.md "Command line"): the demo company on an
empty database, the snapshots missing up to yesterday, and a login per role, printed once."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.demo.services import DEMO_PASSWORD, DemoSeedError, demo_default_end, demo_logins, demo_seed
from accounts.models import Account, Role, User
from metrics.services.pipeline import missing_days, snapshot_compute

DEMO_ACCOUNTS = 500


def runs_of_days(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs: [1, 2, 3, 7, 8] → [(1, 3), (7, 8)]."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


class Command(BaseCommand):
    help = "Seed the demo company into an empty database, compute the snapshots missing up to yesterday, print logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if not Account.objects.exists() and not User.objects.exists():
            self.stdout.write(f"Empty database: loading the demo company ({DEMO_ACCOUNTS} accounts)…")
            try:
                result = demo_seed(accounts=DEMO_ACCOUNTS, seed=1, end=demo_default_end(), usage_days=None)
            except DemoSeedError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"  imported in {result.generate_seconds + result.import_seconds:.1f} s.")

        yesterday = timezone.localdate() - timedelta(days=1)
        missing = missing_days(until=yesterday)
        if missing:
            began = time.monotonic()
            self.stdout.write(f"Computing snapshots for {len(missing)} days up to {yesterday}…")
            for first, last in runs_of_days(missing):
                snapshot_compute(start=first, end=last)
            self.stdout.write(f"  done in {time.monotonic() - began:.1f} s.")
        else:
            self.stdout.write(f"Snapshots are up to date (through {yesterday}).")

        self.stdout.write("")
        self.stdout.write("Keel is starting on http://127.0.0.1:8000")
        logins = demo_logins()
        if logins:
            self.stdout.write(f'Log in as (password "{DEMO_PASSWORD}"):')
            for role, email in logins:
                self.stdout.write(f"  {role:<6} {email}")
        elif not User.objects.filter(role=Role.ADMIN, is_active=True).exists():
            self.stdout.write("No admin yet: create one with `.venv/bin/python manage.py createsuperuser`.")
