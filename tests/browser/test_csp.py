"""The Content-Security-Policy on (as everywhere): Keel's pages, the API docs and the Django admin, opened in
chromium on the demo company, report no violation and still draw every chart."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Account, Role, User
from accounts.months import previous_month
from tests.browser.watch import CLEAN, Watch

if TYPE_CHECKING:
    from playwright.sync_api import Page

# (path, the charts it draws) for a VP, then for an admin
VP_PAGES = [
    ("/dashboard/", ("bridge", "mrr", "retention", "churn", "voice", "health", "support")),
    ("/dashboard/csm/", ()),
    ("/accounts/", ()),
    ("/tasks/", ()),
    ("/renewals/forecast/", ("forecast",)),
    ("/surveys/", ()),
    ("/settings/notifications/", ()),
]
ADMIN_PAGES = [
    ("/health/model/", ("backtest",)),
    ("/data/", ()),
    ("/data/sources/", ()),
    ("/data/stripe/", ()),
    ("/team/", ()),
    ("/playbooks/", ()),
    ("/playbooks/new/", ()),
    ("/settings/api-tokens/", ()),
    ("/settings/segment/", ()),
    ("/admin/", ()),
    ("/admin/accounts/account/", ()),
]


def _visit(watch: Watch, inked: Callable[[Page, str], int], path: str, charts: tuple[str, ...]) -> None:
    assert watch.open(path) == CLEAN, path
    for chart in charts:
        assert inked(watch.page, f"chart-{chart}") > 500, f"{path}: chart-{chart} is blank"


def _bar_width(watch: Watch, path: str, bar: str) -> float:
    """The width of the first `bar` on `path`: bars are sized from data- attributes through the CSSOM
    (keel.js), since the policy refuses style=""."""
    assert watch.open(path) == CLEAN, path
    box = watch.page.locator(bar).first.bounding_box()
    assert box is not None, f"{path}: no {bar}"
    return box["width"]


def test_no_page_breaks_the_policy_and_every_chart_draws(
    page: Page,
    login: Callable[..., None],
    inked: Callable[[Page, str], int],
    demo: dict[str, User],
) -> None:
    watch = Watch(page)
    assert watch.open("/login/") == CLEAN
    assert watch.open("/password/reset/") == CLEAN
    login(page, demo["vp"])
    csm = demo["csm"]
    account = Account.objects.filter(csm=csm, spans__isnull=False).order_by("pk").first()
    assert account is not None
    month = previous_month(timezone.localdate().replace(day=1))
    for path, charts in [
        *VP_PAGES,
        (f"/dashboard/csm/{csm.pk}/", ("mrr", "health")),
        (f"/accounts/{account.pk}/", ("score", "account-mrr", "usage")),
        (f"/dashboard/drilldown/customers/{month:%Y-%m}/", ()),
        (f"/dashboard/drilldown/nps-90d/{month:%Y-%m}/", ()),
        (f"/tasks/new/?account={account.pk}", ()),
    ]:
        _visit(watch, inked, path, charts)
    assert _bar_width(watch, "/dashboard/", "#feature-adoption .adoption__bar span") > 1
    assert _bar_width(watch, f"/accounts/{account.pk}/", "#subscription-timeline .timeline__bar") > 1

    page.context.clear_cookies()
    login(page, User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first())
    for path, charts in ADMIN_PAGES:
        _visit(watch, inked, path, charts)
    assert watch.open("/api/v1/docs/") == CLEAN  # Swagger UI, its script served apart
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Keel API")
    assert not watch.dialogs
    assert not watch.csp_messages()
