"""The metrics API: the same objects as `manage.py kpis`, scoped by the caller's role (DESIGN.md "Roles")."""

from __future__ import annotations

from datetime import date

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from metrics.selectors import MonthsNotComputed, monthly_kpis


class MonthField(serializers.Field[date, str, str, object]):
    default_error_messages = {"invalid": "Expected a month as YYYY-MM."}

    def to_internal_value(self, data: str) -> date:
        try:
            return date.fromisoformat(f"{data}-01")
        except (TypeError, ValueError):
            self.fail("invalid")
            raise  # unreachable: fail() raises

    def to_representation(self, value: date) -> str:
        return f"{value:%Y-%m}"


class MonthlyQuery(serializers.Serializer[dict[str, object]]):
    to = MonthField()
    by = serializers.ChoiceField(choices=["csm", "segment"], required=False, allow_null=True, default=None)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = MonthField()  # a Python keyword, so not a class attribute
        return fields

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        if attrs["from"] > attrs["to"]:  # type: ignore[operator]
            raise serializers.ValidationError({"from": "is after `to`."})
        return attrs


class MonthlyKpisView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, required=True, description="first month, YYYY-MM"),
            OpenApiParameter("to", str, required=True, description="last month, YYYY-MM"),
            OpenApiParameter("by", str, enum=["csm", "segment"], required=False),
        ],
        responses={200: dict},
        description="Monthly KPIs of METRICS.md: one object per month (and CSM or segment).",
    )
    def get(self, request: Request) -> Response:
        query = MonthlyQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = request.user
        assert isinstance(user, User)
        try:
            rows = monthly_kpis(
                user=user,
                start=query.validated_data["from"],
                end=query.validated_data["to"],
                by=query.validated_data["by"],
            )
        except MonthsNotComputed as error:
            return Response({"errors": [{"field": "from", "message": str(error)}]}, status=409)
        return Response(rows)
