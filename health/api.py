"""The health API: the backtest, tasks. Scoped exactly like the pages (DESIGN.md "Roles"). The scores of a day
are snapshots, served by metrics.api.

- `GET /api/v1/health/backtest/?from=YYYY-MM&to=YYYY-MM`: `auc`, `churn_rate_by_status` of the active model.
  VPs and admins only: it pools every account of the company, which a CSM does not see (403).
- `GET /api/v1/tasks/?state=open|closed|all&csm=<user id>|none`: a CSM's own tasks; every task for VPs and admins.
- `POST /api/v1/tasks/` with `{"account_id", "title", "due_on", "assignee"?, "priority"?, "description"?}` makes a
  task by hand (`health.services.task_create`: for the account's CSM, the fallback owner without one, or
  `assignee`, the email of someone who sees the account): 201 with the task.
- `GET /api/v1/tasks/<id>/`: one task; `POST /api/v1/tasks/<id>/close/` with `{"note": "..."}` closes it
  (`health.services.task_close`): 200 with the task, 409 when it was closed already; another CSM's task is a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_fields import IsVp, MonthRangeQuery, paginated, request_user
from accounts.selectors import accounts_for_user
from health.models import Task
from health.selectors import health_backtest, health_model_active, task_get_for_user, task_list
from health.selectors.tasks import STATES, UNASSIGNED
from health.services import task_assignees, task_close, task_create
from health.services.tasks import MAX_DESCRIPTION, MAX_NOTE, MAX_TITLE


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
    reason = serializers.CharField(source="reason_text")
    reason_data = serializers.JSONField(source="reason")
    closed_by = serializers.EmailField(source="closed_by.email", allow_null=True, default=None)
    created_by = serializers.EmailField(source="created_by.email", allow_null=True, default=None)
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
            "description",
            "priority",
            "reason",
            "reason_data",
            "due_on",
            "snoozed_until",
            "created_by",
            "created_at",
            "closed_at",
            "closed_by",
            "close_note",
            "episode_started_on",
        ]


class TaskWrite(serializers.Serializer[dict[str, Any]]):
    account_id = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=MAX_TITLE)
    due_on = serializers.DateField()
    assignee = serializers.EmailField(required=False, allow_null=True, default=None)
    priority = serializers.ChoiceField(
        choices=Task.Priority.choices, required=False, default=Task.Priority.NORMAL
    )
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION, required=False, allow_blank=True, default=""
    )


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
        operation_id="tasks_list",
        responses={200: paginated(TaskSerializer)},
        description="Tasks: a CSM's own, or every task for VPs and admins, paginated in `results`.",
    )
    def get(self, request: Request) -> Response:
        query = TaskQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = request_user(request)
        tasks = task_list(
            user=user,
            state=query.validated_data["state"],
            csm=query.validated_data["csm"] if user.is_vp else "",
        )
        page = self.paginate_queryset(tasks)
        assert page is not None
        return self.get_paginated_response(TaskSerializer(page, many=True).data)

    @extend_schema(
        operation_id="tasks_create",
        request=TaskWrite,
        responses={201: TaskSerializer},
        description="A task by hand about an account the caller sees, for its CSM by default.",
    )
    def post(self, request: Request) -> Response:
        user = request_user(request)
        body = TaskWrite(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        account = accounts_for_user(user).select_related("csm").filter(external_id=data["account_id"]).first()
        if account is None:
            raise ValidationError({"account_id": "No account you can see has this id."})
        assignee = None
        if data["assignee"]:
            assignee = next((p for p in task_assignees(account) if p.email == data["assignee"].lower()), None)
            if assignee is None:
                raise ValidationError(
                    {"assignee": "Someone active who sees this account: its CSM, a VP or an admin."}
                )
        try:
            task = task_create(
                account=account,
                by=user,
                title=data["title"],
                due_on=data["due_on"],
                assignee=assignee,
                priority=data["priority"],
                description=data["description"],
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None
        return Response(TaskSerializer(task_get_for_user(user, task.pk)).data, status=201)


class TaskView(APIView):
    @extend_schema(
        operation_id="task_retrieve",
        responses={200: TaskSerializer},
        description="One task (a CSM's own; any for VPs and admins).",
    )
    def get(self, request: Request, pk: int) -> Response:
        task = task_get_for_user(request_user(request), pk)
        return Response(TaskSerializer(task).data)


class TaskCloseBody(serializers.Serializer[dict[str, Any]]):
    note = serializers.CharField(max_length=MAX_NOTE, allow_blank=True, required=False, default="")


class TaskCloseView(APIView):
    @extend_schema(
        request=TaskCloseBody,
        responses={200: TaskSerializer},
        description="Close the task with a note of what was done (409 when it is closed already).",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = request_user(request)
        task = task_get_for_user(user, pk)
        body = TaskCloseBody(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            closed = task_close(task=task, by=user, note=body.validated_data["note"])
        except DjangoValidationError as error:
            return Response({"errors": [{"field": None, "message": " ".join(error.messages)}]}, status=409)
        return Response(TaskSerializer(closed).data)
