"""Who may open what, for EVERY URL of the project (DESIGN.md "Roles and access"): pages and API.

Named users: `csm` (Alice) owns `own_account`, `other_csm` (Bob) owns `other_account`, `vp`, `admin_user`, and
anonymous. Anonymous people go to the login page (pages) or get a 401 (API); a CSM sees their own accounts and
dashboard only (another CSM's account or dashboard is a 404, a page for VPs or admins a 403); VPs and admins see
everything VPs see, admins the rest. The cases are in tests/permission_cases.py (the API's in
tests/permission_cases_api.py); the URLs come from the
resolver: a new URL without a case fails `test_every_url_of_the_project_has_a_case`. The last test renders
every page a CSM can open and looks for the names of accounts they do not own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import BEGINNING_OF_TIME, Account, AccountOwnership, ImportRun, User
from accounts.segment.keys import write_key_create
from health.models import Task
from health.reasons import text_reason
from metrics.models import AccountCurrent, AccountDay, ComputedDay, MonthlyKpi, Scope, SnapshotJob
from tests.factories import AccountFactory, SubscriptionSpanFactory
from tests.permission_cases import (
    ADMIN_LOGIN,
    CSM,
    JUNE,
    JUNE_END,
    LOGIN,
    MAY_END,
    ROLES,
    Case,
    World,
)
from tests.permission_cases import CASES as PAGE_CASES
from tests.permission_cases_api import API_CASES

CASES = [*PAGE_CASES, *API_CASES]


@pytest.fixture
def world(
    csm: User,
    other_csm: User,
    vp: User,
    admin_user: User,
    own_account: Account,
    other_account: Account,
    make_user: Callable[..., User],
) -> World:
    """Snapshots of June 2024 written as the pipeline stores them: MonthlyKpi rows, month-end AccountDay rows,
    AccountCurrent, tasks; and "Moved Away Ltd", which Alice owned on June 30 and Bob owns today."""
    moved = AccountFactory.create(
        name="Moved Away Ltd", external_id="ACC-MOVED-7", csm=other_csm, segment="smb"
    )
    AccountOwnership.objects.filter(account=moved).delete()
    AccountOwnership.objects.create(
        account=moved, csm=csm, valid_from=BEGINNING_OF_TIME, valid_to=date(2024, 7, 1)
    )
    AccountOwnership.objects.create(account=moved, csm=other_csm, valid_from=date(2024, 7, 1))
    SubscriptionSpanFactory(account=moved, interval="year", amount="2400.00", starts_on=date(2023, 12, 1))
    # Each account with its owner at the end of May and June and its ARR; all three red and at risk.
    book = (
        (own_account, csm, Decimal(1200)),
        (other_account, other_csm, Decimal(11988)),
        (moved, csm, Decimal(2400)),
    )
    red: dict[str, Any] = {"score": 30.0, "status": "red", "at_risk": True}
    for day in (MAY_END, JUNE_END):
        ComputedDay.objects.create(day=day)
        for account, owner, arr in book:
            AccountDay.objects.create(day=day, account=account, csm=owner, arr=arr, **red)
    for account, _, arr in book:
        AccountCurrent.objects.create(account=account, day=JUNE_END, arr=arr, **red)
    for month, as_of in ((date(2024, 5, 1), MAY_END), (JUNE, JUNE_END)):
        MonthlyKpi.objects.create(month=month, scope=Scope.COMPANY, as_of=as_of, arr=Decimal(15588))
        MonthlyKpi.objects.create(month=month, scope=Scope.CSM, csm=csm, as_of=as_of, arr=Decimal(3600))
        MonthlyKpi.objects.create(
            month=month, scope=Scope.CSM, csm=other_csm, as_of=as_of, arr=Decimal(11988)
        )
        for segment in ("smb", "enterprise"):
            MonthlyKpi.objects.create(month=month, scope=Scope.SEGMENT, segment=segment, as_of=as_of)

    def task(account: Account, assignee: User) -> Task:
        return Task.objects.create(
            account=account,
            assignee=assignee,
            kind=Task.Kind.AT_RISK,
            title=f"{account.name} is at risk",
            reason=text_reason(f"{account.name} fell"),
            due_on=date(2024, 7, 1),
        )

    return World(
        csm=csm,
        other_csm=other_csm,
        vp=vp,
        admin=admin_user,
        own=own_account,
        other=other_account,
        moved=moved,
        own_task=task(own_account, csm),
        other_task=task(other_account, other_csm),
        run=ImportRun.objects.create(source=ImportRun.Source.COMMAND, name="bundle.zip", outcome="imported"),
        job=SnapshotJob.objects.create(reason="nightly", start=JUNE_END, end=JUNE_END),
        target=make_user("tom@keel.test", name="Tom Target"),
        write_key=write_key_create(name="Permissions", user=None)[0],
    )


def _names(resolver: URLResolver, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _names(pattern, inner)
        elif pattern.name:
            found.append((namespace + pattern.name, pattern))
    return found


def test_every_url_of_the_project_has_a_case() -> None:
    names = {name for name, _ in _names(get_resolver())}
    covered = {case.name for case in CASES}
    uncovered = {name for name in names if name not in covered and not name.startswith("admin:")}
    assert not uncovered, f"URLs without a permission case in tests/permission_cases.py: {sorted(uncovered)}"
    assert not covered - names - {"admin:*"}, "cases of URLs that no longer exist"


def check(client: Client, world: World, case: Case, role: str, url: str) -> None:
    client.logout()
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    if case.json is not None or case.method in ("put", "delete"):
        body = json.dumps(case.json) if case.json is not None else ""
        response = client.generic(case.method.upper(), url, body, content_type="application/json")
    elif case.method == "post":
        response = client.post(url, case.data)
    else:
        response = client.get(url)
    expected = case.expected[role]
    if expected == LOGIN:
        assert response.status_code == 302, (case.label, role)
        assert response["Location"].startswith(reverse("login") + "?next="), (case.label, role)
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302, (case.label, role)
        assert response["Location"].startswith(reverse("admin:login")), (case.label, role)
    else:
        assert response.status_code == expected, (case.label, role, url)


@pytest.mark.parametrize(
    "case", [case for case in CASES if case.name != "admin:*"], ids=lambda case: case.label
)
def test_permission_matrix(client: Client, world: World, case: Case) -> None:
    for role in ROLES:
        check(client, world, case, role, case.url(world))


def test_every_page_of_the_django_admin(client: Client, world: World) -> None:
    """The admin's index and every model's list (add forms of read-only models are a 403 even for admins)."""
    (case,) = [case for case in CASES if case.name == "admin:*"]
    urls = [
        reverse(name)
        for name, _ in _names(get_resolver())
        if name == "admin:index" or (name.startswith("admin:") and name.endswith("_changelist"))
    ]
    assert len(urls) > 8
    for url in urls:
        for role in ROLES:
            check(client, world, case, role, url)


def test_no_page_a_csm_can_open_names_an_account_they_do_not_own(client: Client, world: World) -> None:
    """Every page a CSM may open (every GET case above that answers 200), with searches, filters, sorts and
    every drill-down of their own book, including June, when they still owned "Moved Away Ltd"."""
    client.force_login(world.csm)
    urls = [case.url(world) for case in CASES if case.method == "get" and case.expected[CSM] == 200]
    list_url = reverse("account_list")
    for query in (
        {"q": "Zephyr"},
        {"q": "SECRET"},
        {"q": "moved"},
        {"q": "a"},
        {"segment": "enterprise"},
        {"csm": str(world.other_csm.pk)},
        {"csm": "none"},
        {"at_risk": "on", "sort": "-mrr"},
        {"status": "red", "sort": "health"},
        {"page": "2"},
        {"format": "csv"},
    ):
        urls.append(list_url + "?" + "&".join(f"{key}={value}" for key, value in query.items()))
    for figure in ("new", "reactivation", "expansion", "contraction", "churned", "customers", "at-risk"):
        for month in ("2024-05", "2024-06"):
            urls.append(reverse("drilldown", args=[figure, month]) + f"?csm={world.csm.pk}")
    urls += [reverse("task_list") + "?state=all", reverse("api-tasks") + "?state=all"]
    seen = 0
    for url in urls:
        response: Any = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        content = body.decode()
        for secret in ("Zephyr Secret Corp", "ACC-SECRET-9", "Zed Secret", "Moved Away Ltd", "ACC-MOVED-7"):
            assert secret not in content, (url, secret)
        seen += 1
    assert seen > 30
    # and the pages do show the CSM's own account, and the moved one as a row without its name
    assert "Harbor Lights Inc" in client.get(list_url).content.decode()
    june = client.get(
        reverse("drilldown", args=["customers", "2024-06"]) + f"?csm={world.csm.pk}"
    ).content.decode()
    assert "Harbor Lights Inc" in june and "An account now in another CSM’s book" in june
