"""Rate limits (accounts/rate_limits.py) and the public pages behind them: every request counts per token and per
address in Django's cache; beyond a limit the page is a human 429 with Retry-After, and the database is not
read; a new window starts again from 0."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import Account, SurveyResponse
from accounts.rate_limits import RateLimit, rate_limit_hit
from surveys.models import Invitation
from surveys.views.public import PER_ADDRESS, PER_TOKEN
from tests.surveys.answering import invitations_of, survey_sent
from tests.surveys.conftest import Send


def test_a_key_is_counted_in_its_window() -> None:
    """3 per 60 s: the 4th request at t=1000.5 waits until the window of 960…1020 ends (20 s, rounded up); at
    t=1020 a new window counts from 0; another key has its own count."""
    limit = RateLimit("test", limit=3, window=60)
    assert [rate_limit_hit(limit, "a", now=1000.5) for _ in range(3)] == [None, None, None]
    assert rate_limit_hit(limit, "a", now=1000.5) == 20
    assert rate_limit_hit(limit, "a", now=1019.9) == 1
    assert rate_limit_hit(limit, "b", now=1019.9) is None
    assert rate_limit_hit(limit, "a", now=1020.0) is None


@pytest.fixture
def hana(own_account: Account, send: Send) -> Invitation:
    return invitations_of(survey_sent(send, [own_account]))["hana@harbor.example"]


@pytest.mark.django_db
def test_a_token_beyond_its_limit_is_a_429_with_retry_after(
    client: Client, hana: Invitation, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    url = reverse("survey_answer", args=[hana.token])
    for _ in range(PER_TOKEN.limit):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        response = client.post(url, {"score": "3"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= PER_TOKEN.window
    assert "Too many tries for now" in response.content.decode()
    assert not SurveyResponse.objects.exists()
    unsubscribe = client.get(reverse("survey_unsubscribe", args=[hana.token]))
    assert unsubscribe.status_code == 429


@pytest.mark.django_db
def test_an_address_beyond_its_limit_is_a_429_whatever_the_token(client: Client, hana: Invitation) -> None:
    """A guesser trying tokens from one address gets a trickle; another address still gets through."""
    for index in range(PER_ADDRESS.limit):
        assert client.get(reverse("survey_answer", args=[f"guess-{index}"])).status_code == 404
    assert client.get(reverse("survey_answer", args=[hana.token])).status_code == 429
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.get(reverse("survey_answer", args=[hana.token])).status_code == 200
