"""The Health page's backtest month by month (METRICS.md "Backtest"): the churn rates per status of each month-end,
as its chart draws them, and "churned while green", the accounts a model scored green on a month-end of its
backtest that churned within 90 days.

The chart reads the backtest the page already has (its `months`: no second calculation); the list reads the
backtest's own churners (health.BacktestChurner, labelled once by the pipeline, with their ARR on the month-end)
re-weighted with the model: one query for a page of them and their count."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, F, Window

from accounts.models import User
from accounts.selectors import visible_to
from health.models import BacktestChurner, HealthModel, Status
from health.selectors import Backtest, backtest_churners
from metrics.selectors.paging import CountedPage


def backtest_chart(backtest: Backtest) -> dict[str, Any]:
    """The page script's data: per month-end of `backtest` (ISO days), the churn rate of each status and of all
    scored accounts, as fractions (null: nobody had the status), the very numbers of the table beside it."""
    months = backtest.months
    return {
        "days": [f"{month.day:%Y-%m-%d}" for month in months],
        **{status: [month.churn_rate_by_status[status] for month in months] for status in Status.values},
        "overall": [month.churn_rate for month in months],
    }


# A page of the churned-while-green list, with the count of the whole list (the page's own query counts it: no
# second pass over the re-weighted rows).
ChurnedPage = CountedPage[BacktestChurner]


def churned_while_green(
    *, user: User, model: HealthModel, days: list[date], page: str | None, per_page: int
) -> ChurnedPage:
    """Page `page` (a number as text; not one: the first, past the end: the last) of the accounts `user` may see
    that `model` scored green on one of the month-ends `days` and that churned within 90 days, each with
    `account`, `score` (under `model`), `arr` (on the month-end) and `churned_on`; the latest month-end first,
    then by ARR, largest first. For one day, as many as the backtest's green churned count when `user` sees
    every account."""
    churners = (
        visible_to(user, backtest_churners(model=model, days=days, status=Status.GREEN))
        .annotate(total=Window(Count("*")))
        .select_related("account")
        .order_by("-day", F("arr").desc(), "account__name", "account_id")
    )
    number = max(1, int(page)) if page and page.isdigit() else 1
    rows: list[Any] = list(churners[(number - 1) * per_page : number * per_page])
    count = rows[0].total if rows else 0
    if not rows and number > 1:  # past the end: the last page (a second query only then)
        found = churners[:1]
        count = found[0].total if found else 0
        number = max(1, -(-count // per_page))
        rows = list(churners[(number - 1) * per_page : number * per_page])
    return ChurnedPage(object_list=rows, count=count, number=number, per_page=per_page)
