"""`python manage.py kpis --from YYYY-MM --to YYYY-MM [--by csm|segment] --format json|table`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.arguments import month_argument
from accounts.models import Role, User
from metrics.selectors import MonthsNotComputed, monthly_kpis


def table(rows: list[dict[str, Any]], group: str | None) -> str:
    """Fields down, months (and groups) across: the shape a person reads a KPI sheet in."""
    if not rows:
        return "(no rows)"
    headers = [row["month"] + (f" {row[group] or '(none)'}" if group else "") for row in rows]
    fields = [name for name in rows[0] if name not in ("month", "csm", "segment")]
    lines = [["field", *headers]]
    for name in fields:
        if name == "feature_adoption":
            events = sorted({event for row in rows for event in row[name]})
            lines.extend(
                [f"feature_adoption[{event}]", *(_cell(row[name].get(event)) for row in rows)]
                for event in events
            )
        else:
            lines.append([name, *(_cell(row[name]) for row in rows)])
    widths = [max(len(line[column]) for line in lines) for column in range(len(lines[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if index == 0 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in lines
    )


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


class Command(BaseCommand):
    help = "Monthly KPIs of METRICS.md from the snapshots, for the company or per CSM or segment."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first month, YYYY-MM")
        parser.add_argument("--to", dest="end", required=True, help="last month, YYYY-MM")
        parser.add_argument("--by", choices=["csm", "segment"], default=None)
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = month_argument(options["start"]), month_argument(options["end"])
        if start > end:
            raise CommandError(f"--from {options['start']} is after --to {options['end']}.")
        # The command line sees what an admin sees.
        reader = User(email="command-line@keel", role=Role.ADMIN)
        try:
            rows = monthly_kpis(user=reader, start=start, end=end, by=options["by"])
        except MonthsNotComputed as error:
            raise CommandError(str(error)) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=1, ensure_ascii=False))
        else:
            self.stdout.write(table(rows, options["by"]))
