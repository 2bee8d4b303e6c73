"""The daily digest (METRICS.md "Daily digest"): for a person, the accounts newly at risk since their last digest,
their open tasks due by the day and the renewals of their accounts in the 30 days from it; for the team's Slack
channel, the same over everyone. Set-based: a handful of queries for all the channels of a day, whatever their
number; each section lists its first DIGEST_ITEMS and counts the rest.

A channel is a user id, or TEAM (None) for the team's Slack webhook."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Count, F, Max, Model, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from accounts.models import User
from accounts.selectors import team_settings
from health.models import Task, tasks_awake
from health.reasons import reason_text
from metrics.models import Notification, RenewalDue

M = TypeVar("M", bound=Model)
TEAM = None  # the channel of the team's Slack webhook
Channel = int | None
DIGEST_RENEWAL_DAYS = 30  # renewals with a term end from the day to the day + 30
DIGEST_ITEMS = 20  # listed per section; the rest is counted ("and 12 more")
FIRST_WINDOW = timedelta(days=1)  # a channel's first digest: the alerts of the day before it
LONGEST_WINDOW = timedelta(days=7)  # after a week without a digest, older alerts are not news


@dataclass(frozen=True)
class AtRiskItem:
    account_id: int
    account_name: str
    external_id: str
    reason: str
    csm: str  # the task's assignee, "" for none (the team's digest names them)
    alerted_at: datetime


@dataclass(frozen=True)
class TaskItem:
    task_id: int
    account_id: int
    account_name: str
    title: str
    due_on: date
    overdue: bool


@dataclass(frozen=True)
class RenewalItem:
    account_id: int
    account_name: str
    term_end: date
    arr: Decimal
    status: str  # the account's health in the latest snapshot, "" unscored
    csm: str


@dataclass(frozen=True)
class CsmTasks:
    """The team's digest: one person's open tasks due by the day."""

    name: str  # "" for tasks without an assignee
    count: int
    overdue: int


@dataclass
class Digest:
    day: date
    since: datetime
    until: datetime
    team: bool
    at_risk: list[AtRiskItem] = field(default_factory=list)
    at_risk_count: int = 0
    tasks: list[TaskItem] = field(default_factory=list)  # a person's digest only
    tasks_count: int = 0
    tasks_overdue: int = 0
    tasks_by_csm: list[CsmTasks] = field(default_factory=list)  # the team's digest only
    renewals: list[RenewalItem] = field(default_factory=list)
    renewals_count: int = 0
    renewals_arr: Decimal = Decimal(0)

    @property
    def is_empty(self) -> bool:
        return not (self.at_risk_count or self.tasks_count or self.renewals_count)

    @property
    def at_risk_more(self) -> int:
        return self.at_risk_count - len(self.at_risk)

    @property
    def tasks_more(self) -> int:
        return self.tasks_count - len(self.tasks)

    @property
    def renewals_more(self) -> int:
        return self.renewals_count - len(self.renewals)


def digest_windows(
    *, kind: str, channels: list[Channel], day: date, until: datetime
) -> dict[Channel, datetime]:
    """When each channel's digest of `kind` on `day` starts: where its last digest sent before `day` ended,
    else FIRST_WINDOW before `until`; never more than LONGEST_WINDOW before `until`. One query."""
    last: dict[Channel, datetime] = dict(
        Notification.objects.filter(kind=kind, state=Notification.State.SENT, day__lt=day)
        .values("user_id")
        .annotate(last=Max("until"))
        .values_list("user_id", "last")
    )
    oldest = until - LONGEST_WINDOW
    return {
        channel: min(max(last.get(channel) or until - FIRST_WINDOW, oldest), until) for channel in channels
    }


def digest_recipients(*, kind: str, day: date) -> list[User | None]:
    """Who gets a digest of `kind` on `day` and has none yet: active people who asked for the email
    (`daily_digest`), or gave a Slack webhook; for Slack, also the team (None) when its settings have a webhook.
    Two or three queries."""
    people = User.objects.filter(is_active=True).order_by("pk")
    if kind == Notification.Kind.EMAIL:
        people = people.filter(daily_digest=True)
    else:
        people = people.exclude(slack_webhook_url="")
    done = set(Notification.objects.filter(kind=kind, day=day).values_list("user_id", flat=True))
    recipients: list[User | None] = [user for user in people if user.pk not in done]
    if kind == Notification.Kind.SLACK and TEAM not in done and team_settings().slack_webhook_url:
        recipients.append(TEAM)
    return recipients


def digests_read(*, day: date, until: datetime, since: Mapping[Channel, datetime]) -> dict[Channel, Digest]:
    """The digest of `day` for each channel of `since`, made at `until` (METRICS.md "Daily digest"):
    - at risk: the accounts whose at-risk alert (health.services.alerts: its task) was raised after the channel's
      `since` and up to `until`, for a person those whose task is theirs, by account name;
    - tasks: open tasks due on `day` or before and not snoozed past it; a person's are listed soonest due first,
      the team's counted per assignee;
    - renewals: the renewals of the forecast (metrics.RenewalDue) with a term end from `day` to `day` + 30, for
      a person those of the accounts they own, soonest first, with their count and Σ ARR.
    Six queries at most whatever the number of channels; channels with nothing to say come back empty (`is_empty`)."""
    digests = {
        channel: Digest(day=day, since=start, until=until, team=channel is TEAM)
        for channel, start in since.items()
    }
    if not digests:
        return {}
    people = [channel for channel in digests if channel is not TEAM]
    _at_risk_fill(digests, people, until)
    _tasks_fill(digests, people, day)
    _renewals_fill(digests, people, day)
    return digests


def _mine(rows: QuerySet[M], column: str, people: list[int], team: bool) -> QuerySet[M]:
    """All of `rows` for a team's digest, else those whose `column` is one of `people`."""
    return rows if team else rows.filter(**{f"{column}__in": people})


def _at_risk_fill(digests: dict[Channel, Digest], people: list[int], until: datetime) -> None:
    earliest = min(digest.since for digest in digests.values())
    alerts = Task.objects.filter(kind=Task.Kind.AT_RISK, created_at__gt=earliest, created_at__lte=until)
    rows = (
        _mine(alerts, "assignee_id", people, TEAM in digests)
        .order_by("account__name", "pk")
        .values_list(
            "assignee_id",
            "account_id",
            "account__name",
            "account__external_id",
            "reason",
            "assignee__name",
            "created_at",
        )
    )
    for assignee, account_id, name, external_id, reason, csm, created_at in rows:
        item = AtRiskItem(account_id, name, external_id, reason_text(reason), csm or "", created_at)
        # The assignee's digest and the team's; an alert without an assignee is the team's alone.
        for channel in {assignee, TEAM}:
            digest = digests.get(channel)
            if digest is None or created_at <= digest.since:
                continue
            digest.at_risk_count += 1
            if len(digest.at_risk) < DIGEST_ITEMS:
                digest.at_risk.append(item)


def _tasks_due(day: date) -> QuerySet[Task]:
    return Task.objects.filter(tasks_awake(day), due_on__lte=day)


def _tasks_fill(digests: dict[Channel, Digest], people: list[int], day: date) -> None:
    due = _tasks_due(day)
    team = digests.get(TEAM)
    counts = (
        _mine(due, "assignee_id", people, team is not None)
        .values("assignee_id", "assignee__name")
        .annotate(count=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=day)))
        .order_by("assignee__name", "assignee_id")
    )
    for row in counts:
        digest = digests.get(row["assignee_id"]) if row["assignee_id"] is not None else None
        if digest is not None:
            digest.tasks_count, digest.tasks_overdue = row["count"], row["overdue"]
        if team is not None:
            team.tasks_count += row["count"]
            team.tasks_overdue += row["overdue"]
            team.tasks_by_csm.append(CsmTasks(row["assignee__name"] or "", row["count"], row["overdue"]))
    if not people:
        return
    first = (
        due.filter(assignee_id__in=people)
        .annotate(rank=Window(RowNumber(), partition_by=F("assignee_id"), order_by=[F("due_on"), F("pk")]))
        .filter(rank__lte=DIGEST_ITEMS)
        .order_by("assignee_id", "due_on", "pk")
        .values_list("assignee_id", "pk", "account_id", "account__name", "title", "due_on")
    )
    for assignee, pk, account_id, name, title, due_on in first:
        digests[assignee].tasks.append(TaskItem(pk, account_id, name, title, due_on, due_on < day))


def _renewals_fill(digests: dict[Channel, Digest], people: list[int], day: date) -> None:
    due = RenewalDue.objects.filter(
        term_end__gte=day, term_end__lte=day + timedelta(days=DIGEST_RENEWAL_DAYS)
    )
    team = digests.get(TEAM)
    sums = (
        _mine(due, "csm_id", people, team is not None)
        .values("csm_id")
        .annotate(count=Count("pk"), arr=Sum("arr"))
        .order_by("csm_id")
    )
    for row in sums:
        digest = digests.get(row["csm_id"]) if row["csm_id"] is not None else None
        if digest is not None:
            digest.renewals_count, digest.renewals_arr = row["count"], row["arr"]
        if team is not None:
            team.renewals_count += row["count"]
            team.renewals_arr += row["arr"]
    columns = ("csm_id", "account_id", "account__name", "term_end", "arr", "status", "csm__name")
    listed: list[tuple[Channel, tuple[Any, ...]]] = []
    if people:
        ranked = (
            due.filter(csm_id__in=people)
            .annotate(rank=Window(RowNumber(), partition_by=F("csm_id"), order_by=[F("term_end"), F("pk")]))
            .filter(rank__lte=DIGEST_ITEMS)
            .order_by("csm_id", "term_end", "pk")
            .values_list(*columns)
        )
        listed += [(row[0], row) for row in ranked]
    if team is not None:
        listed += [(TEAM, row) for row in due.order_by("term_end", "pk").values_list(*columns)[:DIGEST_ITEMS]]
    for channel, (_, account_id, name, term_end, arr, status, csm) in listed:
        digests[channel].renewals.append(RenewalItem(account_id, name, term_end, arr, status, csm or ""))


def notifications_recent(*, user: User, limit: int = 10) -> list[Notification]:
    """The latest digests sent (or tried) to `user`, and for an admin to the team's channel too, newest first."""
    mine = Q(user=user) | Q(user__isnull=True) if user.is_admin else Q(user=user)
    return list(
        Notification.objects.filter(mine).defer("body", "html").order_by("-day", "kind", "pk")[:limit]
    )
