"""The snapshot pipeline on seed_demo data (DESIGN.md: one nightly day for 100k accounts ≤ 20 s, a 36-month
backfill for 10k accounts ≤ 60 s, 2× data ⇒ ≤ 2.2× time)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import connection

from accounts.demo.services import demo_seed
from accounts.models import ChangedUsageDay
from metrics.services.pipeline import snapshot_compute
from metrics.services.rollups import usage_rollups_refresh
from tests.bench.databases import dataset, settle
from tests.bench.timing import Measured, measure

Row = tuple[str, str, str]


def _months_back(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


def seeded(*, accounts: int, usage_days: int | None, end: date, fresh: bool) -> tuple[str, Measured | None]:
    """The database of a seed_demo dataset, with its rollups built; the rollup timing when built now."""
    name = f"keel_bench_{accounts}" + (f"_u{usage_days}" if usage_days else "")
    recipe = {"accounts": accounts, "usage_days": usage_days, "end": end.isoformat(), "seed": 1}
    built: list[Measured] = []

    def build() -> None:
        demo_seed(accounts=accounts, seed=1, end=end, usage_days=usage_days, force=True)
        with measure() as rollups:
            usage_rollups_refresh()
        built.append(rollups)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    dataset(name, recipe, build, fresh=fresh)
    return name, built[0] if built else None


def _slowest(measured: Measured) -> str:
    head = " ".join(measured.slowest.sql.split())[:80]
    return f"slowest statement {measured.slowest.seconds:.1f} s: {head}…"


def _steps(measured: Measured, most: int = 5) -> str:
    """The .sql files that took longest, statement seconds summed over the parallel jobs."""
    ranked = sorted(measured.by_file.items(), key=lambda item: -item[1])[:most]
    return " · ".join(f"{name} {seconds:.1f} s" for name, seconds in ranked)


def _health_share(measured: Measured, *, label: str) -> Row:
    """The health scores' part of a run: seconds of their statements (health_inputs_*.sql, health_scores.sql)
    against those of all the pipeline's .sql files, summed over the parallel jobs."""
    health, total = measured.files_seconds("health_"), sum(measured.by_file.values())
    share = health / total if total else 0.0
    return (
        f"health scores inside the {label}",
        f"{measured.seconds * share:.1f} s",
        f"{share:.0%} of the run's SQL time ({health:.1f} of {total:.1f} s over {settings.KEEL_PIPELINE_JOBS} jobs)",
    )


def nightly(*, end: date) -> Measured:
    """Yesterday's run: its events are new (stale), everything for the day and its month is recomputed."""
    ChangedUsageDay.objects.update_or_create(day=end)
    with measure() as measured:
        snapshot_compute(start=end, end=end, today=end + timedelta(days=1))
    return measured


NIGHTLY_RUNS = 3


def nightly_median(*, end: date) -> Measured:
    """The nightly run of `end` NIGHTLY_RUNS times (each gives the same rows), after the database settled from
    what the bench wrote before it (`settle`): the run of median time."""
    settle()
    runs = sorted((nightly(end=end) for _ in range(NIGHTLY_RUNS)), key=lambda measured: measured.seconds)
    return runs[len(runs) // 2]


def backfill(*, end: date, months: int) -> Measured:
    """From scratch: the snapshots of earlier bench runs go first (recomputing would also delete them)."""
    start = _months_back(end, months - 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE metrics_accountday, metrics_monthlykpi, metrics_computedday, metrics_accountcurrent, "
            "metrics_snapshotjob"
        )
    with measure() as measured:
        snapshot_compute(start=start, end=end, today=end + timedelta(days=1))
    return measured


def bench_pipeline(*, end: date, full: bool, fresh: bool) -> list[Row]:
    rows: list[Row] = []
    sizes = [(5_000, None), (10_000, None)] + ([(100_000, 120)] if full else [])
    backfills: dict[int, float] = {}
    for accounts, usage_days in sizes:
        label = f"{accounts:,} accounts" + (f", {usage_days} days of usage" if usage_days else "")
        _, rollups = seeded(accounts=accounts, usage_days=usage_days, end=end, fresh=fresh)
        if rollups is not None:
            rows.append(
                (f"rollups of all history ({label})", f"{rollups.seconds:.1f} s", "once after the import")
            )
        if usage_days is None:
            measured = backfill(end=end, months=36)
            backfills[accounts] = measured.seconds
            rows.append((f"backfill 36 months ({label})", f"{measured.seconds:.1f} s", _slowest(measured)))
            rows.append((f"backfill 36 months ({label}), slowest steps", "", _steps(measured)))
        else:
            backfill(end=end, months=2)  # the days before the nightly one, as the nightly run finds them
        measured = nightly_median(end=end)
        rows.append((f"nightly day ({label})", f"{measured.seconds:.1f} s", _slowest(measured)))
        rows.append(_health_share(measured, label=f"nightly day ({label})"))
        rows.append((f"nightly day ({label}), slowest steps", "", _steps(measured)))
    if 5_000 in backfills and 10_000 in backfills:
        ratio = backfills[10_000] / backfills[5_000]
        rows.append(("backfill time, 10k ÷ 5k accounts", f"{ratio:.2f}×", "linear: ≤ 2.2×"))
    return rows
