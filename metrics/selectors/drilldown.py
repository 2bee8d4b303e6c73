"""The accounts behind a figure of a month: each movement of the MRR bridge, the customers, the at-risk ARR, and
the rates whose parts are accounts: NRR and GRR (12 months and monthly: the cohort's MRR at both ends, whose sums
divide to the rate) and logo churn (the churned among the starting customers, count over count).

For month m, every account's ARR at the end of m−1 (s) and on the month's as_of day (e) comes from the stored
month-end rows (AccountDay), and each account is classified exactly as METRICS.md "Movements of month m" does;
new and reactivation differ by "MRR > 0 on an earlier month-end", read from the subscription spans (the facts).
An account counts for the group of its owner on as_of and of its current segment (METRICS.md "Breakdowns").
So the amounts of the list add up to the MonthlyKpi figure, which tests/metrics/test_pages_drilldown.py checks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from psycopg import sql

from accounts.models import User
from accounts.months import add_months
from accounts.numbers import ratio
from accounts.sql import compose
from metrics.fields import TWELVE, kpi_fields
from metrics.models import ComputedDay, MonthlyKpi, Scope
from metrics.selectors.figures import FIGURES, Figure

PER_PAGE = 100


@dataclass(frozen=True)
class Movement:
    slug: str
    figure: Figure  # the money figure the amounts add up to
    count_key: str  # the count figure the rows add up to
    condition: str  # SQL over m.s, m.e (annual amounts at the end of m−1 and on as_of)
    amount: str  # SQL: the account's part of the figure, annualised
    explanation: str
    # Which rows to read (_MOVES): the accounts paying on as_of with what they paid at the end of m−1 ("e"), the
    # other way round ("s"), the accounts paying at one end and not at the other ("e not s", "s not e": the only
    # rows a new or returning account, or a churn, can come from, read by an anti-join rather than by testing
    # the rule on every paying account), or the accounts paying on as_of alone when neither condition nor amount
    # reads m.s ("e alone": what they paid at the end of m−1 is then read for the rows of the page only).
    paying: str = "e"
    # A rate's list: "cohort" (Σ amount / Σ start MRR, NRR and GRR) or "logo" (Σ churned / accounts); "" for a
    # money figure, the Σ of the amounts.
    rate: str = ""
    base_months: int = 1  # the start is the end of month m − base_months (12 for the 12-month cohort)

    @property
    def unit(self) -> str:
        """What an amount is: "mrr" (stored annualised, shown monthly), "arr" or "count" (logo churn)."""
        return "count" if self.rate == "logo" else "arr" if self.figure.key == "at_risk_arr" else "mrr"


# Whether the account of row m paid on a month-end before the month: new and reactivation differ by it.
_PAID_BEFORE = """EXISTS (
    SELECT 1 FROM accounts_subscriptionspan sp
    WHERE sp.account_id = m.account_id AND keel_revenue_paid_month_end(sp.amount, sp.starts_on, sp.ends_on) < %(month)s
)"""


def _bridge(slug: str, figure: str, count_key: str, explanation: str, paying: str = "e") -> Movement:
    """A movement of the MRR bridge, picked by the rule the monthly KPIs count it with (keel_revenue_movement,
    metrics/migrations/0011: the paid-before probe runs only for accounts that paid nothing at the end of m−1);
    the account's part is |e − s|."""
    moved = f"keel_revenue_movement(m.s, m.e, {_PAID_BEFORE}) = '{slug}'"
    return Movement(slug, FIGURES[figure], count_key, moved, "abs(m.e - m.s)", explanation, paying)


MOVEMENTS: dict[str, Movement] = {
    movement.slug: movement
    for movement in (
        _bridge(
            "new",
            "new_mrr",
            "new_customers",
            "Accounts paying at the end of the month that paid on no earlier month-end.",
            paying="e not s",
        ),
        _bridge(
            "reactivation",
            "reactivation_mrr",
            "reactivated_customers",
            "Accounts paying again at the end of the month after a month-end without MRR.",
            paying="e not s",
        ),
        _bridge(
            "expansion",
            "expansion_mrr",
            "expanded_customers",
            "Accounts paying more at the end of the month than at the end of the month before.",
        ),
        _bridge(
            "contraction",
            "contraction_mrr",
            "contracted_customers",
            "Accounts still paying, but less than at the end of the month before.",
        ),
        _bridge(
            "churned",
            "churned_mrr",
            "churned_customers",
            "Accounts that paid at the end of the month before and no longer do.",
            paying="s not e",
        ),
        Movement(
            "customers",
            FIGURES["mrr"],
            "customers",
            "m.e > 0",
            "m.e",
            "Every account paying at the end of the month: their MRR adds up to the month's MRR.",
            paying="e alone",
        ),
        Movement(
            "at-risk",
            FIGURES["at_risk_arr"],
            "",
            "TRUE",
            "m.e",
            "Accounts at risk on the month's last computed day, with their ARR that day.",
        ),
        *(
            Movement(
                f"{name}-{length}",
                FIGURES[f"{name}_{length}"],
                "",
                "TRUE",
                "m.e" if name == "nrr" else "LEAST(m.e, m.s)",
                f"The accounts paying at the end of {when}, with their MRR then and at the end of the month"
                + (" (counted in full)" if name == "nrr" else " (counted at no more than they paid then)")
                + ": Σ counted ÷ Σ MRR then is the rate.",
                paying="s",
                rate="cohort",
                base_months=12 if length == "12m" else 1,
            )
            for name in ("nrr", "grr")
            for length, when in (("12m", "the month twelve months before"), ("monthly", "the month before"))
        ),
        Movement(
            "logo-churn",
            FIGURES["logo_churn_rate"],
            "customers_start",
            "TRUE",
            "CASE WHEN m.e = 0 THEN 1 ELSE 0 END",
            "The accounts paying at the end of the month before; those paying nothing at the end of the month "
            "churned: churned over starting customers is the rate.",
            paying="s",
            rate="logo",
        ),
        # The answers behind NPS 90d: listed by metrics.selectors.nps_drilldown, not by the SQL below.
        Movement(
            "nps-90d",
            FIGURES["nps_90d"],
            "nps_responses_90d",
            "",
            "",
            "Every NPS answer of the 90 days ending on the month's last day: promoters (9–10) minus detractors "
            "(0–6), over the answers, times 100.",
            rate="nps",
        ),
    )
}

# Raw SQL: the join of the two days' rows, the ownership on a day and the totals are beyond the ORM.
# Each account's s and e: the stored rows of the two days (or, when the end of m−1 was never computed, its ARR
# from the spans, as the pipeline reads history from the facts). Month-end rows are read from the index
# account_day_month_end (metrics.models.AccountDay), whose condition the SQL repeats so the planner may use it.
MONTH_END_SQL = "EXTRACT(DAY FROM (day + interval '1 day')) = 1"
_START_STORED = (
    f"SELECT account_id, arr FROM metrics_accountday WHERE day = %(start)s AND arr > 0 AND {MONTH_END_SQL}"
)
_START_FACTS = """SELECT account_id, SUM(annual_amount) AS arr FROM accounts_subscriptionspan
    WHERE starts_on <= %(start)s AND (ends_on IS NULL OR %(start)s < ends_on)
    GROUP BY account_id HAVING SUM(annual_amount) > 0"""
_END = "SELECT account_id, arr FROM metrics_accountday WHERE day = %(as_of)s AND arr > 0"
# A movement needs the accounts paying at one end, with what they paid at the other (0 when nothing): the
# accounts paying on as_of ("e") or at the end of m−1 ("s"), or only those paying nothing at the other end (both
# ends' rows are sorted by account in the index account_day_month_end: a merge anti-join, about half the time of
# testing the movement's rule on every paying account at 100k accounts). OFFSET 0 keeps the movement's condition
# above the anti-join: pushed into it, the rule's CASE made the planner expect a few hundred rows and probe the
# other end once per paying account, three times slower.
_MOVES = {
    "e": """SELECT e.account_id, COALESCE(s.arr, 0) AS s, e.arr AS e
    FROM ({end}) e LEFT JOIN ({start}) s ON s.account_id = e.account_id""",
    "s": """SELECT s.account_id, s.arr AS s, COALESCE(e.arr, 0) AS e
    FROM ({start}) s LEFT JOIN ({end}) e ON e.account_id = s.account_id""",
    "e not s": """SELECT e.account_id, 0::numeric AS s, e.arr AS e FROM ({end}) e
    WHERE NOT EXISTS (SELECT 1 FROM ({start}) s WHERE s.account_id = e.account_id) OFFSET 0""",
    "s not e": """SELECT s.account_id, s.arr AS s, 0::numeric AS e FROM ({start}) s
    WHERE NOT EXISTS (SELECT 1 FROM ({end}) e WHERE e.account_id = s.account_id) OFFSET 0""",
    "e alone": "SELECT e.account_id, NULL::numeric AS s, e.arr AS e FROM ({end}) e",
}
# What a row of the page paid at the end of m−1 when the movement's rows did not read it: one lookup a row (the
# account's condition is pushed into the subquery).
_START_OF_PAGE = "COALESCE((SELECT s.arr FROM ({start}) s WHERE s.account_id = page.account_id), 0)"
_AT_RISK = """SELECT account_id, 0 AS s, arr AS e FROM metrics_accountday
    WHERE day = %(as_of)s AND score IS NOT NULL AND at_risk"""
_OWNER_ON_AS_OF = """SELECT o.csm_id FROM accounts_accountownership o
    WHERE o.account_id = page.account_id AND o.valid_from <= %(as_of)s
      AND (o.valid_to IS NULL OR %(as_of)s < o.valid_to)"""
_OWNED_ON_AS_OF = """SELECT o.account_id FROM accounts_accountownership o
    WHERE o.valid_from <= %(as_of)s AND (o.valid_to IS NULL OR %(as_of)s < o.valid_to)"""
# Semi-joins rather than a lookup per row: a CSM's or segment's accounts are read once, then hashed.
_GROUPS = {
    "company": "TRUE",
    "csm": f"m.account_id IN ({_OWNED_ON_AS_OF} AND o.csm_id = %(csm)s)",
    "csm-none": f"m.account_id NOT IN ({_OWNED_ON_AS_OF} AND o.csm_id IS NOT NULL)",
    "segment": "m.account_id IN (SELECT a.id FROM accounts_account a WHERE a.segment = %(segment)s)",
    "segment-none": "m.account_id IN (SELECT a.id FROM accounts_account a WHERE a.segment IS NULL)",
}
# The totals from the picked rows once more rather than a window over them (which buffers and spills every row):
# from rows kept by the first read when they come of a join, read again when they are one day's index range.
_LIST = """
WITH picked AS {materialized} (
    SELECT m.account_id, m.s, m.e, {amount} AS amount
    FROM ({moves}) m
    WHERE {condition} AND {group}
), totals AS MATERIALIZED (
    SELECT COUNT(*) AS total_count, SUM(amount) AS total_amount, SUM(s) AS total_start FROM picked
), page AS (
    SELECT * FROM picked ORDER BY amount DESC, account_id LIMIT %(limit)s OFFSET %(offset)s
)
SELECT page.account_id, {page_start}, page.e, page.amount, totals.total_count,
       totals.total_amount, totals.total_start, a.name, a.external_id, a.segment, a.csm_id, owner.id, owner.name, owner.email
FROM page
CROSS JOIN totals
JOIN accounts_account a ON a.id = page.account_id
LEFT JOIN accounts_user owner ON owner.id = ({owner})
ORDER BY page.amount DESC, page.account_id
"""


@dataclass(frozen=True)
class Group:
    """Whose accounts: the company, one CSM (None: accounts without an owner) or one segment (None: without)."""

    scope: str  # Scope.COMPANY, Scope.CSM or Scope.SEGMENT
    csm_id: int | None = None
    segment: str | None = None

    def kpi_filter(self) -> dict[str, Any]:
        if self.scope == Scope.CSM:
            return {"scope": Scope.CSM, "csm_id": self.csm_id}
        if self.scope == Scope.SEGMENT:
            return {"scope": Scope.SEGMENT, "segment": self.segment}
        return {"scope": Scope.COMPANY}

    def sql(self) -> tuple[str, dict[str, Any]]:
        if self.scope == Scope.CSM:
            if self.csm_id is None:
                return _GROUPS["csm-none"], {}
            return _GROUPS["csm"], {"csm": self.csm_id}
        if self.scope == Scope.SEGMENT:
            if self.segment is None:
                return _GROUPS["segment-none"], {}
            return _GROUPS["segment"], {"segment": self.segment}
        return _GROUPS["company"], {}


@dataclass(frozen=True)
class DrillRow:
    account_id: int
    name: str
    external_id: str
    segment: str | None
    owner: str  # the owner on as_of, the group the account counts for
    hidden: bool  # owned by another CSM now: shown to a CSM without its name
    current_csm_id: int | None  # today's owner: a CSM sees names of their own accounts only
    start_arr: Decimal
    end_arr: Decimal
    amount_arr: Decimal
    unit: str  # Movement.unit: the amount is MRR (stored annualised), ARR (at-risk ARR) or a count (churned)

    def anonymous(self) -> DrillRow:
        return replace(self, account_id=0, name="", external_id="", segment=None, hidden=True)

    @property
    def start_mrr(self) -> Decimal:
        return self.start_arr / TWELVE

    @property
    def end_mrr(self) -> Decimal:
        return self.end_arr / TWELVE

    @property
    def amount(self) -> Decimal:
        """The account's part of the figure, exact: rounded only when shown."""
        return self.amount_arr / TWELVE if self.unit == "mrr" else self.amount_arr


@dataclass(frozen=True)
class Drilldown:
    movement: Movement
    month: date
    as_of: date
    start: date  # the end of m−1
    group: Group
    rows: list[DrillRow]
    count: int  # every row of the list, all pages
    total_arr: Decimal  # Σ of the amounts of every row, annualised, exact
    total_start_arr: Decimal | None  # Σ of what every row paid at the start, annualised (None: not read)
    kpi: dict[str, Any]  # the month's MonthlyKpi fields for the group
    page: int
    pages: int

    @property
    def in_arr(self) -> bool:
        return self.movement.figure.key == "at_risk_arr"

    @property
    def total(self) -> Decimal:
        """Σ of the list in the figure's unit (MRR, or ARR for at-risk ARR), exact: divided once, rounded once."""
        return self.total_arr / TWELVE if self.movement.unit == "mrr" else self.total_arr

    @property
    def total_start(self) -> Decimal | None:
        """Σ start MRR of the list, exact (the denominator of NRR and GRR)."""
        return None if self.total_start_arr is None else self.total_start_arr / TWELVE

    @property
    def rate(self) -> Decimal | None:
        """The rate the list divides to, exactly: Σ counted / Σ start MRR, or churned / accounts."""
        if self.movement.rate == "cohort":
            return ratio(self.total_arr, self.total_start_arr)
        if self.movement.rate == "logo":
            return ratio(self.total_arr, self.count)
        return None

    @property
    def figure_value(self) -> Any:
        return self.kpi.get(self.movement.figure.key)

    @property
    def figure_count(self) -> int | None:
        return self.kpi.get(self.movement.count_key) if self.movement.count_key else None


class NoSnapshot(LookupError):
    """The month has no snapshot for this group."""


def drilldown(*, movement: Movement, month: date, group: Group, viewer: User, page: int = 1) -> Drilldown:
    """One page (PER_PAGE rows, largest amounts first) of the accounts behind `movement` in `month` for `group`,
    with the count and Σ of all of them and the MonthlyKpi figure they add up to. Three queries.

    A CSM (`viewer`) opens their own book only (the view checks the group), but the book of a past month may hold
    accounts that another CSM owns now: those rows keep their amounts, so the list still adds up, without a name.
    Raises NoSnapshot when the month has no MonthlyKpi row for the group.
    """
    row = MonthlyKpi.objects.filter(month=month, **group.kpi_filter()).select_related("csm").first()
    if row is None:
        raise NoSnapshot(month)
    start = add_months(month, 1 - movement.base_months) - timedelta(days=1)
    if movement.slug == "at-risk":
        moves, start_sql = _AT_RISK, ""
    else:
        start_sql = _START_STORED if ComputedDay.objects.filter(day=start).exists() else _START_FACTS
        end = _END + (f" AND {MONTH_END_SQL}" if (row.as_of + timedelta(days=1)).day == 1 else "")
        moves = compose(_MOVES[movement.paying], start=sql.SQL(start_sql), end=sql.SQL(end)).as_string()
    group_sql, params = group.sql()
    alone = movement.paying == "e alone"
    start_of_page = compose(_START_OF_PAGE, start=sql.SQL(start_sql)) if alone else sql.SQL("page.s")
    pieces = {
        "materialized": "NOT MATERIALIZED" if alone else "MATERIALIZED",
        "amount": movement.amount,
        "moves": moves,
        "condition": movement.condition,
        "group": group_sql,
        "owner": _OWNER_ON_AS_OF,
    }
    statement = compose(
        _LIST, page_start=start_of_page, **{key: sql.SQL(piece) for key, piece in pieces.items()}
    ).as_string()
    page = max(1, page)
    params.update(as_of=row.as_of, start=start, month=month, limit=PER_PAGE)
    fetched = _fetch(statement, {**params, "offset": (page - 1) * PER_PAGE})
    if not fetched and page > 1:  # past the end: the first page, which also gives the totals
        page = 1
        fetched = _fetch(statement, {**params, "offset": 0})
    count = fetched[0][4] if fetched else 0
    total = fetched[0][5] if fetched else Decimal(0)
    total_start = (fetched[0][6] if fetched else Decimal(0)) if movement.paying != "e alone" else None
    rows = [
        DrillRow(
            account_id=account_id,
            name=name,
            external_id=external_id,
            segment=segment,
            owner=(owner_name or owner_email) if owner_id else "",
            hidden=False,
            current_csm_id=current_csm_id,
            start_arr=s,
            end_arr=e,
            amount_arr=amount,
            unit=movement.unit,
        )
        for (
            account_id,
            s,
            e,
            amount,
            _,
            _,
            _,
            name,
            external_id,
            segment,
            current_csm_id,
            owner_id,
            owner_name,
            owner_email,
        ) in fetched
    ]
    if not viewer.is_vp:
        rows = [row if row.current_csm_id == viewer.pk else row.anonymous() for row in rows]
    return Drilldown(
        movement=movement,
        month=month,
        as_of=row.as_of,
        start=start,
        group=group,
        rows=rows,
        count=count,
        total_arr=total,
        total_start_arr=total_start,
        kpi=kpi_fields(row, gross_margin=settings.KEEL_GROSS_MARGIN, event_names=()),
        page=page,
        pages=max(1, -(-count // PER_PAGE)),
    )


def _fetch(statement: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()
