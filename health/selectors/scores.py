"""Scores of a day, as the `health` command and the API print them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from metrics.models import AccountDay


def health_scores_on(*, day: date, accounts: QuerySet[Any] | None = None) -> QuerySet[AccountDay]:
    """The scored accounts of a day (daily rows are kept KEEL_DAILY_RETENTION_DAYS, month-ends forever)."""
    scores = (
        AccountDay.objects.filter(day=day, score__isnull=False)
        .select_related("account")
        .order_by("account__external_id")
    )
    if accounts is not None:
        scores = scores.filter(account__in=accounts)
    return scores


def health_score_fields(score: AccountDay) -> dict[str, Any]:
    """The `health` command's and the API's object for one account on one day (DESIGN.md "Command line")."""
    return {
        "account_id": score.account.external_id,
        "score": score.score,
        "status": score.status,
        "components": score.components(),
        "at_risk": score.at_risk,
    }
