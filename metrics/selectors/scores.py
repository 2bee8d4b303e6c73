"""Scores of a day, as the `health` command and the API print them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.months import month_end
from metrics.models import AccountDay, ComputedDay


def health_scores_on(*, day: date) -> QuerySet[AccountDay]:
    """The scored accounts of a day (daily rows are kept KEEL_DAILY_RETENTION_DAYS, month-ends forever); the API
    limits them to the caller's accounts (accounts.selectors.visible_to)."""
    return (
        AccountDay.objects.filter(day=day, score__isnull=False)
        .select_related("account")
        .order_by("account__external_id")
    )


def health_score_fields(score: AccountDay) -> dict[str, Any]:
    """The `health` command's and the API's object for one account on one day (DESIGN.md "Command line")."""
    return {
        "account_id": score.account.external_id,
        "score": score.score,
        "status": score.status,
        "components": score.components(),
        "at_risk": score.at_risk,
    }


def health_day_unkept(day: date) -> str:
    """Why `day` has no stored scores at all: "not computed" (not in the pipeline's ledger), "expired" (a day
    other than a month-end older than KEEL_DAILY_RETENTION_DAYS), or "" when its rows are there."""
    if not ComputedDay.objects.filter(day=day).exists():
        return "not computed"
    keep_from = timezone.localdate() - timedelta(days=settings.KEEL_DAILY_RETENTION_DAYS)
    if day < keep_from and day != month_end(day):
        return "expired"
    return ""


def health_scores_missing(day: date) -> str:
    """Why `day` has no scores to give, or "" (the `health` command and the API say the same)."""
    unkept = health_day_unkept(day)
    if unkept == "not computed":
        return f"{day} is not computed: run `python manage.py snapshot --from {day} --to {day}` first."
    if unkept == "expired":
        return (
            f"Daily scores are kept {settings.KEEL_DAILY_RETENTION_DAYS} days (KEEL_DAILY_RETENTION_DAYS) and "
            f"month-ends forever: {day} is no longer kept."
        )
    return ""
