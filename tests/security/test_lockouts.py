"""Failed logins lock out (accounts.backends): KEEL_LOGIN_FAILURES for one email, or
KEEL_LOGIN_FAILURES_PER_ADDRESS from one address, within the window refuse every password, the right one too,
for KEEL_LOCKOUT_SECONDS; the message is the same whether the email is anyone's; a login resets the email's
count. Unknown API tokens and Segment write keys from one address lock that address out of the API and the
Segment endpoint likewise (429, Retry-After)."""

from __future__ import annotations

import base64
import re
import time
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from accounts.models import User
from accounts.segment.keys import write_key_create
from tests.conftest import PASSWORD, api_key

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

LOGIN = reverse("login")
LOCKED = "Too many failed logins for this email or from this address."


@pytest.fixture(autouse=True)
def _limits(settings: Settings) -> None:
    settings.KEEL_LOGIN_FAILURES = 3
    settings.KEEL_LOGIN_FAILURES_PER_ADDRESS = 10
    settings.KEEL_KEY_FAILURES_PER_ADDRESS = 4
    settings.KEEL_LOCKOUT_WINDOW_SECONDS = 600
    settings.KEEL_LOCKOUT_SECONDS = 900


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def attempt(client: Client, email: str, password: str, address: str = "10.0.0.1") -> str:
    """The login page's answer, its CSRF token left out ("" when it logged in and redirected)."""
    response = client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)
    if response.status_code == 302:
        return ""
    assert response.status_code == 200
    return CSRF.sub("", response.content.decode())


def test_failures_for_one_email_lock_it_out_even_with_the_right_password(client: Client, csm: User) -> None:
    for _ in range(2):
        text = attempt(client, csm.email, "wrong")
        assert "Wrong email or password." in text
        assert LOCKED not in text
    text = attempt(client, csm.email, "wrong")  # the third failure starts the lockout and says so
    assert LOCKED in text
    assert "Try again in 15 minutes" in text
    assert LOCKED in attempt(client, csm.email, PASSWORD)  # the right password, refused
    assert "_auth_user_id" not in client.session
    # another person is not locked by it, from the same address
    other = User.objects.create_user("carol@keel.test", PASSWORD, name="Carol", role=csm.role)
    assert attempt(client, other.email, PASSWORD) == ""


def test_the_lockout_ends_after_its_time(client: Client, csm: User, settings: Settings) -> None:
    settings.KEEL_LOCKOUT_SECONDS = 1
    for _ in range(3):
        attempt(client, csm.email, "wrong")
    assert LOCKED in attempt(client, csm.email, PASSWORD)
    time.sleep(1.2)
    assert attempt(client, csm.email, PASSWORD) == ""


def test_an_unknown_email_is_answered_exactly_like_a_known_one(client: Client, csm: User) -> None:
    """No user enumeration: every page of the sequence is the same for someone's email and for no one's."""
    known = [attempt(client, csm.email, "wrong").replace(csm.email, "EMAIL") for _ in range(4)]
    unknown = [
        attempt(client, "nobody@keel.test", "wrong").replace("nobody@keel.test", "EMAIL") for _ in range(4)
    ]
    assert known == unknown
    assert "Wrong email or password." in known[0]
    assert LOCKED in known[-1]


def test_a_successful_login_resets_the_emails_count(client: Client, csm: User) -> None:
    for _ in range(2):
        attempt(client, csm.email, "wrong")
    assert attempt(client, csm.email, PASSWORD) == ""
    client.logout()
    for _ in range(2):  # two more are again within the limit of three
        assert LOCKED not in attempt(client, csm.email, "wrong")
    assert attempt(client, csm.email, PASSWORD) == ""


def test_failures_from_one_address_lock_that_address_out(client: Client, csm: User) -> None:
    """Ten failures spread over ten emails from one address: the eleventh try from there is refused, the right
    password of a real person too, while another address may still log in."""
    for number in range(10):
        attempt(client, f"guess{number}@keel.test", "wrong", address="10.9.9.9")
    assert LOCKED in attempt(client, csm.email, PASSWORD, address="10.9.9.9")
    assert attempt(client, csm.email, PASSWORD, address="10.0.0.2") == ""


def test_the_django_admin_login_is_locked_too(client: Client, admin_user: User) -> None:
    for _ in range(3):
        client.post("/admin/login/", {"username": admin_user.email, "password": "wrong"})
    response = client.post("/admin/login/?next=/admin/", {"username": admin_user.email, "password": PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect into the admin
    assert "_auth_user_id" not in client.session


def test_guessed_api_tokens_lock_the_address_out_of_the_api(client: Client, csm: User) -> None:
    key = api_key(csm)
    url = "/api/v1/accounts/"
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR="10.1.1.1").status_code == 200
    for number in range(4):
        response = client.get(url, HTTP_AUTHORIZATION=f"Token guess{number}", REMOTE_ADDR="10.1.1.1")
        assert response.status_code == 401
    response = client.get(url, HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 900
    assert response.json()["errors"][0]["message"].startswith("Too many invalid tokens from this address.")
    # the same key from elsewhere still works
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR="10.1.1.2").status_code == 200


def test_guessed_segment_write_keys_lock_the_address_out_of_the_endpoint(client: Client, db: None) -> None:
    """Segment's clients retry a 429 later, so what a locked-out address sends with a good key is not lost."""
    key = write_key_create(name="Backend", user=None)[1]
    body = {
        "batch": [{"type": "track", "event": "login", "userId": "u1", "timestamp": "2025-01-01T00:00:00Z"}]
    }

    def send(secret: str, address: str = "10.2.2.2") -> _MonkeyPatchedWSGIResponse:
        auth = "Basic " + base64.b64encode(f"{secret}:".encode()).decode()
        return client.post(
            "/v1/batch", body, content_type="application/json", HTTP_AUTHORIZATION=auth, REMOTE_ADDR=address
        )

    assert send(key).status_code == 200
    for number in range(4):
        assert send(f"guess{number}").status_code == 401
    response = send(key)
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert response.json()["code"] == "rate_limited"
    assert send(key, address="10.2.2.3").status_code == 200


def test_the_counts_live_in_redis_shared_by_every_web_process(
    client: Client, csm: User, redis_url: str, settings: Settings
) -> None:
    """With REDIS_URL the cache, and so the counts, are Redis's (config/settings/base.py): a lockout started
    through one process's cache is seen by a fresh connection, as another gunicorn worker would see it."""
    prefix = f"test-lockouts-{time.time_ns()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    import redis

    server = redis.Redis.from_url(redis_url)
    try:
        for _ in range(3):
            attempt(client, csm.email, "wrong")
        keys = server.keys(f"{prefix}:*lockout:login-email:until:*")
        assert len(keys) == 1
        assert 890 <= server.ttl(keys[0]) <= 901
        assert LOCKED in attempt(Client(), csm.email, PASSWORD)
    finally:
        for name in server.scan_iter(f"{prefix}:*"):
            server.delete(name)
