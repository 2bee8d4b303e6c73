"""The models of the health floor, one module per kind of thing (the health model and its versions, alerts and
tasks, the cached rows of the Health page); importing from `health.models` finds every one."""

from health.models.cache import BacktestChurner, BacktestRow, CachedComponents
from health.models.model import (
    ALWAYS_PRESENT,
    COMPONENT_LABELS,
    COMPONENTS,
    DEFAULT_PARAMETERS,
    DEFAULT_WEIGHTS,
    PARAMETERS,
    RECOMMENDED_NOTE,
    RECOMMENDED_PARAMETERS,
    RECOMMENDED_WEIGHTS,
    HealthModel,
    Parameter,
    Stage,
    Status,
    stage_params,
)
from health.models.playbooks import Playbook, PlaybookRun, PlaybookStep, Trigger
from health.models.tasks import AtRiskEpisode, Task, TaskState, tasks_awake

__all__ = [
    "ALWAYS_PRESENT",
    "COMPONENTS",
    "COMPONENT_LABELS",
    "DEFAULT_PARAMETERS",
    "DEFAULT_WEIGHTS",
    "PARAMETERS",
    "RECOMMENDED_NOTE",
    "RECOMMENDED_PARAMETERS",
    "RECOMMENDED_WEIGHTS",
    "AtRiskEpisode",
    "BacktestChurner",
    "BacktestRow",
    "CachedComponents",
    "HealthModel",
    "Parameter",
    "Playbook",
    "PlaybookRun",
    "PlaybookStep",
    "Stage",
    "Status",
    "Task",
    "TaskState",
    "Trigger",
    "stage_params",
    "tasks_awake",
]
