"""A small book of business whose June 2024 is worked out by hand, for the tests of the dashboards and the
drill-down (tests/metrics/test_pages_*.py), and helpers that read figures back out of a page's HTML.

Alice owns Anchor, Birch and Elm; Bob owns Cedar, Dune and Fir. Snapshots: May and June 2024.

| account | segment    | end of May | end of June | June's movement                                   |
|---------|------------|-----------:|------------:|---------------------------------------------------|
| Anchor  | smb        |        100 |         100 | none ($1,200/year since 2023)                      |
| Birch   | enterprise |        300 |         450 | expansion +150 (upgrade on June 15)                |
| Cedar   | smb        |        200 |           0 | churned 200 (ended June 10)                        |
| Dune    | mid-market |          0 |         150 | new 150 (first paid month-end: June)               |
| Elm     | smb        |          0 |          80 | reactivation 80 (paid Mar–Aug 2023)                |
| Fir     | enterprise |        500 |         400 | contraction 100 (downgrade on June 1)              |

June: mrr_start 1,100 → mrr 1,180 (= 1,100 + 150 + 80 + 150 − 100 − 200); customers 5, customers_start 4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from accounts.models import Account, Role, User
from tests.scenarios import Facts


@dataclass
class Book:
    facts: Facts
    alice: User
    bob: User
    vp: User
    accounts: dict[str, Account]


def june_book(facts: Facts) -> Book:
    alice = User.objects.create_user("alice@keel.test", "x", name="Alice Owner", role=Role.CSM)
    bob = User.objects.create_user("bob@keel.test", "x", name="Bob Other", role=Role.CSM)
    vp = User.objects.create_user("vera@keel.test", "x", name="Vera VP", role=Role.VP)
    a = {
        "Anchor": facts.account("Anchor", csm=alice, segment="smb"),
        "Birch": facts.account("Birch", csm=alice, segment="enterprise"),
        "Cedar": facts.account("Cedar", csm=bob, segment="smb"),
        "Dune": facts.account("Dune", csm=bob, segment="mid-market"),
        "Elm": facts.account("Elm", csm=alice, segment="smb"),
        "Fir": facts.account("Fir", csm=bob, segment="enterprise"),
    }
    facts.span(a["Anchor"], "1200.00", "year", "2023-01-01")
    facts.span(a["Birch"], "300.00", "month", "2024-01-01", "2024-06-15", subscription="sub_birch")
    facts.span(a["Birch"], "450.00", "month", "2024-06-15", subscription="sub_birch")
    facts.span(a["Cedar"], "200.00", "month", "2024-01-01", "2024-06-10")
    facts.span(a["Dune"], "150.00", "month", "2024-06-05")
    facts.span(a["Elm"], "100.00", "month", "2023-03-01", "2023-09-01")
    facts.span(a["Elm"], "80.00", "month", "2024-06-20")
    facts.span(a["Fir"], "500.00", "month", "2024-01-01", "2024-06-01", subscription="sub_fir")
    facts.span(a["Fir"], "400.00", "month", "2024-06-01", subscription="sub_fir")
    # Anchor is used every day of June: the one healthy (green) account; the others never had an event.
    for day in range(1, 31):
        facts.event(a["Anchor"], "u1", f"2024-06-{day:02d}T09:00:00Z")
    # Answers on Cedar, which no longer pays on June 30, so that no score depends on them.
    for score in (10, 9, 3):
        facts.response(a["Cedar"], "nps", score, "2024-06-12T10:00:00Z")
    for score in (5, 4, 2, 1):
        facts.response(a["Cedar"], "csat", score, "2024-06-12T11:00:00Z")
    facts.compute("2024-05-01", "2024-06-30", today="2024-07-01")
    return Book(facts=facts, alice=alice, bob=bob, vp=vp, accounts=a)


def text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def element(html: str, element_id: str) -> str:
    """The text of the element with `element_id` (a div, dd, section… without the same tag nested)."""
    found = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', html, re.S)
    assert found is not None, element_id
    return text(found.group(2))


def tile(html: str, key: str) -> tuple[str, str]:
    """(value, change) of the dashboard tile of `key` as it reads: "$1,180", "▲ +$80 vs May 2024" (what only
    screen readers get, the exact value, left out: `tile_exact`)."""
    value, change = _tile(html, key)
    hidden = r'<span class="sr-only">.*?</span>'
    return text(re.sub(hidden, "", value)), text(re.sub(hidden, "", change))


def tile_exact(html: str, key: str) -> tuple[str, str]:
    """(value, change) of the tile of `key` to the cent, as its title and screen readers have them."""
    value, change = _tile(html, key)
    hidden = r'<span aria-hidden="true">.*?</span>'
    return text(re.sub(hidden, "", value)), text(re.sub(hidden, "", change))


def _tile(html: str, key: str) -> tuple[str, str]:
    found = re.search(
        rf'id="tile-{key}".*?class="tile__value"[^>]*>(.*?)</div>\s*<div class="tile__change[^"]*"[^>]*>(.*?)</div>',
        html,
        re.S,
    )
    assert found is not None, key
    return found.group(1), found.group(2)


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The cells' text of every body row of the table inside the element `table_id`."""
    start = html.index(f'id="{table_id}"')
    body = html[start:].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]
