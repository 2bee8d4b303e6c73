"""`python manage.py snapshot --from DATE --to DATE` (DESIGN.md "Command line")."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.arguments import day_argument
from metrics.services.pipeline import SnapshotRangeError, snapshot_compute


class Command(BaseCommand):
    help = "Compute every snapshot (account MRR, usage, health, company/CSM/segment KPIs) for the days in a range."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = day_argument(options["start"]), day_argument(options["end"])
        began = time.monotonic()
        try:
            plan = snapshot_compute(start=start, end=end)
        except SnapshotRangeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Computed {start} … {end}: {plan.days} days of account snapshots, "
            f"{plan.months} months of KPIs in {time.monotonic() - began:.1f} s."
        )
