"""Reads of the health app, by feature: scores of a day, the backtest of a model, the Health page's preview,
explanations of a score, tasks."""

from health.selectors.backtest import Backtest, health_backtest
from health.selectors.explanations import Explanation, health_explanation
from health.selectors.preview import Preview, health_distributions, health_preview
from health.selectors.scores import health_score_fields, health_scores_on
from health.selectors.tasks import open_task_count, task_get_for_user, task_list, tasks_for_user

__all__ = [
    "Backtest",
    "Explanation",
    "Preview",
    "health_backtest",
    "health_distributions",
    "health_explanation",
    "health_preview",
    "health_score_fields",
    "health_scores_on",
    "open_task_count",
    "task_get_for_user",
    "task_list",
    "tasks_for_user",
]
