"""The company dashboard (/dashboard/): the numbers it shows for the June 2024 book worked out by hand in
tests/metrics/pages_book.py, the month range, empty states, and a constant number of queries."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from metrics.fields import kpi_fields
from metrics.models import MonthlyKpi, Scope
from metrics.selectors.dashboards import GroupOwner, GroupRow, group_rows_of
from metrics.selectors.figures import COMPANY_SECTIONS, COMPANY_TILES, FIGURES
from metrics.templatetags.dashboard_tags import group_rows
from tests.metrics.pages_book import Book, element, june_book, table_rows, text, tile, tile_exact
from tests.scenarios import Facts

URL = reverse("company_dashboard")


@pytest.fixture
def book(facts: Facts) -> Book:
    return june_book(facts)


def page(client: Client, book: Book, **query: str) -> str:
    client.force_login(book.vp)
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.content.decode()


def test_tiles_show_june_and_the_change_from_may(client: Client, book: Book) -> None:
    """June 2024, by hand (pages_book.py):

    - MRR 100 + 450 + 150 + 80 + 400 = 1,180.00 (May: 1,100.00 → +80.00); ARR 12 × 1,180 = 14,160.00 (+960.00)
    - NRR 12m: the cohort paying at the end of June 2023 is Anchor (100) and Elm (100, then on its first run);
      now Anchor 100 + Elm 80 = 180 of 200 → 90.0%; May: Anchor 100 + Elm 0 of 200 → 50.0%: +40.0 pp.
      GRR 12m: min(100, 100) + min(80, 100) = 180 → 90.0% (May 50.0%).
    - logo churn: Cedar of the 4 paying at the end of May → 25.0% (May 0 of 4: +25.0 pp)
    - net MRR churn: (200 + 100 − 150) / 1,100 = 13.6% (May 0.0%: +13.6 pp)
    - NPS 90d: answers 10, 9, 3 → 100 × (2 − 1) / 3 = 33.3; CSAT 90d: 5, 4, 2, 1 → 2 of 4 = 50.0; none in May's
      90 days, so no change.
    - at-risk ARR: every paying account but Anchor is red (no usage: activity and recency 0), Anchor is green
      (used every day) → 12 × (450 + 150 + 80 + 400) = 12,960.00; in May all four paying were red
      (Anchor had no usage yet) → 12 × 1,100 = 13,200.00: −240.00.
    """
    html = page(client, book)
    assert tile(html, "mrr") == ("$1,180", "▲ +$80 vs May 2024")
    assert tile_exact(html, "mrr") == ("$1,180.00", "▲ +$80.00 vs May 2024")
    assert tile(html, "arr") == ("$14.2K", "▲ +$960 vs May 2024")
    assert tile_exact(html, "arr") == ("$14,160.00", "▲ +$960.00 vs May 2024")
    assert tile(html, "nrr_12m") == ("90.0%", "▲ +40.0 pp vs May 2024")
    assert tile(html, "grr_12m") == ("90.0%", "▲ +40.0 pp vs May 2024")
    assert tile(html, "logo_churn_rate") == ("25.0%", "▲ +25.0 pp vs May 2024")
    assert tile(html, "net_mrr_churn_rate") == ("13.6%", "▲ +13.6 pp vs May 2024")
    assert tile(html, "nps_90d") == ("33.3", "— vs May 2024")
    assert tile(html, "csat_90d") == ("50.0", "— vs May 2024")
    assert tile(html, "at_risk_arr") == ("$13.0K", "▼ −$240 vs May 2024")
    assert tile_exact(html, "at_risk_arr") == ("$12,960.00", "▼ −$240.00 vs May 2024")


def test_a_change_is_coloured_by_whether_it_is_good_news(client: Client, book: Book) -> None:
    html = page(client, book)
    mrr = re.search(r'id="tile-mrr".*?class="(tile__change[^"]*)"', html, re.S)
    churn = re.search(r'id="tile-logo_churn_rate".*?class="(tile__change[^"]*)"', html, re.S)
    risk = re.search(r'id="tile-at_risk_arr".*?class="(tile__change[^"]*)"', html, re.S)
    assert mrr and "tile__change--good" in mrr.group(1)  # more MRR
    assert churn and "tile__change--bad" in churn.group(1)  # more churn
    assert risk and "tile__change--good" in risk.group(1)  # less ARR at risk


def test_every_tile_has_its_formula_from_the_one_mapping(client: Client, book: Book) -> None:
    html = page(client, book)
    for key in COMPANY_TILES:
        block = html[html.index(f'id="tile-{key}"') :][:1500]
        assert f'data-formula="{escape(FIGURES[key].formula)}"' in block, key
    assert "Cohort C = accounts with MRR &gt; 0 at the end of month m−12" in html


def test_the_bridge_table_shows_each_movement_with_its_count_and_links(client: Client, book: Book) -> None:
    html = page(client, book)
    june, may = table_rows(html, "bridge")
    assert june == [
        "Jun 2024",
        "1,100.00",
        "150.00 1 account",
        "80.00 1 account",
        "150.00 1 account",
        "100.00 1 account",
        "200.00 1 account",
        "1,180.00",
        "5",
    ]
    assert may[0] == "May 2024" and may[-2:] == ["1,100.00", "4"]
    for slug in ("new", "reactivation", "expansion", "contraction", "churned", "customers"):
        assert f'href="/dashboard/drilldown/{slug}/2024-06/"' in html


def test_csm_and_segment_tables(client: Client, book: Book) -> None:
    """Alice: Anchor, Birch, Elm → 3 accounts, MRR 630, NRR 12m 180 / 200 = 90.0%, at risk Birch and Elm
    → 12 × 530 = 6,360.00, average health of Anchor (100), Birch (2,500 / 65 = 38.46) and Elm (1,500 / 55 =
    27.27) = 55.2. Bob: Dune and Fir → 550, no cohort (—), 12 × 550 = 6,600.00, (27.27 + 32.31) / 2 = 29.8.
    Segments: enterprise Birch + Fir = 850, mid-market Dune = 150, smb Anchor + Elm = 180."""
    html = page(client, book)
    assert table_rows(html, "csms") == [
        ["Alice Owner", "3", "630.00", "90.0%", "6,360.00", "55.2"],
        ["Bob Other", "2", "550.00", "—", "6,600.00", "29.8"],
    ]
    assert [row[:3] for row in table_rows(html, "segments")] == [
        ["enterprise", "2", "850.00"],
        ["mid-market", "1", "150.00"],
        ["smb", "2", "180.00"],
    ]
    assert f'href="{reverse("csm_dashboard", args=[book.alice.pk])}"' in html
    assert "data-sortable" in html


def test_chart_data_for_the_page_script(client: Client, book: Book) -> None:
    """json_script data: months, the bridge with losses negative, rates in percent, health counts per status:
    June has Anchor green and the other four paying accounts red."""
    html = page(client, book)
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["months"] == ["2024-05", "2024-06"]
    assert data["mrr"] == [1100.0, 1180.0]
    assert data["churned_mrr"] == [-0.0, -200.0]
    assert data["contraction_mrr"][1] == -100.0
    assert data["logo_churn_rate"] == [0.0, 25.0]
    assert (data["health_green"], data["health_yellow"], data["health_red"]) == ([0, 1], [0, 0], [4, 4])
    assert '<canvas id="chart-bridge"' in html
    assert "/static/vendor/chart.umd.min.js" in html
    # every script and stylesheet from Keel itself (the page's random CSRF token may hold the letters "cdn")
    assert all(src.startswith("/static/") for src in re.findall(r'<script[^>]* src="([^"]+)"', html))
    assert all(
        href.startswith(("/static/", "data:")) for href in re.findall(r'<link[^>]* href="([^"]+)"', html)
    )


def test_the_month_range(client: Client, book: Book) -> None:
    html = page(client, book, **{"from": "2024-06", "to": "2024-06"})
    assert text(html).count("Jun 2024") >= 1
    assert table_rows(html, "bridge")[0][0] == "Jun 2024" and len(table_rows(html, "bridge")) == 1
    # the change still compares with May, the month before the range's last
    assert tile(html, "mrr")[1] == "▲ +$80 vs May 2024"
    assert '<option value="2024-06" selected>' in html


def test_months_without_a_snapshot_say_how_to_compute_them(client: Client, book: Book) -> None:
    html = page(client, book, **{"from": "2024-03", "to": "2024-06"})
    notice = text(element(html, "missing-months"))
    assert notice.startswith("No snapshot for Mar 2024, Apr 2024: those months are left out.")
    assert "An admin can compute them from this page" in notice  # a VP: no command, no button
    assert "manage.py" not in html and 'id="compute"' not in html
    assert len(table_rows(html, "bridge")) == 2


def test_a_range_backwards_falls_back_to_the_last_months(client: Client, book: Book) -> None:
    html = page(client, book, **{"from": "2024-06", "to": "2024-05"})
    assert "is after “to”" in html
    assert len(table_rows(html, "bridge")) == 2


def test_empty_states(client: Client, vp: User, facts: Facts) -> None:
    client.force_login(facts.reader)
    html = client.get(URL).content.decode()
    assert "No data yet" in html and "Import a bundle on the" in html and "Data page" in html
    facts.account("Lonely")
    html = client.get(URL).content.decode()
    assert "No snapshot yet" in html and "Compute the last three years" in html  # the admin's button
    assert "manage.py" not in html
    client.force_login(vp)
    html = client.get(URL).content.decode()
    assert "An admin can compute them from this page" in html and 'id="compute"' not in html


def test_query_count_does_not_grow_with_accounts_or_months(
    client: Client, book: Book, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """session + user + computed months + the KPI rows: company months, then CSM and segment rows of the last."""
    client.force_login(book.vp)
    with django_assert_max_num_queries(5):
        assert client.get(URL).status_code == 200
    for number in range(40):
        account = book.facts.account(f"More {number}", csm=book.bob, segment=f"segment-{number % 7}")
        book.facts.span(account, "10.00", "month", "2024-02-01")
    book.facts.compute("2024-03-01", "2024-06-30", today="2024-07-01")
    with django_assert_max_num_queries(5):
        html = client.get(URL, {"from": "2024-03", "to": "2024-06"}).content.decode()
    assert tile_exact(html, "mrr")[0] == "$1,580.00"  # + 40 × 10.00


def test_a_csm_gets_a_403(client: Client, book: Book) -> None:
    client.force_login(book.alice)
    assert client.get(URL).status_code == 403


def test_home_is_the_company_dashboard_for_vps_and_the_own_book_for_csms(client: Client, book: Book) -> None:
    client.force_login(book.vp)
    assert client.get("/")["Location"] == URL
    client.force_login(book.alice)
    assert client.get("/")["Location"] == reverse("my_dashboard")


def test_the_group_tables_figures_are_those_kpis_prints(book: Book) -> None:
    """The tables compute their five figures without the rest of `kpi_fields`: the same values, row by row."""
    rows = MonthlyKpi.objects.filter(scope__in=[Scope.CSM, Scope.SEGMENT]).select_related("csm")
    assert rows.exists()
    for month in {row.month for row in rows}:
        csms, segments = group_rows_of(month)
        shown: dict[tuple[str, object], GroupRow] = {
            ("csm", group.csm.pk if group.csm else None): group for group in csms
        }
        shown |= {("segment", group.segment): group for group in segments}
        kept = [row for row in rows if row.month == month]
        assert len(shown) == len(kept)
        for row in kept:
            fields = kpi_fields(row, gross_margin=Decimal("0.8"), event_names=())
            group = shown["csm", row.csm_id] if row.scope == Scope.CSM else shown["segment", row.segment]
            names = ("customers", "mrr", "nrr_12m", "at_risk_arr", "average_health")
            assert {name: getattr(group, name) for name in names} == {name: fields[name] for name in names}
            if row.csm is not None:
                assert (group.label, group.csm and group.csm.is_active) == (
                    row.csm.name or row.csm.email,
                    row.csm.is_active,
                )


def test_group_rows_escape_names_and_link_each_group() -> None:
    """The rows rendered in Python (dashboard_tags.group_rows) escape what a user typed and link a CSM to their
    dashboard and each at-risk figure to its group's drill-down; no CSM and no segment read as such."""
    eve = GroupOwner(pk=7, email="eve@example.com", name="<b>Eve</b>", is_active=False)
    row = GroupRow(eve, None, 3, "630.00", 0.9, "6360.00", 55.25)
    html = group_rows([row, GroupRow(None, None, 1, "0.00", None, "0.00", None)], "csm", "/at-risk/")
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html and "<b>" not in html
    assert f'href="{reverse("csm_dashboard", args=[7])}"' in html and "(inactive)" in html
    assert 'href="/at-risk/?csm=7"' in html and 'href="/at-risk/?csm=none"' in html and "No CSM" in html
    assert '<td class="num" data-value="0.9">90.0%</td>' in html
    segment = group_rows([GroupRow(None, "mid market & co", 1, "1.00", None, "0.00", None)], "segment", "/r/")
    assert 'href="/r/?segment=mid+market+%26+co"' in segment and "mid market &amp; co" in segment


METRICS_FIELDS_SHOWN = (
    # every company KPI of METRICS.md that the dashboard shows, as a tile or in a section
    *COMPANY_TILES,
    *(key for _, _, keys in COMPANY_SECTIONS for key in keys),
)


def test_every_kpi_is_on_the_page_with_its_formula(client: Client, book: Book) -> None:
    """June 2024 (pages_book.py): ARPA 1,180 / 5 = $236; quick ratio (150 + 80 + 150) / (200 + 100) = 1.27 → 1.3×;
    NRR month (1,100 + 150 − 100 − 200) / 1,100 = 86.4%, GRR month (1,100 − 100 − 200) / 1,100 = 72.7%;
    customer retention (5 − 1 − 1) / 4 = 75.0%; expansion rate 150 / 1,100 = 13.6%; upsell 1 / 4 = 25.0%;
    no yearly or quarterly term ends in June: renewal rate —; no spend: CAC —. Anchor's u1 every day of June:
    DAU/MAU 30 / 30 / 1 = 100.0%, and its login event is used by 1 of 5 customers: 20.0%."""
    html = page(client, book)
    for key in (
        "ltv",
        "cac",
        "ltv_to_cac",
        "cac_payback_months",
        "quick_ratio",
        "renewal_rate",
        "gross_dollar_renewal_rate",
        "expansion_mrr_rate",
        "ces_90d",
        "fcr_rate",
        "time_to_value_days",
        "stickiness",
        "nrr_monthly",
        "grr_monthly",
    ):
        assert key in METRICS_FIELDS_SHOWN, key
    for key in METRICS_FIELDS_SHOWN:
        block = html[html.index(f'id="tile-{key}"') :][:1500]
        assert f'data-formula="{escape(FIGURES[key].formula)}"' in block, key
    assert tile(html, "arpa")[0] == "$236"
    assert tile(html, "quick_ratio")[0] == "1.3×"
    assert tile(html, "nrr_monthly")[0] == "86.4%"
    assert tile(html, "grr_monthly")[0] == "72.7%"
    assert tile(html, "customer_retention_rate")[0] == "75.0%"
    assert tile(html, "expansion_mrr_rate")[0] == "13.6%"
    assert tile(html, "upsell_rate")[0] == "25.0%"
    assert tile(html, "renewal_rate")[0] == "—"
    assert tile(html, "cac")[0] == "—"
    assert tile(html, "stickiness")[0] == "100.0%"
    assert element(html, "feature-adoption").startswith("Feature adoption i login 20.0%")


def test_a_plain_figure_has_no_words_for_screen_readers_only(client: Client, book: Book) -> None:
    """A compact tile carries its exact value twice (title, screen readers); a figure shown in full does not."""
    html = page(client, book)
    mrr = html[html.index('id="tile-mrr"') :][:1500]
    assert 'title="$1,180.00"' in mrr and '<span class="sr-only">$1,180.00</span>' in mrr
    churn = html[html.index('id="tile-logo_churn_rate"') :][:1500]
    assert "sr-only" not in churn.split('class="tile__change')[0]
