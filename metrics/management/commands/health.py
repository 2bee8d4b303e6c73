"""`python manage.py health --on DATE --format json|table` (DESIGN.md "Command line")."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.arguments import day_argument
from health.models import COMPONENTS
from metrics.selectors.scores import health_score_fields, health_scores_on


class Command(BaseCommand):
    help = "Per-account health on a day: score, status, components and the at-risk flag."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", dest="day", required=True, help="YYYY-MM-DD")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        day = day_argument(options["day"])
        rows = [health_score_fields(score) for score in health_scores_on(day=day)]
        if not rows:
            raise CommandError(
                f"No health scores on {day}: compute it with `python manage.py snapshot --from {day} --to {day}` "
                "(daily scores are kept KEEL_DAILY_RETENTION_DAYS days, month-ends forever)."
            )
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=1))
            return
        header = ["account", "score", "status", "at risk", *COMPONENTS]
        lines = [header]
        for row in rows:
            components = [
                ("–" if row["components"][c] is None else f"{row['components'][c]:.1f}") for c in COMPONENTS
            ]
            lines.append(
                [
                    row["account_id"],
                    f"{row['score']:.1f}",
                    row["status"],
                    "yes" if row["at_risk"] else "",
                    *components,
                ]
            )
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        for line in lines:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
