"""`python manage.py survey_send ID`: send what survey ID has due now (its first round for a draft, a recurring
survey's next round, reminders, retries) and print how many emails were queued. Without REDIS_URL they are sent
before the command ends; with it, Celery workers send them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.models import Survey
from surveys.services import survey_send


class Command(BaseCommand):
    help = "Send the invitations and reminders of a survey that are due now; prints how many were queued."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("survey_id", type=int, metavar="ID")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            survey = Survey.objects.get(pk=options["survey_id"])
        except Survey.DoesNotExist:
            raise CommandError(f"No survey has the id {options['survey_id']}.") from None
        queued = survey_send(survey=survey)
        if survey.status == Survey.Status.CLOSED:
            self.stderr.write(f"Survey {survey.pk} is closed: nothing is sent.")
        self.stdout.write(str(queued))
