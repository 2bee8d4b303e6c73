"""Template filters and tags of the health pages: `{% load health_tags %}`."""

from __future__ import annotations

from typing import Protocol

from django import template

from accounts.models import User
from accounts.numbers import one_decimal
from health.selectors import Backtest, open_task_count

register = template.Library()


@register.filter
def percent(value: float | None, decimals: int = 1) -> str:
    """A fraction as a percentage (METRICS.md: rates are percentages on pages): 0.1234 → "12.3%"."""
    if value is None:
        return "—"
    return f"{value * 100:.{decimals}f}%"


@register.filter
def score(value: float | None) -> str:
    """A score with 1 decimal (METRICS.md "Health score": unrounded in the API, 1 decimal on pages)."""
    if value is None:
        return "—"
    return one_decimal(value)


@register.filter
def signed(value: float | None, decimals: int = 1) -> str:
    """A change with its sign: +2.5, −3.0 (a real minus), 0.0."""
    if value is None:
        return "—"
    text = f"{abs(value):.{decimals}f}"
    if float(text) == 0:
        return text
    return f"+{text}" if value > 0 else f"−{text}"


@register.filter
def number(value: float | int | None) -> str:
    """30.0 → "30", 12.5 → "12.5"."""
    if value is None:
        return "—"
    return f"{value:g}"


@register.simple_tag
def open_tasks_of(user: User) -> int:
    """The navigation's count of a CSM's open tasks (one count on a partial index)."""
    return open_task_count(user)


class Shares(Protocol):
    def share(self, status: str) -> float | None: ...


@register.filter
def share(distribution: Shares, status: str) -> str:
    """The share of the scored accounts with `status`, as a percentage."""
    return percent(distribution.share(status))


@register.filter
def churn_rate(backtest: Backtest, status: str) -> str:
    return percent(backtest.churn_rate_by_status.get(status))


@register.filter
def renews_likelihood(rate: float | None) -> str:
    """The likelihood a renewal of a status renews, 1 − its churn rate, as a percentage."""
    return percent(None if rate is None else 1 - rate)
