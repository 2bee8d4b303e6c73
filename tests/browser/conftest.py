"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's live server.

Use the `page` fixture (a fresh browser context per test, 1280×800, its base URL the live server) and the
`login(page, user)` fixture. A missing chromium skips these tests locally and fails them with CI=true.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.db.models import Count
from django.utils import timezone

from accounts.demo.services import demo_seed
from accounts.models import Role, User
from metrics.services.pipeline import snapshot_compute
from tests.conftest import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.fixtures import Settings
    from pytest_django.live_server_helper import LiveServer

# Playwright's sync API runs an event loop in the test's thread; Django would then refuse ORM calls made by the
# test itself (creating users and accounts), although they are not async code. The live server's own thread
# is unaffected.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"  # git-ignored: every run's pictures, to look at
DOCS = ROOT / "docs" / "screenshots"  # the README's pictures: rewritten only by `make screenshots`
VIEWPORT = {"width": 1280, "height": 800}
# How many pixels of a canvas are not blank: Chart.js draws on it only when the page script ran with data.
_INKED = """(id) => {
  const canvas = document.getElementById(id);
  const { width, height } = canvas;
  const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  let inked = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) inked++;
  return inked;
}"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login() -> Callable[..., None]:
    """`login(page, user)`: log in through the login form and land on the home page: the company dashboard for
    VPs and admins, a CSM's own dashboard for a CSM."""

    def log_in(page: Page, user: User, password: str = PASSWORD) -> None:
        page.goto("/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/dashboard/**" if user.is_vp else "**/dashboard/csm/")

    return log_in


def wait_true(page: Page, expression: str, *, timeout: float = 5.0) -> None:
    """Wait until the page's `expression` is true. Not `page.wait_for_function`: when its first look is false it
    polls through `eval` in the page, which Keel's Content-Security-Policy (no unsafe-eval) refuses; `evaluate`
    goes through the browser's protocol, which the policy does not govern."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout:g} s: {expression}"
        page.wait_for_timeout(50)


@pytest.fixture
def inked() -> Callable[[Page, str], int]:
    """`inked(page, canvas_id)`: how many pixels of the canvas are not blank (a drawn chart has hundreds)."""

    def count(page: Page, canvas_id: str) -> int:
        pixels: int = page.evaluate(_INKED, canvas_id)
        return pixels

    return count


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """`screenshot(page, "name.png", full_page=False)`: a picture in test-artifacts/screenshots/. The pictures the
    README shows (those in docs/screenshots/) are refreshed there when KEEL_UPDATE_SCREENSHOTS is set (`make
    screenshots`), so test runs leave git clean and the others stay artifacts."""

    def take(page: Page, name: str, *, full_page: bool = False) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        page.screenshot(path=path, full_page=full_page)
        if os.environ.get("KEEL_UPDATE_SCREENSHOTS") and (DOCS / name).exists():
            shutil.copyfile(path, DOCS / name)
        return path

    return take


@pytest.fixture
def demo(transactional_db: None, settings: Settings) -> dict[str, User]:
    """60 demo accounts with history to yesterday, snapshots of the last 12 months (daily rows of the last 100
    days, the shortest retention, to keep the test quick); the demo team with the tests' password."""
    settings.KEEL_DAILY_RETENTION_DAYS = 100
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    demo_seed(accounts=60, seed=3, end=yesterday, usage_days=100)
    start = (yesterday.replace(day=1) - timedelta(days=330)).replace(day=1)
    snapshot_compute(start=start, end=yesterday, today=today)
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    busiest = (
        User.objects.filter(role=Role.CSM)
        .annotate(books=Count("accounts"))
        .order_by("-books", "email")
        .first()
    )
    assert busiest is not None
    return {"vp": User.objects.get(role=Role.VP), "csm": busiest}
