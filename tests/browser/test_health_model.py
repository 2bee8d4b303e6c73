"""An admin tunes the health model: changes a weight, previews the draft against the active model (status counts
and backtest), saves it, and finds the new version active. A CSM then reads why an account is at risk.
Screenshots: test-artifacts/ (docs/ with `make screenshots`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from accounts.models import User
from health.models import HealthModel, Task
from health.reasons import AtRiskReason
from tests.scenarios import STAYERS, Facts, churn_book

if TYPE_CHECKING:
    from playwright.sync_api import Page


def cells(page: Page, table: str, row: str) -> list[str]:
    return [text.split()[0] for text in page.locator(f"#{table} tr[data-row='{row}'] td").all_inner_texts()]


def test_an_admin_previews_and_saves_a_new_health_model(
    page: Page, login: Callable[..., None], screenshot: Callable[..., Path], admin_user: User, csm: User
) -> None:
    churn_book(Facts(reader=admin_user), csm=csm)
    login(page, admin_user)
    page.get_by_role("link", name="Health model").click()
    page.wait_for_url("**/health/model/")
    expect(page.get_by_role("heading", name="Health model", exact=True)).to_be_visible()
    (active_auc,) = cells(page, "backtest", "auc")
    (active_green,) = cells(page, "distribution", "green")
    assert (active_green, cells(page, "distribution", "yellow")) == ("0", ["4"])
    screenshot(page, "health-model.png", full_page=True)

    page.get_by_label("Activity", exact=True).fill("0")
    page.locator("#preview").get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The draft against the active model")).to_be_visible()
    auc_then, auc_now = cells(page, "backtest", "auc")
    assert auc_then == active_auc and auc_now != active_auc
    assert float(auc_now) > float(auc_then)
    assert cells(page, "distribution", "green") == ["0", "4"]
    expect(page.get_by_label("Activity", exact=True)).to_have_value("0")  # the draft stays in the form
    screenshot(page, "health-model-preview.png", full_page=True)

    page.get_by_label("Note").fill("Usage alone does not keep customers: support does.")
    # version 3: Keel's recommended model is version 2, saved inactive (health 0008)
    page.get_by_role("button", name="Save as version 3").click()
    page.wait_for_url("**/health/model/")
    expect(page.get_by_text("Saved version 3; it is active from now on.")).to_be_visible()
    newest = page.locator("#versions tbody tr").first
    expect(newest).to_contain_text("v3")
    expect(newest).to_contain_text("Active")
    expect(newest).to_contain_text("Activity weight: 30 → 0")
    expect(newest).to_contain_text("Adam Admin")
    expect(page.locator("#versions tbody tr").nth(1)).not_to_contain_text("Active")
    assert cells(page, "backtest", "auc") == [auc_now]  # the active model is the draft that was previewed
    assert HealthModel.objects.get(is_active=True).version == 3
    screenshot(page, "health-model-saved.png", full_page=True)


def test_a_csm_opens_a_task_and_reads_why_the_account_is_at_risk(
    page: Page, login: Callable[..., None], screenshot: Callable[..., Path], admin_user: User, csm: User
) -> None:
    facts = churn_book(Facts(reader=admin_user), csm=csm)
    account = facts.accounts[STAYERS[2]]
    Task.objects.create(
        account=account,
        assignee=csm,
        kind=Task.Kind.AT_RISK,
        title=f"{account.name} is at risk",
        reason=AtRiskReason(
            score=52.7, red=False, yellow_min=40, drop_points=15, drop_days=30, before=74.7
        ).data(),
        due_on=date(2024, 7, 7),
    )
    login(page, csm)
    expect(page.locator(".nav-count")).to_have_text("1")
    page.get_by_role("link", name="Tasks").click()
    page.wait_for_url("**/tasks/")
    expect(page.locator("#tasks tbody tr")).to_have_count(1)
    screenshot(page, "tasks.png")

    page.get_by_role("link", name=account.name).click()
    page.wait_for_url("**/accounts/*/#health")
    health = page.locator("#health")
    expect(health.locator("#health-score")).to_have_text("52.7")
    expect(health.locator("tr[data-component='activity'] td").first).to_have_text("5.0")
    screenshot(page, "account-health.png", full_page=True)

    page.go_back()
    page.get_by_label(f"Note for {account.name}").fill("Called Granite Legal: onboarding a new team.")
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_text(f"Closed “{account.name} is at risk”.")).to_be_visible()
    expect(page.get_by_role("heading", name="No open tasks")).to_be_visible()


def test_an_admin_opens_an_account_that_churned_while_green_as_of_that_month_end(
    page: Page,
    login: Callable[..., None],
    screenshot: Callable[..., Path],
    inked: Callable[[Page, str], int],
    admin_user: User,
) -> None:
    """The churn book's churners scored green on Feb 29 and Mar 31 and stopped paying on May 15: the chart draws
    the churn rate per month-end, and a click on the first of the list (the latest month-end) opens that account
    as of 31 Mar 2024 with the score the list shows; "back to today" returns to the 360 without the banner."""
    churn_book(Facts(reader=admin_user))
    login(page, admin_user)
    page.goto("/health/model/")
    page.locator("#backtest-months").scroll_into_view_if_needed()
    assert inked(page, "chart-backtest") > 500, "the backtest chart is blank"
    expect(page.locator("#churned-green-count")).to_have_text("8 account-months")
    screenshot(page, "health-model-backtest.png")
    first = page.locator("#churned-green-table tbody tr").first
    name = first.locator("a").inner_text()
    listed_score = first.locator("td").nth(2).inner_text()
    expect(first.locator("td").first).to_have_text("31 Mar 2024")

    first.locator("a").click()
    page.wait_for_url("**/accounts/*/?as_of=2024-03-31")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.locator("#as-of")).to_contain_text("As of 31 Mar 2024 — back to today")
    expect(page.locator("#health-score")).to_have_text(listed_score)
    expect(page.locator("#health")).to_contain_text("on 31 Mar 2024 · model v1")
    screenshot(page, "account-as-of.png")

    page.get_by_role("link", name="back to today").click()
    page.wait_for_url("**/accounts/*/")
    expect(page.locator("#as-of")).to_have_count(0)
    assert "as_of" not in page.url
