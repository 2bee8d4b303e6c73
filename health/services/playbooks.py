"""Writes of playbooks: an admin's playbook with its steps, switching it on and off, the examples of the demo,
and the nightly run's step that fires them (health/sql/playbooks.sql says which accounts, once per occurrence)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.selectors import fallback_owner
from accounts.services.audit import audit_record, changed_fields
from accounts.sql import SqlStep
from health.models import Playbook, PlaybookStep, Task, Trigger
from health.sql import files

log = logging.getLogger(__name__)

MAX_STEPS = 20
MAX_OFFSET_DAYS = 365
MAX_RENEWAL_DAYS = 366


@dataclass(frozen=True)
class StepData:
    title: str
    description: str = ""
    offset_days: int = 0
    priority: str = Task.Priority.NORMAL


def playbooks_fire(*, step: SqlStep, day: date) -> int:
    """Open the tasks of every active playbook whose trigger fires on `day`, once per occurrence; return how many
    tasks were made. Reads `_turned_red` (the caller made it from the stored rows, in `step`). Safe to run twice for
    a day: the second run makes none."""
    owner = fallback_owner()
    rows = step.fetch(
        files,
        "playbooks",
        day=day,
        tz=str(settings.KEEL_TIMEZONE),
        fallback_id=owner.pk if owner is not None else None,
    )
    log.info("playbooks for %s: %s tasks made", day, len(rows))
    return len(rows)


def _validate(name: str, trigger: str, days: int | None, steps: list[StepData]) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Give the playbook a name."
    if trigger not in Trigger.values:
        errors["trigger"] = f"Choose one of: {', '.join(Trigger.values)}."
    elif trigger == Trigger.RENEWAL and (days is None or not 1 <= days <= MAX_RENEWAL_DAYS):
        errors["days"] = f"A renewal playbook needs N, from 1 to {MAX_RENEWAL_DAYS} days before the term end."
    if not steps:
        errors["steps"] = "Add at least one task."
    elif len(steps) > MAX_STEPS:
        errors["steps"] = f"At most {MAX_STEPS} tasks."
    for index, item in enumerate(steps, start=1):
        if not item.title.strip():
            errors["steps"] = f"Task {index} needs a title."
        elif not 0 <= item.offset_days <= MAX_OFFSET_DAYS:
            errors["steps"] = f"Task {index}: due 0 to {MAX_OFFSET_DAYS} days after the trigger."
        elif item.priority not in Task.Priority.values:
            errors["steps"] = f"Task {index}: priority is one of {', '.join(Task.Priority.values)}."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def playbook_save(
    *,
    playbook: Playbook | None,
    name: str,
    trigger: str,
    days: int | None,
    steps: list[StepData],
    is_active: bool = True,
    by: User | None = None,
) -> Playbook:
    """Create (`playbook` None) or replace a playbook and its steps. Tasks it opened stay as they are; runs made
    already stay made, so a changed playbook does not fire again for the same occurrence."""
    _validate(name, trigger, days, steps)
    name = name.strip()
    same_name = Playbook.objects.filter(name__iexact=name)
    if playbook is not None:
        same_name = same_name.exclude(pk=playbook.pk)
    if same_name.exists():
        raise ValidationError({"name": "Another playbook has this name."})
    creating = playbook is None
    if playbook is None:
        playbook = Playbook(created_by=by)
        before: dict[str, object] = {}
    else:
        before = _audited(playbook)
    playbook.name = name
    playbook.trigger = trigger
    playbook.days = days if trigger == Trigger.RENEWAL else None
    playbook.is_active = is_active
    playbook.save()
    playbook.steps.all().delete()
    PlaybookStep.objects.bulk_create(
        PlaybookStep(
            playbook=playbook,
            position=position,
            title=item.title.strip(),
            description=item.description.strip(),
            offset_days=item.offset_days,
            priority=item.priority,
        )
        for position, item in enumerate(steps, start=1)
    )
    audit_record(
        actor=by,
        action="playbook.create" if creating else "playbook.edit",
        target=playbook,
        target_label=playbook.name,
        detail=changed_fields(before, _audited(playbook)),
    )
    return playbook


def _audited(playbook: Playbook) -> dict[str, object]:
    """What the audit log compares of a playbook: its settings and its steps, as saved."""
    return {
        "name": playbook.name,
        "trigger": playbook.trigger,
        "days": playbook.days,
        "is_active": playbook.is_active,
        "steps": [
            [step.title, step.offset_days, step.priority] for step in playbook.steps.order_by("position")
        ],
    }


def playbook_set_active(*, playbook: Playbook, active: bool, by: User | None = None) -> Playbook:
    with transaction.atomic():
        changed = Playbook.objects.filter(pk=playbook.pk).exclude(is_active=active).update(is_active=active)
        if changed:
            audit_record(
                actor=by,
                action="playbook.activate" if active else "playbook.deactivate",
                target=playbook,
                target_label=playbook.name,
                detail={"is_active": [not active, active]},
            )
    playbook.is_active = active
    return playbook


EXAMPLES: list[tuple[str, str, int | None, list[StepData]]] = [
    (
        "Red account rescue",
        Trigger.TURNED_RED,
        None,
        [
            StepData("Read why the account turned red", "Open the 360: the components say why.", 0, "high"),
            StepData("Call the account's champion", "Agree on what would make it work for them.", 2, "high"),
            StepData("Write a rescue plan with the account", "", 7, "normal"),
        ],
    ),
    (
        "Renewal in 60 days",
        Trigger.RENEWAL,
        60,
        [
            StepData("Review usage and open tickets before the renewal", "", 0, "normal"),
            StepData("Hold the renewal call", "Confirm seats, plan and price.", 14, "high"),
            StepData("Send the renewal quote", "", 30, "normal"),
        ],
    ),
    (
        "Onboarding kickoff",
        Trigger.ONBOARDING,
        None,
        [
            StepData("Send the welcome email", "", 0, "normal"),
            StepData("Hold the kickoff call", "Goals, users to invite, first milestone.", 3, "high"),
            StepData("Check the first users are active", "", 14, "normal"),
            StepData("Review the first 30 days with the account", "", 30, "normal"),
        ],
    ),
]


def playbooks_default_create(*, made_at: datetime | None = None) -> list[Playbook]:
    """The example playbooks (the demo makes them): those missing by name are made, the others left as they are.
    `made_at` dates them back (the demo's, so they fire for the days its history covers)."""
    made = []
    for name, trigger, days, steps in EXAMPLES:
        if not Playbook.objects.filter(name=name).exists():
            made.append(playbook_save(playbook=None, name=name, trigger=trigger, days=days, steps=steps))
    if made_at is not None and made:
        Playbook.objects.filter(pk__in=[playbook.pk for playbook in made]).update(created_at=made_at)
    return made
