"""Reads of the health app, by feature: the model's versions, the backtest of a model, tasks."""

from health.selectors.backtest import (
    Backtest,
    BacktestMonth,
    backtest_churners,
    backtest_days,
    backtest_rows_days,
    health_backtest,
)
from health.selectors.playbooks import playbook_get, playbook_list
from health.selectors.tasks import open_task_count, task_get_for_user, task_list, tasks_for_user
from health.selectors.versions import health_model_active, health_model_recommended, health_model_versions

__all__ = [
    "Backtest",
    "BacktestMonth",
    "backtest_churners",
    "backtest_days",
    "backtest_rows_days",
    "health_backtest",
    "health_model_active",
    "health_model_recommended",
    "health_model_versions",
    "open_task_count",
    "playbook_get",
    "playbook_list",
    "task_get_for_user",
    "task_list",
    "tasks_for_user",
]
