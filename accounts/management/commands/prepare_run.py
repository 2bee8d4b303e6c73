"""What `make run` does between `migrate` and `runserver` (DESIGN.md "Command line")."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.demo.services import DEMO_PASSWORD
from accounts.models import Account, Role, User
from metrics.services.pipeline import missing_days, snapshot_compute


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
            self.stdout.write("Empty database: loading the demo company (seed_demo, 500 accounts)…")
            call_command("seed_demo", stdout=self.stdout, stderr=self.stderr)

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
        logins = self._demo_logins()
        if logins:
            self.stdout.write("Log in as:")
            for role, email in logins:
                self.stdout.write(f"  {role:<6} {email}  password: {DEMO_PASSWORD}")
        elif not User.objects.filter(role=Role.ADMIN, is_active=True).exists():
            self.stdout.write("No admin yet: create one with `.venv/bin/python manage.py createsuperuser`.")

    @staticmethod
    def _demo_logins() -> list[tuple[str, str]]:
        """One active user per role that still has the demo password (checks one hash per role)."""
        logins = []
        for role in (Role.ADMIN, Role.VP, Role.CSM):
            user = User.objects.filter(role=role, is_active=True).order_by("email").first()
            if user is not None and user.check_password(DEMO_PASSWORD):
                logins.append((role.value, user.email))
        return logins
