"""Forms of the surveys' pages: they parse input (numbers, dates, account ids); the rules of a survey and of an
answer are the services' (surveys.services.surveys, surveys.services.answers), whose ValidationError goes onto
the fields here."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Account, SurveyKind
from surveys.models import DEFAULT_QUESTIONS, Survey
from surveys.services.answers import MAX_COMMENT

# Pasted account ids: one per line, or separated by commas, semicolons or spaces (a column copied from a sheet).
_SEPARATORS = re.compile(r"[\s,;]+")


class AnswerForm(forms.Form):
    """A contact's answer on the public page: a whole score and an optional comment."""

    score = forms.IntegerField(error_messages={"required": "Choose a score.", "invalid": "Choose a score."})
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": str(MAX_COMMENT)}),
        label="Anything you would like to add? (optional)",
    )


class SurveyForm(forms.Form):
    """A draft survey as an admin writes it. The question starts as the kind's default; a question left as
    another kind's default (the kind was changed, the question not) asks the chosen kind's default. Accounts
    are picked by pasting their ids (external ids, as in the bundle and on the Accounts page), which works for a
    list of thousands."""

    name = forms.CharField(required=False, widget=forms.TextInput(attrs={"maxlength": "200"}))
    kind = forms.ChoiceField(choices=SurveyKind.choices, initial=SurveyKind.NPS)
    question = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": "500"}),
        initial=DEFAULT_QUESTIONS[SurveyKind.NPS],
        help_text="Blank: the kind's default question.",
    )
    audience = forms.ChoiceField(
        choices=Survey.Audience.choices, initial=Survey.Audience.PAYING, widget=forms.RadioSelect
    )
    segment = forms.CharField(required=False)
    accounts = forms.CharField(
        required=False,
        label="Account ids",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "class": "mono"}),
        help_text="When accounts are picked by hand: their ids, one per line or separated by commas.",
    )
    every_days = forms.IntegerField(
        required=False, label="Repeat every (days)", help_text="Blank: one round only."
    )
    reminder_days = forms.IntegerField(
        required=False, label="Remind after (days)", help_text="One reminder to those who have not answered."
    )
    closes_on = forms.DateField(
        required=False,
        label="Closes on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Answers are taken until this day, included. Blank: open until closed.",
    )

    def __init__(self, *args: Any, segments: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a segment"), *((segment, segment) for segment in segments)]
        current = self["segment"].value()
        # A segment no account has any more stays chosen; the service says what is wrong with it.
        if current and current not in segments:
            choices.append((current, current))
        self.fields["segment"].widget = forms.Select(choices=choices)
        self.account_ids: list[int] = []

    @classmethod
    def initial_of(cls, survey: Survey) -> dict[str, Any]:
        """The form's initial values for an existing draft."""
        return {
            "name": survey.name,
            "kind": survey.kind,
            "question": survey.question,
            "audience": survey.audience,
            "segment": survey.segment,
            "accounts": "\n".join(
                survey.accounts.order_by("external_id").values_list("external_id", flat=True)
            ),
            "every_days": survey.every_days,
            "reminder_days": survey.reminder_days,
            "closes_on": survey.closes_on,
        }

    def clean_question(self) -> str:
        question: str = self.cleaned_data["question"].strip()
        kind = self.data.get(self.add_prefix("kind"), "")
        others = {text for other, text in DEFAULT_QUESTIONS.items() if other != kind}
        return "" if question in others else question

    def clean_accounts(self) -> str:
        text: str = self.cleaned_data["accounts"]
        ids = [value for value in _SEPARATORS.split(text) if value]
        if self.data.get(self.add_prefix("audience")) != Survey.Audience.ACCOUNTS or not ids:
            return text
        found = dict(Account.objects.filter(external_id__in=ids).values_list("external_id", "pk"))
        missing = [value for value in dict.fromkeys(ids) if value not in found]
        if missing:
            shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            raise ValidationError(f"No account has the id {shown}.")
        self.account_ids = sorted(set(found.values()))
        return text

    def service_fields(self) -> dict[str, Any]:
        """The cleaned input as survey_create and survey_update take it."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kind": data["kind"],
            "question": data["question"],
            "audience": data["audience"],
            "segment": data["segment"],
            "account_ids": self.account_ids,
            "every_days": data["every_days"],
            "reminder_days": data["reminder_days"],
            "closes_on": data["closes_on"],
        }

    def add_service_error(self, error: ValidationError) -> None:
        """A service's ValidationError on the fields it names (`accounts` for the account ids), else on the form."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)
