"""Inputs and snapshots of the KPI engine (METRICS.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Spend(models.Model):
    """Sales and marketing spend of a month, for CAC. `month` is the month's first day."""

    month = models.DateField(unique=True)
    amount = models.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="spend_month_first_day"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spend_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.amount}"
