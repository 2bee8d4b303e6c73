"""`python manage.py erase_account EXTERNAL_ID` (README "Erasure"): erase an account with everything Keel holds
of it, then recompute the snapshots of the days it was in, in this process."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Account
from metrics.services.erasure import ERASURE_REASON, Erasure, account_erase
from metrics.services.pipeline import snapshot_compute


def recompute(command: BaseCommand, erasure: Erasure, *, took: float) -> None:
    """The days the erasure changed, computed again here (the pages' erasures queue them instead)."""
    command.stdout.write(f"{erasure.describe()} ({took:.1f} s)")
    if erasure.start is not None and erasure.end is not None:
        began = time.monotonic()
        plan = snapshot_compute(start=erasure.start, end=erasure.end, reason=ERASURE_REASON)
        command.stdout.write(
            f"Recomputed {plan.days} days and {plan.months} months of snapshots in {time.monotonic() - began:.1f} s."
        )


class Command(BaseCommand):
    help = (
        "Erase an account (GDPR) and everything that belongs to it, then recompute the snapshots it was in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("external_id", metavar="EXTERNAL_ID", help="the account's id in the bundle")

    def handle(self, *args: Any, **options: Any) -> None:
        account = Account.objects.filter(external_id=options["external_id"]).first()
        if account is None:
            raise CommandError(f"No account has the external id {options['external_id']!r}.")
        began = time.monotonic()
        try:
            erasure = account_erase(account=account, by=None, recompute="caller")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        recompute(self, erasure, took=time.monotonic() - began)
