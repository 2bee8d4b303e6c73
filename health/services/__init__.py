"""Writes of the health app, by feature: scores (the pipeline's scoring step), versions of the model, at-risk
alerts, the backtest's rows, tasks."""

from health.services.alerts import health_alerts_raise
from health.services.cached_rows import backtest_rows_replace
from health.services.playbooks import (
    playbook_save,
    playbook_set_active,
    playbooks_default_create,
    playbooks_fire,
)
from health.services.scores import health_scores_compute
from health.services.tasks import (
    task_assignees,
    task_close,
    task_create,
    task_follow_up_open,
    task_may_change,
    task_snooze,
    task_update,
)
from health.services.versions import (
    health_model_activate,
    health_model_changes,
    health_model_draft,
    health_model_parameters_changed,
    health_model_recommended_activate,
    health_model_save,
    health_model_validate,
)

__all__ = [
    "backtest_rows_replace",
    "health_alerts_raise",
    "health_model_activate",
    "health_model_changes",
    "health_model_draft",
    "health_model_parameters_changed",
    "health_model_recommended_activate",
    "health_model_save",
    "health_model_validate",
    "health_scores_compute",
    "playbook_save",
    "playbook_set_active",
    "playbooks_default_create",
    "playbooks_fire",
    "task_assignees",
    "task_close",
    "task_create",
    "task_follow_up_open",
    "task_may_change",
    "task_snooze",
    "task_update",
]
