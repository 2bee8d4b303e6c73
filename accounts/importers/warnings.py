"""Warnings of an import: rows imported as given that a person should look at, which never refuse a bundle.

Inclusive end dates: annual contracts are often written 2024-01-01 → 2024-12-31 and renewed from 2025-01-01. Keel
reads `ends_on` as the first day without the span (DATA.md), so such a pair is a churn on 31 December and a
comeback on 1 January. A span that ends the day before the next span of the same subscription starts is warned
about, naming both rows. The file's spans replace the stored spans of its subscriptions, so only the file's own
spans are compared (one statement over the staged file)."""

from __future__ import annotations

from typing import Any

from accounts.importers.report import ErrorLog
from accounts.importers.specs import SUBSCRIPTIONS
from accounts.sql import compose

_INCLUSIVE_ENDS = """
SELECT a.line, b.line, a.subscription_id, a.ends_on, b.starts_on
FROM {table} a
JOIN {table} b ON b.subscription_id = a.subscription_id AND b.starts_on = a.ends_on + 1
WHERE a.ok AND b.ok
ORDER BY a.line, b.line
LIMIT %(limit)s
"""


def inclusive_end_warnings(cursor: Any, *, log: ErrorLog) -> None:
    """Warn about every staged span of subscriptions.csv that ends the day before the next span of its
    subscription starts."""
    cursor.execute(compose(_INCLUSIVE_ENDS, table=SUBSCRIPTIONS.table), {"limit": log.limit})
    for line, next_line, subscription, ends_on, starts_on in cursor.fetchall():
        log.warn(
            f"{SUBSCRIPTIONS.name}:{line} and :{next_line}: ends_on: {ends_on:%Y-%m-%d} is the day before the "
            f"next span of {subscription} starts ({starts_on:%Y-%m-%d}), so Keel counts a churn on "
            f"{ends_on:%Y-%m-%d} and a comeback the day after. If your end dates are inclusive, write the "
            f"first day without the span: ends_on {starts_on:%Y-%m-%d}"
        )
