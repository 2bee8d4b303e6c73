"""The company dashboard (VPs and admins) and a CSM's dashboard: MonthlyKpi rows of a range of months as METRICS.md
fields, tiles, chart series and the per-CSM and per-segment tables; a CSM's accounts at risk, renewals and tasks.

Snapshots only (MonthlyKpi, AccountCurrent, AccountDay) plus small lookups over one CSM's accounts, so a page costs
the same few queries whatever the size of the base. Access to a CSM's dashboard is decided by `csm_get_for_user`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, localcontext
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import DecimalField
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.months import month_end, month_from_text, months_in, previous_month
from accounts.numbers import money, number
from health.models import Task, tasks_awake
from health.reasons import at_risk_words
from metrics.fields import TWELVE, cohort_rate, kpi_fields
from metrics.models import MonthlyKpi, Scope
from metrics.selectors.figures import (
    BRIDGE,
    COMPANY_SECTIONS,
    COMPANY_TILES,
    CSM_SECTIONS,
    CSM_TILES,
    FIGURES,
    Figure,
    Section,
    Tile,
    feature_adoption,
    tile,
)

DEFAULT_MONTHS = 12
AT_RISK_SHOWN = 25
TASKS_SHOWN = 10


def parse_month(text: str | None) -> date | None:
    """The first day of a month written YYYY-MM ("2025-06" → 2025-06-01); None for anything else."""
    try:
        return month_from_text(text or "")
    except ValueError:
        return None


HISTORY_YEARS = 3  # what a first computation covers when nothing was ever computed


def snapshot_days(months: Sequence[date]) -> tuple[date, date]:
    """The days that compute `months`: a month is as of its last day, or of yesterday while it runs."""
    return months[0], min(month_end(months[-1]), timezone.localdate() - timedelta(days=1))


def first_run_days() -> tuple[date, date]:
    """What to compute when nothing ever was: the last HISTORY_YEARS years up to yesterday, from a month's start."""
    yesterday = timezone.localdate() - timedelta(days=1)
    return yesterday.replace(year=yesterday.year - HISTORY_YEARS, day=1), yesterday


@dataclass(frozen=True)
class ComputedMonths:
    """Every month with a snapshot (its company row), oldest first, and the one still running if any: the latest
    month when its snapshot is as of a day before the month's last ("month to date")."""

    months: list[date]
    in_progress: date | None = None


def computed_months() -> ComputedMonths:
    rows = list(
        MonthlyKpi.objects.filter(scope=Scope.COMPANY).order_by("month").values_list("month", "as_of")
    )
    in_progress = rows[-1][0] if rows and rows[-1][1] < month_end(rows[-1][0]) else None
    return ComputedMonths([month for month, _ in rows], in_progress)


@dataclass(frozen=True)
class MonthRange:
    """The months a dashboard shows: `start`…`end` as asked (default: the 12 computed months up to the last
    complete one)."""

    start: date | None
    end: date | None
    available: list[date]  # every computed month, oldest first (the picker's choices)
    months: list[date]  # the computed months of the range, oldest first
    missing: list[date]  # the months of the range without a snapshot
    error: str = ""
    in_progress: date | None = None  # the month to date, if it is computed

    @property
    def last(self) -> date | None:
        return self.months[-1] if self.months else None

    @property
    def missing_days(self) -> tuple[date, date] | None:
        """The days that compute the missing months (the dashboard's button queues them)."""
        return snapshot_days(self.missing) if self.missing else None


def month_range(*, start: str | None, end: str | None, computed: ComputedMonths) -> MonthRange:
    """Parse the picker's `from` and `to` (YYYY-MM). Missing values default to the last DEFAULT_MONTHS computed
    months up to the last complete one (the month to date when it is the only one); a range running backwards is
    an error shown above the default range."""
    available, in_progress = computed.months, computed.in_progress
    first, last = parse_month(start), parse_month(end)
    error = ""
    if (start and first is None) or (end and last is None):
        error = "Months are written YYYY-MM; showing the last computed months instead."
        first = last = None
    elif first and last and first > last:
        error = (
            f"“From” ({first:%Y-%m}) is after “to” ({last:%Y-%m}); showing the last computed months instead."
        )
        first = last = None
    if last is None:
        complete = [month for month in available if month != in_progress]
        last = complete[-1] if complete else available[-1] if available else None
    if first is None and last is not None:
        earlier = [month for month in available if month <= last]
        first = earlier[-DEFAULT_MONTHS:][0] if earlier else last
    if first is None or last is None:
        return MonthRange(None, None, available, [], [], error, in_progress)
    known = set(available)
    wanted = months_in(first, last)
    return MonthRange(
        start=first,
        end=last,
        available=available,
        months=[month for month in wanted if month in known],
        missing=[month for month in wanted if month not in known],
        error=error,
        in_progress=in_progress,
    )


def _fields(row: MonthlyKpi) -> dict[str, Any]:
    # Feature adoption of the events the row's customers used (the row holds them): every event name of the data
    # would cost a scan of FirstEventDay, and an unused feature (0.0) is not worth a line on a page.
    fields = kpi_fields(
        row, gross_margin=settings.KEEL_GROSS_MARGIN, event_names=row.feature_customers.keys()
    )
    fields["month"] = row.month
    fields["as_of"] = row.as_of
    # METRICS.md "health distribution": the onboarding accounts shown apart (not a KPI of the API)
    fields["health_onboarding"] = row.health_onboarding
    return fields


def _empty(month: date) -> dict[str, Any]:
    """A computed month in which a group has no row (a CSM added since): zeros and nulls, as METRICS.md asks."""
    zeros = {
        field.name: Decimal(0)
        for field in MonthlyKpi._meta.concrete_fields
        if isinstance(field, DecimalField) and field.default == 0
    }
    return _fields(MonthlyKpi(month=month, as_of=month, **zeros))


@dataclass(frozen=True)
class GroupOwner:
    """The CSM of a table row: what the row shows of them (a User would cost a model instance a row)."""

    pk: int
    name: str
    email: str
    is_active: bool


@dataclass(frozen=True)
class GroupRow:
    """One CSM or segment in a month, for the dashboard's tables: the five figures they show, computed as
    `kpi_fields` computes them (a test holds the two together) but without the other fifty, which a table of a
    few hundred CSMs would otherwise pay for on every visit."""

    csm: GroupOwner | None
    segment: str | None
    customers: int
    mrr: str | None
    nrr_12m: float | None
    at_risk_arr: str | None
    average_health: float | None

    # What `of` reads of a MonthlyKpi row and of its CSM (QuerySet.values(): at 100k accounts the same 305 rows
    # as model instances took 15.5 ms to read, as dicts 5.0 ms).
    READS = (
        "scope",
        "segment",
        "customers",
        "arr",
        "cohort_arr_now",
        "cohort_arr_base",
        "at_risk_arr",
        "health_score_sum",
        "health_scored",
        "csm_id",
        "csm__name",
        "csm__email",
        "csm__is_active",
    )

    @classmethod
    def of(cls, row: dict[str, Any]) -> GroupRow:
        """The row of `row`, a MonthlyKpi row's READS as QuerySet.values() gives them."""
        with localcontext() as context:
            context.prec = 40  # as kpi_fields
            mrr = row["arr"] / TWELVE
        csm = (
            GroupOwner(row["csm_id"], row["csm__name"], row["csm__email"], row["csm__is_active"])
            if row["scope"] == Scope.CSM and row["csm_id"] is not None
            else None
        )
        return cls(
            csm=csm,
            segment=row["segment"] if row["scope"] == Scope.SEGMENT else None,
            customers=row["customers"],
            mrr=money(mrr),
            nrr_12m=number(cohort_rate(row["cohort_arr_now"], row["cohort_arr_base"])),
            at_risk_arr=money(row["at_risk_arr"]),
            average_health=row["health_score_sum"] / row["health_scored"] if row["health_scored"] else None,
        )

    @property
    def label(self) -> str:
        if self.csm is not None:
            return self.csm.name or self.csm.email
        return self.segment or ""


def group_rows_of(month: date) -> tuple[list[GroupRow], list[GroupRow]]:
    """The dashboard's tables of `month`: every CSM's row and every segment's, each in the tables' order. One
    query."""
    rows = MonthlyKpi.objects.filter(scope__in=[Scope.CSM, Scope.SEGMENT], month=month).values(
        *GroupRow.READS
    )
    csms: list[GroupRow] = []
    segments: list[GroupRow] = []
    for row in rows:
        (csms if row["scope"] == Scope.CSM else segments).append(GroupRow.of(row))
    return sorted(csms, key=_group_order), sorted(segments, key=_group_order)


@dataclass
class Dashboard:
    """Months of KPIs for one group (the company or one CSM's book)."""

    range: MonthRange
    series: list[dict[str, Any]] = field(
        default_factory=list
    )  # kpi_fields of the range's months, oldest first
    current: dict[str, Any] | None = None  # the last month of the range
    previous: dict[str, Any] | None = None  # the month before it, for the tiles' changes
    tile_keys: Sequence[str] = ()
    section_keys: Sequence[tuple[str, str, Sequence[str]]] = ()
    csms: list[GroupRow] = field(default_factory=list)
    segments: list[GroupRow] = field(default_factory=list)

    @property
    def tiles(self) -> list[Tile]:
        return [tile(key, self.current, self.previous) for key in self.tile_keys]

    @property
    def sections(self) -> list[Section]:
        """Every other KPI of METRICS.md in its section; the Product one lists feature adoption too."""
        return [
            Section(
                slug=slug,
                title=title,
                tiles=[tile(key, self.current, self.previous) for key in keys],
                adoption=feature_adoption(self.current) if slug == "product" else [],
            )
            for slug, title, keys in self.section_keys
        ]

    @property
    def month(self) -> date | None:
        return self.range.last

    @property
    def as_of(self) -> date | None:
        return self.current["as_of"] if self.current else None


def _group_order(row: GroupRow) -> tuple[bool, str]:
    return (row.csm is None and row.segment is None, row.label.lower())


def _kpis_by_month(months: MonthRange, before: date, **group: Any) -> dict[date, dict[str, Any]]:
    """The kpi_fields of one group's rows (`group` filters MonthlyKpi) in `months` and in `before`, the month
    before the last, by month. One query."""
    return {
        row.month: _fields(row)
        for row in MonthlyKpi.objects.filter(month__in=[*months.months, before], **group)
    }


def company_dashboard(*, months: MonthRange) -> Dashboard:
    """The company's months of `months` with their tiles, and every CSM's and segment's row of the last month.

    Two queries: the company rows of the range and of the month before its last; the CSM and segment rows of the
    last month, only the columns their tables show (a few hundred rows of a hundred columns otherwise).
    """
    last = months.last
    if last is None:
        return Dashboard(range=months)
    before = previous_month(last)
    company = _kpis_by_month(months, before, scope=Scope.COMPANY)
    csms, segments = group_rows_of(last)
    return Dashboard(
        range=months,
        series=[company[month] for month in months.months if month in company],
        current=company.get(last),
        previous=company.get(before),
        tile_keys=COMPANY_TILES,
        section_keys=COMPANY_SECTIONS,
        csms=csms,
        segments=segments,
    )


def csm_book_dashboard(*, csm: User, months: MonthRange) -> Dashboard:
    """One CSM's book (MonthlyKpi scope csm: the accounts they owned at each month's end) over `months`; a month
    without a row is a book with nothing in it."""
    last = months.last
    if last is None:
        return Dashboard(range=months)
    before = previous_month(last)
    rows = _kpis_by_month(months, before, scope=Scope.CSM, csm=csm)
    series = [rows.get(month) or _empty(month) for month in months.months]
    previous = rows.get(before) or (_empty(before) if before in set(months.available) else None)
    return Dashboard(
        range=months,
        series=series,
        current=series[-1],
        previous=previous,
        tile_keys=CSM_TILES,
        section_keys=CSM_SECTIONS,
    )


def csm_get_for_user(user: User, pk: int) -> User:
    """The CSM whose dashboard `user` may open: their own for a CSM (another CSM's is a 404, as for accounts),
    anyone on the team for VPs and admins."""
    if user.is_vp:
        try:
            return User.objects.get(pk=pk)
        except User.DoesNotExist:
            raise Http404("No such person.") from None
    if user.pk != pk:
        raise Http404("No such person.")
    return user


# --- Series for the charts ------------------------------------------------------------------------------------


def _money(value: str | None) -> float | None:
    return None if value is None else float(value)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 4)


def _negative(value: str | None) -> float | None:
    return None if value is None else -float(value)


def chart_series(series: Iterable[dict[str, Any]], in_progress: date | None = None) -> dict[str, Any]:
    """The dashboard's charts as plain lists, one value per month (JSON for the page script; the tables on the
    page show the exact figures), and which month is to date. Rates in percent; losses of the MRR bridge
    negative, so bars stack below 0."""
    rows = list(series)

    def column(key: str, convert: Any = None) -> list[Any]:
        return [convert(row[key]) if convert else row[key] for row in rows]

    return {
        "months": [f"{row['month']:%Y-%m}" for row in rows],
        "in_progress": f"{in_progress:%Y-%m}" if in_progress else None,
        "mrr": column("mrr", _money),
        "arr": column("arr", _money),
        "new_mrr": column("new_mrr", _money),
        "reactivation_mrr": column("reactivation_mrr", _money),
        "expansion_mrr": column("expansion_mrr", _money),
        "contraction_mrr": column("contraction_mrr", _negative),
        "churned_mrr": column("churned_mrr", _negative),
        "nrr_12m": column("nrr_12m", _percent),
        "grr_12m": column("grr_12m", _percent),
        "logo_churn_rate": column("logo_churn_rate", _percent),
        "gross_mrr_churn_rate": column("gross_mrr_churn_rate", _percent),
        "net_mrr_churn_rate": column("net_mrr_churn_rate", _percent),
        "nps_90d": column("nps_90d"),
        "csat_90d": column("csat_90d"),
        "health_green": column("health_green"),
        "health_yellow": column("health_yellow"),
        "health_red": column("health_red"),
        "average_health": column("average_health"),
        "tickets_created": column("tickets_created"),
        "tickets_resolved": column("tickets_resolved"),
        "open_tickets": column("open_tickets"),
        "median_resolution_hours": column("median_resolution_hours"),
    }


# --- A CSM's book today: accounts at risk, renewals, tasks --------------------------------------------------


@dataclass(frozen=True)
class AtRisk:
    account_id: int
    account_name: str
    day: date  # the latest computed day (AccountCurrent)
    arr: Decimal
    score: float | None
    status: str
    change: float | None  # score change over 30 days
    reason: str

    @property
    def mrr(self) -> Decimal:
        return self.arr / TWELVE


# Raw SQL, one statement: the CSM's accounts at risk on the latest computed day, most ARR first, with how many
# there are, each with what the reason in words reads (that day's row and its model, and the row of the model's
# drop days before). As three ORM queries (the last an OR of one condition per account) they cost some 10 ms a
# page at 100k accounts, two thirds of it in Python.
_AT_RISK = """
WITH book AS MATERIALIZED (
    SELECT a.id, a.name, c.day, c.arr, c.score, c.status, c.score_change_30d
    FROM metrics_accountcurrent c JOIN accounts_account a ON a.id = c.account_id
    WHERE c.at_risk AND a.csm_id = %(csm)s
)
SELECT s.id, s.name, s.day, s.arr, s.score, s.status, s.score_change_30d, (SELECT count(*) FROM book),
       d.score, d.status = 'red', d.at_risk, m.yellow_min, m.drop_points, m.drop_days, b.score
FROM (SELECT * FROM book ORDER BY arr DESC, name, id LIMIT %(limit)s) s
LEFT JOIN metrics_accountday d ON d.account_id = s.id AND d.day = s.day
LEFT JOIN health_healthmodel m ON m.id = d.health_model_id
LEFT JOIN metrics_accountday b ON b.account_id = s.id AND b.day = s.day - m.drop_days
ORDER BY s.arr DESC, s.name, s.id
"""


def accounts_at_risk(*, csm: User, limit: int = AT_RISK_SHOWN) -> tuple[list[AtRisk], int]:
    """The CSM's accounts at risk on the latest computed day (AccountCurrent), most ARR first, each with the
    reason in words of the health explanation (red, or the fall of the score); and how many there are."""
    with connection.cursor() as cursor:
        cursor.execute(_AT_RISK, {"csm": csm.pk, "limit": limit})
        rows = cursor.fetchall()
    result = [
        AtRisk(
            account_id=account_id,
            account_name=name,
            day=day,
            arr=arr,
            score=score,
            status=status,
            change=change,
            reason=at_risk_words(
                score=scored,
                at_risk=at_risk,
                red=bool(red),
                yellow_min=yellow_min,
                drop_points=drop_points,
                drop_days=drop_days,
                before=before,
            ),
        )
        for (
            account_id,
            name,
            day,
            arr,
            score,
            status,
            change,
            _,
            scored,
            red,
            at_risk,
            yellow_min,
            drop_points,
            drop_days,
            before,
        ) in rows
    ]
    return result, rows[0][7] if rows else 0


def tasks_open(*, csm: User, limit: int = TASKS_SHOWN) -> tuple[list[Task], int]:
    """The CSM's open tasks not snoozed, soonest due first, and how many there are (the partial index
    task_open_by_assignee)."""
    tasks = Task.objects.filter(tasks_awake(timezone.localdate()), assignee=csm)
    shown = list(tasks.select_related("account").order_by("due_on", "pk")[:limit])
    total = len(shown) if len(shown) < limit else tasks.count()
    return shown, total


@dataclass(frozen=True)
class BridgeCell:
    slug: str  # the drill-down of this movement
    figure: Figure
    amount: str  # the MRR figure, 2 decimals
    count: int  # its customers


@dataclass(frozen=True)
class BridgeRow:
    month: date
    mrr_start: str
    cells: list[BridgeCell]
    mrr: str | None
    customers: int


def bridge_rows(series: Iterable[dict[str, Any]]) -> list[BridgeRow]:
    """The MRR bridge month by month, newest first: MRR at start, each movement with its count, MRR at end."""
    return [
        BridgeRow(
            month=row["month"],
            mrr_start=row["mrr_start"],
            cells=[
                BridgeCell(
                    slug=money.removesuffix("_mrr"),
                    figure=FIGURES[money],
                    amount=row[money],
                    count=row[count],
                )
                for money, count in BRIDGE
            ],
            mrr=row["mrr"],
            customers=row["customers"],
        )
        for row in reversed(list(series))
    ]
