"""Logging what happened with an account on its timeline: a call, a meeting, an email, a note. The timeline itself
is on the account 360 (metrics.views.accounts); a valid entry goes back there, an invalid one is shown again here
with its errors and the text kept. Only its author changes or deletes an entry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest
from accounts.forms import TimelineEntryForm
from accounts.models import Account, TimelineEntry
from accounts.selectors import account_get_for_user, accounts_for_user
from accounts.services import timeline_entry_create, timeline_entry_delete, timeline_entry_update


def _on_timeline(account: Account) -> str:
    return reverse("account_detail", args=[account.pk]) + "#timeline"


def _entry_for_user(request: AuthenticatedRequest, pk: int) -> TimelineEntry:
    """An entry of an account the user sees, that they wrote (another's is a 404 here, as editing it is refused)."""
    entry = (
        TimelineEntry.objects.filter(account__in=accounts_for_user(request.user), pk=pk)
        .select_related("account")
        .first()
    )
    if entry is None:
        raise Http404("No such timeline entry.")
    if entry.author_id != request.user.pk:
        raise PermissionDenied("Only its author changes a timeline entry.")
    return entry


@login_required
@require_POST
def timeline_entry_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = account_get_for_user(request.user, pk)
    form = TimelineEntryForm.for_account(account, request.POST)
    if form.is_valid():
        try:
            entry = timeline_entry_create(
                account=account,
                author=request.user,
                kind=form.cleaned_data["kind"],
                occurred_on=form.cleaned_data["occurred_on"],
                text=form.cleaned_data["text"],
                contact_ids=form.cleaned_data["contacts"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"Logged the {entry.get_kind_display().lower()} on {account.name}'s timeline."
            )
            return redirect(_on_timeline(account))
    context = {"section": "accounts", "account": account, "form": form, "entry": None}
    return render(request, "accounts/timeline_entry.html", context, status=400)


@login_required
def timeline_entry_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    entry = _entry_for_user(request, pk)
    initial = {
        "kind": entry.kind,
        "occurred_on": entry.occurred_on,
        "text": entry.text,
        "contacts": list(entry.contacts.values_list("pk", flat=True)),
    }
    form = TimelineEntryForm.for_account(entry.account, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            timeline_entry_update(
                entry=entry,
                by=request.user,
                kind=form.cleaned_data["kind"],
                occurred_on=form.cleaned_data["occurred_on"],
                text=form.cleaned_data["text"],
                contact_ids=form.cleaned_data["contacts"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Saved the timeline entry.")
            return redirect(_on_timeline(entry.account))
    context = {"section": "accounts", "account": entry.account, "form": form, "entry": entry}
    return render(request, "accounts/timeline_entry.html", context)


@login_required
@require_POST
def timeline_entry_delete_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    entry = _entry_for_user(request, pk)
    account = entry.account
    timeline_entry_delete(entry=entry, by=request.user)
    messages.success(request, "Deleted the timeline entry.")
    return redirect(_on_timeline(account))
