"""`POST /api/v1/usage/`: product usage events in bulk, `{"events": [...]}` with usage.csv's columns, up to
MAX_EVENTS a request. All or nothing: one bad event rejects the request, names it (`events[12].occurred_at`)
and stores nothing. An event's key is (account_id, user_id, event, occurred_at as an instant): sending it again
changes nothing, a new count replaces the stored one (DATA.md §1). The days written are marked for the
snapshots (`usage_days_changed`), as the importer marks them. No GET: events are read as rollups (metrics).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import (
    Refused,
    body_object,
    book_check,
    error_responses,
    record_from,
    records_write,
    refused,
    refused_response,
)
from accounts.api.resources import request_body
from accounts.api_fields import request_user
from accounts.importers.specs import USAGE

MAX_EVENTS = 10_000
_COLUMNS = [column.name for column in USAGE.columns]


class UsageEventWrite(serializers.Serializer[Any]):
    account_id = serializers.CharField(max_length=200)
    user_id = serializers.CharField(max_length=200)
    event = serializers.CharField(max_length=200)
    occurred_at = serializers.DateTimeField()
    count = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class UsageWrite(serializers.Serializer[Any]):
    events = UsageEventWrite(many=True)


class UsageWritten(serializers.Serializer[Any]):
    events = serializers.IntegerField(help_text="events in the request")
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class UsageView(APIView):
    @extend_schema(
        request=UsageWrite,
        responses={200: UsageWritten, **error_responses(400)},
        description=f"Usage events in bulk (at most {MAX_EVENTS:,} a request), all or nothing.",
    )
    def post(self, request: Request) -> Response:
        user = request_user(request)
        events: Any = None
        try:
            events = body_object(request_body(request)).get("events")
            if not isinstance(events, list) or not events:
                raise refused(400, "events", "a list of one event or more is required")
            if len(events) > MAX_EVENTS:
                raise refused(400, "events", f"{len(events):,} events; at most {MAX_EVENTS:,} a request")
            records = [
                record_from(event, columns=_COLUMNS, prefix=f"events[{index}].")
                for index, event in enumerate(events)
            ]
            book_check(user, records, item="events")
            counts = records_write(spec=USAGE, records=records, item="events")
        except Refused as error:
            return refused_response(request, error, records=len(events) if isinstance(events, list) else 1)
        return Response(
            {
                "events": len(records),
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            }
        )
