"""Surveys as admins define them (DATA.md §5): created, changed while drafts, closed. The rules of a survey live
here only: the pages' forms, the API and the commands all call these services and show their ValidationError,
which has a message per field (`name`, `kind`, `question`, `audience`, `segment`, `accounts`, `every_days`,
`reminder_days`, `closes_on`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, SurveyKind, User
from accounts.services.audit import audit_record, changed_fields
from surveys.models import DEFAULT_QUESTIONS, Survey

MAX_QUESTION = 500
MAX_DAYS = 3650  # ten years: a longer period is a typo, and keeps the arithmetic of rounds in range
FIELDS = (
    "name",
    "kind",
    "question",
    "audience",
    "segment",
    "account_ids",
    "every_days",
    "reminder_days",
    "closes_on",
)


@dataclass(frozen=True)
class SurveyFields:
    """A survey's fields as `survey_validate` cleaned them: the name trimmed, a blank question replaced by the
    kind's default, the segment kept only for a segment audience and the accounts only for picked accounts."""

    name: str
    kind: str
    question: str
    audience: str
    segment: str
    account_ids: tuple[int, ...]
    every_days: int | None
    reminder_days: int | None
    closes_on: date | None


def survey_validate(
    *,
    name: str,
    kind: str,
    question: str = "",
    audience: str = Survey.Audience.PAYING,
    segment: str = "",
    account_ids: Iterable[int] = (),
    every_days: int | None = None,
    reminder_days: int | None = None,
    closes_on: date | None = None,
    today: date | None = None,
) -> SurveyFields:
    """The cleaned fields of a survey, or a ValidationError with a message per wrong field:
    - `name`: given, at most 200 characters; `kind`: nps, csat or ces; `question`: at most 500 characters (blank:
      DEFAULT_QUESTIONS[kind]);
    - `audience`: paying, segment or accounts; `segment`: given for a segment audience and the segment of some
      account; `accounts`: at least one for picked accounts, each an existing account;
    - `every_days` (recurring) and `reminder_days`: whole days from 1 to 3650, the reminder sooner than the next
      round when both are given;
    - `closes_on`: not before `today` (default: today in KEEL_TIMEZONE).
    """
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Give the survey a name."
    elif len(name) > 200:
        errors["name"] = "At most 200 characters."
    if kind not in SurveyKind.values:
        errors["kind"] = f"Choose one of {', '.join(SurveyKind.values)}."
    question = (question or "").strip()
    if len(question) > MAX_QUESTION:
        errors["question"] = f"At most {MAX_QUESTION} characters."
    elif not question and kind in SurveyKind.values:
        question = DEFAULT_QUESTIONS[SurveyKind(kind)]
    segment = (segment or "").strip()
    ids = tuple(sorted(set(account_ids or ())))
    if audience not in Survey.Audience.values:
        errors["audience"] = f"Choose one of {', '.join(Survey.Audience.values)}."
    if audience == Survey.Audience.SEGMENT:
        if not segment:
            errors["segment"] = "Choose the segment whose paying accounts are asked."
        elif not Account.objects.filter(segment=segment).exists():
            errors["segment"] = f"No account is in the segment {segment!r}."
    else:
        segment = ""
    if audience == Survey.Audience.ACCOUNTS:
        found = set(Account.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if not ids:
            errors["accounts"] = "Pick at least one account."
        elif len(found) < len(ids):
            missing = ", ".join(str(pk) for pk in ids if pk not in found)
            errors["accounts"] = f"No account has the id {missing}."
    else:
        ids = ()
    for field, value in (("every_days", every_days), ("reminder_days", reminder_days)):
        if value is not None and not 1 <= value <= MAX_DAYS:
            errors[field] = f"A whole number of days from 1 to {MAX_DAYS}, or blank."
    if (
        "every_days" not in errors
        and "reminder_days" not in errors
        and every_days is not None
        and reminder_days is not None
        and reminder_days >= every_days
    ):
        errors["reminder_days"] = (
            f"The reminder must come before the next round: fewer than {every_days} days."
        )
    if closes_on is not None and closes_on < today:
        errors["closes_on"] = f"The close date may not be in the past (today is {today.isoformat()})."
    if errors:
        raise ValidationError(errors)
    return SurveyFields(
        name=name,
        kind=kind,
        question=question,
        audience=audience,
        segment=segment,
        account_ids=ids,
        every_days=every_days,
        reminder_days=reminder_days,
        closes_on=closes_on,
    )


def survey_create(*, by: User | None = None, **fields: Any) -> Survey:
    """A new draft survey (nothing is sent until `survey_send`) from the fields of `survey_validate`, or a
    ValidationError with a message per wrong field."""
    cleaned = survey_validate(**fields)
    with transaction.atomic():
        survey = Survey.objects.create(created_by=by, **_columns(cleaned))
        survey.accounts.set(cleaned.account_ids)
        audit_record(
            actor=by, action="survey.create", target=survey, target_label=survey.name, detail=_audited(survey)
        )
    return survey


def _audited(survey: Survey) -> dict[str, Any]:
    """What the audit log keeps of a survey's settings (JSON: dates as ISO strings)."""
    return {
        "name": survey.name,
        "kind": survey.kind,
        "audience": survey.audience,
        "segment": survey.segment,
        "accounts": sorted(survey.accounts.values_list("pk", flat=True)),
        "every_days": survey.every_days,
        "reminder_days": survey.reminder_days,
        "closes_on": survey.closes_on.isoformat() if survey.closes_on else None,
    }


def survey_update(*, survey: Survey, by: User | None = None, **changes: Any) -> Survey:
    """`survey` with `changes` (any of FIELDS) applied and validated as `survey_create` does; only a draft may
    change (a ValidationError otherwise). Changing the kind of a survey whose question is its kind's default
    asks the new kind's default."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"survey_update() got unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.status != Survey.Status.DRAFT:
            raise ValidationError(
                f"Only a draft can be changed; this survey is {locked.get_status_display().lower()}."
            )
        current: dict[str, Any] = {
            "name": locked.name,
            "kind": locked.kind,
            "question": locked.question,
            "audience": locked.audience,
            "segment": locked.segment,
            "account_ids": list(locked.accounts.values_list("pk", flat=True)),
            "every_days": locked.every_days,
            "reminder_days": locked.reminder_days,
            "closes_on": locked.closes_on,
        }
        if (
            "kind" in changes
            and "question" not in changes
            and locked.question == DEFAULT_QUESTIONS.get(SurveyKind(locked.kind))
        ):
            changes["question"] = ""
        fields = survey_validate(**{**current, **changes})
        before = _audited(locked)
        for column, value in _columns(fields).items():
            setattr(locked, column, value)
        locked.save()
        locked.accounts.set(fields.account_ids)
        difference = changed_fields(before, _audited(locked))
        if difference:
            audit_record(
                actor=by, action="survey.update", target=locked, target_label=locked.name, detail=difference
            )
    return locked


def survey_close(*, survey: Survey, by: User | None = None) -> Survey:
    """`survey`, closed: it takes no more answers and sends nothing more (its waiting invitations stay unsent).
    Closing a closed survey changes nothing."""
    with transaction.atomic():
        closed = (
            Survey.objects.filter(pk=survey.pk)
            .exclude(status=Survey.Status.CLOSED)
            .update(status=Survey.Status.CLOSED)
        )
        if closed:
            audit_record(actor=by, action="survey.close", target=survey, target_label=survey.name)
    survey.refresh_from_db(fields=["status"])
    return survey


def _columns(fields: SurveyFields) -> dict[str, Any]:
    return {
        "name": fields.name,
        "kind": fields.kind,
        "question": fields.question,
        "audience": fields.audience,
        "segment": fields.segment,
        "every_days": fields.every_days,
        "reminder_days": fields.reminder_days,
        "closes_on": fields.closes_on,
    }
