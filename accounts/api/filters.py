"""Filters of the list endpoints whose values parse as the importer parses them (accounts.importers.fields),
so a filter takes what a write takes and a bad value is a 400, never a query PostgreSQL refuses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms

from accounts.importers.fields import FieldError, parse_datetime


class InstantField(forms.Field):
    def to_python(self, value: Any) -> datetime | None:
        if value in (None, ""):
            return None
        try:
            # In UTC: PostgreSQL takes offsets up to ±15:59 only, ISO 8601 up to ±23:59.
            return parse_datetime(str(value).strip()).astimezone(UTC)
        except FieldError as error:
            raise forms.ValidationError(str(error)) from None


class InstantFilter(django_filters.Filter):
    """An ISO 8601 datetime with an offset or Z, as an instant."""

    field_class = InstantField
