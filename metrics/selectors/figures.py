"""The figures the dashboards show: label, kind, METRICS.md formula (the "ⓘ") and how a value and its change
against the previous month read. Pages and tests share this one mapping, so a formula is written once.

Values come from `metrics.fields.kpi_fields` (money as exact 2-decimal strings, rates as fractions); a change is
value(m) − value(m−1) of the shown values, rates in percentage points (METRICS.md "Dashboard figures").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from accounts.numbers import TENTH, cents, grouped, money_shown

Kind = Literal["money", "rate", "score", "count", "hours"]
Trend = Literal["up", "down", "flat", "none"]


@dataclass(frozen=True)
class Figure:
    key: str  # the METRICS.md field
    label: str
    kind: Kind
    formula: str
    lower_is_better: bool = False


_MONTH_END = "the month's last day (the current month: the last computed day)"

FIGURES: dict[str, Figure] = {
    figure.key: figure
    for figure in (
        Figure(
            "mrr",
            "MRR",
            "money",
            f"Σ account MRR on {_MONTH_END}; account MRR = Σ span MRR of its spans active that day "
            "(span MRR = amount / 1, 3 or 12 for monthly, quarterly, yearly billing)",
        ),
        Figure("arr", "ARR", "money", "12 × MRR (the exact MRR, rounded once)"),
        Figure(
            "nrr_12m",
            "NRR 12m",
            "rate",
            "Cohort C = accounts with MRR > 0 at the end of month m−12: "
            "Σ_C MRR(end of m) / Σ_C MRR(end of m−12)",
        ),
        Figure(
            "grr_12m",
            "GRR 12m",
            "rate",
            "Same cohort as NRR 12m: Σ_C min(MRR(end of m), MRR(end of m−12)) / Σ_C MRR(end of m−12)",
        ),
        Figure(
            "logo_churn_rate",
            "Logo churn",
            "rate",
            "churned_customers / customers_start: accounts paying at the end of m−1 and not at the end of m, "
            "over the accounts paying at the end of m−1",
            lower_is_better=True,
        ),
        Figure(
            "net_mrr_churn_rate",
            "Net MRR churn",
            "rate",
            "(churned_mrr + contraction_mrr − expansion_mrr) / mrr_start; negative when expansion outgrows "
            "losses (= 1 − monthly NRR)",
            lower_is_better=True,
        ),
        Figure(
            "gross_mrr_churn_rate",
            "Gross MRR churn",
            "rate",
            "(churned_mrr + contraction_mrr) / mrr_start",
            lower_is_better=True,
        ),
        Figure(
            "nps_90d",
            "NPS 90d",
            "score",
            "100 × (promoters − detractors) / responses, NPS answers in the 90 days ending on the month's "
            "last day; promoter 9–10, passive 7–8, detractor 0–6 (−100 … 100)",
        ),
        Figure(
            "csat_90d",
            "CSAT 90d",
            "score",
            "100 × answers scoring 4 or 5 / answers, CSAT answers (1–5) in the 90 days ending on the month's "
            "last day (0 … 100)",
        ),
        Figure(
            "at_risk_arr",
            "At-risk ARR",
            "money",
            f"Σ ARR on {_MONTH_END} of the accounts at risk that day: red, or a score at least 15 points "
            "below the score 30 days before",
            lower_is_better=True,
        ),
        Figure("mrr_start", "MRR at start", "money", "Σ account MRR on the last day of month m−1"),
        Figure(
            "new_mrr",
            "New",
            "money",
            "Σ e over the accounts with s = 0, e > 0 and MRR > 0 on no earlier month-end "
            "(s, e: the account's MRR at the end of m−1 and of m)",
        ),
        Figure(
            "reactivation_mrr",
            "Reactivation",
            "money",
            "Σ e over the accounts with s = 0, e > 0 that had MRR > 0 on some earlier month-end",
        ),
        Figure("expansion_mrr", "Expansion", "money", "Σ (e − s) over the accounts with s > 0 and e > s"),
        Figure(
            "contraction_mrr",
            "Contraction",
            "money",
            "Σ (s − e) over the accounts with s > 0 and 0 < e < s",
            lower_is_better=True,
        ),
        Figure(
            "churned_mrr",
            "Churned",
            "money",
            "Σ s over the accounts with s > 0 and e = 0",
            lower_is_better=True,
        ),
        Figure("customers", "Customers", "count", f"Accounts with MRR > 0 on {_MONTH_END}"),
        Figure("new_customers", "New customers", "count", "Accounts counted in new_mrr"),
        Figure("reactivated_customers", "Reactivated", "count", "Accounts counted in reactivation_mrr"),
        Figure("expanded_customers", "Expanded", "count", "Accounts counted in expansion_mrr"),
        Figure(
            "contracted_customers",
            "Contracted",
            "count",
            "Accounts counted in contraction_mrr",
            lower_is_better=True,
        ),
        Figure(
            "churned_customers",
            "Churned customers",
            "count",
            "Accounts counted in churned_mrr",
            lower_is_better=True,
        ),
        Figure(
            "average_health",
            "Average health",
            "score",
            f"Mean health score of the accounts scored on {_MONTH_END} (every account with MRR > 0)",
        ),
        Figure(
            "tickets_created",
            "Tickets created",
            "count",
            "Tickets whose created_at falls in the month",
            lower_is_better=True,
        ),
        Figure(
            "median_resolution_hours",
            "Median resolution",
            "hours",
            "Median of resolved_at − created_at in hours over the tickets resolved in the month",
            lower_is_better=True,
        ),
        Figure(
            "open_tickets",
            "Open tickets",
            "count",
            "Tickets created on or before the month's last day and not resolved by then",
            lower_is_better=True,
        ),
    )
}

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
# The MRR bridge: gains, then losses (METRICS.md "Movements of month m"), each with its count of accounts.
BRIDGE = (
    ("new_mrr", "new_customers"),
    ("reactivation_mrr", "reactivated_customers"),
    ("expansion_mrr", "expanded_customers"),
    ("contraction_mrr", "contracted_customers"),
    ("churned_mrr", "churned_customers"),
)
BRIDGE_GAINS = ("new_mrr", "reactivation_mrr", "expansion_mrr")


def _as_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def money_text(value: Any) -> str:
    """Money as a page shows it (accounts.numbers.money_shown), a dash when there is none."""
    return money_shown(value, missing="—")


def value_text(kind: Kind, value: Any) -> str:
    """A value as a page shows it: money to the cent, rates as percentages with 1 decimal, scores 1 decimal."""
    if value is None:
        return "—"
    if kind == "money":
        return money_text(value)
    number = _as_decimal(value)
    assert number is not None
    if kind == "rate":
        return grouped((number * 100).quantize(TENTH, rounding=ROUND_HALF_UP), 1) + "%"
    if kind == "count":
        return grouped(number, 0)
    return grouped(number.quantize(TENTH, rounding=ROUND_HALF_UP), 1)


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


def change_text(kind: Kind, change: Decimal | None) -> str:
    """A change with its sign and unit (+1,200.00, −0.4 pp, 0); a dash without a previous month."""
    if change is None:
        return "—"
    places = 2 if kind == "money" else 0 if kind == "count" else 1
    text = grouped(change, places)
    if change > 0:
        text = "+" + text
    return text + (" pp" if kind == "rate" else " h" if kind == "hours" else "")


@dataclass(frozen=True)
class Tile:
    figure: Figure
    value: str
    change: str
    trend: Trend
    good: bool | None  # whether the change is good news (None: no change or no previous month)

    @property
    def key(self) -> str:
        return self.figure.key


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
        value=value_text(figure.kind, value),
        change=change_text(figure.kind, change),
        trend=trend,
        good=good,
    )
