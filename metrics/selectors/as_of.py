"""The account 360 as of a day (`?as_of=YYYY-MM-DD`): its health section shows the score stored for that day, with
its components and why (metrics.selectors.explanations, explained with the model version it was scored with), or
says why that day cannot be shown and keeps the latest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.formats import date_format

from accounts.models import Account
from metrics.selectors.explanations import Explanation, health_explanation
from metrics.selectors.scores import health_day_unkept

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class HealthAsOf:
    """What the account page's health section shows: `health` of `day` when a day was asked for (`asked`) and
    its score is stored, else the latest score (`health` None: never scored) and, for an asked day, `problem`
    says why not; `invalid` when `asked` is not a day at all."""

    asked: str
    day: date | None
    health: Explanation | None
    problem: str = ""
    invalid: bool = False


def _parse(text: str) -> date | None:
    if not _DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _why_not(day: date) -> str:
    """Why no score of the account is stored for `day`, in a sentence."""
    shown = date_format(day)
    unkept = health_day_unkept(day)
    if unkept == "not computed":
        return f"No health score for {shown}: Keel has not computed that day."
    if unkept == "expired":
        return (
            f"No health score for {shown}: daily scores are kept {settings.KEEL_DAILY_RETENTION_DAYS} days and "
            "month-ends forever."
        )
    return f"No health score for {shown}: the account was not scored that day (it had no MRR)."


def account_health_as_of(*, account: Account, as_of: str | None) -> HealthAsOf:
    """The account page's health section for `?as_of=` (None or "": the latest score). A day that is not
    YYYY-MM-DD is `invalid`; a day without a stored score (not computed, no longer kept, or not scored then) keeps
    the latest score with a `problem` that says which."""
    if not as_of:
        return HealthAsOf(asked="", day=None, health=health_explanation(account=account))
    day = _parse(as_of)
    if day is None:
        return HealthAsOf(
            asked=as_of,
            day=None,
            health=health_explanation(account=account),
            problem=f"as_of: “{as_of}” is not a day; give it as YYYY-MM-DD, e.g. 2025-01-31.",
            invalid=True,
        )
    health = health_explanation(account=account, day=day)
    if health is None:
        return HealthAsOf(
            asked=as_of, day=None, health=health_explanation(account=account), problem=_why_not(day)
        )
    return HealthAsOf(asked=as_of, day=day, health=health)
