"""Who may open what, for EVERY URL of the project (DESIGN.md "Roles and access"): pages and API.

Named users: `csm` (Alice) owns `own_account`, `other_csm` (Bob) owns `other_account`, `vp`, `admin_user`, and
anonymous. Anonymous people go to the login page (pages) or get a 401 (API); a CSM sees their own accounts and
dashboard only (another CSM's account or dashboard is a 404, a page for VPs or admins a 403); VPs and admins see
everything VPs see, admins the rest. The URLs come from the resolver: a new URL without a case here fails
`test_every_url_of_the_project_has_a_case`. The last test renders every page a CSM can open and looks for the
names of accounts they do not own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import BEGINNING_OF_TIME, Account, AccountOwnership, ImportRun, User
from health.models import Task
from health.reasons import text_reason
from metrics.models import AccountCurrent, AccountDay, ComputedDay, MonthlyKpi, Scope, SnapshotJob
from surveys.models import Invitation, Survey
from surveys.services import survey_create
from surveys.services.answers import response_record
from tests.factories import AccountFactory, SubscriptionSpanFactory

ANON, CSM, VP, ADMIN = "anonymous", "csm", "vp", "admin"
ROLES = (ANON, CSM, VP, ADMIN)
LOGIN = "login"  # a redirect to the login page
ADMIN_LOGIN = "admin-login"  # the Django admin's own login
JUNE, JUNE_END, MAY_END = date(2024, 6, 1), date(2024, 6, 30), date(2024, 5, 31)


@dataclass
class World:
    csm: User
    other_csm: User
    vp: User
    admin: User
    own: Account
    other: Account
    moved: Account  # Alice's at the end of June, Bob's now
    own_task: Task
    other_task: Task
    run: ImportRun
    job: SnapshotJob
    target: User  # someone the Team actions change

    def user(self, role: str) -> User | None:
        return {ANON: None, CSM: self.csm, VP: self.vp, ADMIN: self.admin}[role]


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
    for day in (MAY_END, JUNE_END):
        ComputedDay.objects.create(day=day)
        for account, owner, arr in (
            (own_account, csm, 1200),
            (other_account, other_csm, 11988),
            (moved, csm, 2400),
        ):
            AccountDay.objects.create(
                day=day, account=account, csm=owner, arr=Decimal(arr), score=30.0, status="red", at_risk=True
            )
    for account, arr in ((own_account, 1200), (other_account, 11988), (moved, 2400)):
        AccountCurrent.objects.create(
            account=account, day=JUNE_END, arr=Decimal(arr), score=30.0, status="red", at_risk=True
        )
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
    )


@dataclass(frozen=True)
class Case:
    """One request and what each role gets: a status, LOGIN or ADMIN_LOGIN."""

    name: str  # the URL name it covers (namespace:name)
    label: str
    url: Callable[[World], str]
    expected: Mapping[str, int | str]
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)


def pages(csm: int | str, vp: int | str, admin: int | str) -> dict[str, int | str]:
    return {ANON: LOGIN, CSM: csm, VP: vp, ADMIN: admin}


def api(csm: int, vp: int, admin: int) -> dict[str, int | str]:
    return {ANON: 401, CSM: csm, VP: vp, ADMIN: admin}


EVERYONE = pages(200, 200, 200)
VP_ONLY = pages(403, 200, 200)
ADMIN_ONLY = pages(403, 403, 200)
PUBLIC = {ANON: 200, CSM: 200, VP: 200, ADMIN: 200}


def drill(figure: str, query: str = "") -> Callable[[World], str]:
    return lambda w: reverse("drilldown", args=[figure, "2024-06"]) + query


@dataclass(frozen=True)
class Surveys:
    draft: Survey
    sent: Survey
    hana: Invitation  # the invitation of Alice's account's contact, answered


def surveys(w: World) -> Surveys:
    """A draft, and an NPS survey sent to Alice's and Bob's accounts whose contacts answered (Bob's with a
    comment Alice must never read): made by the first case that asks, found again by the next ones."""
    draft = Survey.objects.filter(name="Permissions draft").first() or survey_create(
        name="Permissions draft", kind="csat"
    )
    sent = Survey.objects.filter(name="Permissions NPS").first()
    if sent is None:
        sent = survey_create(
            name="Permissions NPS", kind="nps", audience="accounts", account_ids=[w.own.pk, w.other.pk]
        )
        Survey.objects.filter(pk=sent.pk).update(
            status=Survey.Status.OPEN, round=1, started_at=sent.created_at
        )
        for account, token, comment in (
            (w.own, "hana", "Harbor says hi"),
            (w.other, "zed", "Zed Secret was here"),
        ):
            contact = account.contacts.get()
            invitation = Invitation.objects.create(
                survey=sent, contact=contact, email=contact.email, token=f"permissions-{token}", state="sent"
            )
            response_record(invitation=invitation, score=8, comment=comment)
    return Surveys(draft=draft, sent=sent, hana=Invitation.objects.get(token="permissions-hana"))


def survey_url(name: str, pick: Callable[[Surveys], Survey], query: str = "") -> Callable[[World], str]:
    return lambda w: reverse(name, args=[pick(surveys(w)).pk]) + query


def public_url(name: str, token: str | None = None) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[token or surveys(w).hana.token])


def draft(s: Surveys) -> Survey:
    return s.draft


def sent(s: Surveys) -> Survey:
    return s.sent


SURVEY_FORM = {"name": "Permissions draft", "kind": "nps", "audience": "paying"}


CASES = [
    # Logging in and out, passwords
    Case("login", "login", lambda w: reverse("login"), {ANON: 200, CSM: 302, VP: 302, ADMIN: 302}),
    Case("logout", "logout", lambda w: reverse("logout"), dict.fromkeys(ROLES, 302), method="post"),
    Case("password_change", "password_change", lambda w: reverse("password_change"), EVERYONE),
    Case("password_change_done", "password_change_done", lambda w: reverse("password_change_done"), EVERYONE),
    Case("password_reset", "password_reset", lambda w: reverse("password_reset"), PUBLIC),
    Case("password_reset_done", "password_reset_done", lambda w: reverse("password_reset_done"), PUBLIC),
    Case(
        "password_reset_complete",
        "password_reset_complete",
        lambda w: reverse("password_reset_complete"),
        PUBLIC,
    ),
    Case(
        "password_reset_confirm",
        "password_reset_confirm (a bad link)",
        lambda w: reverse("password_reset_confirm", args=["MQ", "bad-token"]),
        PUBLIC,
    ),
    # The book of business
    Case("home", "home", lambda w: reverse("home"), pages(302, 302, 302)),
    Case("account_list", "account_list", lambda w: reverse("account_list"), EVERYONE),
    Case("account_list", "account_list as CSV", lambda w: reverse("account_list") + "?format=csv", EVERYONE),
    Case("account_detail", "own account", lambda w: reverse("account_detail", args=[w.own.pk]), EVERYONE),
    Case(
        "account_detail",
        "another CSM's account",
        lambda w: reverse("account_detail", args=[w.other.pk]),
        pages(404, 200, 200),
    ),
    Case(
        "account_detail",
        "no such account",
        lambda w: reverse("account_detail", args=[w.other.pk + 999]),
        pages(404, 404, 404),
    ),
    # Dashboards
    Case("company_dashboard", "company dashboard", lambda w: reverse("company_dashboard"), VP_ONLY),
    Case("my_dashboard", "own dashboard / CSM dashboards", lambda w: reverse("my_dashboard"), EVERYONE),
    Case("csm_dashboard", "own CSM dashboard", lambda w: reverse("csm_dashboard", args=[w.csm.pk]), EVERYONE),
    Case(
        "csm_dashboard",
        "another CSM's dashboard",
        lambda w: reverse("csm_dashboard", args=[w.other_csm.pk]),
        pages(404, 200, 200),
    ),
    Case("drilldown", "company drill-down", drill("churned"), VP_ONLY),
    Case("drilldown", "segment drill-down", drill("new", "?segment=smb"), VP_ONLY),
    Case("drilldown", "accounts without a CSM", drill("new", "?csm=none"), VP_ONLY),
    Case("drilldown", "own book's drill-down", lambda w: drill("customers", f"?csm={w.csm.pk}")(w), EVERYONE),
    Case(
        "drilldown",
        "another CSM's drill-down",
        lambda w: drill("customers", f"?csm={w.other_csm.pk}")(w),
        pages(404, 200, 200),
    ),
    # Health and tasks
    Case("health_model", "health model", lambda w: reverse("health_model"), ADMIN_ONLY),
    Case(
        "health_model_job",
        "health model job",
        lambda w: reverse("health_model_job", args=[w.job.pk]),
        ADMIN_ONLY,
    ),
    Case("task_list", "tasks", lambda w: reverse("task_list"), EVERYONE),
    Case(
        "task_close",
        "close own task",
        lambda w: reverse("task_close", args=[w.own_task.pk]),
        pages(302, 302, 302),
        method="post",
    ),
    Case(
        "task_close",
        "close another's task",
        lambda w: reverse("task_close", args=[w.other_task.pk]),
        pages(404, 302, 302),
        method="post",
    ),
    # Team and data (admins)
    Case("team", "team", lambda w: reverse("team"), ADMIN_ONLY),
    Case(
        "team",
        "add a person",
        lambda w: reverse("team"),
        pages(403, 403, 302),
        method="post",
        data={"email": "new@keel.test", "name": "New", "role": "csm"},
    ),
    Case(
        "team_role",
        "change a role",
        lambda w: reverse("team_role", args=[w.target.pk]),
        pages(403, 403, 302),
        method="post",
        data={"role": "vp"},
    ),
    Case(
        "team_deactivate",
        "deactivate",
        lambda w: reverse("team_deactivate", args=[w.target.pk]),
        pages(403, 403, 302),
        method="post",
    ),
    Case(
        "team_reactivate",
        "reactivate",
        lambda w: reverse("team_reactivate", args=[w.target.pk]),
        pages(403, 403, 302),
        method="post",
    ),
    Case("data", "data", lambda w: reverse("data"), ADMIN_ONLY),
    Case("data", "upload without a file", lambda w: reverse("data"), pages(403, 403, 400), method="post"),
    Case(
        "import_run_detail", "import run", lambda w: reverse("import_run_detail", args=[w.run.pk]), ADMIN_ONLY
    ),
    Case(
        "import_run_progress",
        "import run progress",
        lambda w: reverse("import_run_progress", args=[w.run.pk]),
        ADMIN_ONLY,
    ),
    # Surveys: everyone reads (a CSM over their own accounts), admins make and send; the public pages need no login
    Case("survey_list", "surveys", lambda w: reverse("survey_list"), EVERYONE),
    Case("survey_new", "new survey", lambda w: reverse("survey_new"), ADMIN_ONLY),
    Case(
        "survey_new",
        "create a survey",
        lambda w: reverse("survey_new"),
        pages(403, 403, 302),
        method="post",
        data=SURVEY_FORM,
    ),
    Case("survey_results", "survey results", survey_url("survey_results", sent), EVERYONE),
    Case(
        "survey_results",
        "survey results of another CSM's book",
        lambda w: survey_url("survey_results", sent, f"?csm={w.other_csm.pk}")(w),
        pages(404, 200, 200),
    ),
    Case(
        "survey_results",
        "survey results of the own book",
        lambda w: survey_url("survey_results", sent, f"?csm={w.csm.pk}")(w),
        EVERYONE,
    ),
    Case(
        "survey_results",
        "no such survey",
        lambda w: reverse("survey_results", args=[surveys(w).sent.pk + 999]),
        pages(404, 404, 404),
    ),
    Case("survey_edit", "edit a draft", survey_url("survey_edit", draft), ADMIN_ONLY),
    Case(
        "survey_edit",
        "save a draft",
        survey_url("survey_edit", draft),
        pages(403, 403, 302),
        method="post",
        data=SURVEY_FORM,
    ),
    Case("survey_preview", "survey preview", survey_url("survey_preview", draft), ADMIN_ONLY),
    Case(
        "survey_preview_email", "survey email preview", survey_url("survey_preview_email", draft), ADMIN_ONLY
    ),
    Case("survey_preview_page", "survey page preview", survey_url("survey_preview_page", draft), ADMIN_ONLY),
    Case(
        "survey_send", "send a survey", survey_url("survey_send", sent), pages(403, 403, 302), method="post"
    ),
    Case(
        "survey_close",
        "close a survey",
        survey_url("survey_close", sent),
        pages(403, 403, 302),
        method="post",
    ),
    Case("survey_answer", "survey answer page", public_url("survey_answer"), PUBLIC),
    Case(
        "survey_answer",
        "answer a survey",
        public_url("survey_answer"),
        dict.fromkeys(ROLES, 302),
        method="post",
        data={"score": "9", "comment": "Fine"},
    ),
    Case(
        "survey_answer",
        "unknown survey link",
        public_url("survey_answer", "no-such-token"),
        dict.fromkeys(ROLES, 404),
    ),
    Case("survey_thanks", "survey thanks", public_url("survey_thanks"), PUBLIC),
    Case("survey_unsubscribe", "unsubscribe page", public_url("survey_unsubscribe"), PUBLIC),
    Case(
        "survey_unsubscribe",
        "unsubscribe",
        public_url("survey_unsubscribe"),
        dict.fromkeys(ROLES, 302),
        method="post",
    ),
    # API
    Case(
        "api-metrics-monthly",
        "monthly KPIs",
        lambda w: reverse("api-metrics-monthly") + "?from=2024-06&to=2024-06",
        api(200, 200, 200),
    ),
    Case(
        "api-health", "health scores", lambda w: reverse("api-health") + "?on=2024-06-30", api(200, 200, 200)
    ),
    Case(
        "api-health-backtest",
        "backtest",
        lambda w: reverse("api-health-backtest") + "?from=2024-05&to=2024-06",
        api(403, 200, 200),
    ),
    Case("api-tasks", "tasks", lambda w: reverse("api-tasks"), api(200, 200, 200)),
    Case("api-surveys", "surveys", lambda w: reverse("api-surveys"), api(200, 200, 200)),
    Case(
        "api-surveys",
        "create a survey",
        lambda w: reverse("api-surveys"),
        api(403, 403, 201),
        method="post",
        data={"name": "From the API", "kind": "ces"},
    ),
    Case("api-survey", "survey", survey_url("api-survey", sent), api(200, 200, 200)),
    Case(
        "api-survey-send",
        "send a survey",
        survey_url("api-survey-send", draft),
        api(403, 403, 202),
        method="post",
    ),
    Case("api-survey-results", "survey results", survey_url("api-survey-results", sent), api(200, 200, 200)),
    Case(
        "api-survey-results",
        "survey results of another CSM's book",
        lambda w: survey_url("api-survey-results", sent, f"?csm={w.other_csm.pk}")(w),
        api(404, 200, 200),
    ),
    # The Django admin: every page without arguments (index, app lists, changelists, add forms).
    Case(
        "admin:*",
        "Django admin",
        lambda w: reverse("admin:index"),
        {ANON: ADMIN_LOGIN, CSM: ADMIN_LOGIN, VP: ADMIN_LOGIN, ADMIN: 200},
    ),
]


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
    assert not uncovered, f"URLs without a permission case in tests/test_permissions.py: {sorted(uncovered)}"
    assert not covered - names - {"admin:*"}, "cases of URLs that no longer exist"


def check(client: Client, world: World, case: Case, role: str, url: str) -> None:
    client.logout()
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    response = client.post(url, case.data) if case.method == "post" else client.get(url)
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
