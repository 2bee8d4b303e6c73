"""Forms of the Playbooks pages: a playbook and its steps as a formset. They parse input; the rules of a playbook
are health.services.playbooks'."""

from __future__ import annotations

from django import forms

from health.models import Playbook, Task, Trigger
from health.services.playbooks import MAX_OFFSET_DAYS, MAX_RENEWAL_DAYS, MAX_STEPS, StepData


class PlaybookForm(forms.Form):
    name = forms.CharField(max_length=200)
    trigger = forms.ChoiceField(choices=Trigger.choices)
    days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_RENEWAL_DAYS,
        label="N (days before the term end)",
        widget=forms.NumberInput(attrs={"class": "input--number"}),
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    @classmethod
    def initial_from(cls, playbook: Playbook) -> dict[str, object]:
        return {
            "name": playbook.name,
            "trigger": playbook.trigger,
            "days": playbook.days,
            "is_active": playbook.is_active,
        }


class StepForm(forms.Form):
    title = forms.CharField(max_length=300, required=False)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    offset_days = forms.IntegerField(
        min_value=0,
        max_value=MAX_OFFSET_DAYS,
        initial=0,
        required=False,
        label="Due after (days)",
        widget=forms.NumberInput(attrs={"class": "input--number"}),
    )
    priority = forms.ChoiceField(choices=Task.Priority.choices, initial=Task.Priority.NORMAL)


StepFormSet = forms.formset_factory(StepForm, extra=2, max_num=MAX_STEPS, absolute_max=MAX_STEPS)


def steps_from(formset: forms.BaseFormSet) -> list[StepData]:
    """The steps of a valid formset, in order; rows without a title are left out (the empty extra rows)."""
    return [
        StepData(
            title=data["title"],
            description=data.get("description") or "",
            offset_days=data.get("offset_days") or 0,
            priority=data.get("priority") or Task.Priority.NORMAL,
        )
        for data in (form.cleaned_data for form in formset.forms)
        if data and (data.get("title") or "").strip()
    ]


def steps_initial(playbook: Playbook) -> list[dict[str, object]]:
    return [
        {
            "title": step.title,
            "description": step.description,
            "offset_days": step.offset_days,
            "priority": step.priority,
        }
        for step in playbook.steps.all()
    ]
