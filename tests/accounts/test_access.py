"""Who may open what (DESIGN.md "Roles and access"), for every URL of the accounts pages.

Named users: `csm` owns `own_account`, `other_csm` owns `other_account`, `vp`, `admin_user`, and anonymous.
A CSM gets a 404 for another CSM's account and a 403 for pages of other roles; anonymous people go to the login.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.access import admin_required, vp_required
from accounts.models import Account, ImportRun, Ticket, User
from accounts.segment.keys import write_key_create
from accounts.selectors import account_get_for_user, accounts_for_user, visible_to

ANON, CSM, VP, ADMIN = "anonymous", "csm", "vp", "admin"
LOGIN = "login"  # expected: a redirect to the login page
ADMIN_LOGIN = "admin-login"  # the Django admin sends people who are not admins to its own login


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    expected: dict[str, int | str]


SEGMENT_KINDS = ("batch", "track", "identify", "group")

PAGES = [
    Page("home", "get", {ANON: LOGIN, CSM: 302, VP: 302, ADMIN: 302}),
    Page("account_list", "get", {ANON: LOGIN, CSM: 200, VP: 200, ADMIN: 200}),
    Page("own_account", "get", {ANON: LOGIN, CSM: 200, VP: 200, ADMIN: 200}),
    Page("other_account", "get", {ANON: LOGIN, CSM: 404, VP: 200, ADMIN: 200}),
    Page("missing_account", "get", {ANON: LOGIN, CSM: 404, VP: 404, ADMIN: 404}),
    Page("team", "get", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 200}),
    Page("team_add", "post", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 302}),
    Page("team_role", "post", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 302}),
    Page("team_deactivate", "post", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 302}),
    Page("team_reactivate", "post", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 302}),
    Page("data", "get", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 200}),
    Page("data_upload", "post", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 400}),  # 400: no file in the form
    Page("import_run", "get", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 200}),
    Page("import_run_progress", "get", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 200}),
    Page("data_sources", "get", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 200}),
    Page("segment_settings", "get", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 200}),
    Page("segment_key_create", "post", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 200}),  # the key shown once
    Page("segment_key_revoke", "post", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 302}),
    # The tracking endpoint takes write keys, never a session: everyone without a key gets a 401.
    *(Page(f"segment_{kind}", "post", dict.fromkeys((ANON, CSM, VP, ADMIN), 401)) for kind in SEGMENT_KINDS),
    Page("stripe_quarantine", "get", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 200}),
    Page("stripe_map", "post", {ANON: LOGIN, CSM: 403, VP: 403, ADMIN: 400}),  # 400: no customer in the form
    # Its own auth, the signature: a login changes nothing, and no one gets past without one.
    Page("stripe_webhook", "post", {ANON: 400, CSM: 400, VP: 400, ADMIN: 400}),
    Page("password_change", "get", {ANON: LOGIN, CSM: 200, VP: 200, ADMIN: 200}),
    Page("django_admin", "get", {ANON: ADMIN_LOGIN, CSM: ADMIN_LOGIN, VP: ADMIN_LOGIN, ADMIN: 200}),
]

PUBLIC = ["login", "password_reset", "password_reset_done", "password_reset_complete"]


@pytest.fixture
def target(make_user: Callable[..., User]) -> User:
    """Someone on the team whom the admin pages change."""
    return make_user("tom@keel.test", name="Tom Target")


@pytest.fixture
def urls(own_account: Account, other_account: Account, target: User) -> dict[str, tuple[str, dict[str, str]]]:
    key = write_key_create(name="Old", user=None)[0]
    run = ImportRun.objects.create(source=ImportRun.Source.COMMAND, name="bundle.zip", outcome="imported")
    return {
        "home": (reverse("home"), {}),
        "account_list": (reverse("account_list"), {}),
        "own_account": (reverse("account_detail", args=[own_account.pk]), {}),
        "other_account": (reverse("account_detail", args=[other_account.pk]), {}),
        "missing_account": (reverse("account_detail", args=[other_account.pk + 1000]), {}),
        "team": (reverse("team"), {}),
        "team_add": (reverse("team"), {"email": "new@keel.test", "name": "New", "role": "csm"}),
        "team_role": (reverse("team_role", args=[target.pk]), {"role": "vp"}),
        "team_deactivate": (reverse("team_deactivate", args=[target.pk]), {}),
        "team_reactivate": (reverse("team_reactivate", args=[target.pk]), {}),
        "data": (reverse("data"), {}),
        "data_upload": (reverse("data"), {}),
        "import_run": (reverse("import_run_detail", args=[run.pk]), {}),
        "import_run_progress": (reverse("import_run_progress", args=[run.pk]), {}),
        "data_sources": (reverse("data_sources"), {}),
        "segment_settings": (reverse("segment_settings"), {}),
        "segment_key_create": (reverse("segment_settings"), {"name": "Backend"}),
        "segment_key_revoke": (reverse("segment_key_revoke", args=[key.pk]), {}),
        **{f"segment_{kind}": (reverse(f"segment_{kind}"), {}) for kind in SEGMENT_KINDS},
        "stripe_quarantine": (reverse("stripe_quarantine"), {}),
        "stripe_map": (reverse("stripe_quarantine"), {"account": "ACC-OWN-1"}),
        "stripe_webhook": (reverse("stripe_webhook"), {}),
        "password_change": (reverse("password_change"), {}),
        "django_admin": (reverse("admin:index"), {}),
    }


@pytest.fixture
def users(csm: User, vp: User, admin_user: User) -> dict[str, User | None]:
    return {ANON: None, CSM: csm, VP: vp, ADMIN: admin_user}


@pytest.mark.parametrize("role", [ANON, CSM, VP, ADMIN])
@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_permission_matrix(
    client: Client,
    page: Page,
    role: str,
    urls: dict[str, tuple[str, dict[str, str]]],
    users: dict[str, User | None],
) -> None:
    user = users[role]
    if user is not None:
        client.force_login(user)
    url, data = urls[page.name]
    response = client.post(url, data) if page.method == "post" else client.get(url)

    expected = page.expected[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == expected, response.content[:500]


def test_every_url_of_the_accounts_app_is_in_the_matrix() -> None:
    """A new page added to accounts/urls.py without a row in the matrix fails here."""
    from accounts.urls import urlpatterns

    covered = {
        "home",
        "team",
        "team_role",
        "team_deactivate",
        "team_reactivate",
        "data",
        "import_run_detail",
        "import_run_progress",
        "data_sources",
        "segment_settings",
        "segment_key_revoke",
        *(f"segment_{kind}" for kind in SEGMENT_KINDS),
        "api_tokens",
        "api_token_revoke",
        "stripe_quarantine",
        "stripe_webhook",
        "team_fallback_owner",
        "timeline_entry_new",
        "timeline_entry_edit",
        "timeline_entry_delete",
        "audit_log",
    }
    # The account pages are metrics' (their own rows); API tokens, the fallback owner, the timeline's entries and
    # the audit log: tests/test_permissions.py.
    assert {pattern.name for pattern in urlpatterns} == covered


@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_need_no_login(client: Client, name: str) -> None:
    assert client.get(reverse(name)).status_code == 200


def test_no_page_a_csm_can_open_names_an_account_they_do_not_own(
    client: Client,
    csm: User,
    other_csm: User,
    own_account: Account,
    other_account: Account,
    urls: dict[str, tuple[str, dict[str, str]]],
) -> None:
    """Every page a CSM can open, with every search and filter, including ones aimed at the other account."""
    client.force_login(csm)
    list_url = reverse("account_list")
    queries = [
        {},
        {"q": "Zephyr"},
        {"q": "SECRET"},
        {"q": "a"},
        {"segment": "enterprise"},
        {"csm": str(other_csm.pk)},
        {"csm": "none"},
        {"page": "2"},
    ]
    pages = [client.get(list_url, query) for query in queries]
    pages += [client.get(url, follow=True) for url, _ in urls.values()]
    pages += [client.get(reverse("account_detail", args=[other_account.pk]))]
    for response in pages:
        content = response.content.decode()
        assert other_account.name not in content
        assert other_account.external_id not in content
        assert "Zed Secret" not in content
    # and the list does show the CSM's own account, so the check above is not vacuous
    assert own_account.name in pages[0].content.decode()


def test_accounts_for_user_is_the_csms_own_book_and_everything_for_vp_and_admin(
    csm: User, other_csm: User, vp: User, admin_user: User, own_account: Account, other_account: Account
) -> None:
    assert list(accounts_for_user(csm)) == [own_account]
    assert list(accounts_for_user(other_csm)) == [other_account]
    assert set(accounts_for_user(vp)) == {own_account, other_account}
    assert set(accounts_for_user(admin_user)) == {own_account, other_account}


def test_visible_to_keeps_a_csms_own_records_and_adds_no_join_for_vp_and_admin(
    csm: User, vp: User, admin_user: User, own_account: Account, other_account: Account
) -> None:
    Ticket.objects.bulk_create(
        Ticket(external_id=f"T-{account.pk}", account=account, created_at=datetime(2024, 5, 1, tzinfo=UTC))
        for account in (own_account, other_account)
    )
    tickets = Ticket.objects.order_by("external_id")
    assert [t.account for t in visible_to(csm, tickets)] == [own_account]
    for user in (vp, admin_user):
        assert visible_to(user, tickets) is tickets  # every account: no `account_id IN (every account)`
    assert {t.account for t in tickets} == {own_account, other_account}


def test_account_get_for_user_404s_outside_the_scope(
    csm: User, vp: User, own_account: Account, other_account: Account
) -> None:
    assert account_get_for_user(csm, own_account.pk) == own_account
    assert account_get_for_user(vp, other_account.pk) == other_account
    with pytest.raises(Http404):
        account_get_for_user(csm, other_account.pk)


def test_a_csm_who_loses_an_account_loses_access_to_it(
    client: Client, csm: User, other_csm: User, own_account: Account
) -> None:
    client.force_login(csm)
    url = reverse("account_detail", args=[own_account.pk])
    assert client.get(url).status_code == 200
    Account.objects.filter(pk=own_account.pk).update(csm=other_csm)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("decorator", "allowed"),
    [(vp_required, {VP, ADMIN}), (admin_required, {ADMIN})],
    ids=["vp_required", "admin_required"],
)
def test_role_decorators(
    rf: RequestFactory, users: dict[str, User | None], decorator: Callable[..., Any], allowed: set[str]
) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    guarded = decorator(view)
    for role, user in users.items():
        request = rf.get("/somewhere/?x=1")
        request.user = user or AnonymousUser()
        if role == ANON:
            response = guarded(request)
            assert response.status_code == 302
            assert response["Location"] == "/login/?next=/somewhere/%3Fx%3D1"
        elif role in allowed:
            assert guarded(request).status_code == 200
        else:
            with pytest.raises(PermissionDenied):
                guarded(request)


def test_a_403_page_says_why(client: Client, csm: User) -> None:
    client.force_login(csm)
    response = client.get(reverse("team"))
    assert response.status_code == 403
    assert "not for your role" in response.content.decode()
