"""`python manage.py export_bundle DIR` (README "Data"): the whole book of business as a CSV bundle (DATA.md §1)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.exporters import bundle_export


class Command(BaseCommand):
    help = "Write the whole book of business into DIR as a CSV bundle that import_bundle reads back."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory", metavar="DIR", type=Path, help="the folder to write (made if missing)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        began = time.monotonic()
        counts = bundle_export(directory=options["directory"])
        for name, rows in counts.items():
            self.stdout.write(f"{name}: {rows} rows")
        self.stdout.write(f"Exported {sum(counts.values())} rows in {time.monotonic() - began:.1f} s.")
