"""The pipeline's renewal forecast step: the renewals due in the 12 months after the latest computed day
(metrics/sql/renewal_due.sql) and the churn rates they are weighed by (the active model's backtest over the last
12 month-ends it has rows for). Runs after the Health page's rows, whose backtest rows it reads."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Max

from accounts.months import add_months, month_end
from accounts.numbers import number, ratio
from accounts.sql import sql_step
from health.selectors import backtest_rows_days, health_backtest, health_model_active
from metrics.models import ComputedDay, RenewalRates
from metrics.sql import files

FORECAST_MONTHS = 12  # the months shown: the latest computed day's own and the 11 after it
RATE_MONTH_ENDS = 12  # the backtest's window: this many month-ends with rows


def forecast_until(day: date) -> date:
    """The last day the forecast covers: the end of the 11th month after `day`'s."""
    return month_end(add_months(day.replace(day=1), FORECAST_MONTHS - 1))


def renewal_forecast_refresh() -> None:
    """Rewrite the forecast's rows and rates as of the latest computed day (none computed: nothing)."""
    latest: date | None = ComputedDay.objects.aggregate(last=Max("day"))["last"]
    if latest is None:
        return
    model = health_model_active()
    days = sorted(backtest_rows_days())[-RATE_MONTH_ENDS:]
    rates: dict[str, float | None] = {"green": None, "yellow": None, "red": None, "overall": None}
    if days:
        backtest = health_backtest(first_month=days[0].replace(day=1), last_month=days[-1], model=model)
        rates.update(backtest.churn_rate_by_status)
        rates["overall"] = number(ratio(backtest.churned, backtest.scored))
    with transaction.atomic(), sql_step() as step:
        step.run(files, "renewal_due", day=latest, until=forecast_until(latest))
        step.run(files, "renewal_month")
        RenewalRates.objects.all().delete()
        RenewalRates.objects.create(
            as_of=latest,
            model_version=model.version,
            first_month_end=days[0] if days else None,
            last_month_end=days[-1] if days else None,
            **rates,
        )
