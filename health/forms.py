"""Forms of the health pages: they parse input; the rules of a model are health.services.versions'."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from health.models import COMPONENT_LABELS, COMPONENTS, DEFAULT_PARAMETERS, PARAMETERS, HealthModel, Task
from health.selectors.tasks import STATES, UNASSIGNED
from health.services import health_model_draft
from health.services.tasks import MAX_DESCRIPTION, MAX_NOTE, MAX_TITLE


def _number(*, whole: bool = False, **attrs: Any) -> forms.Field:
    widget = forms.NumberInput(attrs={"step": "1" if whole else "any", "class": "input--number", **attrs})
    if whole:
        return forms.IntegerField(widget=widget)
    return forms.FloatField(widget=widget)


class HealthModelForm(forms.Form):
    """A draft of the health model: weights, thresholds, the drop rule, the components' parameters; a note and
    the optional recompute of history for saving."""

    note = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Why this change (shown in the history)"}),
    )
    recompute = forms.BooleanField(required=False, label="Recompute history with it")
    recompute_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    recompute_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in COMPONENTS:
            self.fields[f"weight_{name}"] = _number(min="0")
            self.fields[f"weight_{name}"].label = COMPONENT_LABELS[name]
        self.fields["green_min"] = _number(min="0", max="100")
        self.fields["green_min"].label = "Green from score"
        self.fields["yellow_min"] = _number(min="0", max="100")
        self.fields["yellow_min"].label = "Yellow from score (red below)"
        self.fields["drop_points"] = _number(min="0")
        self.fields["drop_points"].label = "At risk after a fall of (points)"
        self.fields["drop_days"] = _number(whole=True, min="1", max="90")
        self.fields["drop_days"].label = "…within (days)"
        for name, rule in PARAMETERS.items():
            self.fields[name] = _number(whole=rule.whole, min=f"{rule.minimum:g}", max=f"{rule.maximum:g}")
            self.fields[name].label = rule.label
        today = timezone.localdate()
        self.fields["recompute_from"].initial = today - timedelta(days=settings.KEEL_DAILY_RETENTION_DAYS)
        self.fields["recompute_to"].initial = today - timedelta(days=1)

    @staticmethod
    def initial_from(model: HealthModel) -> dict[str, Any]:
        values: dict[str, Any] = {f"weight_{name}": model.weights.get(name, 0) for name in COMPONENTS}
        values.update({name: model.parameters.get(name, DEFAULT_PARAMETERS[name]) for name in PARAMETERS})
        values.update(
            green_min=model.green_min,
            yellow_min=model.yellow_min,
            drop_points=model.drop_points,
            drop_days=model.drop_days,
        )
        return {key: (f"{value:g}" if isinstance(value, float) else value) for key, value in values.items()}

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"weight_{name}"] for name in COMPONENTS]

    def threshold_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("green_min", "yellow_min", "drop_points", "drop_days")]

    def parameter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PARAMETERS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("recompute"):
            today = timezone.localdate()
            start: date = data.get("recompute_from") or self.fields["recompute_from"].initial
            end: date = data.get("recompute_to") or self.fields["recompute_to"].initial
            if end >= today:
                self.add_error(
                    "recompute_to", f"The last day that can be computed is {today - timedelta(1)}."
                )
            elif start > end:
                self.add_error("recompute_from", "Starts after the last day.")
            data["recompute_from"], data["recompute_to"] = start, end
        return data

    def draft(self) -> HealthModel:
        data = self.cleaned_data
        return health_model_draft(
            weights={name: data[f"weight_{name}"] for name in COMPONENTS},
            parameters={name: data[name] for name in PARAMETERS},
            green_min=data["green_min"],
            yellow_min=data["yellow_min"],
            drop_points=data["drop_points"],
            drop_days=data["drop_days"],
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Errors of health.services.versions on the fields they name; the others above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.message_dict.items():
            self.add_error(field if field in self.fields else None, errors)


class TaskFilterForm(forms.Form):
    """The Tasks page's filters (GET). Unknown values fall back to the defaults."""

    state = forms.ChoiceField(choices=[(state, state.title()) for state in STATES], required=False)
    csm = forms.CharField(required=False)

    def value(self, name: str) -> str:
        if not self.is_valid():
            return ""
        return str(self.cleaned_data.get(name) or "")

    def state_value(self) -> str:
        return self.value("state") or "open"

    def csm_value(self) -> str:
        csm = self.value("csm")
        return csm if csm == UNASSIGNED or csm.isdigit() else ""


class TaskCloseForm(forms.Form):
    note = forms.CharField(required=False, max_length=MAX_NOTE, widget=forms.TextInput())


class TaskForm(forms.Form):
    """A task made or changed by hand; `assignees` are those task_assignees allows (the service checks again)."""

    title = forms.CharField(
        max_length=MAX_TITLE, widget=forms.TextInput(attrs={"placeholder": "What is to be done"})
    )
    description = forms.CharField(
        required=False, max_length=MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 3})
    )
    assignee = forms.TypedChoiceField(coerce=int, label="For")
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    priority = forms.ChoiceField(choices=Task.Priority.choices, initial=Task.Priority.NORMAL)

    def __init__(self, *args: Any, assignees: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in assignees}
        choices = [(person.pk, f"{person.name} ({person.get_role_display()})") for person in assignees]
        self.fields["assignee"].choices = choices  # type: ignore[attr-defined]

    def chosen_assignee(self) -> User:
        return self.people[self.cleaned_data["assignee"]]

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class TaskSnoozeForm(forms.Form):
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


# The quick choices of the Snooze menu: days from today and their label.
SNOOZE_CHOICES = ((1, "Tomorrow"), (3, "3 days"), (7, "1 week"), (14, "2 weeks"), (30, "30 days"))
