"""What `make run` does between `migrate` and `runserver` (DESIGN.md "Command line"): the demo company on an
empty database, the snapshots missing up to yesterday, and a login per role, printed once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

from accounts.demo.activity import demo_activity_seed
from accounts.demo.services import DEMO_PASSWORD, DemoSeedError, demo_default_end, demo_logins, demo_seed
from accounts.models import Account, Role, User
from health.services import health_model_recommended_activate, playbooks_default_create
from metrics.services.health_steps import health_alerts_step
from metrics.services.pipeline import missing_days, snapshot_compute

DEMO_ACCOUNTS = 500
DEMO_ALERT_DAYS = 14  # the days before today whose alerts and playbooks a new demo raises


def runs_of_days(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs: [1, 2, 3, 7, 8] → [(1, 3), (7, 8)]."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


@contextmanager
def mail_held(hold: bool) -> Iterator[list[int]]:
    """While `hold`, emails go to Django's in-memory outbox instead of EMAIL_URL; yields [how many] after."""
    held: list[int] = []
    if not hold:
        yield held
        return
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        yield held
        held.append(len(mail.outbox))
        mail.outbox = []


class Command(BaseCommand):
    help = "Seed the demo company into an empty database, compute the snapshots missing up to yesterday, print logins."

    def handle(self, *args: Any, **options: Any) -> None:
        seeded = False
        if not Account.objects.exists() and not User.objects.exists():
            self.stdout.write(f"Empty database: loading the demo company ({DEMO_ACCOUNTS} accounts)…")
            try:
                result = demo_seed(accounts=DEMO_ACCOUNTS, seed=1, end=demo_default_end(), usage_days=None)
            except DemoSeedError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"  imported in {result.generate_seconds + result.import_seconds:.1f} s.")
            seeded = True
            # The example playbooks, as if made when the demo's history began, so they fire for its last day.
            playbooks_default_create(made_at=timezone.now() - timedelta(days=365 * 3))
            # The demo scores with Keel's recommended model (revenue trend, onboarding rules); a real installation
            # starts on METRICS.md's default model and an admin activates the recommended one on the Health page.
            health_model_recommended_activate()
            logged = demo_activity_seed(seed=1, today=timezone.localdate())
            self.stdout.write(f"  {logged} calls, meetings, emails and notes on the CSMs' timelines.")

        yesterday = timezone.localdate() - timedelta(days=1)
        missing = missing_days(until=yesterday)
        if missing:
            began = time.monotonic()
            self.stdout.write(f"Computing snapshots for {len(missing)} days up to {yesterday}…")
            # The run that ends yesterday raises the day's alerts and playbook tasks, as the nightly run would; a
            # new demo raises those of its last DEMO_ALERT_DAYS days, so its CSMs find at-risk accounts and tasks
            # waiting. The demo's people are made up: their emails are held back instead of printed.
            with mail_held(seeded) as held:
                for first, last in runs_of_days(missing):
                    snapshot_compute(start=first, end=last, alerts=last == yesterday and not seeded)
                if seeded:  # as if the nightly run had run on each of the demo's last days
                    for back in range(DEMO_ALERT_DAYS - 1, -1, -1):
                        health_alerts_step(day=yesterday - timedelta(days=back))
            if held and held[0]:
                self.stdout.write(f"  {held[0]} alert emails to the demo's made-up people were not sent.")
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
