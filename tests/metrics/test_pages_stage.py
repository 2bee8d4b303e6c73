"""Lifecycle stages and Keel's recommended model on the pages: the account list's Stage column and filter, the
360's stage and tenure, the dashboards' "Onboarding: N", the CSM's at-risk list and the Health page's card.

D = 2024-06-30 (computed with today 2024-07-01). NEW pays $100/month since D−4 (t = 4: onboarding) and was never
used; OLD pays since D−400 (mature) and was used on D. Under v1 NEW is red and at risk (1500 / 55 = 27.27); under
the recommended v2 it is red (1500 / 45 = 33.33, its status is computed) but never at risk.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Account, User
from health.models import HealthModel
from health.selectors import health_model_active
from metrics.models import AccountDay
from tests.scenarios import Facts, ago, events, score_day


@pytest.fixture
def stages(facts: Facts, csm: User) -> dict[str, Account]:
    new, old = facts.account("NEW", csm=csm), facts.account("OLD", csm=csm)
    facts.span(new, "100.00", "month", ago(4))
    facts.span(old, "100.00", "month", ago(400))
    events(facts, old, 0)
    score_day(facts)
    return {"NEW": new, "OLD": old}


def text(client: Client, url: str, query: dict[str, str] | None = None) -> str:
    response = client.get(url, query or {})
    assert response.status_code == 200
    return response.content.decode()


def test_the_account_list_shows_and_filters_the_stage(
    stages: dict[str, Account], client: Client, csm: User
) -> None:
    client.force_login(csm)
    page = text(client, reverse("account_list"))
    cells = re.findall(r'<td class="hide-sm" data-column="stage">(.*?)</td>', page)
    assert cells == ["Onboarding", "Mature"]  # NEW, OLD by name
    page = text(client, reverse("account_list"), {"stage": "onboarding"})
    assert ">NEW</a>" in page and ">OLD</a>" not in page
    page = text(client, reverse("account_list"), {"stage": "bogus"})  # an unknown value is ignored
    assert ">NEW</a>" in page and ">OLD</a>" in page


def test_the_360_shows_the_stage_and_tenure(stages: dict[str, Account], client: Client, csm: User) -> None:
    """NEW on D: paying since D−4, tenure 4 days."""
    client.force_login(csm)
    page = text(client, reverse("account_detail", args=[stages["NEW"].pk]))
    stage = re.search(r'<div id="stage">(.*?)</div>', page, re.S)
    assert stage and "Onboarding" in stage.group(1) and "tenure 4 days" in stage.group(1)


def test_dashboards_count_onboarding_accounts_apart(
    stages: dict[str, Account], client: Client, csm: User
) -> None:
    """June 2024 as of D: two accounts scored, one of them onboarding."""
    client.force_login(csm)
    for url in (reverse("my_dashboard"), reverse("csm_dashboard", args=[csm.pk])):
        assert "<span data-onboarding>Onboarding: 1</span>" in text(
            client, url, {"from": "2024-06", "to": "2024-06"}
        )


def test_under_the_recommended_model_onboarding_accounts_leave_the_at_risk_list(
    stages: dict[str, Account], facts: Facts, client: Client, csm: User, admin_client: Client
) -> None:
    """v1: NEW is red and at risk, in Alice's at-risk list. The Health page's card offers v2: Review previews it
    as a draft, Activate makes it active; D recomputed: NEW red, not at risk, out of the list."""
    client.force_login(csm)
    assert (AccountDay.objects.get(account=stages["NEW"], day=ago(0)).at_risk) is True
    assert f'href="/accounts/{stages["NEW"].pk}/#health">NEW</a>' in text(client, reverse("my_dashboard"))

    page = text(admin_client, reverse("health_model"))
    assert 'id="recommended"' in page and "version 2" in page
    review = text(admin_client, reverse("health_model"), {"review": "recommended"})
    assert re.search(r'name="weight_revenue_trend"[^>]*value="10"', review)
    assert re.search(r'name="onboarding_rules"[^>]*value="1"', review)
    response = admin_client.post(reverse("health_model"), {"action": "activate_recommended"})
    assert response.status_code == 302
    assert health_model_active().version == 2 and not HealthModel.objects.get(version=1).is_active
    assert 'id="recommended"' not in text(admin_client, reverse("health_model"))

    score_day(facts)
    row = AccountDay.objects.get(account=stages["NEW"], day=ago(0))
    assert (row.score, row.status, row.at_risk) == (pytest.approx(1500 / 45), "red", False)
    assert f'href="/accounts/{stages["NEW"].pk}/#health">NEW</a>' not in text(client, reverse("my_dashboard"))
