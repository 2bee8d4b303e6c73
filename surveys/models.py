"""Survey responses (NPS, CSAT, CES), imported or answered on Keel's own survey pages."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.models import Account, Contact


class Kind(models.TextChoices):
    NPS = "nps", "NPS"
    CSAT = "csat", "CSAT"
    CES = "ces", "CES"


# Inclusive score range per kind (METRICS.md "Customer voice").
SCALES = {Kind.NPS: (0, 10), Kind.CSAT: (1, 5), Kind.CES: (1, 7)}


class SurveyResponse(models.Model):
    """One answer. `account` is the contact's account when there is a contact (kept in step by the importer)."""

    external_id = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    score = models.SmallIntegerField()
    responded_at = models.DateTimeField()
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="responses")
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-responded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values)
                & (
                    Q(kind=Kind.NPS, score__gte=0, score__lte=10)
                    | Q(kind=Kind.CSAT, score__gte=1, score__lte=5)
                    | Q(kind=Kind.CES, score__gte=1, score__lte=7)
                ),
                name="response_score_in_scale",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "responded_at"], name="response_kind_time"),
            models.Index(fields=["account", "responded_at"], name="response_account_time"),
            models.Index(fields=["contact", "responded_at"], name="response_contact_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.score} ({self.external_id})"
