"""Fixtures of the Segment endpoint's tests: a live write key and a poster of Segment requests."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import DataSource, SourceRejection
from accounts.segment.keys import write_key_create
from accounts.selectors.sources import source_days

Post = Callable[..., Any]


@pytest.fixture
def write_key(db: None) -> str:
    """The secret of a live write key."""
    return write_key_create(name="Backend", user=None)[1]


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


@pytest.fixture
def post(client: Client, write_key: str) -> Post:
    """POST a body (a dict as JSON, or bytes as they are) to /v1/<path> with the write key (or `auth`)."""

    def send(path: str, body: Any, *, auth: str | None = None, zipped: bool = False, **headers: Any) -> Any:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        if zipped:
            data = gzip.compress(data)
            headers["HTTP_CONTENT_ENCODING"] = "gzip"
        if auth is None:
            auth = basic(write_key)
        if auth:
            headers["HTTP_AUTHORIZATION"] = auth
        return client.generic("POST", f"/v1/{path}", data, "application/json", **headers)

    return send


def segment_counts() -> tuple[int, int]:
    """Accepted and rejected Segment records, all days."""
    days = source_days(source=DataSource.SEGMENT)
    return sum(d.accepted for d in days), sum(d.rejected for d in days)


def segment_reasons() -> list[str]:
    return list(
        SourceRejection.objects.filter(source=DataSource.SEGMENT)
        .order_by("id")
        .values_list("reason", flat=True)
    )
