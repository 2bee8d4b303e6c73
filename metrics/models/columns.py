"""The column kinds of the snapshot tables: exact money and counts."""

from __future__ import annotations

from typing import Any

from django.db import models


def Money(**kwargs: Any) -> models.DecimalField:
    """An exact amount of money (numeric), summed without rounding; rounded to the cent only on output."""
    return models.DecimalField(max_digits=24, decimal_places=4, default=0, db_default=0, **kwargs)


def Count(**kwargs: Any) -> models.IntegerField:
    """A count; the pipeline inserts a group's row first and each KPI family fills its counts in."""
    return models.IntegerField(default=0, db_default=0, **kwargs)
