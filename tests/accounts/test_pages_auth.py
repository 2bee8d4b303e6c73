"""Login with email, logout, password reset (also for people without a password yet) and password change."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Account, Role, User
from accounts.users import user_create
from tests.conftest import PASSWORD

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

NEW_PASSWORD = "a quiet harbour at dawn"


def login(client: Client, email: str, password: str = PASSWORD) -> _MonkeyPatchedWSGIResponse:
    return client.post(reverse("login"), {"username": email, "password": password})


def logged_in_user(client: Client) -> User | None:
    response = client.get(reverse("account_list"))
    user = response.wsgi_request.user
    return user if user.is_authenticated else None


def test_login_page_renders(client: Client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="email"' in html
    assert reverse("password_reset") in html


def test_login_with_mixed_case_email(client: Client, csm: User) -> None:
    response = login(client, "  Alice@KEEL.test ")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert logged_in_user(client) == csm


def test_login_goes_to_next(client: Client, csm: User, own_account: Account) -> None:
    url = reverse("account_detail", args=[own_account.pk])
    response = client.post(
        f"{reverse('login')}?next={url}", {"username": csm.email, "password": PASSWORD, "next": url}
    )
    assert response["Location"] == url


def test_wrong_password_is_refused(client: Client, csm: User) -> None:
    response = login(client, csm.email, "not it")
    assert response.status_code == 200
    assert "Wrong email or password." in response.content.decode()
    assert logged_in_user(client) is None


def test_a_deactivated_user_cannot_log_in(client: Client, csm: User) -> None:
    csm.is_active = False
    csm.save()
    assert login(client, csm.email).status_code == 200
    assert logged_in_user(client) is None


def test_a_logged_in_user_is_sent_on_from_the_login_page(client: Client, csm: User) -> None:
    client.force_login(csm)
    assert client.get(reverse("login"))["Location"] == reverse("home")


def test_logout_is_a_post(client: Client, csm: User) -> None:
    client.force_login(csm)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert logged_in_user(client) is None


def test_password_reset_for_a_user_without_a_password(client: Client, admin_user: User) -> None:
    """A user added by an admin (or from team.csv) has no usable password: the reset link is how they set one."""
    newcomer = user_create(email="nina@keel.test", name="Nina New", role=Role.CSM, invited_by=admin_user)
    assert not newcomer.has_usable_password()

    response = client.post(reverse("password_reset"), {"email": "Nina@Keel.test"})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@keel.test"]
    assert message.subject == "Set or reset your Keel password"
    base = settings.KEEL_BASE_URL.rstrip("/")
    link = re.search(rf"{re.escape(base)}(/password/reset/\S+/\S+/)", str(message.body))
    assert link, message.body

    form_url = client.get(link.group(1))["Location"]  # Django swaps the token for a session key
    assert "Choose a password" in client.get(form_url).content.decode()
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("password_reset_complete")

    assert login(client, "nina@keel.test", NEW_PASSWORD).status_code == 302
    assert logged_in_user(client) == newcomer
    # the link works once
    client.logout()
    assert "no longer works" in client.get(link.group(1), follow=True).content.decode()


def test_password_reset_for_an_unknown_or_inactive_email_sends_nothing_and_says_the_same(
    client: Client, make_user: Callable[..., User]
) -> None:
    make_user("gone@keel.test", is_active=False)
    for email in ("nobody@keel.test", "gone@keel.test"):
        response = client.post(reverse("password_reset"), {"email": email})
        assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_reset_for_a_user_with_a_password(client: Client, csm: User) -> None:
    client.post(reverse("password_reset"), {"email": csm.email})
    assert len(mail.outbox) == 1
    assert "Alice Owner" in mail.outbox[0].body


def test_password_change(client: Client, csm: User) -> None:
    client.force_login(csm)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("password_change_done")
    assert logged_in_user(client) == csm  # still logged in
    client.logout()
    assert login(client, csm.email, NEW_PASSWORD).status_code == 302
