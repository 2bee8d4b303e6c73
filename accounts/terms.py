"""Renewal terms of subscriptions (METRICS.md `renewals_due`): where a span's terms end. The one home of the
rule in Python; SQL has it once too, as keel_term_end_in_month (accounts/migrations/0016), which the renewal
rate, the forecast and the renewal playbooks call.

Terms run from an anchor by the term's months: from `renews_on` (the contract's first term end, k ≥ 0) when
the span has one, else from `starts_on` (k ≥ 1); the months are the `term` column's, else the billing
interval's (a year 12, a quarter 3, a month does not renew). t = anchor + k × months, clamped to the month's
end (Jan 31 + 3 months = Apr 30); due while the span is active on t − 1: starts_on < t ≤ ends_on.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from accounts.models import Interval
from accounts.months import add_months

# Months per term of the intervals that renew by themselves (METRICS.md `renewals_due`: year and quarter).
TERM_MONTHS = {Interval.YEAR.value: 12, Interval.QUARTER.value: 3}
# Months per term of a `term` written on the span: any interval.
TERM_MONTHS_GIVEN = {Interval.YEAR.value: 12, Interval.QUARTER.value: 3, Interval.MONTH.value: 1}


class SpanLike(Protocol):
    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date | None: ...
    @property
    def interval(self) -> str: ...
    @property
    def renews_on(self) -> date | None: ...
    @property
    def term(self) -> str: ...


def term_months(span: SpanLike) -> int | None:
    """The months of the span's term; None when it does not renew (billed monthly, no term given)."""
    if span.term:
        return TERM_MONTHS_GIVEN[span.term]
    return TERM_MONTHS.get(span.interval)


def term_ends(span: SpanLike, *, after: date, until: date) -> list[date]:
    """The span's term ends t with after < t ≤ until at which a renewal is due."""
    step = term_months(span)
    if step is None:
        return []
    anchor, k = (span.renews_on, 0) if span.renews_on is not None else (span.starts_on, 1)
    found: list[date] = []
    # Start a term or two before `after` rather than at the first: a span may be years old.
    months = (after.year - anchor.year) * 12 + after.month - anchor.month
    k = max(k, months // step - 1)
    while True:
        end = add_months(anchor, k * step)
        if end > until or (span.ends_on is not None and end > span.ends_on):
            return found
        if end > after and end > span.starts_on:
            found.append(end)
        k += 1
