"""`python manage.py seed_demo`: the demo company, written as a CSV bundle and imported (DESIGN.md "Command line")."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.demo.services import (
    DEMO_PASSWORD,
    DemoImportRejected,
    DemoSeedError,
    demo_default_end,
    demo_logins,
    demo_seed,
)
from accounts.months import day_from_text


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return number


def _day(value: str) -> date:
    try:
        return day_from_text(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} {error}") from None


class Command(BaseCommand):
    help = (
        "Load a realistic demo company (team, accounts, three years of history) through the bundle importer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=_positive, default=500, help="customer accounts (default 500)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--end", type=_day, default=None, help="last day of history, YYYY-MM-DD (default: yesterday)"
        )
        parser.add_argument(
            "--usage-days",
            type=_positive,
            default=None,
            help="only the usage of the last D days (default: all)",
        )
        parser.add_argument("--bundle-dir", type=Path, default=None, help="write (and keep) the bundle here")
        parser.add_argument("--bundle-only", action="store_true", help="write the bundle, import nothing")
        parser.add_argument("--force", action="store_true", help="seed even when the database has accounts")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["bundle_only"] and options["bundle_dir"] is None:
            raise CommandError("--bundle-only needs --bundle-dir: where to keep the bundle.")
        end = options["end"] or demo_default_end()
        try:
            result = demo_seed(
                accounts=options["accounts"],
                seed=options["seed"],
                end=end,
                usage_days=options["usage_days"],
                bundle_dir=options["bundle_dir"],
                bundle_only=options["bundle_only"],
                force=options["force"],
            )
        except DemoImportRejected as error:
            for line in error.lines:
                self.stderr.write(line)
            raise CommandError("The importer rejected the demo bundle; nothing was imported.") from None
        except DemoSeedError as error:
            raise CommandError(str(error)) from None

        bundle = result.bundle
        self.stdout.write(
            f"Demo company: {options['accounts']} accounts, history {bundle.start} … {bundle.end} "
            f"(seed {options['seed']}); bundle written in {result.generate_seconds:.1f} s"
            + (f" to {bundle.path}" if options["bundle_dir"] else "")
        )
        for name, rows in bundle.rows.items():
            self.stdout.write(f"  {name:<18} {rows:>12,} rows")
        if not result.imported:
            return
        for line in result.report:
            self.stdout.write(line)
        self.stdout.write(f"Imported in {result.import_seconds:.1f} s.")
        self.stdout.write(self.style.SUCCESS(f'Log in with the password "{DEMO_PASSWORD}":'))
        for role, email in demo_logins():
            self.stdout.write(f"  {role:<6} {email}")
