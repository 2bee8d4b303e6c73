"""The Playbooks pages (admins): the list, a playbook's form with its steps, switching one on and off. Thin: a form,
one service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest, admin_required
from health import selectors
from health.models import Playbook
from health.playbook_forms import PlaybookForm, StepFormSet, steps_from, steps_initial
from health.services import playbook_save, playbook_set_active


@admin_required
def playbook_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request, "health/playbooks.html", {"section": "playbooks", "playbooks": selectors.playbook_list()}
    )


def _form_page(request: AuthenticatedRequest, playbook: Playbook | None) -> HttpResponse:
    if request.method == "POST":
        form = PlaybookForm(request.POST)
        steps = StepFormSet(request.POST, prefix="steps")
        if form.is_valid() and steps.is_valid():
            data = form.cleaned_data
            try:
                saved = playbook_save(
                    playbook=playbook,
                    name=data["name"],
                    trigger=data["trigger"],
                    days=data.get("days"),
                    steps=steps_from(steps),
                    is_active=data["is_active"],
                    by=request.user,
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, f"Playbook \u201c{saved.name}\u201d saved.")
                return redirect("playbook_list")
    else:
        form = PlaybookForm(initial=PlaybookForm.initial_from(playbook) if playbook else None)
        steps = StepFormSet(initial=steps_initial(playbook) if playbook else None, prefix="steps")
    return render(
        request,
        "health/playbook_form.html",
        {"section": "playbooks", "playbook": playbook, "form": form, "steps": steps},
    )


@admin_required
def playbook_new(request: AuthenticatedRequest) -> HttpResponse:
    return _form_page(request, None)


@admin_required
def playbook_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _form_page(request, selectors.playbook_get(pk))


@admin_required
@require_POST
def playbook_toggle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    playbook = selectors.playbook_get(pk)
    playbook_set_active(playbook=playbook, active=not playbook.is_active, by=request.user)
    state = "on" if playbook.is_active else "off"
    messages.success(request, f"Playbook \u201c{playbook.name}\u201d is {state}.")
    return redirect("playbook_list")
