"""The renewal forecast (METRICS.md "Renewal forecast"): ARR due per month for the 12 months after the latest
computed day, by health status, and the likelihood-weighted ARR Σ ARR × (1 − the status's churn rate); and the
renewals of one month. Reads the rows the pipeline keeps (metrics.RenewalDue, metrics.RenewalRates): a few
queries whatever the size of the base."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from accounts.models import User
from accounts.months import add_months, month_end
from metrics.models import RenewalDue, RenewalMonth, RenewalRates
from metrics.services.renewals import FORECAST_MONTHS

STATUSES = ("green", "yellow", "red", "")  # "" unscored


def _total(parts: list[Decimal | None]) -> Decimal | None:
    """Σ of the parts, exact; None when any is unknown (no backtest to weigh by)."""
    total = Decimal(0)
    for part in parts:
        if part is None:
            return None
        total += part
    return total


@dataclass
class Cell:
    count: int = 0
    arr: Decimal = Decimal(0)
    weighted: Decimal | None = Decimal(0)


@dataclass
class ForecastMonth:
    month: date
    by_status: dict[str, Cell] = field(default_factory=lambda: {status: Cell() for status in STATUSES})

    @property
    def count(self) -> int:
        return sum(cell.count for cell in self.by_status.values())

    @property
    def arr(self) -> Decimal:
        return sum((cell.arr for cell in self.by_status.values()), Decimal(0))

    @property
    def weighted(self) -> Decimal | None:
        return _total([cell.weighted for cell in self.by_status.values()])


@dataclass
class Forecast:
    rates: RenewalRates | None
    months: list[ForecastMonth]

    @property
    def arr(self) -> Decimal:
        return sum((month.arr for month in self.months), Decimal(0))

    @property
    def weighted(self) -> Decimal | None:
        return _total([month.weighted for month in self.months])

    @property
    def count(self) -> int:
        return sum(month.count for month in self.months)


def churn_rate(rates: RenewalRates | None, status: str) -> float | None:
    """The churn rate a status's renewals are weighed by: the backtest's for the status, the overall one for
    accounts without a score (and for a status the backtest had no accounts of)."""
    if rates is None:
        return None
    rate = getattr(rates, status, None) if status else None
    return rate if rate is not None else rates.overall


def _renewals_for(user: User, csm: User | None) -> QuerySet[RenewalDue]:
    renewals = RenewalDue.objects.all()
    if not user.is_vp:
        return renewals.filter(csm=user)
    return renewals.filter(csm=csm) if csm is not None else renewals


def renewal_forecast(*, user: User, csm: User | None = None) -> Forecast:
    """The forecast of what `user` may see (a CSM: their book; VPs: everyone's, or `csm`'s), from the summed rows
    (metrics.RenewalMonth). Two queries."""
    rates = RenewalRates.objects.first()
    if rates is None:
        return Forecast(rates=None, months=[])
    first = rates.as_of.replace(day=1)
    months = {add_months(first, n): ForecastMonth(add_months(first, n)) for n in range(FORECAST_MONTHS)}
    who = csm if user.is_vp else user
    rows = RenewalMonth.objects.filter(company=who is None, csm=who).values(
        "month", "status", "renewals", "arr"
    )
    for row in rows:
        month = months.get(row["month"])
        if month is None:
            continue
        rate = churn_rate(rates, row["status"])
        arr = row["arr"] or Decimal(0)
        month.by_status[row["status"]] = Cell(
            count=row["renewals"], arr=arr, weighted=None if rate is None else arr * (1 - Decimal(repr(rate)))
        )
    for month in months.values():
        for status, cell in month.by_status.items():
            if cell.count == 0 and churn_rate(rates, status) is None:
                cell.weighted = None if rates.overall is None else Decimal(0)
    return Forecast(rates=rates, months=list(months.values()))


def renewals_of_month(*, user: User, month: date, csm: User | None = None) -> QuerySet[RenewalDue]:
    """The renewals of `month` that `user` may see, by term end, with their account and owner (for a page)."""
    return (
        _renewals_for(user, csm)
        .filter(term_end__gte=month, term_end__lte=month_end(month))
        .select_related("account", "csm")
        .order_by("term_end", "pk")  # in the term-end index's order: a page reads 100 rows, not the month's
    )
