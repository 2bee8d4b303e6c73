"""Erasure (GDPR) on the health floor: what health holds of an erased account or of a contact's answers.

Called by metrics.services.erasure inside the erasure's transaction, before accounts deletes the raw facts."""

from __future__ import annotations

from collections.abc import Iterable

from health.models import AtRiskEpisode, BacktestChurner, PlaybookRun, Task


def health_rows_erase(*, account_id: int | None = None, response_ids: Iterable[int] = ()) -> dict[str, int]:
    """Delete the tasks, at-risk episodes, playbook runs and backtest churner rows of `account_id`, and the
    follow-up tasks of the survey answers `response_ids` (a task quotes its answer's comment). Returns counts."""
    counts: dict[str, int] = {}
    response_ids = list(response_ids)
    deleted = (
        [("task", Task.objects.filter(response_id__in=response_ids).delete()[0])] if response_ids else []
    )
    if account_id is not None:
        deleted += [
            ("task", Task.objects.filter(account_id=account_id).delete()[0]),
            ("atriskepisode", AtRiskEpisode.objects.filter(account_id=account_id).delete()[0]),
            ("playbookrun", PlaybookRun.objects.filter(account_id=account_id).delete()[0]),
            ("backtestchurner", BacktestChurner.objects.filter(account_id=account_id).delete()[0]),
        ]
    for name, n in deleted:
        if n:
            counts[name] = counts.get(name, 0) + n
    return counts
