"""The digests' test company: two CSMs, their tasks and alerts, renewals (tests/metrics/test_digest*.py).

Today is Tuesday 2025-06-10 (UTC) and the digests are made at 07:00. Alice's email digest of yesterday went out
at 2025-06-09 07:00; Bob never had one.

| task | whose | due | | in today's digest |
|---|---|---|---|---|
| Call Harbor | Alice | 06-10 | open | yes: due today |
| Send the QBR deck | Alice | 06-05 | open | yes: 5 days overdue |
| Plan the renewal | Alice | 06-11 | open | no: due tomorrow |
| Old call | Alice | 06-01 | closed | no |
| Snoozed follow-up | Alice | 06-08 | snoozed to 06-12 | no |
| Chase Zephyr | Bob | 06-09 | open | yes: 1 day overdue |

At-risk alerts (the task each opened, due a week later): Anchor Co (Alice's) raised at 2025-06-10 02:40 by the
nightly run of 06-09: new for Alice and the team; Harbor Lights (Alice's) raised 2025-06-09 02:40, before
Alice's last digest and more than a day before now: new to nobody; Zephyr (Bob's) raised 2025-06-09 08:00: new
for Bob (first digest: the last 24 hours) and the team.

Renewals (the forecast's rows): Harbor Lights on 06-30 (in 20 days, $1,200.00 ARR, red), Anchor Co on 07-20
(in 40 days: not in), Zephyr on 07-10 (in 30 days, the last day in: $11,988.00 ARR, green)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from accounts.models import Account, User
from health.models import Task
from metrics.models import Notification, RenewalDue
from tests.factories import AccountFactory

TODAY = date(2025, 6, 10)
NOW = datetime(2025, 6, 10, 7, 0, tzinfo=UTC)
RED = {"kind": "at_risk", "score": 30.0, "red": True, "yellow_min": 50, "drop_points": 15, "drop_days": 30}


@dataclass
class World:
    alice: User
    bob: User
    harbor: Account
    anchor: Account
    zephyr: Account


def _task(account: Account, assignee: User, title: str, due: date, **fields: object) -> Task:
    return Task.objects.create(
        account=account, assignee=assignee, kind=Task.Kind.MANUAL, title=title, due_on=due, **fields
    )


def _alert(account: Account, assignee: User, at: datetime) -> Task:
    task = Task.objects.create(
        account=account,
        assignee=assignee,
        kind=Task.Kind.AT_RISK,
        title=f"{account.name} is at risk",
        reason=RED,
        due_on=at.date() + timedelta(days=7),
    )
    Task.objects.filter(pk=task.pk).update(created_at=at)  # as the nightly run made it
    return task


def digest_world(alice: User, bob: User) -> World:
    harbor = AccountFactory.create(name="Harbor Lights", external_id="ACC-H", csm=alice)
    anchor = AccountFactory.create(name="Anchor Co", external_id="ACC-A", csm=alice)
    zephyr = AccountFactory.create(name="Zephyr Corp", external_id="ACC-Z", csm=bob)
    _task(harbor, alice, "Call Harbor", date(2025, 6, 10))
    _task(anchor, alice, "Send the QBR deck", date(2025, 6, 5))
    _task(anchor, alice, "Plan the renewal", date(2025, 6, 11))
    _task(harbor, alice, "Old call", date(2025, 6, 1), closed_at=datetime(2025, 6, 2, tzinfo=UTC))
    _task(harbor, alice, "Snoozed follow-up", date(2025, 6, 8), snoozed_until=date(2025, 6, 12))
    _task(zephyr, bob, "Chase Zephyr", date(2025, 6, 9))
    _alert(anchor, alice, datetime(2025, 6, 10, 2, 40, tzinfo=UTC))
    _alert(harbor, alice, datetime(2025, 6, 9, 2, 40, tzinfo=UTC))
    _alert(zephyr, bob, datetime(2025, 6, 9, 8, 0, tzinfo=UTC))
    as_of = date(2025, 6, 9)
    for account, owner, term_end, arr, status in (
        (harbor, alice, date(2025, 6, 30), "1200", "red"),
        (anchor, alice, date(2025, 7, 20), "600", "yellow"),
        (zephyr, bob, date(2025, 7, 10), "11988", "green"),
    ):
        RenewalDue.objects.create(
            as_of=as_of,
            term_end=term_end,
            account=account,
            subscription_id=f"sub-{account.external_id}",
            csm=owner,
            status=status,
            arr=Decimal(arr),
        )
    Notification.objects.create(
        user=alice,
        kind=Notification.Kind.EMAIL,
        day=date(2025, 6, 9),
        state=Notification.State.SENT,
        since=datetime(2025, 6, 8, 7, 0, tzinfo=UTC),
        until=datetime(2025, 6, 9, 7, 0, tzinfo=UTC),
        body="yesterday's",
        next_attempt_at=datetime(2025, 6, 9, 7, 0, tzinfo=UTC),
        sent_at=datetime(2025, 6, 9, 7, 0, 5, tzinfo=UTC),
    )
    return World(alice, bob, harbor, anchor, zephyr)
