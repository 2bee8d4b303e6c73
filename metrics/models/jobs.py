"""Snapshot jobs: a range of days queued from a page and followed to its end."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SnapshotJob(models.Model):
    """One run of the pipeline over a range of days, with its progress: the nightly run, a backfill, a recompute
    after a change of the health model. Each step (rollups, a chunk of days and accounts, the months, the end)
    counts one."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, help_text="nightly, backfill, health model v3, …")
    start = models.DateField()
    end = models.DateField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reason} {self.start}…{self.end}: {self.state} {self.steps_done}/{self.steps_total}"

    @property
    def progress(self) -> float:
        return self.steps_done / self.steps_total if self.steps_total else 0.0
