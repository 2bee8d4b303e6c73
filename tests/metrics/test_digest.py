"""The daily digest's content (METRICS.md "Daily digest"), worked by hand over tests/metrics/digest_world.py, and
its email, received by a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, TeamSettings, User
from health.models import Task
from metrics.models import Notification, RenewalDue
from metrics.selectors.digest import (
    TEAM,
    AtRiskItem,
    CsmTasks,
    digest_recipients,
    digest_windows,
    digests_read,
)
from metrics.services.notifications import digests_prepare
from tests.factories import AccountFactory
from tests.metrics.digest_world import NOW, TODAY, World, digest_world
from tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(csm: User, other_csm: User) -> World:
    return digest_world(csm, other_csm)


def _names(items: list[Any]) -> list[str]:
    return [item.account_name for item in items]


def test_each_csm_digest_lists_new_alerts_tasks_due_and_renewals_in_30_days(world: World) -> None:
    """Alice (last digest sent until 2025-06-09 07:00): newly at risk Anchor Co (raised 06-10 02:40; Harbor's of
    06-09 02:40 came before her last digest). Tasks due by 06-10: "Send the QBR deck" (06-05, overdue) then
    "Call Harbor" (06-10): 2, 1 overdue; not tomorrow's, the closed one or the one snoozed to 06-12. Renewals from
    06-10 to 07-10: Harbor Lights on 06-30 (20 days), $1,200.00; not Anchor's on 07-20 (40 days).
    Bob (no digest yet: the last 24 hours, from 06-09 07:00): Zephyr (raised 06-09 08:00); "Chase Zephyr"
    (06-09, overdue); Zephyr's renewal on 07-10, day 30, the last one in: $11,988.00."""
    alice, bob = world.alice.pk, world.bob.pk
    windows = digest_windows(kind="email", channels=[alice, bob], day=TODAY, until=NOW)
    assert windows == {alice: datetime(2025, 6, 9, 7, 0, tzinfo=UTC), bob: NOW - timedelta(days=1)}

    digests = digests_read(day=TODAY, until=NOW, since=windows)
    mine, bobs = digests[alice], digests[bob]
    assert mine.at_risk == [
        AtRiskItem(
            world.anchor.pk,
            "Anchor Co",
            "ACC-A",
            "Red: the score 30.0 is below 50.",
            "Alice Owner",
            datetime(2025, 6, 10, 2, 40, tzinfo=UTC),
        )
    ]
    assert [(t.title, str(t.due_on), t.overdue) for t in mine.tasks] == [
        ("Send the QBR deck", "2025-06-05", True),
        ("Call Harbor", "2025-06-10", False),
    ]
    assert (mine.tasks_count, mine.tasks_overdue) == (2, 1)
    assert [(r.account_name, str(r.term_end), r.arr, r.status) for r in mine.renewals] == [
        ("Harbor Lights", "2025-06-30", Decimal("1200"), "red")
    ]
    assert (mine.renewals_count, mine.renewals_arr) == (1, Decimal("1200"))

    assert _names(bobs.at_risk) == ["Zephyr Corp"]
    assert [(t.title, t.overdue) for t in bobs.tasks] == [("Chase Zephyr", True)]
    assert (bobs.tasks_count, bobs.tasks_overdue) == (1, 1)
    assert [(r.account_name, str(r.term_end)) for r in bobs.renewals] == [("Zephyr Corp", "2025-07-10")]
    assert bobs.renewals_arr == Decimal("11988")
    assert not mine.is_empty and not bobs.is_empty


def test_the_team_digest_has_everyone_s_alerts_tasks_per_csm_and_renewals(world: World) -> None:
    """The team (no digest yet: from 06-09 07:00): Anchor Co and Zephyr Corp, by name; tasks due: Alice 2 (1
    overdue), Bob 1 (1 overdue), 3 in all, 2 overdue; renewals: Harbor Lights (06-30) and Zephyr Corp (07-10),
    2, $1,200.00 + $11,988.00 = $13,188.00."""
    windows = digest_windows(kind="slack", channels=[TEAM], day=TODAY, until=NOW)
    team = digests_read(day=TODAY, until=NOW, since=windows)[TEAM]
    assert [(item.account_name, item.csm) for item in team.at_risk] == [
        ("Anchor Co", "Alice Owner"),
        ("Zephyr Corp", "Bob Other"),
    ]
    assert team.tasks_by_csm == [CsmTasks("Alice Owner", 2, 1), CsmTasks("Bob Other", 1, 1)]
    assert (team.tasks_count, team.tasks_overdue, team.tasks) == (3, 2, [])
    assert [(r.account_name, str(r.term_end), r.csm) for r in team.renewals] == [
        ("Harbor Lights", "2025-06-30", "Alice Owner"),
        ("Zephyr Corp", "2025-07-10", "Bob Other"),
    ]
    assert (team.renewals_count, team.renewals_arr) == (2, Decimal("13188"))


def test_a_long_gap_reaches_back_a_week_at_most_and_sections_count_what_they_do_not_list(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alice's last digest a month ago: the window starts 7 days before now (06-03 07:00), so both of her alerts
    are new (06-09 02:40 and 06-10 02:40). With 1 item a section: Anchor Co listed, 1 more; the overdue task
    listed, 1 more."""
    Notification.objects.filter(user=world.alice).update(
        day=TODAY - timedelta(days=31), until=NOW - timedelta(days=31)
    )
    monkeypatch.setattr("metrics.selectors.digest.DIGEST_ITEMS", 1)
    windows = digest_windows(kind="email", channels=[world.alice.pk], day=TODAY, until=NOW)
    assert windows[world.alice.pk] == datetime(2025, 6, 3, 7, 0, tzinfo=UTC)
    digest = digests_read(day=TODAY, until=NOW, since=windows)[world.alice.pk]
    assert (_names(digest.at_risk), digest.at_risk_count, digest.at_risk_more) == (["Anchor Co"], 2, 1)
    assert ([t.title for t in digest.tasks], digest.tasks_more) == (["Send the QBR deck"], 1)


def test_who_gets_a_digest(world: World, make_user: Callable[..., User]) -> None:
    """Email: active people with daily_digest on (Alice, Bob; not Olga, who turned it off, nor the deactivated
    Dan). Slack: people with a webhook (Olga), and the team once its settings have one."""
    olga = make_user(
        "olga@keel.test", Role.CSM, daily_digest=False, slack_webhook_url="https://hooks.slack.com/x"
    )
    make_user("dan@keel.test", Role.CSM, is_active=False)
    assert digest_recipients(kind="email", day=TODAY) == [world.alice, world.bob]
    assert digest_recipients(kind="slack", day=TODAY) == [olga]
    TeamSettings.objects.create(pk=1, slack_webhook_url="https://hooks.slack.com/team")
    assert digest_recipients(kind="slack", day=TODAY) == [olga, TEAM]


def test_the_digest_email_reaches_the_smtp_server_once(
    world: World,
    smtp: SmtpServer,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    """Alice and Bob get one email each, text and HTML; Vera (a VP with no book, nothing to say) and Olga (digest
    off) none. A second run the same morning writes and sends nothing."""
    make_user("vera@keel.test", Role.VP, "Vera VP")
    make_user("olga@keel.test", Role.CSM, daily_digest=False)
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(40):
        assert digests_prepare(now=NOW) == 2
    assert sorted(smtp.recipients) == ["alice@keel.test", "bob@keel.test"]
    (email,) = smtp.to("alice@keel.test")
    assert (
        email["Subject"] == "Keel digest for 2025-06-10: 1 newly at risk, 2 tasks due, 1 renewal in 30 days"
    )
    text = email.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    anchor, harbor = world.anchor.pk, world.harbor.pk
    assert (
        "NEWLY AT RISK (1)\n\n"
        "- Anchor Co (ACC-A): Red: the score 30.0 is below 50.\n"
        f"  http://127.0.0.1:8000/accounts/{anchor}/#health\n"
    ) in text
    assert (
        "TASKS DUE TODAY OR OVERDUE (2, 1 overdue)\n\n"
        "- 2025-06-05 (overdue) Anchor Co: Send the QBR deck\n"
        "- 2025-06-10 Harbor Lights: Call Harbor\n"
        "Your tasks: http://127.0.0.1:8000/tasks/\n"
    ) in text
    assert (
        "RENEWALS IN THE NEXT 30 DAYS (1, $1,200.00 ARR)\n\n- 2025-06-30 Harbor Lights: $1,200.00 ARR, red\n"
    ) in text
    html = email.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert f'href="http://127.0.0.1:8000/accounts/{harbor}/"' in html and "$1,200.00" in html
    rows = Notification.objects.filter(day=TODAY).order_by("user__email")
    assert [(n.user.email, n.kind, n.state, n.attempts) for n in rows if n.user] == [
        ("alice@keel.test", "email", "sent", 1),
        ("bob@keel.test", "email", "sent", 1),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        assert digests_prepare(now=NOW + timedelta(minutes=5)) == 0
    assert len(smtp.messages) == 2 and Notification.objects.filter(day=TODAY).count() == 2


def test_a_person_with_nothing_to_say_gets_no_email(
    world: World, smtp: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    """Without Bob's tasks (his alert among them) and Zephyr's renewal, Bob's digest is empty: no row, no email;
    Alice's still goes."""
    Task.objects.filter(assignee=world.bob).delete()
    RenewalDue.objects.filter(account=world.zephyr).delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_prepare(now=NOW) == 1
    assert smtp.recipients == ["alice@keel.test"]
    assert not Notification.objects.filter(user=world.bob).exists()


def test_the_digests_command_sends_today_s_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """Without REDIS_URL (tasks in-process) the command sends before it ends: Alice's and Bob's emails (to
    Django's in-memory outbox here, printed on the console under `make run`); run again, it sends nothing."""
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("digests", stdout=out)
    assert out.getvalue() == "digests queued: 2; retries and lost sends queued: 0\n"
    assert sorted(message.to[0] for message in mail.outbox) == ["alice@keel.test", "bob@keel.test"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("digests", stdout=out)
    assert out.getvalue().endswith("digests queued: 0; retries and lost sends queued: 0\n")
    assert len(mail.outbox) == 2


def test_the_digests_are_read_in_six_queries_however_many_people(
    world: World, make_user: Callable[..., User]
) -> None:
    """Set-based: Alice, Bob and the team in 6 queries; with 5 more CSMs, each with an account, a task due and a
    renewal, still 6."""

    def queries() -> int:
        channels = [user.pk for user in User.objects.all()] + [TEAM]
        since = dict.fromkeys(channels, NOW - timedelta(days=1))
        with CaptureQueriesContext(connection) as captured:
            digests = digests_read(day=TODAY, until=NOW, since=since)
        assert all(not digest.is_empty for digest in digests.values())
        return len(captured)

    assert queries() == 6
    for n in range(5):
        other = make_user(f"csm{n}@keel.test")
        account = AccountFactory.create(csm=other)
        Task.objects.create(account=account, assignee=other, kind="manual", title="Call", due_on=TODAY)
        RenewalDue.objects.create(
            as_of=TODAY, term_end=TODAY, account=account, subscription_id=f"s{n}", csm=other, arr=1
        )
    assert queries() == 6
