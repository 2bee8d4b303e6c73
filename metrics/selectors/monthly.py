"""Monthly KPIs for the `kpis` command, the metrics API and the dashboards: MonthlyKpi rows as METRICS.md fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.conf import settings

from accounts.models import User
from accounts.months import months_in
from metrics.fields import kpi_fields
from metrics.models import FirstEventDay, MonthlyKpi, Scope

By = Literal["csm", "segment"] | None


class MonthsNotComputed(LookupError):
    """Some months of the range have no snapshot yet."""

    def __init__(self, months: list[date]) -> None:
        self.months = months
        listed = ", ".join(f"{month:%Y-%m}" for month in months)
        super().__init__(
            f"No snapshot for {listed}: run `python manage.py snapshot --from {months[0]} --to …` first."
        )


@dataclass(frozen=True)
class _Query:
    scope: str
    csm: User | None
    label: str | None  # the group field in the output: "csm", "segment" or none


def _query_for(user: User, by: By) -> _Query:
    """DESIGN.md "Roles": a CSM sees their own book, a VP or admin the company. The API applies the same rule."""
    if user.is_vp:
        if by is None:
            return _Query(Scope.COMPANY, None, None)
        return _Query(Scope.CSM if by == "csm" else Scope.SEGMENT, None, by)
    if by == "segment":
        return _Query(Scope.CSM_SEGMENT, user, "segment")
    return _Query(Scope.CSM, user, "csm" if by == "csm" else None)


def monthly_kpis(*, user: User, start: date, end: date, by: By = None) -> list[dict[str, Any]]:
    """One object per month (and group) from `start`'s month to `end`'s, with every METRICS.md field.

    Raises MonthsNotComputed when a month of the range has no snapshot. Three queries whatever the range.
    """
    query = _query_for(user, by)
    months = months_in(start, end)
    rows = MonthlyKpi.objects.filter(month__in=months, scope=query.scope).select_related("csm")
    if query.csm is not None:
        rows = rows.filter(csm=query.csm)
    computed = set(
        MonthlyKpi.objects.filter(month__in=months, scope=Scope.COMPANY).values_list("month", flat=True)
    )
    missing = [month for month in months if month not in computed]
    if missing:
        raise MonthsNotComputed(missing)
    rows_list = list(rows)
    event_names = sorted(set(FirstEventDay.objects.values_list("event", flat=True).distinct()))
    rows_list.sort(key=lambda row: (row.month, *_group_order(row, query)))
    result = []
    for row in rows_list:
        item: dict[str, Any] = {"month": f"{row.month:%Y-%m}"}
        if query.label == "csm":
            item["csm"] = row.csm.email if row.csm else None
        elif query.label == "segment":
            item["segment"] = row.segment
        item.update(kpi_fields(row, gross_margin=settings.KEEL_GROSS_MARGIN, event_names=event_names))
        if query.scope != Scope.COMPANY:
            # Spend is company-wide: CAC and what derives from it exist only on company rows (METRICS.md `cac`).
            item.update(cac=None, ltv_to_cac=None, cac_payback_months=None)
        result.append(item)
    return result


def _group_order(row: MonthlyKpi, query: _Query) -> tuple[bool, str]:
    if query.label == "csm":
        return (row.csm is None, row.csm.email if row.csm else "")
    if query.label == "segment":
        return (row.segment is None, row.segment or "")
    return (False, "")
