"""The figures the dashboards show: label, kind, METRICS.md formula (the "ⓘ") and how a value and its change
against the previous month read. Pages and tests share this one mapping, so a formula is written once.

Values come from `metrics.fields.kpi_fields` (money as exact 2-decimal strings, rates as fractions); a change is
value(m) − value(m−1) of the shown values, rates in percentage points (METRICS.md "Dashboard figures").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.conf import settings

from accounts.numbers import TENTH, cents, currency_symbol, grouped, money_compact, money_exact

Kind = Literal["money", "rate", "score", "count", "hours", "days", "months", "ratio"]
Trend = Literal["up", "down", "flat", "none"]


@dataclass(frozen=True)
class Figure:
    key: str  # the METRICS.md field
    label: str
    kind: Kind
    formula: str  # the ⓘ: in plain words first, then the symbols of METRICS.md
    lower_is_better: bool = False
    drill: str = ""  # the drill-down (metrics.selectors.drilldown) that lists what makes the figure


_MONTH_END = "the month's last day (the current month: the last computed day)"
_SE = "s and e are an account's MRR at the end of the month before and at the end of the month"

FIGURES: dict[str, Figure] = {
    figure.key: figure
    for figure in (
        Figure(
            "mrr",
            "MRR",
            "money",
            f"What the paying accounts pay per month on {_MONTH_END}, added up; a quarterly plan counts a "
            "third, a yearly one a twelfth. MRR = Σ account MRR, account MRR = Σ span MRR of its active spans, "
            "span MRR = amount / 1, 3 or 12",
            drill="customers",
        ),
        Figure(
            "arr",
            "ARR",
            "money",
            "The MRR over a year: twelve times the exact MRR, rounded once. ARR = 12 × MRR",
        ),
        Figure(
            "nrr_12m",
            "NRR 12m",
            "rate",
            "What the accounts paying twelve months ago pay now (expansion counts, churn counts as 0), over "
            "what they paid then. Cohort C = accounts with MRR > 0 at the end of month m−12: "
            "Σ_C MRR(end of m) / Σ_C MRR(end of m−12)",
            drill="nrr-12m",
        ),
        Figure(
            "grr_12m",
            "GRR 12m",
            "rate",
            "The same cohort, each account counted at no more than it paid then, so expansion cannot hide "
            "losses. Σ_C min(MRR(end of m), MRR(end of m−12)) / Σ_C MRR(end of m−12)",
            drill="grr-12m",
        ),
        Figure(
            "nrr_monthly",
            "NRR, month",
            "rate",
            "What the accounts paying at the start of the month pay at its end, over what they paid at its "
            "start. (mrr_start + expansion_mrr − contraction_mrr − churned_mrr) / mrr_start",
            drill="nrr-monthly",
        ),
        Figure(
            "grr_monthly",
            "GRR, month",
            "rate",
            "The same, each account counted at no more than it paid at the start. "
            "(mrr_start − contraction_mrr − churned_mrr) / mrr_start",
            drill="grr-monthly",
        ),
        Figure(
            "logo_churn_rate",
            "Logo churn",
            "rate",
            "The share of the accounts paying at the end of the month before that no longer pay at the end of "
            "the month. churned_customers / customers_start",
            lower_is_better=True,
            drill="logo-churn",
        ),
        Figure(
            "customer_retention_rate",
            "Customer retention",
            "rate",
            "The share of the accounts paying at the end of the month before that still pay (1 − logo churn). "
            "(customers − new_customers − reactivated_customers) / customers_start",
        ),
        Figure(
            "net_mrr_churn_rate",
            "Net MRR churn",
            "rate",
            "MRR lost to churn and contraction, less the MRR won by expansion, over the MRR at the start; "
            "negative when expansion outgrows losses. (churned_mrr + contraction_mrr − expansion_mrr) / mrr_start "
            "(= 1 − monthly NRR)",
            lower_is_better=True,
        ),
        Figure(
            "gross_mrr_churn_rate",
            "Gross MRR churn",
            "rate",
            "MRR lost to churn and contraction over the MRR at the start. (churned_mrr + contraction_mrr) / "
            "mrr_start",
            lower_is_better=True,
        ),
        Figure(
            "expansion_mrr_rate",
            "Expansion rate",
            "rate",
            "MRR won from accounts that pay more, over the MRR at the start. expansion_mrr / mrr_start",
        ),
        Figure(
            "upsell_rate",
            "Upsell rate",
            "rate",
            "The share of the accounts paying at the start that pay more at the end. "
            "expanded_customers / customers_start",
        ),
        Figure(
            "quick_ratio",
            "Quick ratio",
            "ratio",
            "MRR gained for each unit of MRR lost in the month: above 1 the base grows. "
            "(new_mrr + reactivation_mrr + expansion_mrr) / (churned_mrr + contraction_mrr)",
        ),
        Figure(
            "renewal_rate",
            "Renewal rate",
            "rate",
            "The share of the yearly and quarterly terms ending in the month whose subscription goes on. "
            "renewals_renewed / renewals_due",
        ),
        Figure(
            "gross_dollar_renewal_rate",
            "Gross dollar renewal",
            "rate",
            "What the subscriptions due for renewal pay after their term end, each at no more than before, "
            "over what they paid before. Σ min(MRR on t, MRR on t − 1) / Σ MRR on t − 1",
        ),
        Figure(
            "arpa",
            "ARPA",
            "money",
            "The average MRR of a paying account. mrr / customers",
        ),
        Figure(
            "ltv",
            "LTV",
            "money",
            "What an average account brings in over its life: its MRR, times the gross margin, over the share "
            "of accounts lost per month (mean of the last six months). arpa × KEEL_GROSS_MARGIN / "
            "mean(logo_churn_rate of m−5 … m)",
        ),
        Figure(
            "cac",
            "CAC",
            "money",
            "What winning one new customer cost: the month's spend (spend.csv) over its new customers; "
            "company only. spend / new_customers",
            lower_is_better=True,
        ),
        Figure(
            "ltv_to_cac",
            "LTV : CAC",
            "ratio",
            "How many times an account's lifetime value covers what it cost to win. ltv / cac",
        ),
        Figure(
            "cac_payback_months",
            "CAC payback",
            "months",
            "Months of an average account's margin that pay back what it cost to win. "
            "cac / (arpa × KEEL_GROSS_MARGIN)",
            lower_is_better=True,
        ),
        Figure(
            "nps_90d",
            "NPS 90d",
            "score",
            "Promoters (9–10) minus detractors (0–6), as a share of the NPS answers of the 90 days ending on "
            "the month's last day (−100 … 100). 100 × (promoters − detractors) / responses",
            drill="nps-90d",
        ),
        Figure(
            "csat_90d",
            "CSAT 90d",
            "score",
            "The share of CSAT answers (1–5) scoring 4 or 5, over the 90 days ending on the month's last day "
            "(0 … 100). 100 × answers scoring 4 or 5 / answers",
        ),
        Figure(
            "ces_90d",
            "CES 90d",
            "score",
            "How easy customers found it, on average, on the 1–7 scale (higher = easier), over the CES answers "
            "of the 90 days ending on the month's last day. mean(score)",
        ),
        Figure(
            "ces_easy_rate_90d",
            "CES easy",
            "rate",
            "The share of those CES answers scoring 5, 6 or 7. answers scoring 5–7 / answers",
        ),
        Figure(
            "at_risk_arr",
            "At-risk ARR",
            "money",
            f"The ARR of the accounts at risk on {_MONTH_END}: red, or a score at least 15 points below the "
            "score 30 days before. Σ ARR of the accounts at risk",
            lower_is_better=True,
            drill="at-risk",
        ),
        Figure(
            "mrr_start",
            "MRR at start",
            "money",
            "The MRR at the end of the month before. Σ account MRR on the last day of month m−1",
        ),
        Figure(
            "new_mrr",
            "New",
            "money",
            "The MRR of accounts paying for the first time. Σ e over the accounts with s = 0, e > 0 and MRR > 0 "
            f"on no earlier month-end ({_SE})",
        ),
        Figure(
            "reactivation_mrr",
            "Reactivation",
            "money",
            "The MRR of accounts paying again after a month-end without. Σ e over the accounts with s = 0, "
            "e > 0 that had MRR > 0 on some earlier month-end",
        ),
        Figure(
            "expansion_mrr",
            "Expansion",
            "money",
            "What accounts pay more than at the end of the month before. Σ (e − s) over the accounts with "
            "s > 0 and e > s",
        ),
        Figure(
            "contraction_mrr",
            "Contraction",
            "money",
            "What accounts still paying pay less than at the end of the month before. Σ (s − e) over the "
            "accounts with s > 0 and 0 < e < s",
            lower_is_better=True,
        ),
        Figure(
            "churned_mrr",
            "Churned",
            "money",
            "What the accounts that stopped paying paid at the end of the month before. Σ s over the accounts "
            "with s > 0 and e = 0",
            lower_is_better=True,
        ),
        Figure(
            "customers",
            "Customers",
            "count",
            f"The accounts paying on {_MONTH_END}. Accounts with MRR > 0",
            drill="customers",
        ),
        Figure("new_customers", "New customers", "count", "The accounts counted in new MRR"),
        Figure("reactivated_customers", "Reactivated", "count", "The accounts counted in reactivation MRR"),
        Figure("expanded_customers", "Expanded", "count", "The accounts counted in expansion MRR"),
        Figure(
            "contracted_customers",
            "Contracted",
            "count",
            "The accounts counted in contraction MRR",
            lower_is_better=True,
        ),
        Figure(
            "churned_customers",
            "Churned customers",
            "count",
            "The accounts counted in churned MRR",
            lower_is_better=True,
        ),
        Figure(
            "average_health",
            "Average health",
            "score",
            f"The mean health score of the accounts scored on {_MONTH_END} (every account with MRR > 0). "
            "Σ score / accounts scored",
        ),
        Figure(
            "tickets_created",
            "Tickets created",
            "count",
            "Tickets opened in the month (by created_at)",
            lower_is_better=True,
        ),
        Figure(
            "median_first_response_hours",
            "Median first response",
            "hours",
            "The middle time to a first answer, over the tickets opened in the month that have one. "
            "median(first_response_at − created_at), hours",
            lower_is_better=True,
        ),
        Figure(
            "median_resolution_hours",
            "Median resolution",
            "hours",
            "The middle time to resolve a ticket, over the tickets resolved in the month. "
            "median(resolved_at − created_at), hours",
            lower_is_better=True,
        ),
        Figure(
            "fcr_rate",
            "First contact resolution",
            "rate",
            "The share of the tickets resolved in the month that took at most one reply (of those whose "
            "replies are known). tickets with replies ≤ 1 / tickets with replies known",
        ),
        Figure(
            "open_tickets",
            "Open tickets",
            "count",
            "Tickets opened on or before the month's last day and not resolved by then",
            lower_is_better=True,
        ),
        Figure(
            "active_accounts",
            "Active accounts",
            "count",
            "The paying accounts with at least one product event in the 30 days ending on the month's last "
            "day. customers with ≥ 1 event in those 30 days",
        ),
        Figure(
            "stickiness",
            "DAU / MAU",
            "rate",
            "How many of the month's active users come on an average day, over the paying accounts (scored on "
            "the month's last day). Σ (Σ dau over d−29…d) / 30 / Σ mau",
        ),
        Figure(
            "time_to_value_days",
            "Time to value",
            "days",
            "The middle number of days from an account's first paid day to its first activation event "
            "(KEEL_ACTIVATION_EVENT, default any event), over the accounts activated in the month. "
            "median(first event day − first MRR day)",
            lower_is_better=True,
        ),
    )
}
# METRICS.md `feature_adoption`: one share per event name, listed under the Product figures.
FEATURE_ADOPTION = (
    "The share of paying accounts that used the feature (at least one such event) in the 30 days ending on "
    "the month's last day. customers with ≥ 1 such event / customers"
)

COMPANY_TILES = (
    "mrr",
    "arr",
    "nrr_12m",
    "grr_12m",
    "logo_churn_rate",
    "net_mrr_churn_rate",
    "nps_90d",
    "csat_90d",
    "at_risk_arr",
)
CSM_TILES = (
    "mrr",
    "arr",
    "customers",
    "nrr_12m",
    "grr_12m",
    "logo_churn_rate",
    "net_mrr_churn_rate",
    "at_risk_arr",
    "average_health",
    "nps_90d",
)
# The sections below the tiles: every other KPI of METRICS.md, each with its ⓘ. A CSM's book has no CAC (spend is
# company-wide: METRICS.md `cac`), so neither LTV:CAC nor payback; its CSAT is not among its tiles.
_RETENTION = (
    "nrr_monthly",
    "grr_monthly",
    "customer_retention_rate",
    "gross_mrr_churn_rate",
    "expansion_mrr_rate",
    "upsell_rate",
    "quick_ratio",
    "renewal_rate",
    "gross_dollar_renewal_rate",
)
_SUPPORT = (
    "fcr_rate",
    "median_first_response_hours",
    "median_resolution_hours",
    "tickets_created",
    "open_tickets",
)
_PRODUCT = ("active_accounts", "stickiness", "time_to_value_days")
COMPANY_SECTIONS = (
    ("retention", "Retention and renewals", _RETENTION),
    ("economics", "Unit economics", ("arpa", "ltv", "cac", "ltv_to_cac", "cac_payback_months")),
    ("voice", "Customer voice and support", ("ces_90d", "ces_easy_rate_90d", *_SUPPORT)),
    ("product", "Product", _PRODUCT),
)
CSM_SECTIONS = (
    ("retention", "Retention and renewals", _RETENTION),
    ("economics", "Unit economics", ("arpa", "ltv")),
    ("voice", "Customer voice and support", ("csat_90d", "ces_90d", "ces_easy_rate_90d", *_SUPPORT)),
    ("product", "Product", _PRODUCT),
)
# The MRR bridge: gains, then losses (METRICS.md "Movements of month m"), each with its count of accounts.
BRIDGE = (
    ("new_mrr", "new_customers"),
    ("reactivation_mrr", "reactivated_customers"),
    ("expansion_mrr", "expanded_customers"),
    ("contraction_mrr", "contracted_customers"),
    ("churned_mrr", "churned_customers"),
)
BRIDGE_GAINS = ("new_mrr", "reactivation_mrr", "expansion_mrr")
_UNIT = {"rate": " pp", "hours": " h", "days": " d", "months": " mo", "ratio": "×"}  # of a change
_VALUE_UNIT = {"hours": " h", "days": " days", "months": " months", "ratio": "×"}


def _as_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _symbol() -> str:
    return currency_symbol(settings.KEEL_CURRENCY)


def money_text(value: Any) -> str:
    """Money as a page shows it in full: to the cent with its symbol ($1,234.57), a dash when there is none."""
    return money_exact(value, symbol=_symbol())


def value_text(kind: Kind, value: Any, *, short: bool = False) -> str:
    """A value as a page shows it: money to the cent with its symbol (`short`: compact, as a tile shows it,
    $3.58M), rates as percentages with 1 decimal, ratios and scores 1 decimal, hours, days and months with a
    unit."""
    if value is None:
        return "—"
    if kind == "money":
        return money_compact(value, symbol=_symbol()) if short else money_text(value)
    number = _as_decimal(value)
    assert number is not None
    if kind == "rate":
        return grouped((number * 100).quantize(TENTH, rounding=ROUND_HALF_UP), 1) + "%"
    if kind == "count":
        return grouped(number, 0)
    return grouped(number.quantize(TENTH, rounding=ROUND_HALF_UP), 1) + _VALUE_UNIT.get(kind, "")


def change_of(kind: Kind, value: Any, previous: Any) -> Decimal | None:
    """value(m) − value(m−1) of the shown values: money in cents, rates in percentage points (1 decimal)."""
    now, before = _as_decimal(value), _as_decimal(previous)
    if now is None or before is None:
        return None
    if kind == "money":
        return cents(now) - cents(before)
    if kind == "count":
        return now - before
    scale = 100 if kind == "rate" else 1
    return (now * scale).quantize(TENTH, rounding=ROUND_HALF_UP) - (before * scale).quantize(
        TENTH, rounding=ROUND_HALF_UP
    )


def change_text(kind: Kind, change: Decimal | None, *, short: bool = False) -> str:
    """A change with its sign and unit (+$1,200.00, `short` +$1,200; −0.4 pp, 0); a dash without a previous
    month."""
    if change is None:
        return "—"
    if kind == "money":
        text = value_text(kind, change, short=short)
    else:
        text = grouped(change, 0 if kind == "count" else 1) + _UNIT.get(kind, "")
    return "+" + text if change > 0 else text


@dataclass(frozen=True)
class Tile:
    figure: Figure
    value: str  # as the tile shows it (money compact)
    exact: str  # the same to the cent (the tile's title and accessible text)
    change: str
    change_exact: str
    trend: Trend
    good: bool | None  # whether the change is good news (None: no change or no previous month)

    @property
    def key(self) -> str:
        return self.figure.key

    @property
    def shortened(self) -> bool:
        return self.value != self.exact or self.change != self.change_exact

    @property
    def value_shortened(self) -> bool:
        return self.value != self.exact

    @property
    def change_shortened(self) -> bool:
        return self.change != self.change_exact


def tile(key: str, fields: dict[str, Any] | None, previous: dict[str, Any] | None) -> Tile:
    """One tile: the value of month m and its change against m−1."""
    figure = FIGURES[key]
    value = fields.get(key) if fields else None
    change = change_of(figure.kind, value, previous.get(key) if previous else None)
    trend: Trend
    good: bool | None
    if change is None:
        trend, good = "none", None
    elif change == 0:
        trend, good = "flat", None
    else:
        trend = "up" if change > 0 else "down"
        good = (change < 0) if figure.lower_is_better else (change > 0)
    return Tile(
        figure=figure,
        value=value_text(figure.kind, value, short=True),
        exact=value_text(figure.kind, value),
        change=change_text(figure.kind, change, short=True),
        change_exact=change_text(figure.kind, change),
        trend=trend,
        good=good,
    )


@dataclass(frozen=True)
class Adoption:
    """One feature's adoption (METRICS.md `feature_adoption`) in a month."""

    event: str
    share: float | None


@dataclass(frozen=True)
class Section:
    """A group of tiles under a heading (the Product section also lists feature adoption)."""

    slug: str
    title: str
    tiles: list[Tile]
    adoption: list[Adoption]


def feature_adoption(fields: dict[str, Any] | None) -> list[Adoption]:
    """The features used in the month, most adopted first (`fields["feature_adoption"]`, computed for the event
    names of the month's row). METRICS.md lists every event name of the data, 0.0 when unused; the page lists
    those the month's customers used and says so."""
    shares = (fields or {}).get("feature_adoption") or {}
    return sorted(
        (Adoption(event, share) for event, share in shares.items() if share),
        key=lambda item: (-(item.share or 0), item.event),
    )
