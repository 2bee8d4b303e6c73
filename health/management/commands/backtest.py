"""`python manage.py backtest --from YYYY-MM --to YYYY-MM --format json` (METRICS.md "Backtest")."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.arguments import month_argument
from health.selectors import health_backtest, health_model_active


class Command(BaseCommand):
    help = "Backtest the active health model against churn: AUC and churn rate per status."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first month, YYYY-MM")
        parser.add_argument("--to", dest="end", required=True, help="last month, YYYY-MM")
        parser.add_argument("--format", choices=["json", "table"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        first, last = month_argument(options["start"]), month_argument(options["end"])
        if first > last:
            raise CommandError(f"--from {options['start']} is after --to {options['end']}.")
        result = health_backtest(first_month=first, last_month=last, model=health_model_active())
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.fields(), indent=1))
            return
        self.stdout.write(f"scored {result.scored} account-months, {result.churned} churned within 90 days")
        self.stdout.write(f"AUC {result.auc if result.auc is not None else '–'}")
        for status, rate in result.churn_rate_by_status.items():
            self.stdout.write(f"{status:7} churn rate {rate if rate is not None else '–'}")
