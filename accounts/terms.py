"""Renewal terms of subscriptions (METRICS.md `renewals_due`): where a span's terms end. The one home of the
rule in Python; the KPI SQL (metrics/sql/monthly_renewals.sql) writes the same rule for the whole base."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from accounts.models import Interval
from accounts.months import add_months

# Months per term of the intervals that renew (METRICS.md `renewals_due`: year and quarter only).
TERM_MONTHS = {Interval.YEAR.value: 12, Interval.QUARTER.value: 3}


class SpanLike(Protocol):
    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date | None: ...
    @property
    def interval(self) -> str: ...


def term_ends(span: SpanLike, *, after: date, until: date) -> list[date]:
    """The span's term ends t with after < t ≤ until at which a renewal is due."""
    step = TERM_MONTHS.get(span.interval)
    if step is None:
        return []
    found: list[date] = []
    # Start a term or two before `after` rather than at k = 1: a span may be years old.
    months = (after.year - span.starts_on.year) * 12 + after.month - span.starts_on.month
    k = max(1, months // step - 1)
    while True:
        end = add_months(span.starts_on, k * step)
        if end > until or (span.ends_on is not None and end > span.ends_on):
            return found
        if end > after:
            found.append(end)
        k += 1
