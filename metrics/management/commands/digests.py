"""`python manage.py digests [--due-only]`: write and send today's digests now, as beat does at KEEL_DIGEST_HOUR,
then send what earlier attempts left due (beat's ten-minute sweep); print how many of each were queued. Without
REDIS_URL they are sent before the command ends; with it, Celery workers send them. Running it again the same day
sends nothing twice: from cron it stands in for beat."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from metrics.services.notifications import digests_prepare, notifications_due_send


class Command(BaseCommand):
    help = (
        "Write and send today's daily digests (email and Slack), then retry what is due; prints the counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--due-only", action="store_true", help="only the sweep: retries and lost sends, no new digests"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        written = 0 if options["due_only"] else digests_prepare()
        due = notifications_due_send()
        self.stdout.write(f"digests queued: {written}; retries and lost sends queued: {due}")
