"""Playbooks (health.services.playbooks, health/sql/playbooks.sql): each trigger fires on the right day for the
right accounts, once per occurrence (a rerun of the day opens nothing), never for an inactive playbook or for days
before the playbook existed; its tasks are due `offset_days` after the day, for the account's CSM or the fallback
owner. The days are run through the nightly run's alerts step (metrics.services.health_steps), as the pipeline
runs it; the stored daily rows are written by hand (`stored_day`), the raw facts by `facts`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.models import Account, User
from health.models import Playbook, PlaybookRun, Task, Trigger
from health.services import playbook_save, playbook_set_active, playbooks_default_create
from health.services.playbooks import StepData
from metrics.models import AccountDay
from metrics.services.health_steps import health_alerts_step
from tests.scenarios import Facts

StoredDay = Callable[..., AccountDay]
D = date(2024, 6, 10)


def playbook(trigger: str, *, days: int | None = None, steps: list[StepData] | None = None) -> Playbook:
    """A playbook that exists since before the scenario's days (a playbook does not fire for days before it)."""
    made = playbook_save(
        playbook=None,
        name=f"{trigger} {days or ''}".strip(),
        trigger=trigger,
        days=days,
        steps=steps or [StepData("First", "do this", 0, "high"), StepData("Second", "", 5, "low")],
    )
    Playbook.objects.filter(pk=made.pk).update(created_at=datetime(2024, 1, 1, tzinfo=UTC))
    return made


def playbook_tasks(account: Account | None = None) -> list[tuple[str, str, date, str]]:
    tasks = Task.objects.filter(kind=Task.Kind.PLAYBOOK).order_by("account", "due_on", "title")
    if account is not None:
        tasks = tasks.filter(account=account)
    return [(task.account.name, task.title, task.due_on, task.priority) for task in tasks]


def test_turned_red_fires_once_on_the_day_it_turned_red(
    csm: User, facts: Facts, stored_day: StoredDay
) -> None:
    """A: yellow (50) on D − 1, red (30) on D → fires on D. B: red on both days → not turned. C: red on D, no
    row on D − 1 (not scored) → not turned. Tasks: "First" due D + 0 (high), "Second" due D + 5 (low). A rerun
    of D opens nothing; D + 1 (A still red) opens nothing."""
    playbook(Trigger.TURNED_RED)
    a, b, c = (facts.account(name, csm=csm) for name in ("A", "B", "C"))
    stored_day(a, D - timedelta(days=1), score=50.0)
    stored_day(a, D, score=30.0)
    stored_day(b, D - timedelta(days=1), score=20.0)
    stored_day(b, D, score=30.0)
    stored_day(c, D, score=30.0)

    health_alerts_step(day=D)
    assert playbook_tasks() == [("A", "First", D, "high"), ("A", "Second", D + timedelta(days=5), "low")]
    task = Task.objects.filter(kind="playbook").first()
    assert task is not None and task.assignee == csm and task.description == "do this"
    assert task.reason_text == "Playbook \u201cturned_red\u201d: the account turned red on 10 Jun 2024."

    health_alerts_step(day=D)  # the same day again
    stored_day(a, D + timedelta(days=1), score=25.0)
    health_alerts_step(day=D + timedelta(days=1))
    assert len(playbook_tasks()) == 2
    assert PlaybookRun.objects.count() == 1


def test_at_risk_fires_when_an_episode_starts(csm: User, facts: Facts, stored_day: StoredDay) -> None:
    """The at-risk alert of D starts an episode for A (red): the playbook fires for it in the same step; B is
    green. A still at risk on D + 1 (the episode continues) → nothing new."""
    playbook(Trigger.AT_RISK, steps=[StepData("Reach out", "", 2)])
    a, b = facts.account("A", csm=csm), facts.account("B", csm=csm)
    stored_day(a, D, score=30.0)
    stored_day(b, D, score=90.0)
    health_alerts_step(day=D)
    assert playbook_tasks() == [("A", "Reach out", D + timedelta(days=2), "normal")]
    stored_day(a, D + timedelta(days=1), score=30.0)
    health_alerts_step(day=D + timedelta(days=1))
    assert len(playbook_tasks()) == 1


def test_renewal_in_n_days_on_term_ends(csm: User, facts: Facts) -> None:
    """N = 30, run on 2024-03-31 (t = 2024-04-30): Q starts 2024-01-31 quarterly → Jan 31 + 1 quarter clamps to
    Apr 30: fires (occurrence sub_q@2024-04-30). Y starts 2023-04-30 yearly → 2024-04-30: fires. E yearly from
    2023-04-30 but ends 2024-04-15 (before t − 1) → no renewal due. M monthly → never. W yearly from 2023-05-01
    → its term end is 2024-05-01, not t."""
    playbook(Trigger.RENEWAL, days=30, steps=[StepData("Prepare the renewal", "", 0)])
    q, y, e, m, w = (facts.account(name, csm=csm) for name in ("Q", "Y", "E", "M", "W"))
    facts.span(q, "300", "quarter", "2024-01-31", subscription="sub_q")
    facts.span(y, "1200", "year", "2023-04-30", subscription="sub_y")
    facts.span(e, "1200", "year", "2023-04-30", "2024-04-15")
    facts.span(m, "100", "month", "2023-04-30")
    facts.span(w, "1200", "year", "2023-05-01")
    day = date(2024, 3, 31)
    health_alerts_step(day=day)
    assert playbook_tasks() == [
        ("Q", "Prepare the renewal", day, "normal"),
        ("Y", "Prepare the renewal", day, "normal"),
    ]
    assert sorted(PlaybookRun.objects.values_list("occurrence", flat=True)) == [
        "sub_q@2024-04-30",
        "sub_y@2024-04-30",
    ]
    task = Task.objects.get(account=q, kind="playbook")
    assert task.reason_text == (
        "Playbook \u201crenewal 30\u201d: a renewal is 30 days away (30 Apr 2024) on 31 Mar 2024."
    )
    health_alerts_step(day=day)
    assert len(playbook_tasks()) == 2


def test_onboarding_fires_on_the_first_paid_day(csm: User, facts: Facts) -> None:
    """N starts paying on D → fires. R paid in 2023 and starts again on D (a reactivation) → not new. Z's span on
    D is priced 0 → not paying."""
    playbook(Trigger.ONBOARDING, steps=[StepData("Kickoff", "", 3)])
    n, r, z = (facts.account(name, csm=csm) for name in ("N", "R", "Z"))
    facts.span(n, "100", "month", D.isoformat())
    facts.span(r, "100", "month", "2023-01-01", "2023-06-01")
    facts.span(r, "100", "month", D.isoformat())
    facts.span(z, "0", "month", D.isoformat())
    health_alerts_step(day=D - timedelta(days=1))
    assert playbook_tasks() == []
    health_alerts_step(day=D)
    assert playbook_tasks() == [("N", "Kickoff", D + timedelta(days=3), "normal")]


def test_detractor_answers_of_the_day(csm: User, facts: Facts) -> None:
    """NPS 6 on D → fires (occurrence response:<id>); NPS 7 on D → not a detractor; NPS 2 on D − 1 → another
    day; CSAT 1 on D → not NPS. Two detractor answers of one account on D → two occurrences."""
    playbook(Trigger.DETRACTOR, steps=[StepData("Call the detractor", "", 1)])
    a, b = facts.account("A", csm=csm), facts.account("B", csm=csm)
    six = facts.response(a, "nps", 6, "2024-06-10T09:00:00Z")
    facts.response(a, "nps", 7, "2024-06-10T10:00:00Z")
    facts.response(b, "nps", 2, "2024-06-09T23:59:59Z")
    facts.response(b, "csat", 1, "2024-06-10T10:00:00Z")
    zero = facts.response(b, "nps", 0, "2024-06-10T00:00:00Z")
    health_alerts_step(day=D)
    assert sorted(PlaybookRun.objects.values_list("occurrence", flat=True)) == sorted(
        [f"response:{six.pk}", f"response:{zero.pk}"]
    )
    assert playbook_tasks() == [
        ("A", "Call the detractor", D + timedelta(days=1), "normal"),
        ("B", "Call the detractor", D + timedelta(days=1), "normal"),
    ]


def test_inactive_and_newer_playbooks_do_not_fire(
    csm: User, admin_user: User, facts: Facts, stored_day: StoredDay
) -> None:
    """An inactive playbook never fires; one made after D does not fire for D. An account without a CSM gets its
    tasks assigned to the fallback owner (the first active admin)."""
    off = playbook(Trigger.TURNED_RED)
    playbook_set_active(playbook=off, active=False)
    later = playbook_save(
        playbook=None, name="later", trigger=Trigger.AT_RISK, days=None, steps=[StepData("x")]
    )
    assert later.created_at.date() > D
    a = facts.account("A", csm=csm)
    stored_day(a, D - timedelta(days=1), score=50.0)
    stored_day(a, D, score=30.0)
    health_alerts_step(day=D)
    assert playbook_tasks() == []

    playbook_set_active(playbook=off, active=True)
    unowned = facts.account("U", csm=None)
    stored_day(unowned, D - timedelta(days=1), score=50.0)
    stored_day(unowned, D, score=30.0)
    health_alerts_step(day=D)
    assert {task.assignee for task in Task.objects.filter(kind="playbook", account=unowned)} == {admin_user}
    assert {task.assignee for task in Task.objects.filter(kind="playbook", account=a)} == {csm}


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": " "}, "name"),
        ({"trigger": "sometimes"}, "trigger"),
        ({"trigger": "renewal", "days": None}, "days"),
        ({"trigger": "renewal", "days": 0}, "days"),
        ({"steps": []}, "steps"),
        ({"steps": [StepData(" ")]}, "steps"),
        ({"steps": [StepData("x", offset_days=400)]}, "steps"),
        ({"steps": [StepData("x", priority="urgent")]}, "steps"),
    ],
)
def test_a_bad_playbook_is_refused_and_saves_nothing(db: None, fields: dict[str, object], error: str) -> None:
    from django.core.exceptions import ValidationError

    values: dict[str, object] = {"name": "P", "trigger": "turned_red", "days": None, "steps": [StepData("x")]}
    values.update(fields)
    with pytest.raises(ValidationError) as raised:
        playbook_save(playbook=None, **values)  # type: ignore[arg-type]
    assert error in raised.value.message_dict
    assert not Playbook.objects.exists()


def test_the_examples_are_made_once(db: None) -> None:
    assert [p.name for p in playbooks_default_create()] == [
        "Red account rescue",
        "Renewal in 60 days",
        "Onboarding kickoff",
    ]
    assert playbooks_default_create() == []
    assert Playbook.objects.get(name="Renewal in 60 days").days == 60
