"""Import runs: one row per bundle import (command or upload), with its state, report and summary."""

from __future__ import annotations

from django.db import models

from accounts.models.team import User


class ImportRun(models.Model):
    """One attempt to import a CSV bundle, from the command line or an upload, with the report it printed.

    An upload is queued first and imported by a Celery task (accounts.tasks); a command imports at once.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"

    class Source(models.TextChoices):
        COMMAND = "command", "Command line"
        UPLOAD = "upload", "Upload"
        DEMO = "demo", "Demo data"

    class Outcome(models.TextChoices):
        IMPORTED = "imported", "Imported"
        CHECKED = "checked", "Checked (dry run)"
        REJECTED = "rejected", "Rejected"

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    name = models.CharField(max_length=500, help_text="File or folder name")
    dry_run = models.BooleanField(default=False)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    summary = models.JSONField(default=dict, help_text="Per file: created, updated, unchanged counts")
    errors = models.JSONField(default=list, help_text="`file:line: column: reason` lines")
    warnings = models.JSONField(
        default=list,
        blank=True,
        help_text="What was imported as given but looks wrong (`file:line: column: why`)",
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.outcome or self.state})"
