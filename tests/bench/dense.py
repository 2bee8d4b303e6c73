"""The event-dense bundle (issue 16): `import_bundle` per file, the rollups, a 36-month backfill and a nightly day
on a bundle shaped like a real product (default 20,000 accounts × 36 months at usage density 0.35, about 730
usage rows an account), each beside DuckDB computing the same figures from the same CSV files in this process.

The bundle's CSVs are generated once per (accounts, density) and kept under `.data/bench/` (they take minutes to
write at 20,000 accounts); each size has its bench database `keel_bench_dense_<accounts>_d<density>`, built by
importing those files one by one, which is when the import is timed (`--fresh` rebuilds both, so that the import
is measured again). Half the accounts are built and backfilled too, for the 2× accounts ≤ 2.2× time bar.

What DuckDB computes, so that the ratio compares like with like:
- import: `read_csv` of each file with its columns typed (timestamps with their offset), into a DuckDB table:
  parsing and typing every row, not Keel's checks across files nor its unique keys;
- nightly day: for the day, every account's MRR from the spans active on it (amount ÷ 1, 3 or 12 by interval)
  and its usage: events (Σ count) and distinct active users on the day and over the 30 days ending on it;
- backfill: the same figures for every account and every day of the 36 months (one GROUP BY over the events
  by account and day, trailing 30-day window sums, and the spans joined to the days), counted, not stored.
Keel's nightly day and backfill also score health, roll months up and store every row: the ratio says how far
the whole pipeline is from a bare query over the files.
"""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from accounts.demo.bundle import bundle_write
from accounts.importers import bundle_import
from metrics.services.rollups import usage_rollups_refresh
from tests.bench.databases import dataset
from tests.bench.pipeline import NIGHTLY_RUNS, _slowest, _steps, backfill, nightly_median

Row = tuple[str, str, str]
ORDER = ("team", "accounts", "contacts", "subscriptions", "tickets", "responses", "spend", "usage")
CACHE = Path(settings.BASE_DIR) / ".data" / "bench"
SEED = 7

_TYPES: dict[str, dict[str, str]] = {
    "team": {"email": "VARCHAR", "name": "VARCHAR", "role": "VARCHAR"},
    "accounts": {
        "id": "VARCHAR",
        "name": "VARCHAR",
        "segment": "VARCHAR",
        "csm_email": "VARCHAR",
        "created_on": "DATE",
        "seats": "INTEGER",
    },
    "contacts": {
        "id": "VARCHAR",
        "account_id": "VARCHAR",
        "email": "VARCHAR",
        "name": "VARCHAR",
        "title": "VARCHAR",
    },
    "subscriptions": {
        "subscription_id": "VARCHAR",
        "account_id": "VARCHAR",
        "plan": "VARCHAR",
        "interval": "VARCHAR",
        "amount": "DECIMAL(18,4)",
        "currency": "VARCHAR",
        "starts_on": "DATE",
        "ends_on": "DATE",
    },
    "tickets": {
        "id": "VARCHAR",
        "account_id": "VARCHAR",
        "subject": "VARCHAR",
        "priority": "VARCHAR",
        "status": "VARCHAR",
        "created_at": "TIMESTAMPTZ",
        "first_response_at": "TIMESTAMPTZ",
        "resolved_at": "TIMESTAMPTZ",
        "replies": "INTEGER",
    },
    "usage": {
        "account_id": "VARCHAR",
        "user_id": "VARCHAR",
        "event": "VARCHAR",
        "occurred_at": "TIMESTAMPTZ",
        "count": "INTEGER",
    },
    "responses": {
        "id": "VARCHAR",
        "kind": "VARCHAR",
        "score": "INTEGER",
        "responded_at": "TIMESTAMPTZ",
        "contact_id": "VARCHAR",
        "account_id": "VARCHAR",
        "comment": "VARCHAR",
    },
    "spend": {"month": "VARCHAR", "amount": "DECIMAL(18,4)"},
}


def _bundle(accounts: int, density: float, end: date, *, fresh: bool) -> Path:
    """The cached CSVs of the dense bundle (written now when missing or `fresh`)."""
    folder = CACHE / f"dense-{accounts}-d{density:g}-{end.isoformat()}"
    done = folder / ".complete"
    if fresh and folder.exists():
        shutil.rmtree(folder)
    if not done.exists():
        bundle_write(
            directory=folder,
            accounts=accounts,
            seed=SEED,
            end=end,
            usage_days=None,
            currency=settings.KEEL_CURRENCY,
            time_zone=settings.KEEL_TIMEZONE,
            usage_density=density,
        )
        done.touch()
    return folder


def _import_files(bundle: Path, rates: dict[str, tuple[int, float]]) -> None:
    """Import the bundle file by file (each its own bundle, references first), noting rows and seconds."""
    for name in ORDER:
        single = bundle.parent / f"{bundle.name}-{name}"
        shutil.rmtree(single, ignore_errors=True)
        single.mkdir()
        (single / f"{name}.csv").symlink_to(bundle / f"{name}.csv")
        began = time.perf_counter()
        result = bundle_import(path=single, dry_run=False)
        seconds = time.perf_counter() - began
        shutil.rmtree(single)
        assert result.ok, result.report_lines()[:20]
        rows = sum(c.created + c.updated + c.unchanged for c in result.summary.values())
        rates[name] = (rows, seconds)


def _duckdb() -> Any:
    import duckdb

    db = duckdb.connect()
    db.execute(f"SET TimeZone = '{settings.KEEL_TIMEZONE}'")
    return db


def _duck_read(db: Any, bundle: Path, name: str) -> tuple[int, float]:
    columns = ", ".join(f"'{column}': '{kind}'" for column, kind in _TYPES[name].items())
    began = time.perf_counter()
    db.execute(
        f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_csv('{bundle / (name + '.csv')}', header = true, "
        f"columns = {{{columns}}})"
    )
    seconds = time.perf_counter() - began
    (rows,) = db.execute(f"SELECT count(*) FROM {name}").fetchone()
    return rows, seconds


def _spans(bundle: Path) -> str:
    return f"""read_csv('{bundle / "subscriptions.csv"}', header = true,
                        columns = {{'subscription_id': 'VARCHAR', 'account_id': 'VARCHAR', 'plan': 'VARCHAR',
                                   'interval': 'VARCHAR', 'amount': 'DECIMAL(18,4)', 'currency': 'VARCHAR',
                                   'starts_on': 'DATE', 'ends_on': 'DATE'}})"""


def _events(bundle: Path) -> str:
    return f"""read_csv('{bundle / "usage.csv"}', header = true,
                        columns = {{'account_id': 'VARCHAR', 'user_id': 'VARCHAR', 'event': 'VARCHAR',
                                   'occurred_at': 'TIMESTAMPTZ', 'count': 'INTEGER'}})"""


_MRR = "s.amount / CASE s.interval WHEN 'quarter' THEN 3 WHEN 'year' THEN 12 ELSE 1 END"


def duck_nightly(bundle: Path, day: date) -> tuple[float, int]:
    """Seconds for the day's figures per account (MRR, events and users on the day and over 30 days), read
    from the CSV files; and how many accounts they cover."""
    db = _duckdb()
    began = time.perf_counter()
    (accounts,) = db.execute(
        f"""
        WITH mrr AS (
            SELECT s.account_id, sum({_MRR}) AS mrr FROM {_spans(bundle)} s
            WHERE s.starts_on <= $day AND (s.ends_on IS NULL OR s.ends_on > $day) GROUP BY s.account_id
        ), usage AS (
            SELECT account_id,
                   sum(coalesce(count, 1)) FILTER (WHERE occurred_at::date = $day) AS events_day,
                   count(DISTINCT user_id) FILTER (WHERE occurred_at::date = $day) AS users_day,
                   sum(coalesce(count, 1)) AS events_30,
                   count(DISTINCT user_id) AS users_30
            FROM {_events(bundle)}
            WHERE occurred_at::date BETWEEN $day - 29 AND $day GROUP BY account_id
        )
        SELECT count(*) FROM mrr FULL JOIN usage USING (account_id)""",
        {"day": day},
    ).fetchone()
    return time.perf_counter() - began, accounts


def duck_backfill(bundle: Path, start: date, end: date) -> tuple[float, int]:
    """Seconds for every account's daily figures over start … end (MRR from spans, events and users per day,
    events over the trailing 30 days), read from the CSV files; and how many account-days they give."""
    db = _duckdb()
    began = time.perf_counter()
    (rows,) = db.execute(
        f"""
        WITH days AS (SELECT unnest(range($start::date, $end::date + 1, INTERVAL 1 DAY))::date AS day),
        mrr AS (
            SELECT s.account_id, d.day, sum({_MRR}) AS mrr FROM {_spans(bundle)} s
            JOIN days d ON s.starts_on <= d.day AND (s.ends_on IS NULL OR s.ends_on > d.day)
            GROUP BY s.account_id, d.day
        ), daily AS (
            SELECT account_id, occurred_at::date AS day, sum(coalesce(count, 1)) AS events,
                   count(DISTINCT user_id) AS users
            FROM {_events(bundle)} WHERE occurred_at::date BETWEEN $start::date - 29 AND $end
            GROUP BY account_id, occurred_at::date
        ), windowed AS (
            SELECT account_id, day, events, users,
                   sum(events) OVER (PARTITION BY account_id ORDER BY day
                                     RANGE BETWEEN INTERVAL 29 DAY PRECEDING AND CURRENT ROW) AS events_30
            FROM daily
        )
        SELECT count(*) FROM mrr FULL JOIN windowed USING (account_id, day)
        WHERE coalesce(mrr.day, windowed.day) >= $start""",
        {"start": start, "end": end},
    ).fetchone()
    return time.perf_counter() - began, rows


def _months_start(end: date, months: int) -> date:
    month = end.month - (months - 1)
    year = end.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


def _build(
    accounts: int, density: float, end: date, *, fresh: bool
) -> tuple[dict[str, tuple[int, float]], float]:
    bundle = _bundle(accounts, density, end, fresh=fresh)
    name = f"keel_bench_dense_{accounts}_d{density:g}".replace(".", "")
    recipe = {"accounts": accounts, "density": density, "end": end.isoformat(), "seed": SEED}
    rates: dict[str, tuple[int, float]] = {}
    rollups: list[float] = []

    def build() -> None:
        _import_files(bundle, rates)
        began = time.perf_counter()
        usage_rollups_refresh()
        rollups.append(time.perf_counter() - began)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    dataset(name, recipe, build, fresh=fresh)
    return rates, rollups[0] if rollups else -1.0


def dense_open(*, accounts: int, density: float, end: date) -> int:
    """Open the event-dense database of `accounts` (built as bench_dense builds it when missing), for the load
    test; the accounts it holds."""
    _build(accounts, density, end, fresh=False)
    return accounts


def bench_dense(*, accounts: int, density: float, end: date, fresh: bool) -> list[Row]:
    rows: list[Row] = []
    backfills: dict[int, float] = {}
    start = _months_start(end, 36)
    for size in (accounts // 2, accounts):
        label = f"{size:,} dense accounts"
        bundle = _bundle(size, density, end, fresh=fresh)
        rates, rollups = _build(size, density, end, fresh=fresh)
        if size == accounts:
            duck = _duckdb()
            if rates:
                total_rows = total_seconds = duck_seconds = 0.0
                for name in ORDER:
                    count, seconds = rates[name]
                    duck_rows, duck_time = _duck_read(duck, bundle, name)
                    total_rows, total_seconds, duck_seconds = (
                        total_rows + count,
                        total_seconds + seconds,
                        duck_seconds + duck_time,
                    )
                    rows.append(
                        (
                            f"import {name}.csv ({label})",
                            f"{count / seconds:,.0f} rows/s",
                            f"{count:,} rows in {seconds:.1f} s; DuckDB read_csv {duck_rows / duck_time:,.0f} "
                            f"rows/s ({seconds / duck_time:.1f}× its time)",
                        )
                    )
                rows.append(
                    (
                        f"import all files ({label})",
                        f"{total_rows / total_seconds:,.0f} rows/s",
                        f"{total_rows:,.0f} rows in {total_seconds:.1f} s; DuckDB {duck_seconds:.1f} s "
                        f"({total_seconds / duck_seconds:.1f}×); goal ≥ 250,000 rows/s",
                    )
                )
            else:
                rows.append(
                    (f"import ({label})", "cached", "the database was built before: --fresh imports again")
                )
            if rollups >= 0:
                rows.append(
                    (f"rollups of all history ({label})", f"{rollups:.1f} s", "once after the import")
                )
        measured = backfill(end=end, months=36)
        backfills[size] = measured.seconds
        duck_seconds, duck_rows = duck_backfill(bundle, start, end)
        rows.append(
            (
                f"backfill 36 months ({label})",
                f"{measured.seconds:.1f} s",
                f"DuckDB's daily figures ({duck_rows:,} account-days) {duck_seconds:.1f} s: "
                f"{measured.seconds / duck_seconds:.1f}×; goal ≤ 120 s at 20,000",
            )
        )
        rows.append((f"backfill 36 months ({label}), slowest steps", "", _steps(measured)))
        measured = nightly_median(end=end)
        duck_seconds = sorted(duck_nightly(bundle, end)[0] for _ in range(NIGHTLY_RUNS))[NIGHTLY_RUNS // 2]
        rows.append(
            (
                f"nightly day ({label})",
                f"{measured.seconds:.1f} s",
                f"median of {NIGHTLY_RUNS} runs each; DuckDB's figures of the day {duck_seconds:.1f} s: "
                f"{measured.seconds / duck_seconds:.2f}×; goal ≤ 1×",
            )
        )
        rows.append(
            (f"nightly day ({label}), slowest steps", "", f"{_steps(measured)}; {_slowest(measured)}")
        )
    half = accounts // 2
    if backfills.get(half):
        rows.append(
            (
                f"backfill time, {accounts:,} ÷ {half:,} dense accounts",
                f"{backfills[accounts] / backfills[half]:.2f}×",
                "linear: ≤ 2.2×",
            )
        )
    return rows
