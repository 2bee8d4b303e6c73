"""A CSM's morning and a VP's look ahead, in a real browser on the demo company (issue 15).

The CSM opens their dashboard, opens an account at risk, reads why, logs a call, gives a teammate a task and
closes a playbook task. The VP reads the renewal forecast (its months add up to its total) and a drill-down of
NRR whose accounts divide to the figure on the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import TimelineEntry, User
from health.models import Task
from health.services import playbook_save
from health.services.playbooks import StepData
from metrics.models import MonthlyKpi, RenewalDue, Scope
from metrics.services.health_steps import health_alerts_step

if TYPE_CHECKING:
    from playwright.sync_api import Page

ALERT_DAYS = 30
PHONE = {"width": 390, "height": 844}


def _money(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("$", "").replace("−", "-").split()[0])


@pytest.fixture
def morning(demo: dict[str, User]) -> dict[str, object]:
    """The demo after the nightly runs of its last ALERT_DAYS days, with a playbook on "dropped into at risk"
    made before them: every account that became at risk has an at-risk task and a playbook task for its CSM.
    The CSM of the test is one with such an account."""
    playbook = playbook_save(
        playbook=None,
        name="Save the account",
        trigger="at_risk",
        days=None,
        steps=[StepData(title="Book a call with the champion", offset_days=1, priority="high")],
    )
    type(playbook).objects.filter(pk=playbook.pk).update(created_at=timezone.now() - timedelta(days=400))
    yesterday = timezone.localdate() - timedelta(days=1)
    for back in range(ALERT_DAYS - 1, -1, -1):
        health_alerts_step(day=yesterday - timedelta(days=back))
    task = (
        Task.objects.filter(kind=Task.Kind.PLAYBOOK, closed_at__isnull=True, account__current__at_risk=True)
        .select_related("account", "assignee")
        .order_by("pk")
        .first()
    )
    assert task is not None and task.assignee is not None, "the demo has no account at risk in its last days"
    return {"csm": task.assignee, "playbook_task": task, "vp": demo["vp"]}


def test_a_csms_morning(
    page: Page,
    login: Callable[..., None],
    screenshot: Callable[..., Path],
    morning: dict[str, object],
) -> None:
    csm, playbook_task, vp = (morning[key] for key in ("csm", "playbook_task", "vp"))
    assert isinstance(csm, User) and isinstance(vp, User) and isinstance(playbook_task, Task)
    login(page, csm)

    # The dashboard lists the account at risk with its reason; its link opens the 360 at the why.
    page.goto(reverse("my_dashboard"))
    risk = page.locator("#at-risk .risk-list a", has_text=playbook_task.account.name)
    expect(risk).to_be_visible()
    screenshot(page, "morning-dashboard.png", full_page=True)
    risk.click()
    page.wait_for_url(f"**/accounts/{playbook_task.account_id}/**")
    expect(page.locator("#health .health-summary__why")).to_be_visible()
    assert page.locator("#health .health-summary__why").inner_text().strip()

    # Log a call with a contact: it comes back first on the timeline.
    page.locator("#log-activity").click()
    form = page.locator("#timeline-log")
    form.locator("select[name=kind]").select_option("call")
    form.locator("textarea[name=text]").fill("Called the champion: the export bug blocks their month-end.")
    contacts = form.locator("input[name=contacts]")
    if contacts.count():
        form.locator("summary", has_text="Choose contacts").click()
        contacts.first.check()
    form.get_by_role("button", name="Log it").click()
    page.wait_for_url("**#timeline")
    first = page.locator("#timeline-events .activity__item").first
    expect(first).to_contain_text("Called the champion")
    expect(first).to_contain_text("Call")
    entry = TimelineEntry.objects.get(account_id=playbook_task.account_id, author=csm)
    assert entry.kind == "call" and entry.occurred_on == timezone.localdate()
    assert entry.contacts.count() == min(contacts.count(), 1)

    # A task for a teammate (the VP), due in a week, high priority.
    page.locator("#account-new-task").click()
    page.wait_for_url("**/tasks/new/**")
    page.fill("input[name=title]", "Approve a 10% discount for the renewal")
    page.locator("select[name=assignee]").select_option(str(vp.pk))
    due = timezone.localdate() + timedelta(days=7)
    page.fill("input[name=due_on]", due.isoformat())
    page.locator("select[name=priority]").select_option("high")
    screenshot(page, "task-new.png", full_page=True)
    page.get_by_role("button", name="Create task").click()
    page.wait_for_url("**#account-tasks")
    made = Task.objects.get(kind=Task.Kind.MANUAL, account_id=playbook_task.account_id)
    assert (made.assignee, made.due_on, made.priority, made.created_by) == (vp, due, "high", csm)
    expect(page.locator("#account-tasks")).to_contain_text("Approve a 10% discount for the renewal")
    expect(page.locator("#account-tasks")).to_contain_text(vp.name)

    # Close the playbook task with a note, from the 360.
    item = page.locator("#account-tasks li", has_text=playbook_task.title).first
    item.locator("input[name=note]").fill("Call booked for Thursday")
    item.get_by_role("button", name="Close").click()
    page.wait_for_url("**#account-tasks")
    playbook_task.refresh_from_db()
    assert playbook_task.closed_at is not None and playbook_task.close_note == "Call booked for Thursday"
    assert playbook_task.closed_by == csm
    # The timeline tells the morning's story too.
    timeline = page.locator("#timeline-events")
    expect(timeline).to_contain_text(f"Task closed: {playbook_task.title}")
    expect(timeline).to_contain_text("Task opened: Approve a 10% discount for the renewal")
    screenshot(page, "morning-account.png", full_page=True)
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    page.evaluate("document.getElementById('timeline').scrollIntoView()")
    screenshot(page, "phone-timeline.png")
    page.goto(reverse("task_list"))
    screenshot(page, "phone-tasks.png")
    page.set_viewport_size({"width": 1280, "height": 800})

    # The teammate finds the task in their list.
    page.context.clear_cookies()
    login(page, vp)
    page.goto(reverse("task_list") + f"?csm={vp.pk}")
    expect(page.locator(f'[data-task="{made.pk}"]')).to_contain_text("Approve a 10% discount")


def test_a_vps_look_ahead(
    page: Page,
    login: Callable[..., None],
    screenshot: Callable[..., Path],
    inked: Callable[[Page, str], int],
    demo: dict[str, User],
) -> None:
    login(page, demo["vp"])
    page.goto(reverse("renewal_forecast"))
    page.wait_for_load_state("load")
    assert inked(page, "chart-forecast") > 500
    rows = page.locator("#forecast tbody tr")
    assert rows.count() >= 1
    months = [_money(row.locator("td").nth(-3).inner_text()) for row in rows.all()]
    total = _money(page.locator("#forecast tfoot td").nth(-3).inner_text())
    assert abs(sum(months) - total) <= Decimal("0.005") * len(months)
    expected = RenewalDue.objects.aggregate(arr=Sum("arr"))["arr"] or Decimal(0)
    assert total == expected.quantize(Decimal("0.01"))
    screenshot(page, "renewal-forecast.png", full_page=True)
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    screenshot(page, "phone-forecast.png")
    page.set_viewport_size({"width": 1280, "height": 800})
    # A month's renewals add up to that month's ARR.
    rows.first.locator("th a").click()
    page.wait_for_url("**#renewals")
    listed = [_money(text) for text in page.locator("#month-renewals tbody td.num").all_inner_texts()]
    assert abs(sum(listed) - months[0]) <= Decimal("0.005") * max(1, len(listed))

    # NRR's drill-down (monthly: the demo's snapshots cover a year, not the 13 month-ends of nrr_12m), for the
    # last complete month: the accounts' MRR at the end over their MRR at the start is the dashboard's NRR.
    month = (
        MonthlyKpi.objects.filter(scope=Scope.COMPANY).order_by("-month").values_list("month", flat=True)[1]
    )
    page.goto(reverse("drilldown", args=["nrr-monthly", f"{month:%Y-%m}"]))
    end = _money(page.locator("#list-total").inner_text())
    start = _money(page.locator("#list-start").inner_text())
    shown = page.locator("#figure-value").inner_text()
    assert page.locator("#list-rate").inner_text() == shown
    percent = (end / start * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert f"{percent}%" == shown  # the sums are rounded to the cent here, so compare to a tenth of a percent
    ends = [_money(text) for text in page.locator("#drill-rows tbody td.drill-amount").all_inner_texts()]
    assert ends and abs(sum(ends) - end) <= Decimal("0.005") * len(ends)
    screenshot(page, "drilldown-nrr.png", full_page=True)
