"""The account 360 (metrics) lists an account's answers: one given on Keel's page says which survey it came from,
with a link to the survey's results; an imported one does not. Still one query for every list."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import Account, SurveyResponse, User
from surveys.services.answers import response_record
from tests.surveys.answering import invitations_of, survey_sent
from tests.surveys.conftest import Send

pytestmark = pytest.mark.django_db


def test_an_answer_keel_sent_names_its_survey(
    client: Client,
    csm: User,
    own_account: Account,
    send: Send,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    """The same query count as tests/metrics/test_pages_account_detail.py's (8) with both kinds of answer."""
    survey = survey_sent(send, [own_account], name="Autumn NPS")
    response_record(
        invitation=invitations_of(survey)["hana@harbor.example"],
        score=4,
        comment="Slow exports",
        now=datetime.fromisoformat("2025-10-02T10:00:00+00:00"),
    )
    SurveyResponse.objects.create(
        external_id="imported-1",
        kind="csat",
        score=5,
        responded_at=datetime.fromisoformat("2025-09-01T10:00:00+00:00"),
        account=own_account,
        comment="Imported",
    )
    client.force_login(csm)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("account_detail", args=[own_account.pk]))
    html = response.content.decode()
    link = f'<a href="{reverse("survey_results", args=[survey.pk])}" class="answers__survey">Autumn NPS</a>'
    assert html.count('class="answers__survey"') == 1 and link in html
    assert "“Slow exports”" in html and "“Imported”" in html
