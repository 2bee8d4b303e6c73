"""The cases of tests/test_permissions.py: for every URL of the project, one request or more and what each role
gets (DESIGN.md "Roles and access"), over the `World` its `world` fixture builds. A new URL needs a case here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse

from accounts.models import Account, Contact, ImportRun, SegmentWriteKey, TimelineEntry, User
from health.models import Playbook, Task
from metrics.models import SnapshotJob
from surveys.models import Invitation, Survey
from surveys.services import survey_create
from surveys.services.answers import response_record

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
    write_key: SegmentWriteKey

    def user(self, role: str) -> User | None:
        return {ANON: None, CSM: self.csm, VP: self.vp, ADMIN: self.admin}[role]


@dataclass(frozen=True)
class Case:
    """One request and what each role gets: a status, LOGIN or ADMIN_LOGIN."""

    name: str  # the URL name it covers (namespace:name)
    label: str
    url: Callable[[World], str]
    expected: Mapping[str, int | str]
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)
    json: object = None  # a JSON body (API writes: put, post, delete)


def pages(csm: int | str, vp: int | str, admin: int | str) -> dict[str, int | str]:
    return {ANON: LOGIN, CSM: csm, VP: vp, ADMIN: admin}


def api(csm: int, vp: int, admin: int) -> dict[str, int | str]:
    return {ANON: 401, CSM: csm, VP: vp, ADMIN: admin}


EVERYONE = pages(200, 200, 200)
VP_ONLY = pages(403, 200, 200)
ADMIN_ONLY = pages(403, 403, 200)
PLAYBOOK_FORM = {
    "name": "Rescue",
    "trigger": "turned_red",
    "is_active": "on",
    "steps-TOTAL_FORMS": "1",
    "steps-INITIAL_FORMS": "0",
    "steps-0-title": "Call them",
    "steps-0-offset_days": "1",
    "steps-0-priority": "high",
}


def timeline_entry(w: World, *, other: bool = False) -> int:
    """A call on the timeline, logged by the CSM on their account (or by the other CSM on theirs)."""
    author, account = (w.other_csm, w.other) if other else (w.csm, w.own)
    entry, _ = TimelineEntry.objects.get_or_create(
        account=account, author=author, defaults={"kind": "call", "occurred_on": JUNE, "text": "Called"}
    )
    return entry.pk


LOGGED = {"kind": "call", "occurred_on": "2024-06-01", "text": "Walked them through the export"}


def _contact(w: World) -> int:
    """A contact of the CSM's own account (made on first use in each test)."""
    contact, _ = Contact.objects.get_or_create(
        external_id="perm-contact", defaults={"account": w.own, "email": "perm@own.example"}
    )
    return contact.pk


def _playbook() -> int:
    """A playbook to open and switch (made on first use in each test)."""
    playbook, _ = Playbook.objects.get_or_create(name="Checked", defaults={"trigger": "at_risk"})
    return playbook.pk


PUBLIC = {ANON: 200, CSM: 200, VP: 200, ADMIN: 200}


def _segment_url(kind: str, w: World) -> str:
    return reverse(f"segment_{kind}")


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
        "own account as of a month-end",
        lambda w: reverse("account_detail", args=[w.own.pk]) + f"?as_of={MAY_END}",
        EVERYONE,
    ),
    Case(
        "account_detail",
        "another CSM's account as of a month-end",
        lambda w: reverse("account_detail", args=[w.other.pk]) + f"?as_of={MAY_END}",
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
    Case("drilldown", "company NRR drill-down", drill("nrr-12m"), VP_ONLY),
    Case("drilldown", "company NPS answers", drill("nps-90d"), VP_ONLY),
    Case(
        "drilldown", "own book's logo churn", lambda w: drill("logo-churn", f"?csm={w.csm.pk}")(w), EVERYONE
    ),
    Case(
        "drilldown",
        "another CSM's NPS answers",
        lambda w: drill("nps-90d", f"?csm={w.other_csm.pk}")(w),
        pages(404, 200, 200),
    ),
    # Health and tasks
    Case("health_model", "health model", lambda w: reverse("health_model"), ADMIN_ONLY),
    Case(
        "snapshot_queue",
        "compute missing months",
        lambda w: reverse("snapshot_queue"),
        pages(403, 403, 302),  # an empty form: nothing queued, back home with the reason
        method="post",
    ),
    Case(
        "snapshot_job",
        "a snapshot job's progress",
        lambda w: reverse("snapshot_job", args=[w.job.pk]),
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
    Case("task_new", "find the account of a new task", lambda w: reverse("task_new") + "?q=a", EVERYONE),
    Case(
        "task_new",
        "new task on own account",
        lambda w: reverse("task_new") + f"?account={w.own.pk}",
        EVERYONE,
    ),
    Case(
        "task_new",
        "new task on another's account",
        lambda w: reverse("task_new") + f"?account={w.other.pk}",
        pages(404, 200, 200),
    ),
    Case(
        "task_new",
        "post a new task without a title (the form again)",
        lambda w: reverse("task_new") + f"?account={w.own.pk}",
        EVERYONE,
        method="post",
    ),
    Case("task_edit", "edit own task", lambda w: reverse("task_edit", args=[w.own_task.pk]), EVERYONE),
    Case(
        "task_edit",
        "edit another's task",
        lambda w: reverse("task_edit", args=[w.other_task.pk]),
        pages(404, 200, 200),
    ),
    Case(
        "task_snooze",
        "snooze own task",
        lambda w: reverse("task_snooze", args=[w.own_task.pk]),
        pages(302, 302, 302),
        method="post",
        data={"until": ""},
    ),
    Case(
        "task_snooze",
        "snooze another's task",
        lambda w: reverse("task_snooze", args=[w.other_task.pk]),
        pages(404, 302, 302),
        method="post",
        data={"until": ""},
    ),
    Case(
        "timeline_entry_new",
        "log a call on own account",
        lambda w: reverse("timeline_entry_new", args=[w.own.pk]),
        pages(302, 302, 302),
        method="post",
        data=LOGGED,
    ),
    Case(
        "timeline_entry_new",
        "log a call on another's account",
        lambda w: reverse("timeline_entry_new", args=[w.other.pk]),
        pages(404, 302, 302),
        method="post",
        data=LOGGED,
    ),
    Case(
        "timeline_entry_new",
        "log nothing (the form again, with its errors)",
        lambda w: reverse("timeline_entry_new", args=[w.own.pk]),
        pages(400, 400, 400),
        method="post",
    ),
    # Only its author changes an entry: VPs and admins see it, but may not change it.
    Case(
        "timeline_entry_edit",
        "edit own timeline entry",
        lambda w: reverse("timeline_entry_edit", args=[timeline_entry(w)]),
        pages(200, 403, 403),
    ),
    Case(
        "timeline_entry_edit",
        "edit another CSM's timeline entry",
        lambda w: reverse("timeline_entry_edit", args=[timeline_entry(w, other=True)]),
        pages(404, 403, 403),
    ),
    Case(
        "timeline_entry_delete",
        "delete own timeline entry",
        lambda w: reverse("timeline_entry_delete", args=[timeline_entry(w)]),
        pages(302, 403, 403),
        method="post",
    ),
    Case(
        "timeline_entry_delete",
        "delete another CSM's timeline entry",
        lambda w: reverse("timeline_entry_delete", args=[timeline_entry(w, other=True)]),
        pages(404, 403, 403),
        method="post",
    ),
    # Team and data (admins)
    Case(
        "team_fallback_owner",
        "choose the fallback owner",
        lambda w: reverse("team_fallback_owner"),
        pages(403, 403, 302),
        method="post",
        data={"owner": ""},
    ),
    Case("team", "team", lambda w: reverse("team"), ADMIN_ONLY),
    Case("audit_log", "audit log", lambda w: reverse("audit_log"), ADMIN_ONLY),
    Case(
        "account_erase",
        "erase an account: the confirmation",
        lambda w: reverse("account_erase", args=[w.own.pk]),
        ADMIN_ONLY,
    ),
    Case(
        "account_erase",
        "erase an account without typing its name",
        lambda w: reverse("account_erase", args=[w.own.pk]),
        pages(403, 403, 400),
        method="post",
        data={"confirm": "not its name"},
    ),
    Case(
        "contact_erase",
        "erase a contact: the confirmation",
        lambda w: reverse("contact_erase", args=[_contact(w)]),
        ADMIN_ONLY,
    ),
    Case(
        "contact_erase",
        "erase a contact without typing its email",
        lambda w: reverse("contact_erase", args=[_contact(w)]),
        pages(403, 403, 400),
        method="post",
        data={"confirm": ""},
    ),
    Case(
        "audit_log",
        "audit log filtered",
        lambda w: reverse("audit_log") + "?action=user.role&actor=keel&page=2",
        ADMIN_ONLY,
    ),
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
    Case("data_sources", "data sources", lambda w: reverse("data_sources"), ADMIN_ONLY),
    Case(
        "import_run_detail", "import run", lambda w: reverse("import_run_detail", args=[w.run.pk]), ADMIN_ONLY
    ),
    Case(
        "import_run_progress",
        "import run progress",
        lambda w: reverse("import_run_progress", args=[w.run.pk]),
        ADMIN_ONLY,
    ),
    # Segment: the write keys page (admins); the tracking endpoint has its own auth (a write key, never a
    # session: tests/accounts/segment/), so every role without a key gets a 401
    Case("segment_settings", "segment write keys", lambda w: reverse("segment_settings"), ADMIN_ONLY),
    Case(
        "segment_settings",
        "create a write key",
        lambda w: reverse("segment_settings"),
        pages(403, 403, 200),
        method="post",
        data={"name": "Permissions"},
    ),
    Case(
        "segment_key_revoke",
        "revoke a write key",
        lambda w: reverse("segment_key_revoke", args=[w.write_key.pk]),
        pages(403, 403, 302),
        method="post",
    ),
    *(
        Case(
            f"segment_{kind}",
            f"segment {kind} with a session",
            functools.partial(_segment_url, kind),
            dict.fromkeys(ROLES, 401),
            method="post",
        )
        for kind in ("batch", "track", "identify", "group")
    ),
    Case("stripe_quarantine", "stripe quarantine", lambda w: reverse("stripe_quarantine"), ADMIN_ONLY),
    Case(
        "stripe_quarantine",
        "map a stripe customer without one",
        lambda w: reverse("stripe_quarantine"),
        pages(403, 403, 400),
        method="post",
    ),
    # The Stripe webhook has its own auth, the signature: a session changes nothing (tests/accounts/test_stripe_*)
    Case(
        "stripe_webhook",
        "stripe webhook without a signature",
        lambda w: reverse("stripe_webhook"),
        {ANON: 400, CSM: 400, VP: 400, ADMIN: 400},
        method="post",
    ),
    # Notifications: everyone sets their own; the team's Slack webhook is the admins'
    Case(
        "notification_settings", "notification settings", lambda w: reverse("notification_settings"), EVERYONE
    ),
    Case(
        "notification_settings",
        "save one's own notifications",
        lambda w: reverse("notification_settings"),
        pages(302, 302, 302),
        method="post",
        data={"form": "mine", "daily_digest": "on", "slack_webhook_url": ""},
    ),
    Case(
        "notification_settings",
        "set the team's Slack webhook",
        lambda w: reverse("notification_settings"),
        pages(403, 403, 302),
        method="post",
        data={"form": "team", "team_slack_webhook_url": ""},
    ),
    Case(
        "notification_test",
        "send oneself a test",
        lambda w: reverse("notification_test"),
        pages(302, 302, 302),
        method="post",
        data={"to": "me"},
    ),
    Case(
        "notification_test",
        "test the team's Slack webhook",
        lambda w: reverse("notification_test"),
        pages(403, 403, 302),
        method="post",
        data={"to": "team"},
    ),
    # Playbooks: admins only
    Case("playbook_list", "playbooks", lambda w: reverse("playbook_list"), ADMIN_ONLY),
    Case("playbook_new", "new playbook", lambda w: reverse("playbook_new"), ADMIN_ONLY),
    Case(
        "playbook_new",
        "create a playbook",
        lambda w: reverse("playbook_new"),
        pages(403, 403, 302),
        method="post",
        data=PLAYBOOK_FORM,
    ),
    Case(
        "playbook_edit", "edit a playbook", lambda w: reverse("playbook_edit", args=[_playbook()]), ADMIN_ONLY
    ),
    Case(
        "playbook_toggle",
        "turn a playbook off",
        lambda w: reverse("playbook_toggle", args=[_playbook()]),
        pages(403, 403, 302),
        method="post",
    ),
    Case("renewal_forecast", "renewal forecast", lambda w: reverse("renewal_forecast"), EVERYONE),
    Case(
        "renewal_forecast",
        "renewal forecast of one CSM",
        lambda w: reverse("renewal_forecast") + f"?csm={w.other_csm.pk}",
        EVERYONE,
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
