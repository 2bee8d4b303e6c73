"""One account's history for its page (the account 360): health and usage of its last 90 computed days, MRR at
every computed month-end with the month's movement (METRICS.md "Movements of month m"). One query."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from metrics.fields import TWELVE, stickiness

TREND_DAYS = 90

# Raw SQL: the ledger of computed days LEFT JOIN the account's rows, so that a computed day without a row (the
# account neither paid nor was used) reads as zero while a day never computed is left out; AccountDay has no
# relation to the ledger for the ORM to join on. Daily rows of the last TREND_DAYS computed days, month-ends
# always; each month-end (and the latest day) with its movement against the month-end before it, when that one
# was computed too, by the same rule as the monthly KPIs (keel_revenue_movement: metrics/migrations/0011).
_HISTORY = """
WITH latest AS (SELECT MAX(day) AS day FROM metrics_computedday),
points AS (
    SELECT c.day, COALESCE(d.arr, 0) AS arr, d.dau, d.mau, d.dau_sum_30, d.score, d.status, d.at_risk,
           c.day = keel_month_end(c.day) OR c.day = latest.day AS month_point
    FROM metrics_computedday c
    CROSS JOIN latest
    -- one probe of the account's key per day shown (OFFSET 0 keeps the planner from flattening it into a scan of
    -- all the account's rows: 400 days of daily rows kept, each on its own page, where about 126 are shown; at
    -- 100,000 accounts a 360 not in the cache read 105 pages instead of 400, 10–20 ms instead of 60)
    LEFT JOIN LATERAL (
        SELECT * FROM metrics_accountday a WHERE a.account_id = %(account)s AND a.day = c.day OFFSET 0
    ) d ON true
    WHERE c.day > latest.day - %(days)s OR c.day = keel_month_end(c.day)
),
months AS (
    SELECT day, arr, LAG(day) OVER by_day AS before_day, LAG(arr) OVER by_day AS before_arr
    FROM points WHERE month_point
    WINDOW by_day AS (ORDER BY day)
),
paid AS (
    SELECT MIN(keel_revenue_paid_month_end(amount, starts_on, ends_on)) AS first_month_end
    FROM accounts_subscriptionspan WHERE account_id = %(account)s
)
SELECT p.day, p.arr, p.dau, p.mau, p.dau_sum_30, p.score, p.status, p.at_risk, p.month_point, m.before_arr,
       keel_revenue_movement(m.before_arr, m.arr, paid.first_month_end < date_trunc('month', p.day::timestamp)::date)
FROM points p
LEFT JOIN months m
  ON m.day = p.day AND m.before_day = date_trunc('month', p.day::timestamp)::date - 1  -- the month before's end
CROSS JOIN paid
ORDER BY p.day
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


def account_history(*, account_id: int) -> AccountHistory:
    """`account_id`'s daily points of the last TREND_DAYS computed days and its month-ends (with the latest day),
    from the first month-end it paid on. One query."""
    with connection.cursor() as cursor:
        cursor.execute(_HISTORY, {"account": account_id, "days": TREND_DAYS})
        rows = cursor.fetchall()
    days: list[DayPoint] = []
    months: list[MonthPoint] = []
    for day, arr, dau, mau, dau_sum_30, score, status, at_risk, month_point, start_arr, movement in rows:
        days.append(
            DayPoint(
                day=day,
                arr=arr,
                dau=dau or 0,
                mau=mau or 0,
                stickiness=stickiness(dau_sum_30, mau),
                score=score,
                status=status or "",
                at_risk=bool(at_risk),
            )
        )
        if month_point:
            start = None if start_arr is None else start_arr / TWELVE
            months.append(MonthPoint(day=day, mrr=arr / TWELVE, start_mrr=start, movement=movement or ""))
    latest = days[-1].day if days else None
    # Start at the month-end before the first with MRR (the months before the account was a customer say
    # nothing), which shows no movement: it is the first month shown.
    first = next((index for index, point in enumerate(months) if point.mrr > 0), len(months))
    shown = months[max(0, first - 1) :]
    if shown:
        shown[0] = replace(shown[0], start_mrr=None, movement="")
    return AccountHistory(
        days=[point for point in days if latest is not None and (latest - point.day).days < TREND_DAYS],
        months=shown,
    )


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
