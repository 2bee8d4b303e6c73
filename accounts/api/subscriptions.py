"""`/api/v1/subscriptions/`: subscription spans (subscriptions.csv's columns).

The list is of spans (filter by `account_id`, `subscription_id`, `active_on`). One subscription is
`/api/v1/subscriptions/<subscription_id>/`: its account and its spans. A PUT sends every span of the
subscription and, as subscriptions.csv is, is authoritative for it: the stored spans are replaced by the ones
sent (DATA.md §1), so a corrected `starts_on` leaves no old span behind. DELETE removes every span of the
subscription (one entered by mistake; a subscription that ended gets an `ends_on` instead).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.base import (
    MAX_ERRORS,
    Refused,
    body_object,
    book_check,
    error_responses,
    external_id_checked,
    readable_id,
    record_from,
    records_write,
    refused,
    refused_response,
    visible_or_404,
)
from accounts.api.resources import request_body
from accounts.api_fields import request_user
from accounts.importers.specs import SUBSCRIPTIONS
from accounts.models import Interval, SubscriptionSpan, spans_active_on
from accounts.selectors import visible_to

MAX_SPANS = 1_000
_SPAN_COLUMNS = [c.name for c in SUBSCRIPTIONS.columns if c.name not in ("subscription_id", "account_id")]


class SpanSerializer(serializers.ModelSerializer[SubscriptionSpan]):
    account_id = serializers.CharField(source="account.external_id", read_only=True)
    amount = serializers.DecimalField(max_digits=18, decimal_places=4, coerce_to_string=True, read_only=True)

    class Meta:
        model = SubscriptionSpan
        fields = [
            "subscription_id",
            "account_id",
            "plan",
            "interval",
            "amount",
            "currency",
            "starts_on",
            "ends_on",
            "renews_on",
            "term",
        ]


class SpanOfSubscription(serializers.Serializer[Any]):
    plan = serializers.CharField(allow_blank=True)
    interval = serializers.ChoiceField(Interval.choices)
    amount = serializers.DecimalField(max_digits=18, decimal_places=4, coerce_to_string=True)
    currency = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    renews_on = serializers.DateField(allow_null=True)
    term = serializers.CharField(allow_blank=True)


class SubscriptionSerializer(serializers.Serializer[Any]):
    subscription_id = serializers.CharField()
    account_id = serializers.CharField()
    spans = SpanOfSubscription(many=True)


class SpanWrite(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=18, decimal_places=4, coerce_to_string=True)
    interval = serializers.ChoiceField(Interval.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    plan = serializers.CharField(max_length=300, required=False, allow_null=True)
    currency = serializers.CharField(required=False, allow_null=True)
    renews_on = serializers.DateField(required=False, allow_null=True)
    term = serializers.ChoiceField(Interval.choices, required=False, allow_null=True, allow_blank=True)


class SubscriptionWrite(serializers.Serializer[Any]):
    account_id = serializers.CharField(max_length=200)
    spans = SpanWrite(many=True)


class SpanFilter(django_filters.FilterSet):
    account_id = django_filters.CharFilter(field_name="account__external_id")
    subscription_id = django_filters.CharFilter()
    active_on = django_filters.DateFilter(method="filter_active_on")

    class Meta:
        model = SubscriptionSpan
        fields: list[str] = []

    def filter_active_on(self, queryset: QuerySet[SubscriptionSpan], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(spans_active_on(value))


def _subscription(spans: list[SubscriptionSpan]) -> dict[str, Any]:
    return {
        "subscription_id": spans[0].subscription_id,
        "account_id": spans[0].account.external_id,
        "spans": SpanOfSubscription(spans, many=True).data,
    }


@extend_schema_view(
    list=extend_schema(description="Subscription spans the caller may see, paginated in `results`."),
    retrieve=extend_schema(responses={200: SubscriptionSerializer, **error_responses(404)}),
    update=extend_schema(
        request=SubscriptionWrite,
        responses={200: SubscriptionSerializer, 201: SubscriptionSerializer, **error_responses(400, 404)},
        description="Every span of the subscription: the stored ones are replaced by these (idempotent).",
    ),
    destroy=extend_schema(responses={204: None, **error_responses(404)}),
)
class SubscriptionViewSet(viewsets.GenericViewSet[SubscriptionSpan]):
    queryset = SubscriptionSpan.objects.none()  # the schema's model; get_queryset scopes the real one
    serializer_class = SpanSerializer
    filterset_class = SpanFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    lookup_field = "subscription_id"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[SubscriptionSpan]:
        return (
            visible_to(request_user(self.request), SubscriptionSpan.objects.all())
            .select_related("account")
            .order_by("subscription_id", "starts_on")
        )

    def _spans(self, subscription_id: str) -> list[SubscriptionSpan]:
        spans = (
            list(self.get_queryset().filter(subscription_id=subscription_id))
            if readable_id(subscription_id)
            else []
        )
        if not spans:
            raise refused(404, None, "No such subscription.")
        return spans

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        return self.get_paginated_response(SpanSerializer(page, many=True).data)

    def retrieve(self, request: Request, subscription_id: str) -> Response:
        try:
            return Response(_subscription(self._spans(subscription_id)))
        except Refused as error:
            return Response({"errors": error.errors}, status=error.status)

    def update(self, request: Request, subscription_id: str) -> Response:
        user = request_user(request)
        try:
            external_id_checked(subscription_id, "subscription_id")
            stored = SubscriptionSpan.objects.select_related("account").filter(
                subscription_id=subscription_id
            )
            existed = False
            for span in stored[:1]:
                existed = True
                visible_or_404(user, span.account, "subscription")
            body = body_object(request_body(request))
            head = record_from(
                {key: value for key, value in body.items() if key != "spans"},
                columns=["account_id", "subscription_id"],
                fixed={"subscription_id": subscription_id},
            )
            spans = body.get("spans")
            if not isinstance(spans, list) or not spans:
                raise refused(
                    400, "spans", "a list of one span or more is required (DELETE removes a subscription)"
                )
            if len(spans) > MAX_SPANS:
                raise refused(400, "spans", f"at most {MAX_SPANS} spans")
            records = [
                {**record_from(span, columns=_SPAN_COLUMNS, prefix=f"spans[{index}]."), **head}
                for index, span in enumerate(spans)
            ]
            book_check(user, [head])
            records_write(spec=SUBSCRIPTIONS, records=records, item="spans")
        except Refused as error:
            for problem in error.errors:
                field = problem["field"] or ""
                for column in ("account_id", "subscription_id"):
                    if field.startswith("spans[") and field.endswith(f".{column}"):
                        problem["field"] = column
            error.errors = _unique(error.errors)[:MAX_ERRORS]
            return refused_response(request, error)
        return Response(_subscription(self._spans(subscription_id)), status=200 if existed else 201)

    def destroy(self, request: Request, subscription_id: str) -> Response:
        try:
            spans = self._spans(subscription_id)
        except Refused as error:
            return refused_response(request, error)
        SubscriptionSpan.objects.filter(pk__in=[span.pk for span in spans]).delete()
        return Response(status=204)


def _unique(errors: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
    seen: set[tuple[str | None, str | None]] = set()
    kept = []
    for error in errors:
        key = (error["field"], error["message"])
        if key not in seen:
            seen.add(key)
            kept.append(error)
    return kept
