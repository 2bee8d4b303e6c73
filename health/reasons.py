"""Why a task exists or an account is at risk: kept as data (on the task, `Task.reason`), put into words here and
nowhere else, so the task list, the CSM dashboard, the account 360 and the emails say it the same way.

Data is a JSON object with a `kind`:
- "at_risk": METRICS.md "At risk" on a day: the (unrounded) score, whether it was red, the model's yellow
  threshold and drop rule, and the score drop_days before when there was one;
- "answer": a survey answer that needs a follow-up: its kind, score, comment and who gave it;
- "playbook": a playbook fired: its name, trigger (and N of a renewal), the day and the occurrence;
- "text": words given as they are (tasks made before reasons were data, or written by a person).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.utils.formats import date_format

from accounts.numbers import one_decimal, one_decimal_fall


@dataclass(frozen=True)
class AtRiskReason:
    score: float
    red: bool
    yellow_min: float
    drop_points: float
    drop_days: int
    before: float | None = None  # the score drop_days before, when the account was scored then

    def words(self) -> str:
        if self.red:
            return f"Red: the score {one_decimal(self.score)} is below {self.yellow_min:g}."
        if self.before is not None:
            return (
                f"The score fell {one_decimal_fall(self.before, self.score)} points in {self.drop_days} days "
                f"(from {one_decimal(self.before)} to {one_decimal(self.score)}); "
                f"a fall of {self.drop_points:g} or more is at risk."
            )
        return f"The score fell at least {self.drop_points:g} points in {self.drop_days} days."

    def data(self) -> dict[str, Any]:
        return {"kind": "at_risk", **asdict(self)}


def at_risk_words(
    *,
    score: float | None,
    at_risk: bool | None,
    red: bool,
    yellow_min: float | None,
    drop_points: float | None,
    drop_days: int | None,
    before: float | None,
) -> str:
    """A stored day's reason in words, "" when the day gives none: not scored, not at risk, or without its model
    (`yellow_min` None). The account 360's explanation and the CSM dashboard's list both say it through this."""
    if score is None or not at_risk or yellow_min is None or drop_points is None or drop_days is None:
        return ""
    return AtRiskReason(
        score=score,
        red=red,
        yellow_min=yellow_min,
        drop_points=drop_points,
        drop_days=drop_days,
        before=before,
    ).words()


@dataclass(frozen=True)
class AnswerReason:
    survey_kind: str  # nps, csat, ces
    score: int
    comment: str
    who: str  # the contact's name or email, "" for an answer without a contact

    def words(self) -> str:
        said = f"{self.survey_kind.upper()} {self.score}" + (f" from {self.who}" if self.who else "")
        return f"{said}: “{self.comment}”" if self.comment else f"{said}, without a comment."

    def data(self) -> dict[str, Any]:
        return {"kind": "answer", **asdict(self)}


def _shown(iso: str) -> str:
    """An ISO day as pages show days (config/formats: 31 Mar 2025)."""
    try:
        return date_format(date.fromisoformat(iso))
    except ValueError:
        return iso


@dataclass(frozen=True)
class PlaybookReason:
    playbook: str
    trigger: str  # health.models.Trigger's value
    days: int | None  # the N of a renewal trigger
    day: str  # the day it fired, ISO
    occurrence: str

    def words(self) -> str:
        what = {
            "turned_red": "the account turned red",
            "at_risk": "the account dropped into at risk",
            "renewal": f"a renewal is {self.days} days away ({_shown(self.occurrence.rpartition('@')[2])})",
            "onboarding": "the account became a customer",
            "detractor": "a detractor answered the NPS survey",
        }.get(self.trigger, self.trigger)
        return f"Playbook “{self.playbook}”: {what} on {_shown(self.day)}."

    def data(self) -> dict[str, Any]:
        return {"kind": "playbook", **asdict(self)}


def text_reason(text: str) -> dict[str, Any]:
    """A reason given in words."""
    return {"kind": "text", "text": text}


def reason_text(data: dict[str, Any] | None) -> str:
    """The words of a reason's data ("" for none)."""
    if not data:
        return ""
    fields = {key: value for key, value in data.items() if key != "kind"}
    if data.get("kind") == "at_risk":
        return AtRiskReason(**fields).words()
    if data.get("kind") == "answer":
        return AnswerReason(**fields).words()
    if data.get("kind") == "playbook":
        return PlaybookReason(**fields).words()
    return str(data.get("text", ""))
