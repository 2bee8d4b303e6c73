"""`import_bundle` speed per file on a generated bundle (DESIGN.md: ≥ 100,000 rows/s, COPY or bulk)."""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import call_command

from accounts.demo.bundle import bundle_write
from accounts.importers import bundle_import
from tests.bench.databases import drop_database, use_database

BENCH_DB = "keel_bench_import"
# Each file imported on its own, references first, so that every file's rate is its own.
ORDER = ("team", "accounts", "contacts", "subscriptions", "tickets", "responses", "spend", "usage")

Row = tuple[str, str, str]


def bench_import(*, accounts: int, end: date) -> list[Row]:
    """Rows of (measure, value, note) for a demo bundle of `accounts` accounts (≈ 2,000 usage rows each)."""
    rows: list[Row] = []
    with TemporaryDirectory(prefix="keel-bench-") as folder:
        bundle = Path(folder) / "bundle"
        began = time.perf_counter()
        bundle_write(
            directory=bundle,
            accounts=accounts,
            seed=7,
            end=end,
            usage_days=None,
            currency="USD",
            time_zone="UTC",
        )
        rows.append(
            ("generate demo bundle", f"{time.perf_counter() - began:.1f} s", f"{accounts:,} accounts")
        )
        drop_database(BENCH_DB)
        use_database(BENCH_DB)
        call_command("migrate", verbosity=0)

        total_rows, total_seconds = 0, 0.0
        for name in ORDER:
            single = Path(folder) / name
            single.mkdir()
            shutil.copy(bundle / f"{name}.csv", single / f"{name}.csv")
            began = time.perf_counter()
            result = bundle_import(path=single, dry_run=False)
            seconds = time.perf_counter() - began
            assert result.ok, result.report_lines()
            count = sum(c.created + c.updated + c.unchanged for c in result.summary.values())
            total_rows, total_seconds = total_rows + count, total_seconds + seconds
            rows.append(
                (f"import {name}.csv", f"{count / seconds:,.0f} rows/s", f"{count:,} rows in {seconds:.2f} s")
            )
        rows.append(
            (
                "import all files",
                f"{total_rows / total_seconds:,.0f} rows/s",
                f"{total_rows:,} rows in {total_seconds:.1f} s",
            )
        )

        began = time.perf_counter()
        again = bundle_import(path=bundle, dry_run=False)
        assert again.ok
        rows.append(
            (
                "re-import whole bundle",
                f"{time.perf_counter() - began:.1f} s",
                "all unchanged: nothing written",
            )
        )
    drop_database(BENCH_DB)
    return rows
