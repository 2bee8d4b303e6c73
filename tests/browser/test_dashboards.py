"""The dashboards in a real browser, on a small demo company with a year of snapshots: a VP's company dashboard
draws its charts and a drill-down lists the accounts behind a number, which add up to it; a CSM filters their
account list and opens an account 360. Screenshots: test-artifacts/ (docs/ with `make screenshots`)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role, User
from accounts.months import previous_month
from metrics.models import MonthlyKpi, Scope
from tests.browser.conftest import ARTIFACTS, wait_true

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

TABLET = {"width": 820, "height": 1180}


def _money(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("$", "").replace("−", "-").split()[0])


def _exact(page: Page, key: str) -> str:
    """A tile's value to the cent: its title when the tile shows it shortened ($3.58M), else its text."""
    value = page.locator(f"#tile-{key} .tile__value")
    return value.get_attribute("title") or value.inner_text()


def test_a_vp_reads_the_company_dashboard_and_drills_down(
    page: Page,
    login: Callable[..., None],
    screenshot: Callable[..., Path],
    inked: Callable[[Page, str], int],
    demo: dict[str, User],
) -> None:
    login(page, demo["vp"])
    expect(page.get_by_role("heading", name="Company", exact=True)).to_be_visible()
    page.wait_for_load_state("load")
    for chart in ("bridge", "mrr", "retention", "churn", "voice", "health", "support"):
        assert inked(page, f"chart-{chart}") > 500, chart
    expect(page.locator("section.tiles > .tile")).to_have_count(9)
    screenshot(page, "company.png", full_page=True)

    # The newest month's biggest movement with accounts behind it: its amount, then the list behind it.
    newest = page.locator("#bridge tbody tr").first
    cells = newest.locator("a[data-drill]")
    link = None
    for index in range(cells.count()):
        cell = cells.nth(index)
        if cell.get_attribute("data-drill") != "customers" and not cell.inner_text().endswith("0 accounts"):
            link = cell
            break
    assert link is not None, "no movement in the newest month"
    shown = _money(link.locator(".bridge-cell__amount").inner_text())
    count = int(link.locator(".bridge-cell__count").inner_text().split()[0])
    link.click()
    page.wait_for_url("**/dashboard/drilldown/**")
    assert _money(page.locator("#figure-value").inner_text()) == shown
    assert _money(page.locator("#list-total").inner_text()) == shown
    amounts = [_money(text) for text in page.locator("#drill-rows tbody td.drill-amount").all_inner_texts()]
    assert len(amounts) == count
    # each row is rounded to the cent on its own; the total is the exact sum rounded once
    assert abs(sum(amounts) - shown) <= Decimal("0.005") * len(amounts)
    screenshot(page, "drilldown.png", full_page=True)

    # The customers behind MRR add up to the MRR tile.
    page.goto("/dashboard/")
    mrr = _money(_exact(page, "mrr"))
    page.locator("#tile-mrr .tile__value a").click()
    page.wait_for_url("**/dashboard/drilldown/customers/**")
    assert _money(page.locator("#list-total").inner_text()) == mrr

    page.goto("/dashboard/")
    page.set_viewport_size(TABLET)  # type: ignore[arg-type]
    # charts resize after the viewport does (Chart.js listens for it): wait for the layout to settle
    wait_true(page, "document.documentElement.scrollWidth <= window.innerWidth")
    assert inked(page, "chart-bridge") > 500
    screenshot(page, "tablet-company.png", full_page=True)


def test_a_csm_reads_their_book_filters_accounts_and_opens_one(
    page: Page,
    login: Callable[..., None],
    screenshot: Callable[..., Path],
    inked: Callable[[Page, str], int],
    demo: dict[str, User],
) -> None:
    csm = demo["csm"]
    login(page, csm)
    expect(page.get_by_role("heading", name="My book")).to_be_visible()
    page.wait_for_load_state("load")
    for chart in ("bridge", "mrr", "health"):
        assert inked(page, f"chart-{chart}") > 500, chart
    screenshot(page, "csm.png", full_page=True)

    page.locator(".mainnav").get_by_role("link", name="Accounts").click()
    page.wait_for_url("**/accounts/")
    total = page.locator("#accounts tbody tr").count()
    assert total == min(csm.accounts.count(), 50)
    page.get_by_label("Sort by").select_option("-mrr")
    page.get_by_label("Health").select_option("green")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/accounts/?*sort=-mrr*")
    rows = page.locator("#accounts tbody tr")
    assert 0 < rows.count() <= total
    assert all("health-chip--green" in html for html in rows.locator("td[data-column=health]").evaluate_all(
        "cells => cells.map(cell => cell.innerHTML)"
    ))  # fmt: skip
    mrrs = [_money(text) for text in rows.locator("td[data-column=mrr]").all_inner_texts()]
    assert mrrs == sorted(mrrs, reverse=True)
    screenshot(page, "accounts.png", full_page=True)

    first = rows.first.locator("a").first
    name = first.inner_text()
    first.click()
    page.wait_for_url("**/accounts/*/")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    page.wait_for_load_state("load")
    for chart in ("score", "account-mrr", "usage"):
        assert inked(page, f"chart-{chart}") > 500, chart
    expect(page.locator("#health-score")).to_be_visible()
    expect(page.locator("#subscription-timeline .timeline__bar").first).to_be_visible()
    screenshot(page, "account.png", full_page=True)


def test_an_admin_computes_the_months_a_dashboard_lacks(
    page: Page, login: Callable[..., None], screenshot: Callable[..., Path], demo: dict[str, User]
) -> None:
    """The demo has twelve computed months; a range from the month before them lacks one. The admin's button
    computes it (a Celery job, eager in tests) and the page comes back with the month in its bridge."""
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("email").first()
    assert admin is not None
    first = (
        MonthlyKpi.objects.filter(scope=Scope.COMPANY).order_by("month").values_list("month", flat=True)[0]
    )
    lacking = previous_month(first)
    login(page, admin)
    page.goto(f"/dashboard/?from={lacking:%Y-%m}")
    notice = page.locator("#missing-months")
    expect(notice).to_contain_text(f"No snapshot for {lacking:%b %Y}: that month is left out.")
    screenshot(page, "missing-months.png")
    page.locator("#compute").click()
    page.wait_for_url(f"**/dashboard/?from={lacking:%Y-%m}")
    expect(page.locator(".messages")).to_contain_text("Computing the snapshots of")
    expect(notice).to_have_count(0)
    expect(page.locator("#bridge")).to_contain_text(f"{lacking:%b %Y}")


PHONE = {"width": 390, "height": 844}
# Whether the page scrolls sideways, and the figures a tile cuts (its text wider than its box).
_OVERFLOW = """() => ({
  width: document.scrollingElement.scrollWidth,
  clipped: [...document.querySelectorAll(".tile__value, .tile__change, .facts dd")]
    .filter((element) => element.scrollWidth > element.clientWidth)
    .map((element) => (element.closest("[id]") || element).id + ": " + element.innerText),
  // what sticks out on the right, outside any box that scrolls or clips it (to say what to fix)
  wide: [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
    .filter((element) => {
      for (let up = element.parentElement; up; up = up.parentElement) {
        if (["auto", "scroll", "hidden"].includes(getComputedStyle(up).overflowX)) return false;
      }
      return true;
    })
    .slice(0, 5)
    .map((element) => element.tagName + "." + element.className + "#" + element.id),
})"""


def test_the_main_pages_fit_a_phone(
    browser: Browser, live_server: LiveServer, login: Callable[..., None], demo: dict[str, User]
) -> None:
    """At 390 px wide no page scrolls sideways (wide tables scroll inside their own box, the navigation wraps)
    and no tile cuts its figure; at 1280 px neither. Screenshots of both: test-artifacts/screenshots/fit-*."""
    admin = User.objects.get(role=Role.ADMIN)
    account = demo["csm"].accounts.order_by("pk").first()
    assert account is not None
    pages = {
        demo["vp"]: [
            "/dashboard/",
            reverse("my_dashboard"),
            reverse("csm_dashboard", args=[demo["csm"].pk]),
            reverse("account_list"),
            reverse("task_list"),
        ],
        demo["csm"]: [
            reverse("my_dashboard"),
            reverse("account_list"),
            reverse("account_detail", args=[account.pk]),
            reverse("task_list"),
            reverse("task_new") + f"?account={account.pk}",
            reverse("renewal_forecast"),
        ],
        admin: [
            reverse(name)
            for name in ("health_model", "data", "data_sources", "team", "api_tokens", "playbook_list")
        ],
    }
    month = (
        MonthlyKpi.objects.filter(scope=Scope.COMPANY).order_by("-month").values_list("month", flat=True)[1]
    )
    pages[demo["vp"]] += [
        reverse("drilldown", args=[slug, f"{month:%Y-%m}"]) for slug in ("nrr-12m", "nps-90d")
    ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for viewport in (PHONE, {"width": 1280, "height": 900}):
        for user, paths in pages.items():
            context = browser.new_context(viewport=viewport, base_url=live_server.url)  # type: ignore[arg-type]
            page = context.new_page()
            login(page, user)
            for path in paths:
                page.goto(path)
                page.wait_for_load_state("load")
                found = page.evaluate(_OVERFLOW)
                name = path.strip("/").replace("/", "-") or "home"
                height = page.evaluate("document.scrollingElement.scrollHeight")
                for part, top in enumerate(range(0, min(height, 6 * viewport["height"]), viewport["height"])):
                    clip = {"x": 0, "y": top, "width": viewport["width"], "height": viewport["height"]}
                    page.screenshot(
                        path=ARTIFACTS / f"fit-{viewport['width']}-{name}-{part}.png",
                        full_page=True,
                        clip=clip,  # type: ignore[arg-type]
                    )
                if found["width"] > viewport["width"] or found["clipped"]:
                    problems.append((path, viewport["width"], found))
            context.close()
    assert problems == []
