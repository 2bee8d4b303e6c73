"""`python manage.py import_bundle PATH [--dry-run]` (DESIGN.md "Command line", DATA.md §1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.importers import bundle_import


class Command(BaseCommand):
    help = (
        "Import a CSV bundle: a folder or a .zip of team.csv, accounts.csv, contacts.csv, subscriptions.csv, "
        "tickets.csv, usage.csv, spend.csv, responses.csv. Prints a line per bad row (file:line: column: "
        "reason) and exits with status 1 when the bundle is rejected; nothing is imported then."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="folder, .zip, or a single bundle .csv")
        parser.add_argument(
            "--dry-run", action="store_true", help="check everything and count, but save nothing"
        )

    def handle(self, *args: Any, path: Path, dry_run: bool, **options: Any) -> None:
        result = bundle_import(path=path, dry_run=dry_run)
        for line in result.report_lines():
            self.stdout.write(line)
        if not result.ok:
            raise CommandError(f"{path}: the bundle was rejected ({len(result.errors)} problems listed)")
