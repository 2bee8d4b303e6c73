"""What each source of data delivered, day by day, and what it refused (the Data sources page, DATA.md).

Every way data comes in (bundle imports, the REST API, the Segment endpoint, Stripe webhooks, survey answers)
counts what it accepted and what it rejected here, through `accounts.services.sources`; the counts are added to
in place, a few rows per source and day (SOURCE_DAY_SLOTS), so a burst of requests never grows the table, and
read summed per source and day (`accounts.selectors.sources.source_days`).
"""

from __future__ import annotations

from django.db import models


class DataSource(models.TextChoices):
    BUNDLE = "bundle", "Bundle imports"
    API = "api", "REST API"
    SEGMENT = "segment", "Segment"
    STRIPE = "stripe", "Stripe"
    SURVEYS = "surveys", "Surveys"


# Concurrent requests of one source add to one of this many rows of the day, picked at random, instead of all
# waiting on one row's lock until each other's commit (measured: 16% of the Segment endpoint's throughput).
SOURCE_DAY_SLOTS = 16


class SourceDay(models.Model):
    """Part of how many records a source accepted and rejected on a day (in KEEL_TIMEZONE), and when the last
    came: the day's figures are the sums (and the latest) over its slots."""

    source = models.CharField(max_length=10, choices=DataSource.choices)
    day = models.DateField()
    slot = models.PositiveSmallIntegerField(default=0)
    accepted = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    last_at = models.DateTimeField(help_text="When the last record, accepted or rejected, came in")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "day", "slot"], name="source_day_slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.day}: {self.accepted} accepted, {self.rejected} rejected"


class SourceRejection(models.Model):
    """A refused request or record: which source, when, why, and enough of it to find it again (never a secret).

    Only the latest `SOURCE_REJECTIONS_KEPT` of each source are kept."""

    source = models.CharField(max_length=10, choices=DataSource.choices)
    received_at = models.DateTimeField()
    reason = models.TextField()
    detail = models.JSONField(
        default=dict, help_text="What identifies the request: path, ids, the field errors"
    )

    class Meta:
        indexes = [models.Index(fields=["source", "-received_at"], name="source_rejection_latest")]

    def __str__(self) -> str:
        return f"{self.source} {self.received_at:%Y-%m-%d %H:%M}: {self.reason}"
