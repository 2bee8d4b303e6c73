"""The health API: scores of a day, the backtest, tasks. Scoped exactly like the pages (DESIGN.md "Roles").

- `GET /api/v1/health/?on=YYYY-MM-DD`: the `health` command's objects, paginated; a CSM gets their accounts.
- `GET /api/v1/health/backtest/?from=YYYY-MM&to=YYYY-MM`: `auc`, `churn_rate_by_status` of the active model.
  VPs and admins only: it pools every account of the company, which a CSM does not see (403).
- `GET /api/v1/tasks/?state=open|closed|all&csm=<user id>|none`: a CSM's own tasks; every task for VPs and admins.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.selectors import accounts_for_user
from health.models import Task
from health.selectors import health_backtest, health_score_fields, health_scores_on, task_list
from health.selectors.tasks import STATES, UNASSIGNED
from health.services import health_model_active
from metrics.api import MonthField
from metrics.models import ComputedDay
from metrics.services.pipeline import month_end


class IsVp(BasePermission):
    message = "Only VPs and admins may see this: it covers every account of the company."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return isinstance(user, User) and user.is_vp


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class DayField(serializers.Field[date, str, str, object]):
    default_error_messages = {"invalid": "Expected a day as YYYY-MM-DD."}

    def to_internal_value(self, data: str) -> date:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", data):
                raise ValueError(data)
            return date.fromisoformat(data)
        except (TypeError, ValueError):
            self.fail("invalid")
            raise  # unreachable: fail() raises

    def to_representation(self, value: date) -> str:
        return value.isoformat()


class DayQuery(serializers.Serializer[dict[str, Any]]):
    on = DayField()


class HealthScoresView(GenericAPIView[Any]):
    @extend_schema(
        parameters=[OpenApiParameter("on", str, required=True, description="the day, YYYY-MM-DD")],
        responses={200: dict},
        description="Per-account health on a day (score, status, components, at_risk), paginated in `results`.",
    )
    def get(self, request: Request) -> Response:
        query = DayQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        day: date = query.validated_data["on"]
        problem = _day_not_kept(day)
        if problem:
            return Response({"errors": [{"field": "on", "message": problem}]}, status=409)
        scores = health_scores_on(day=day, accounts=accounts_for_user(_user(request)))
        page = self.paginate_queryset(scores)
        assert page is not None  # the project sets a default pagination class
        return self.get_paginated_response([health_score_fields(score) for score in page])


def _day_not_kept(day: date) -> str:
    """Why `day` has no scores to give, or "" (the same rules as the `health` command)."""
    if not ComputedDay.objects.filter(day=day).exists():
        return f"{day} is not computed: run `python manage.py snapshot --from {day} --to {day}` first."
    keep_from = timezone.localdate() - timedelta(days=settings.KEEL_DAILY_RETENTION_DAYS)
    if day < keep_from and day != month_end(day):
        return (
            f"Daily scores are kept {settings.KEEL_DAILY_RETENTION_DAYS} days (KEEL_DAILY_RETENTION_DAYS) and "
            f"month-ends forever: {day} is no longer kept."
        )
    return ""


class MonthRangeQuery(serializers.Serializer[dict[str, object]]):
    to = MonthField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = MonthField()  # a Python keyword, so not a class attribute
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"from": "is after `to`."})
        return attrs


class HealthBacktestView(APIView):
    permission_classes = [IsAuthenticated, IsVp]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, required=True, description="first month, YYYY-MM"),
            OpenApiParameter("to", str, required=True, description="last month, YYYY-MM"),
        ],
        responses={200: dict},
        description="The backtest of METRICS.md for the active health model (VPs and admins).",
    )
    def get(self, request: Request) -> Response:
        query = MonthRangeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = health_backtest(
            first_month=query.validated_data["from"],
            last_month=query.validated_data["to"],
            model=health_model_active(),
        )
        return Response(result.fields())


class TaskSerializer(serializers.ModelSerializer[Task]):
    account_id = serializers.CharField(source="account.external_id")
    account_name = serializers.CharField(source="account.name")
    assignee = serializers.EmailField(source="assignee.email", allow_null=True, default=None)
    closed_by = serializers.EmailField(source="closed_by.email", allow_null=True, default=None)
    episode_started_on = serializers.DateField(source="episode.started_on", allow_null=True, default=None)

    class Meta:
        model = Task
        fields = [
            "id",
            "kind",
            "account_id",
            "account_name",
            "assignee",
            "title",
            "reason",
            "due_on",
            "created_at",
            "closed_at",
            "closed_by",
            "close_note",
            "episode_started_on",
        ]


class TaskQuery(serializers.Serializer[dict[str, Any]]):
    state = serializers.ChoiceField(choices=list(STATES), required=False, default="open")
    csm = serializers.RegexField(r"^(\d+|" + UNASSIGNED + ")$", required=False, default="")


class TasksView(GenericAPIView[Task]):
    serializer_class = TaskSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=list(STATES), required=False),
            OpenApiParameter("csm", str, required=False, description="a user id, or `none` (VPs and admins)"),
        ],
        description="Tasks: a CSM's own, or every task for VPs and admins, paginated in `results`.",
    )
    def get(self, request: Request) -> Response:
        query = TaskQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = _user(request)
        tasks = task_list(
            user=user,
            state=query.validated_data["state"],
            csm=query.validated_data["csm"] if user.is_vp else "",
        )
        page = self.paginate_queryset(tasks)
        assert page is not None
        return self.get_paginated_response(TaskSerializer(page, many=True).data)
