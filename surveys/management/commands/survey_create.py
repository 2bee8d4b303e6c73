"""`python manage.py survey_create --kind nps|csat|ces --name NAME [--segment S] [--question TEXT]
[--every-days N] [--reminder-days N] [--closes-on DATE]`: a draft survey of the paying accounts (of segment S
when given); prints its id. The rules are survey_create's (surveys.services)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.management.arguments import day_argument
from accounts.models import SurveyKind
from surveys.models import Survey
from surveys.services import survey_create

# The option that gives each field survey_validate names in its errors.
OPTIONS = {
    "name": "--name",
    "kind": "--kind",
    "question": "--question",
    "segment": "--segment",
    "audience": "--segment",
    "every_days": "--every-days",
    "reminder_days": "--reminder-days",
    "closes_on": "--closes-on",
}


class Command(BaseCommand):
    help = "Create a draft NPS, CSAT or CES survey of the paying accounts and print its id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=SurveyKind.values)
        parser.add_argument("--name", required=True)
        parser.add_argument("--segment", default="", help="only the paying accounts of this segment")
        parser.add_argument("--question", default="", help="default: the kind's question")
        parser.add_argument("--every-days", type=int, help="recurring: a new round every N days")
        parser.add_argument("--reminder-days", type=int, help="one reminder N days after the invitation")
        parser.add_argument(
            "--closes-on", type=day_argument, help="the last day that takes answers (YYYY-MM-DD)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            survey = survey_create(
                name=options["name"],
                kind=options["kind"],
                question=options["question"],
                audience=Survey.Audience.SEGMENT if options["segment"] else Survey.Audience.PAYING,
                segment=options["segment"],
                every_days=options["every_days"],
                reminder_days=options["reminder_days"],
                closes_on=options["closes_on"],
            )
        except ValidationError as error:
            lines = [
                f"{OPTIONS.get(field, field)}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(str(survey.pk))
