"""schemathesis over /api/v1/schema/, as an admin and as a CSM: no request it makes, valid or invalid, gets a
500, and every response fits the schema (issue 14). Bounded and deterministic: a few derandomized examples of
each kind per operation, so it takes seconds.

Each operation's cases come from schemathesis' own strategies (`APIOperation.as_strategy`), driven by
Hypothesis here and sent to Django's WSGI application in this process, inside the test's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import Account, User
from config.wsgi import application
from tests.conftest import api_key

SCHEMA = "/api/v1/schema/?format=json"
EXAMPLES = 8  # per operation and role, valid and invalid cases together
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def _connection_kept() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, as it should in production; in a
    test that connection holds the test's transaction, so keep it (Django's test Client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_connection_kept")
@pytest.mark.parametrize("role", ["admin", "csm"])
def test_no_server_error_and_every_response_fits_the_schema(
    admin_user: User,
    csm: User,
    own_account: Account,
    other_account: Account,
    role: str,
) -> None:
    headers = {"Authorization": f"Token {api_key(admin_user if role == 'admin' else csm)}"}
    schema = schemathesis.openapi.from_wsgi(SCHEMA, application, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) > 25
    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        )

        @given(case=cases)
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        call()
