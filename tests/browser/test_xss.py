"""Stored XSS: every text field Keel takes in holds markup that would run if a page wrote it as HTML (an <img>
with onerror, a </script> that would close a json_script block, a quote that would leave an attribute, a
javascript: link), imported through the CSV bundle importer and the API. Every page that shows it, opened in
chromium, runs none of it (window.__xss stays unset, no dialog, no element made from it, no CSP violation), shows
the text literally, keeps its json_script data intact and still draws its charts."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from accounts.importers.service import bundle_import
from accounts.models import Account, Role, User
from accounts.months import previous_month
from health.models import Playbook, PlaybookStep
from metrics.services.pipeline import snapshot_compute
from surveys.models import Survey
from tests.browser.watch import CLEAN, Watch
from tests.conftest import PASSWORD, api_key

if TYPE_CHECKING:
    from playwright.sync_api import Page

IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = "</script><script>window.__xss=1</script>"
ATTRIBUTE = "\"'><svg onload=window.__xss=1>"
XSS = IMG + SCRIPT + ATTRIBUTE
LINK = "javascript:window.__xss=1//"


def _write(folder: Path, name: str, header: list[str], rows: list[list[Any]]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _hostile_bundle(folder: Path, today: date) -> None:
    """Four accounts of a CSM, every text field hostile: one paying for 14 months with usage, tickets and an
    answer (renewing in two months), one churned two months ago, one new last month, one paying and silent."""
    folder.mkdir()
    long_ago = (today - timedelta(days=430)).isoformat()
    renews = today - timedelta(days=300)  # a yearly span started then renews in about two months
    _write(folder, "team.csv", ["email", "name", "role"], [["casey@keel.test", f"Casey {XSS}", "csm"]])
    accounts = {
        "paying": f"ACC-1 {XSS}",
        "churned": f"ACC-2 {XSS}",
        "new": f"ACC-3 {XSS}",
        "silent": f"ACC-4 {XSS}",
    }
    segment = f"s{IMG}{SCRIPT}"[:100]
    _write(
        folder,
        "accounts.csv",
        ["id", "name", "segment", "csm_email", "created_on", "seats"],
        [
            [external, f"{kind.title()} {XSS}", segment, "casey@keel.test", long_ago, 10]
            for kind, external in accounts.items()
        ],
    )
    _write(
        folder,
        "contacts.csv",
        ["id", "account_id", "email", "name", "title"],
        [
            [f"C-{n} {XSS}", external, f"contact{n}@example.com", f"Name {XSS}", f"Title {XSS}"]
            for n, external in enumerate(accounts.values())
        ],
    )
    plan = f"Plan {XSS}"
    _write(
        folder,
        "subscriptions.csv",
        ["subscription_id", "account_id", "amount", "interval", "starts_on", "ends_on", "plan"],
        [
            [f"SUB-1a {XSS}", accounts["paying"], "3000.00", "month", long_ago, renews.isoformat(), plan],
            [f"SUB-1 {XSS}", accounts["paying"], "36000.00", "year", renews.isoformat(), "", plan],
            [
                f"SUB-2 {XSS}",
                accounts["churned"],
                "800.00",
                "month",
                long_ago,
                (today - timedelta(days=60)).isoformat(),
                plan,
            ],
            [
                f"SUB-3 {XSS}",
                accounts["new"],
                "400.00",
                "month",
                (previous_month(today.replace(day=1))).isoformat(),
                "",
                plan,
            ],
            [f"SUB-4 {XSS}", accounts["silent"], "1500.00", "month", long_ago, "", plan],
        ],
    )
    _write(
        folder,
        "tickets.csv",
        ["id", "account_id", "created_at", "subject", "priority", "status"],
        [
            [
                f"T-{n} {XSS}",
                accounts["paying"],
                f"{today - timedelta(days=days)}T09:00:00Z",
                f"Subject {XSS}",
                "high",
                "open",
            ]
            for n, days in enumerate((3, 20, 45))
        ],
    )
    _write(
        folder,
        "usage.csv",
        ["account_id", "user_id", "event", "occurred_at"],
        [
            [
                accounts["paying"],
                f"user-{user} {XSS}",
                f"report {XSS}"[:200],
                f"{today - timedelta(days=days)}T10:00:00Z",
            ]
            for days in range(1, 60)
            for user in range(3)
        ],
    )
    _write(
        folder,
        "responses.csv",
        ["id", "kind", "score", "responded_at", "account_id", "comment"],
        [
            [
                f"R-1 {XSS}",
                "nps",
                3,
                f"{today - timedelta(days=10)}T12:00:00Z",
                accounts["paying"],
                f"Comment {XSS}",
            ],
            [
                f"R-2 {XSS}",
                "nps",
                9,
                f"{today - timedelta(days=40)}T12:00:00Z",
                accounts["silent"],
                f"Praise {XSS}",
            ],
        ],
    )


@pytest.fixture
def hostile(transactional_db: None, tmp_path: Path, make_user: Callable[..., User]) -> dict[str, Any]:
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    _hostile_bundle(tmp_path / "bundle", today)
    result = bundle_import(path=tmp_path / "bundle")
    assert result.ok, result.errors
    snapshot_compute(
        start=(yesterday.replace(day=1) - timedelta(days=330)).replace(day=1), end=yesterday, today=today
    )
    csm = User.objects.get(email="casey@keel.test")
    csm.set_password(PASSWORD)
    csm.save(update_fields=["password"])
    admin = make_user("root@keel.test", Role.ADMIN, f"Admin {XSS}")
    paying = Account.objects.get(external_id=f"ACC-1 {XSS}")
    # What people write through the API: a logged note and a task with a description.
    client = Client(HTTP_AUTHORIZATION=f"Token {api_key(csm)}")
    note = {
        "account_id": paying.external_id,
        "kind": "note",
        "occurred_on": str(yesterday),
        "text": f"Note {XSS} {LINK}",
    }
    assert client.post("/api/v1/timeline/", note, content_type="application/json").status_code == 201
    task = {
        "account_id": paying.external_id,
        "title": f"Task {XSS}"[:300],
        "due_on": str(today + timedelta(days=3)),
        "description": f"Details {XSS} {LINK}",
    }
    assert client.post("/api/v1/tasks/", task, content_type="application/json").status_code == 201
    # A rejected bundle whose report quotes what it was given; an admin's survey and playbook.
    (tmp_path / "bad").mkdir()
    _write(
        tmp_path / "bad",
        "contacts.csv",
        ["id", "account_id", "email"],
        [[f"C {XSS}", f"NO {XSS}", "x@y.example"]],
    )
    rejected = bundle_import(path=tmp_path / "bad")
    assert not rejected.ok
    survey = Survey.objects.create(name=f"Survey {XSS}", kind="nps", question=f"Question {XSS}")
    playbook = Playbook.objects.create(name=f"Playbook {XSS}", trigger="turned_red", created_by=admin)
    PlaybookStep.objects.create(playbook=playbook, position=1, title=f"Step {XSS}", description=f"Why {XSS}")
    started = today - timedelta(days=300)  # the yearly span of _hostile_bundle
    return {
        "renews": started.replace(year=started.year + 1),
        "rejected": rejected.run.pk,
        "survey": survey.pk,
        "playbook": playbook.pk,
        "csm": csm,
        "admin": admin,
        "accounts": list(Account.objects.order_by("external_id")),
        "paying": paying,
    }


def _check(watch: Watch, path: str, *, shows: tuple[str, ...] = (XSS,)) -> None:
    assert watch.open(path) == CLEAN, path
    assert not watch.dialogs, path
    text = watch.page.inner_text("body")
    for shown in shows:
        assert shown in text, f"{path} does not show {shown!r} as text"


def test_hostile_text_runs_on_no_page_and_reads_literally(
    page: Page,
    login: Callable[..., None],
    inked: Callable[[Page, str], int],
    hostile: dict[str, Any],
) -> None:
    watch = Watch(page)
    csm, paying = hostile["csm"], hostile["paying"]
    month = previous_month(timezone.localdate().replace(day=1))
    this_month = timezone.localdate().replace(day=1)
    segment = paying.segment
    assert segment and SCRIPT in segment

    login(page, hostile["admin"])
    # the CSM and segment tables, and the product events in feature adoption
    _check(watch, "/dashboard/", shows=(f"Casey {XSS}", f"report {XSS}"))
    for chart in ("bridge", "mrr", "health"):
        assert inked(page, f"chart-{chart}") > 500, chart
    _check(watch, "/dashboard/csm/", shows=(f"Casey {XSS}",))
    _check(watch, f"/dashboard/csm/{csm.pk}/", shows=(f"Task {XSS}", f"Paying {XSS}"))
    _check(watch, "/accounts/", shows=(f"Paying {XSS}", f"Silent {XSS}", f"ACC-1 {XSS}"))
    _check(watch, f"/accounts/?segment={quote(segment)}", shows=(f"Paying {XSS}",))
    _check(watch, f"/accounts/?q={quote(XSS)}", shows=(f"Paying {XSS}",))
    _check(
        watch,
        f"/accounts/{paying.pk}/",
        shows=(
            f"Paying {XSS}",
            f"Name {XSS}",
            f"Title {XSS}",
            f"Subject {XSS}",
            f"Comment {XSS}",
            f"Note {XSS} {LINK}",
            f"Task {XSS}",
        ),
    )
    for chart in ("chart-score", "chart-account-mrr", "chart-usage"):
        assert inked(page, chart) > 500, chart
    for account in hostile["accounts"]:
        _check(watch, f"/accounts/{account.pk}/", shows=(account.name,))
    for figure, when, shown in (
        ("customers", month, f"Paying {XSS}"),
        ("churned", previous_month(month), f"Churned {XSS}"),
        ("new", month, f"New {XSS}"),
        ("nps-90d", this_month, f"Comment {XSS}"),
        ("logo-churn", this_month, f"Paying {XSS}"),
    ):
        for scope in ("", f"?segment={quote(segment)}", f"?csm={csm.pk}"):
            _check(watch, f"/dashboard/drilldown/{figure}/{when:%Y-%m}/{scope}", shows=(shown,))
    _check(watch, f"/dashboard/drilldown/at-risk/{this_month:%Y-%m}/", shows=())
    _check(watch, "/tasks/?state=all", shows=(f"Task {XSS}", f"Paying {XSS}"))
    _check(watch, "/renewals/forecast/", shows=())
    renewal = hostile["renews"]
    _check(watch, f"/renewals/forecast/?month={renewal:%Y-%m}", shows=(f"Paying {XSS}",))
    _check(watch, "/health/model/", shows=())
    _check(watch, "/data/", shows=())
    _check(watch, f"/data/runs/{hostile['rejected']}/", shows=(f"unknown account 'NO {IMG}",))
    _check(watch, "/surveys/", shows=(f"Survey {XSS}",))
    _check(watch, f"/surveys/{hostile['survey']}/preview/", shows=(f"Survey {XSS}",))
    for frame in page.frames[1:]:  # the email and the answer page, as a contact would see them
        assert frame.evaluate("window.__xss ?? null") is None
        assert f"Question {XSS}" in frame.inner_text("body")
    _check(watch, "/playbooks/", shows=(f"Playbook {XSS}",))
    _check(watch, f"/playbooks/{hostile['playbook']}/", shows=())
    _check(watch, "/data/sources/", shows=())
    _check(watch, "/team/", shows=(f"Casey {XSS}",))
    _check(watch, f"/tasks/new/?account={paying.pk}", shows=(f"Paying {XSS}",))

    page.context.clear_cookies()
    login(page, csm)
    _check(watch, "/dashboard/csm/", shows=(f"Paying {XSS}",))
    _check(watch, f"/accounts/{paying.pk}/", shows=(f"Note {XSS} {LINK}",))
    assert not watch.csp_messages()
