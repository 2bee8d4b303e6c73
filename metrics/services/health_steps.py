"""The pipeline's steps after the daily rows that serve health: the rows the Health page re-weights, and the at-risk
alerts of the nightly run. Both read the stored daily rows (metrics' own) and hand health's services what they
need as temp tables, so health never reads the snapshot tables itself."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Max

from accounts.sql import set_local, sql_step
from health.selectors import backtest_days, backtest_rows_days, health_model_active
from health.selectors.backtest import CHURN_HORIZON_DAYS
from health.services import backtest_rows_replace, health_alerts_raise, playbooks_fire
from health.services.alerts import EPISODE_END_DAYS
from metrics.models import ComputedDay
from metrics.services.daily import PIPELINE_WORK_MEM
from metrics.sql import files


def _computed_month_ends() -> list[date]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT day FROM metrics_computedday WHERE day = keel_month_end(day) ORDER BY day")
        return [day for (day,) in cursor.fetchall()]


def _preview_days() -> set[date]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT day FROM metrics_previewrow")
        return {day for (day,) in cursor.fetchall()}


def health_caches_refresh(*, start: date, end: date) -> None:
    """After a run of start…end: the preview's rows (metrics.PreviewRow) of the latest computed day and of the
    day the active model's drop rule compares with; the backtest's rows (health.BacktestRow) of every computed
    month-end whose 90 days are computed. A day's rows are refilled when this run recomputed it (for the
    backtest: the month-end or any of its 90 days, on which its churn labels depend) and kept otherwise, so the
    nightly run refills the latest day and, once a month, adds the month-end whose 90 days it completes."""
    latest: date | None = ComputedDay.objects.aggregate(last=Max("day"))["last"]
    if latest is None:
        return
    ran = range(start.toordinal(), end.toordinal() + 1)
    wanted = {latest, latest - timedelta(days=health_model_active().drop_days)}
    have = _preview_days()
    preview_fill = sorted(day for day in wanted if day not in have or day.toordinal() in ran)

    computed_ends = _computed_month_ends()
    eligible = set(backtest_days(computed_ends[0], computed_ends[-1], latest)) if computed_ends else set()
    filled = set(backtest_rows_days())
    touched = {day for day in filled if day <= end and day + timedelta(days=CHURN_HORIZON_DAYS) >= start}
    backtest_fill = sorted((eligible - filled) | (touched & eligible))
    backtest_drop = sorted((filled - eligible) | set(backtest_fill))

    with transaction.atomic(), sql_step() as step:
        set_local("work_mem", PIPELINE_WORK_MEM)
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM metrics_previewrow WHERE NOT (day = ANY(%s::date[]))", [sorted(wanted)]
            )
        if preview_fill:
            step.run(files, "preview_rows", days=preview_fill)
        if backtest_drop:
            step.run(files, "scored_days", days=backtest_fill)
            backtest_rows_replace(step=step, days=backtest_drop)


def health_alerts_step(*, day: date) -> int:
    """The nightly run's at-risk alerts of `day` (health.services.alerts), then the playbooks that fire on it
    (health.services.playbooks: after the alerts, whose new episodes trigger "dropped into at risk"), from the
    stored rows they read; one transaction. Returns the tasks made."""
    with transaction.atomic(), sql_step() as step:
        step.run(files, "risk_rows", day=day, days=EPISODE_END_DAYS)
        made = health_alerts_raise(step=step, day=day)
        step.run(files, "playbook_rows", day=day)
        return made + playbooks_fire(step=step, day=day)
