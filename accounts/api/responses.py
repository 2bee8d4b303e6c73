"""`/api/v1/responses/`: survey answers given elsewhere (responses.csv's columns). DELETE removes one (an
answer recorded by mistake). Answers given on Keel's own survey pages come in through surveys."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from accounts.api.base import error_responses
from accounts.api.filters import InstantFilter
from accounts.api.resources import DeleteMixin, ExternalIdSerializer, FactViewSet
from accounts.importers.specs import RESPONSES
from accounts.models import SurveyKind, SurveyResponse


class ResponseSerializer(ExternalIdSerializer):
    contact_id = serializers.CharField(
        source="contact.external_id", allow_null=True, default=None, read_only=True
    )

    class Meta:
        model = SurveyResponse
        fields = ["id", "kind", "score", "responded_at", "contact_id", "account_id", "comment"]


class ResponseWrite(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(SurveyKind.choices)
    score = serializers.IntegerField()
    responded_at = serializers.DateTimeField()
    contact_id = serializers.CharField(max_length=200, required=False, allow_null=True)
    account_id = serializers.CharField(max_length=200, required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_null=True)


class ResponseFilter(django_filters.FilterSet):
    account_id = django_filters.CharFilter(field_name="account__external_id")
    kind = django_filters.ChoiceFilter(choices=SurveyKind.choices)
    responded_after = InstantFilter(field_name="responded_at", lookup_expr="gte")
    responded_before = InstantFilter(field_name="responded_at", lookup_expr="lt")

    class Meta:
        model = SurveyResponse
        fields: list[str] = []


@extend_schema_view(
    retrieve=extend_schema(responses={200: ResponseSerializer, **error_responses(404)}),
    update=extend_schema(
        request=ResponseWrite,
        responses={200: ResponseSerializer, 201: ResponseSerializer, **error_responses(400, 404)},
    ),
    destroy=extend_schema(responses={204: None, **error_responses(404)}),
)
class ResponseViewSet(DeleteMixin, FactViewSet):
    spec = RESPONSES
    noun = "survey response"
    references = ("account_id", "contact_id")
    queryset = SurveyResponse.objects.select_related("account", "contact").order_by("-responded_at", "pk")
    serializer_class = ResponseSerializer
    filterset_class = ResponseFilter
