"""One error shape for the whole API (DATA.md "REST API"): {"errors": [{"field": ..., "message": ...}]}."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, Any]]:
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            name = (
                None if key in ("non_field_errors", "detail") else key if field is None else f"{field}.{key}"
            )
            errors.extend(_flatten(value, name if name is not None else field))
        return errors
    if isinstance(detail, list):
        errors = []
        for index, value in enumerate(detail):
            nested = isinstance(value, dict | list) and field is not None
            errors.extend(_flatten(value, f"{field}[{index}]" if nested else field))
        return errors
    return [{"field": field, "message": str(detail)}]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = exception_handler(exc, context)
    if response is not None:
        response.data = {"errors": _flatten(response.data)}
    return response
