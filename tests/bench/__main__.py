"""`make bench` (python -m tests.bench): Keel's speed figures against DESIGN.md's bars, printed as a table.

    python -m tests.bench [--only import|dense|pipeline|pages|load|surveys|segment|api|stripe] [--full] [--fresh]
                          [--dense-accounts N] [--dense-density D] [--load-on-dense]

--full adds the 100k-account dataset (seeding it takes several minutes, once) and measures the pages and the load
test on it instead of 10k accounts; --fresh rebuilds cached datasets. `dense` is the event-dense bundle
(tests/bench/dense.py): N accounts (default 20,000, and half as many for the ratio) at usage density D (default
0.35, about 730 usage rows an account), beside DuckDB over the same CSV files; with --full, 100,000 accounts (and
50,000) unless --dense-accounts says otherwise. It is not in the default run (generating and importing 20,000 dense
accounts took 12 minutes on 2 cores on 2026-12-07, the CSVs written once; --full 51 minutes): ask for it with
--only dense. `--load-on-dense` runs the load test on the event-dense database (built when missing) instead of the
pages' one.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from functools import partial


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument(
        "--only",
        choices=["import", "dense", "pipeline", "pages", "load", "surveys", "segment", "api", "stripe"],
        action="append",
    )
    parser.add_argument(
        "--dense-accounts",
        type=int,
        default=None,
        help="accounts of the dense bundle (20,000; --full 100,000)",
    )
    parser.add_argument("--dense-density", type=float, default=0.35, help="usage density of the dense bundle")
    parser.add_argument("--full", action="store_true", help="also 100,000 accounts")
    parser.add_argument(
        "--load-on-dense", action="store_true", help="the load test on the event-dense database"
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild cached bench databases")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"  # no query log: the pipeline runs millions of rows, not of queries
    import django

    django.setup()
    from tests.bench.api import bench_api
    from tests.bench.dense import bench_dense, dense_open
    from tests.bench.imports import bench_import
    from tests.bench.load import bench_load
    from tests.bench.pages import bench_pages
    from tests.bench.pipeline import bench_pipeline
    from tests.bench.segment import bench_segment
    from tests.bench.stripe import bench_stripe
    from tests.bench.surveys import bench_surveys

    end = date(2026, 10, 31)  # fixed, so cached datasets stay valid from day to day
    rows: list[tuple[str, str, str]] = []
    only = set(args.only or ["import", "pipeline", "pages", "load", "surveys", "segment", "api", "stripe"])
    if "import" in only:
        rows += bench_import(accounts=550, end=end)
    dense_accounts = args.dense_accounts or (100_000 if args.full else 20_000)
    if "dense" in only:
        rows += bench_dense(accounts=dense_accounts, density=args.dense_density, end=end, fresh=args.fresh)
    if "pipeline" in only:
        rows += bench_pipeline(end=end, full=args.full, fresh=args.fresh)
    if "pages" in only:
        rows += bench_pages(end=end, full=args.full, fresh=args.fresh and "pipeline" not in only)
    if "load" in only:
        on_dense = partial(dense_open, accounts=dense_accounts, density=args.dense_density, end=end)
        rows += bench_load(end=end, full=args.full, dense=on_dense if args.load_on_dense else None)
    if "surveys" in only:
        rows += bench_surveys(fresh=args.fresh)
    if "segment" in only:
        rows += bench_segment()
    if "api" in only:
        rows += bench_api(fresh=args.fresh)
    if "stripe" in only:
        rows += bench_stripe()
    width = [max(len(row[i]) for row in [("measure", "value", "note"), *rows]) for i in range(3)]
    print()
    print(f"{'measure':<{width[0]}}  {'value':>{width[1]}}  note")
    print(f"{'-' * width[0]}  {'-' * width[1]}  {'-' * 4}")
    for measure, value, note in rows:
        print(f"{measure:<{width[0]}}  {value:>{width[1]}}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
