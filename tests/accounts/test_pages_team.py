"""The Team page (/team/, admins only): list, add, change role, deactivate and reactivate."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import Role, User
from tests.conftest import PASSWORD

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

TEAM = reverse("team")


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def messages_of(response: _MonkeyPatchedWSGIResponse) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_team_page_lists_everyone(
    admin_client: Client,
    csm: User,
    vp: User,
    make_user: Callable[..., User],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    csm.last_login = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    csm.save()
    make_user("gone@keel.test", name="Gina Gone", is_active=False)
    # session, user, the nav's open tasks, the members, the team settings and the first admin (the fallback owner)
    with django_assert_max_num_queries(6):
        response = admin_client.get(TEAM)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Alice Owner",
        "alice@keel.test",
        "Vera VP",
        "4 Mar 2025 09:30",
        "Gina Gone",
        "Inactive",
        "never",
    ):
        assert text in html
    assert re.search(
        r'data-email="adam@keel.test">\s*<td>Adam Admin <span class="badge badge--accent">you</span>', html
    )


def test_add_a_user_and_send_the_link(admin_client: Client) -> None:
    response = admin_client.post(
        TEAM, {"email": "Nina@Keel.test", "name": "Nina New", "role": "vp", "send_link": "on"}, follow=True
    )
    assert response.redirect_chain == [(TEAM, 302)]
    assert messages_of(response) == ["Added Nina New; a link to set their password is on its way."]
    nina = User.objects.get(email="nina@keel.test")
    assert (nina.name, nina.role, nina.is_active, nina.has_usable_password()) == (
        "Nina New",
        "vp",
        True,
        False,
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@keel.test"]
    assert mail.outbox[0].subject == "You have been added to Keel"
    assert "Adam Admin added you to Keel" in mail.outbox[0].body

    # the link in the invitation lets Nina choose a password and log in
    path = re.search(r"https?://[^/\s]+(/password/reset/\S+/\S+/)", str(mail.outbox[0].body))
    assert path
    admin_client.logout()
    form_url = admin_client.get(path.group(1))["Location"]
    admin_client.post(form_url, {"new_password1": "sea breeze 2025", "new_password2": "sea breeze 2025"})
    assert admin_client.login(username="nina@keel.test", password="sea breeze 2025")


def test_add_a_user_without_the_link(admin_client: Client) -> None:
    response = admin_client.post(
        TEAM, {"email": "otto@keel.test", "name": "Otto", "role": "csm"}, follow=True
    )
    assert "Forgot your password?" in messages_of(response)[0]
    assert User.objects.filter(email="otto@keel.test", role=Role.CSM).exists()
    assert mail.outbox == []


def test_adding_someone_already_on_the_team_is_refused(admin_client: Client, csm: User) -> None:
    response = admin_client.post(TEAM, {"email": "ALICE@keel.test", "name": "Alice 2", "role": "csm"})
    assert response.status_code == 400
    assert "alice@keel.test is already on the team." in response.content.decode()
    assert User.objects.filter(email="alice@keel.test").count() == 1


def test_the_add_form_validates(admin_client: Client) -> None:
    response = admin_client.post(TEAM, {"email": "nope", "name": "", "role": "king"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert "Select a valid choice." in html


def test_change_role(admin_client: Client, csm: User) -> None:
    response = admin_client.post(reverse("team_role", args=[csm.pk]), {"role": "vp"}, follow=True)
    assert messages_of(response) == ["Alice Owner is now VP."]
    csm.refresh_from_db()
    assert csm.role == Role.VP


def test_an_admin_cannot_demote_themselves_on_the_page(admin_client: Client, admin_user: User) -> None:
    response = admin_client.post(reverse("team_role", args=[admin_user.pk]), {"role": "csm"}, follow=True)
    assert messages_of(response) == ["You cannot remove your own admin role; ask another admin."]
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_an_unknown_role_is_refused(admin_client: Client, csm: User) -> None:
    response = admin_client.post(reverse("team_role", args=[csm.pk]), {"role": "king"}, follow=True)
    assert messages_of(response) == ["Choose one of the roles."]


def test_deactivate_logs_them_out_and_keeps_them_out(admin_client: Client, csm: User) -> None:
    their_client = Client()
    their_client.force_login(csm)
    assert their_client.get(reverse("account_list")).status_code == 200

    response = admin_client.post(reverse("team_deactivate", args=[csm.pk]), follow=True)
    assert messages_of(response) == ["Alice Owner is deactivated and can no longer log in."]
    csm.refresh_from_db()
    assert not csm.is_active

    assert their_client.get(reverse("account_list"))["Location"].startswith(reverse("login"))
    assert not Client().login(username=csm.email, password=PASSWORD)
    response = Client().post(reverse("login"), {"username": csm.email, "password": PASSWORD})
    assert "Wrong email or password." in response.content.decode()

    admin_client.post(reverse("team_reactivate", args=[csm.pk]))
    assert Client().login(username=csm.email, password=PASSWORD)


def test_an_admin_cannot_deactivate_themselves_on_the_page(admin_client: Client, admin_user: User) -> None:
    response = admin_client.post(reverse("team_deactivate", args=[admin_user.pk]), follow=True)
    assert messages_of(response) == ["You cannot deactivate yourself; ask another admin."]
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_team_writes_are_posts(admin_client: Client, csm: User) -> None:
    for name in ("team_role", "team_deactivate", "team_reactivate"):
        assert admin_client.get(reverse(name, args=[csm.pk])).status_code == 405


def test_unknown_user_is_a_404(admin_client: Client) -> None:
    assert admin_client.post(reverse("team_deactivate", args=[999999])).status_code == 404


def test_an_admin_chooses_who_gets_the_tasks_of_accounts_without_a_csm(
    client: Client, admin_user: User, vp: User
) -> None:
    from accounts.selectors import fallback_owner

    client.force_login(admin_user)
    assert fallback_owner() == admin_user  # the default: the first active admin
    page = client.get(reverse("team")).content.decode()
    assert 'id="fallback-owner"' in page and "Adam Admin" in page
    client.post(reverse("team_fallback_owner"), {"owner": vp.pk})
    assert fallback_owner() == vp
    vp.is_active = False
    vp.save()
    assert fallback_owner() == admin_user  # a deactivated choice falls back to the first admin
    response = client.post(reverse("team_fallback_owner"), {"owner": vp.pk}, follow=True)
    assert "Choose an active member" in response.content.decode()
