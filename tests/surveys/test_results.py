"""A survey's results (surveys/selectors/results.py) and their page (surveys/views/results.py): METRICS.md
"Results of a survey Keel sends", worked by hand; a CSM reads their own accounts' answers only, and a filter
naming another CSM is a 404; the page's query count does not grow with the answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

from accounts.models import Account, User
from surveys.models import Invitation, Survey
from surveys.selectors import results_filter, survey_comments, survey_results
from surveys.services.answers import response_record
from tests.factories import AccountFactory, ContactFactory
from tests.surveys.answering import invitations_of, survey_sent
from tests.surveys.conftest import Send

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass
class Answered:
    survey: Survey
    invitations: dict[str, Invitation]
    nobody: Account


@pytest.fixture
def answered(own_account: Account, other_account: Account, send: Send) -> Answered:
    """An NPS survey of three accounts (KEEL_TIMEZONE UTC):
    - Harbor Lights (Alice's, smb): hana, hugo, hilde, hank; Zephyr Secret Corp (Bob's, enterprise): zed, zoe,
      zack; Nobody Ltd (no CSM, smb): nina. Eight invitations; hank's bounced, zack's is failing: 6 sent.
    - Answers: hana 10 on 5 March, changed to 6 "Support got slower" on 2 April (it counts once, in April, as
      6); hugo 9 on 10 March (no comment); hilde 7 "Fine" on 15 April; zed 3 "Too slow" on 20 March; zoe 10
      "Love it" on 1 June. nina does not answer.
    """
    nobody = AccountFactory.create(name="Nobody Ltd", external_id="ACC-NOBODY", csm=None, segment="smb")
    for account, people in (
        (own_account, ("Hugo", "Hilde", "Hank")),
        (other_account, ("Zoe", "Zack")),
        (nobody, ("Nina",)),
    ):
        domain = account.name.split()[0].lower()
        for name in people:
            ContactFactory(
                account=account,
                name=f"{name} {account.name.split()[0]}",
                email=f"{name.lower()}@{domain}.example",
            )
    survey = survey_sent(send, [own_account, other_account, nobody])
    invitations = invitations_of(survey)
    by_name = {email.split("@")[0]: invitation for email, invitation in invitations.items()}
    Invitation.objects.filter(pk=by_name["hank"].pk).update(state=Invitation.State.BOUNCED)
    Invitation.objects.filter(pk=by_name["zack"].pk).update(state=Invitation.State.FAILED)
    for name, score, comment, when in (
        ("hana", 10, "", "2025-03-05T12:00:00+00:00"),
        ("hugo", 9, "", "2025-03-10T09:00:00+00:00"),
        ("zed", 3, "Too slow", "2025-03-20T16:00:00+00:00"),
        ("hana", 6, "Support got slower", "2025-04-02T08:00:00+00:00"),
        ("hilde", 7, "Fine", "2025-04-15T10:00:00+00:00"),
        ("zoe", 10, "Love it", "2025-06-01T00:30:00+00:00"),
    ):
        response_record(invitation=by_name[name], score=score, comment=comment, now=at(when))
    return Answered(survey=survey, invitations=by_name, nobody=nobody)


def months(results: object) -> list[tuple[str, int, float | None]]:
    return [(f"{month.month:%Y-%m}", month.responses, month.score) for month in results.months]  # type: ignore[attr-defined]


def test_the_company_figures_by_hand(answered: Answered, vp: User) -> None:
    """sent 6 (8 less hank's bounce and zack's failure); answers 5 (hana's twice is one); rate 5/6.
    March: hugo 9, zed 3 → (1 promoter − 1 detractor) / 2 = NPS 0. April: hana 6, hilde 7 → (0 − 1) / 2 =
    −50. May: no answer. June: zoe 10 → 100. Distribution: one each of 3, 6, 7, 9, 10."""
    results = survey_results(survey=answered.survey, user=vp)
    assert (results.invitations_sent, results.answers) == (6, 5)
    assert results.response_rate == pytest.approx(5 / 6)
    assert months(results) == [
        ("2025-03", 2, 0.0),
        ("2025-04", 2, -50.0),
        ("2025-05", 0, None),
        ("2025-06", 1, 100.0),
    ]
    assert results.distribution == [
        (0, 0),
        (1, 0),
        (2, 0),
        (3, 1),
        (4, 0),
        (5, 0),
        (6, 1),
        (7, 1),
        (8, 0),
        (9, 1),
        (10, 1),
    ]
    comments = survey_comments(survey=answered.survey, user=vp)
    assert [invitation.response.comment for invitation in comments] == [  # type: ignore[union-attr]
        "Love it",
        "Fine",
        "Support got slower",
        "Too slow",
    ]


def test_a_csm_reads_their_own_accounts_only(answered: Answered, csm: User) -> None:
    """Alice owns Harbor Lights: sent hana, hugo, hilde (hank bounced) = 3, answered 3, rate 1. March: hugo 9 →
    100; April: hana 6, hilde 7 → −50."""
    results = survey_results(survey=answered.survey, user=csm)
    assert (results.invitations_sent, results.answers, results.response_rate) == (3, 3, 1.0)
    assert months(results) == [("2025-03", 1, 100.0), ("2025-04", 2, -50.0)]
    assert [count for _, count in results.distribution] == [0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0]
    assert [i.response.comment for i in survey_comments(survey=answered.survey, user=csm)] == [  # type: ignore[union-attr]
        "Fine",
        "Support got slower",
    ]


def test_segment_csm_and_score_filters(answered: Answered, vp: User, other_csm: User) -> None:
    """enterprise (Zephyr): sent zed, zoe = 2, answered 2; March zed 3 → −100, June zoe 10 → 100. No CSM
    (Nobody Ltd): sent 1, answered 0, rate 0. Comments scoring 0–6: hana's and zed's; 10: zoe's."""
    enterprise = results_filter(user=vp, kind="nps", segment="enterprise")
    results = survey_results(survey=answered.survey, user=vp, where=enterprise)
    assert (results.invitations_sent, results.answers) == (2, 2)
    assert months(results) == [
        ("2025-03", 1, -100.0),
        ("2025-04", 0, None),
        ("2025-05", 0, None),
        ("2025-06", 1, 100.0),
    ]
    assert results_filter(user=vp, kind="nps", csm=str(other_csm.pk)).csm == other_csm
    unowned = survey_results(
        survey=answered.survey, user=vp, where=results_filter(user=vp, kind="nps", csm="none")
    )
    assert (unowned.invitations_sent, unowned.answers, unowned.response_rate, unowned.months) == (
        1,
        0,
        0.0,
        [],
    )
    low = survey_comments(
        survey=answered.survey, user=vp, where=results_filter(user=vp, kind="nps", score="0-6")
    )
    assert [i.response.comment for i in low] == ["Support got slower", "Too slow"]  # type: ignore[union-attr]
    top = survey_comments(
        survey=answered.survey, user=vp, where=results_filter(user=vp, kind="nps", score="10")
    )
    assert [i.response.comment for i in top] == ["Love it"]  # type: ignore[union-attr]


def test_a_filter_naming_another_csm_is_a_404_for_a_csm(csm: User, other_csm: User, vp: User) -> None:
    assert results_filter(user=csm, kind="nps", csm=str(csm.pk)).csm == csm
    for value in (str(other_csm.pk), "none", "999999", "abc"):
        with pytest.raises(Http404):
            results_filter(user=csm, kind="nps", csm=value)
    with pytest.raises(Http404):
        results_filter(user=vp, kind="nps", csm="999999")


@pytest.mark.parametrize("score", ["11", "-1", "7-3", "x", "0-11", "1-2-3"])
def test_a_score_filter_off_the_scale_is_refused(vp: User, score: str) -> None:
    with pytest.raises(ValidationError) as raised:
        results_filter(user=vp, kind="nps", score=score)
    assert list(raised.value.message_dict) == ["score"]


def test_csat_and_ces_by_hand(own_account: Account, send: Send, vp: User) -> None:
    """CSAT: 5, 4, 2 in May → 100 × 2 / 3 = 66.67. CES: 7, 5, 2, 1 in May → mean 15 / 4 = 3.75, easy (5–7) 2 / 4."""
    for name in ("Ike", "Ivy", "Ian"):
        ContactFactory(account=own_account, email=f"{name.lower()}@harbor.example")
    csat = survey_sent(send, [own_account], kind="csat")
    asked = [invitations_of(csat)[f"{name}@harbor.example"] for name in ("ike", "ivy", "ian", "hana")]
    for invitation, score in zip(asked, (5, 4, 2), strict=False):  # hana does not answer
        response_record(invitation=invitation, score=score, comment="", now=at("2025-05-10T10:00:00+00:00"))
    results = survey_results(survey=csat, user=vp)
    assert months(results) == [("2025-05", 3, pytest.approx(200 / 3))]
    Invitation.objects.filter(survey=csat).update(created_at="2020-01-01T00:00:00Z")  # past the cooldown
    ces = survey_sent(send, [own_account], kind="ces")
    for invitation, score in zip(invitations_of(ces).values(), (7, 5, 2, 1), strict=True):
        response_record(invitation=invitation, score=score, comment="", now=at("2025-05-10T10:00:00+00:00"))
    (month,) = survey_results(survey=ces, user=vp).months
    assert (month.responses, month.score, month.ces_easy_rate) == (4, 3.75, 0.5)


def test_a_month_is_the_local_month_of_the_answer(
    own_account: Account, send: Send, vp: User, settings: Settings
) -> None:
    """In America/New_York, 1 April 02:00 UTC is still 31 March."""
    settings.TIME_ZONE = "America/New_York"
    survey = survey_sent(send, [own_account])
    response_record(
        invitation=invitations_of(survey)["hana@harbor.example"],
        score=9,
        comment="",
        now=at("2025-04-01T02:00:00+00:00"),
    )
    assert months(survey_results(survey=survey, user=vp)) == [("2025-03", 1, 100.0)]


# --- The page -------------------------------------------------------------------------------------------------


def results_url(survey: Survey, query: str = "") -> str:
    return reverse("survey_results", args=[survey.pk]) + query


def test_the_page_shows_the_figures(client: Client, answered: Answered, vp: User) -> None:
    client.force_login(vp)
    response = client.get(results_url(answered.survey))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        'id="tile-sent"',
        ">6</div>",
        ">5</div>",
        "83.3%",
        '<tr data-month="2025-04"><td>Apr 2025</td><td class="num">2</td><td class="num">−50.0</td></tr>',
        '<tr data-month="2025-05"><td>May 2025</td><td class="num">0</td><td class="num">—</td></tr>',
        '<td class="num" data-score="3">1</td>',
        "“Too slow”",
        "Zephyr Secret Corp",
        'id="survey-results-data"',
    ):
        assert text in html, text
    assert "Send what is due" not in html  # a VP reads; only admins act


def test_a_csm_reads_their_own_comments_and_another_csms_are_a_404(
    client: Client, answered: Answered, csm: User, other_csm: User
) -> None:
    client.force_login(csm)
    html = client.get(results_url(answered.survey)).content.decode()
    # The logout form's CSRF token is 64 random letters and digits: "Zoe" turned up in one once.
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*"', r'\1"', html)
    assert "Support got slower" in html and "Harbor Lights Inc" in html
    for secret in ("Too slow", "Love it", "Zephyr", "Zed", "Zoe", "Nobody Ltd"):
        assert secret not in html
    assert client.get(results_url(answered.survey, f"?csm={other_csm.pk}")).status_code == 404
    assert client.get(results_url(answered.survey, f"?csm={csm.pk}")).status_code == 200
    assert client.get(reverse("survey_results", args=[answered.survey.pk + 999])).status_code == 404


def test_a_bad_score_filter_is_a_400_that_says_why(client: Client, answered: Answered, vp: User) -> None:
    client.force_login(vp)
    response = client.get(results_url(answered.survey, "?score=42"))
    assert response.status_code == 400
    assert "A score from 0 to 10" in response.content.decode()


def test_filters_narrow_the_page(client: Client, answered: Answered, vp: User) -> None:
    client.force_login(vp)
    html = client.get(results_url(answered.survey, "?segment=enterprise&score=0-6")).content.decode()
    assert "“Too slow”" in html and "Support got slower" not in html and "Love it" not in html
    assert '<option value="0-6" selected>' in html and '<option value="enterprise" selected>' in html


def test_the_query_count_does_not_grow_with_the_answers(
    client: Client,
    answered: Answered,
    own_account: Account,
    vp: User,
    csm: User,
    send: Send,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    """10: session, user, the survey, the figures (totals, months, distribution), the comments (count, page), the
    segments of the filter, and the CSMs of the filter (a VP) or the navigation's open tasks (a CSM). More than 60
    more answers change nothing."""
    urls = [results_url(answered.survey), results_url(answered.survey, "?segment=smb&score=0-6")]
    for user in (vp, csm):
        client.force_login(user)
        for url in urls:
            with django_assert_max_num_queries(10):
                assert client.get(url).status_code == 200
    for index in range(60):
        ContactFactory(account=own_account, email=f"more{index}@harbor.example")
    Invitation.objects.update(created_at="2020-01-01T00:00:00Z")
    Survey.objects.filter(pk=answered.survey.pk).update(every_days=1, started_at="2020-01-01T00:00:00Z")
    send(answered.survey)
    fresh = Invitation.objects.filter(survey=answered.survey, response__isnull=True).select_related(
        "survey", "contact"
    )
    assert fresh.count() > 60
    for index, invitation in enumerate(fresh):
        response_record(invitation=invitation, score=index % 11, comment=f"Comment {index}")
    for user in (vp, csm):
        client.force_login(user)
        for url in urls:
            with django_assert_max_num_queries(10):
                assert client.get(url).status_code == 200
