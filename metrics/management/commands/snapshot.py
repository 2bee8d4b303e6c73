"""`python manage.py snapshot --from DATE --to DATE` (DESIGN.md "Command line")."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from metrics.services.pipeline import SnapshotRangeError, snapshot_compute


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Compute every snapshot (account MRR, usage, health, company/CSM/segment KPIs) for the days in a range."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = parse_day(options["start"]), parse_day(options["end"])
        began = time.monotonic()
        try:
            plan = snapshot_compute(start=start, end=end)
        except SnapshotRangeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Computed {start} … {end}: {len(plan.days)} days of account snapshots, "
            f"{len(plan.months)} months of KPIs in {time.monotonic() - began:.1f} s."
        )
