"""One account's history for its page (the account 360): health and usage of its last 90 computed days, MRR at
every computed month-end with the month's movement (METRICS.md "Movements of month m"). One query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection

from metrics.fields import TWELVE, ratio

TREND_DAYS = 90

# Raw SQL: the ledger of computed days LEFT JOIN the account's rows, so that a computed day without a row (the
# account neither paid nor was used) reads as zero while a day never computed is left out; AccountDay has no
# relation to the ledger for the ORM to join on. Daily rows of the last TREND_DAYS computed days, month-ends always.
_HISTORY = """
SELECT c.day, d.arr, d.dau, d.mau, d.dau_sum_30, d.score, d.status, d.at_risk
FROM metrics_computedday c
LEFT JOIN metrics_accountday d ON d.account_id = %(account)s AND d.day = c.day
WHERE c.day > (SELECT MAX(day) FROM metrics_computedday) - %(days)s
   OR c.day = (date_trunc('month', c.day) + interval '1 month - 1 day')::date
ORDER BY c.day
"""


@dataclass(frozen=True)
class DayPoint:
    day: date
    arr: Decimal
    dau: int
    mau: int
    stickiness: Decimal | None  # METRICS.md: Σ dau over 30 days / 30 / mau
    score: float | None
    status: str
    at_risk: bool


@dataclass(frozen=True)
class MonthPoint:
    """The account's MRR at a month-end and its movement against the month-end before (s → e)."""

    day: date
    mrr: Decimal
    start_mrr: Decimal | None  # None for the first month shown (no month-end before it in the history)
    movement: str  # new, reactivation, expansion, contraction, churned, or "" (no change or not known)

    @property
    def change(self) -> Decimal | None:
        return None if self.start_mrr is None else self.mrr - self.start_mrr


@dataclass(frozen=True)
class AccountHistory:
    days: list[DayPoint]  # the last TREND_DAYS computed days, oldest first
    months: list[MonthPoint]  # every computed month-end, oldest first

    @property
    def latest(self) -> DayPoint | None:
        return self.days[-1] if self.days else None


def _month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def movement_of(start: Decimal, end: Decimal, *, paid_before: bool) -> str:
    """METRICS.md "Movements of month m" for one account: s and e its MRR at the two month-ends."""
    if start == 0 and end > 0:
        return "reactivation" if paid_before else "new"
    if start > 0 and end == 0:
        return "churned"
    if start > 0 and end > start:
        return "expansion"
    if start > 0 and end < start:
        return "contraction"
    return ""


def account_history(*, account_id: int, first_paid_month_end: date | None) -> AccountHistory:
    """`account_id`'s daily points and month-ends. `first_paid_month_end` (from its spans) tells new from
    reactivation: the first month-end on which it paid."""
    with connection.cursor() as cursor:
        cursor.execute(_HISTORY, {"account": account_id, "days": TREND_DAYS})
        rows = cursor.fetchall()
    points = [_point(row) for row in rows]
    latest = points[-1].day if points else None
    days = [point for point in points if latest is not None and (latest - point.day).days < TREND_DAYS]
    return AccountHistory(
        days=days, months=_months(points, first_paid_month_end=first_paid_month_end, latest=latest)
    )


def _point(row: Iterable[Any]) -> DayPoint:
    day, arr, dau, mau, dau_sum_30, score, status, at_risk = row
    return DayPoint(
        day=day,
        arr=arr or Decimal(0),
        dau=dau or 0,
        mau=mau or 0,
        stickiness=ratio(dau_sum_30, 30 * mau) if mau else None,
        score=score,
        status=status or "",
        at_risk=bool(at_risk),
    )


def _months(
    points: list[DayPoint], *, first_paid_month_end: date | None, latest: date | None
) -> list[MonthPoint]:
    ends = [point for point in points if _month_end(point.day) or point.day == latest]
    # Start at the first month-end with MRR: the months before the account was a customer say nothing.
    first = next((index for index, point in enumerate(ends) if point.arr > 0), len(ends))
    ends = ends[max(0, first - 1) :]
    months: list[MonthPoint] = []
    previous: DayPoint | None = None
    for point in ends:
        mrr = point.arr / TWELVE
        start = None
        if previous is not None and _consecutive(previous.day, point.day):
            start = previous.arr / TWELVE
        paid_before = first_paid_month_end is not None and first_paid_month_end < point.day.replace(day=1)
        movement = "" if start is None else movement_of(start, mrr, paid_before=paid_before)
        months.append(MonthPoint(day=point.day, mrr=mrr, start_mrr=start, movement=movement))
        previous = point
    return months


def _consecutive(before: date, after: date) -> bool:
    """`before` is the last day of the month before `after`'s."""
    return before == after.replace(day=1) - timedelta(days=1)


def account_charts(history: AccountHistory, *, health: Any) -> dict[str, Any]:
    """The account page's charts as plain lists for its page script: health of the last 90 days with the
    model's thresholds, MRR at every month-end, usage (DAU, MAU, stickiness in percent)."""
    model = getattr(health, "model", None)
    return {
        "days": [f"{point.day:%Y-%m-%d}" for point in history.days],
        "score": [point.score for point in history.days],
        "green_min": model.green_min if model else None,
        "yellow_min": model.yellow_min if model else None,
        "dau": [point.dau for point in history.days],
        "mau": [point.mau for point in history.days],
        "stickiness": [
            None if point.stickiness is None else round(float(point.stickiness) * 100, 2)
            for point in history.days
        ],
        "months": [f"{point.day:%Y-%m}" for point in history.months],
        "mrr": [float(round(point.mrr, 2)) for point in history.months],
        "movements": [point.movement for point in history.months],
    }
