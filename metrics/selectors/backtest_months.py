"""The Health page's backtest month by month (METRICS.md "Backtest"): the churn rates per status of each month-end,
as its chart draws them, and "churned while green", the accounts a model scored green on a month-end of its
backtest that churned within 90 days, with their ARR at that month-end.

The chart reads the backtest the page already has (its `months`: no second calculation); the list reads the
backtest's own churners (health.BacktestChurner, labelled once by the pipeline) re-weighted with the model, and
the month-end's snapshot row for the ARR (month-ends are kept forever): a page of a few dozen rows and their
count."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery

from accounts.models import User
from accounts.selectors import accounts_for_user
from health.models import BacktestChurner, HealthModel, Status
from health.selectors import Backtest, backtest_churners
from metrics.models import AccountDay


def backtest_chart(backtest: Backtest) -> dict[str, Any]:
    """The page script's data: per month-end of `backtest` (ISO days), the churn rate of each status and of all
    scored accounts, as fractions (null: nobody had the status), the very numbers of the table beside it."""
    months = backtest.months
    return {
        "days": [f"{month.day:%Y-%m-%d}" for month in months],
        **{status: [month.churn_rate_by_status[status] for month in months] for status in Status.values},
        "overall": [month.churn_rate for month in months],
    }


def churned_while_green(*, user: User, model: HealthModel, days: list[date]) -> QuerySet[BacktestChurner]:
    """The accounts `user` may see that `model` scored green on one of the month-ends `days` and that churned
    within 90 days (each with `account`, `score`, `churned_on` and `arr`, its ARR at the month-end), the latest
    month-end first, then by ARR, largest first. For one day, as many as the backtest's green churned count
    when `user` sees every account."""
    arr = AccountDay.objects.filter(account=OuterRef("account"), day=OuterRef("day")).values("arr")[:1]
    return (
        backtest_churners(model=model, days=days, status=Status.GREEN)
        .filter(account__in=accounts_for_user(user))
        .annotate(arr=Subquery(arr))
        .select_related("account")
        .order_by("-day", F("arr").desc(nulls_last=True), "account__name", "account_id")
    )
