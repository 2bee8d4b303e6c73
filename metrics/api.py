"""The metrics API: the same objects as `manage.py kpis` and `manage.py health`, scoped by the caller's role
(DESIGN.md "Roles"): the snapshots are read here, the health model's own API is health.api.

- `GET /api/v1/metrics/monthly/?from=YYYY-MM&to=YYYY-MM&by=csm|segment`: one object per month (and group).
- `GET /api/v1/health/?on=YYYY-MM-DD`: the `health` command's objects, paginated; a CSM gets their accounts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_fields import DayQuery, MonthRangeQuery, request_user
from accounts.selectors import visible_to
from metrics.selectors import MonthsNotComputed, monthly_kpis
from metrics.selectors.scores import health_score_fields, health_scores_missing, health_scores_on


class MonthlyQuery(MonthRangeQuery):
    by = serializers.ChoiceField(choices=["csm", "segment"], required=False, allow_null=True, default=None)


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
        try:
            rows = monthly_kpis(
                user=request_user(request),
                start=query.validated_data["from"],
                end=query.validated_data["to"],
                by=query.validated_data["by"],
            )
        except MonthsNotComputed as error:
            return Response({"errors": [{"field": "from", "message": str(error)}]}, status=409)
        return Response(rows)


class HealthScoresView(GenericAPIView[Any]):
    cursor_order_unique = True  # one row per account on the day, by the account's (unique) external id

    @extend_schema(
        parameters=[OpenApiParameter("on", str, required=True, description="the day, YYYY-MM-DD")],
        responses={200: dict},
        description="Per-account health on a day (score, status, components, at_risk), paginated in `results`.",
    )
    def get(self, request: Request) -> Response:
        query = DayQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        day: date = query.validated_data["on"]
        problem = health_scores_missing(day)
        if problem:
            return Response({"errors": [{"field": "on", "message": problem}]}, status=409)
        scores = visible_to(request_user(request), health_scores_on(day=day))
        page = self.paginate_queryset(scores)
        assert page is not None  # the project sets a default pagination class
        return self.get_paginated_response([health_score_fields(score) for score in page])
