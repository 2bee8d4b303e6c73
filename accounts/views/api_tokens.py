"""The API tokens page (admins): make a token acting as a user (its key shown this once), revoke one.

The key is shown in the answer to the POST that made it, not after a redirect: so it is never stored anywhere,
not even for a moment in the session (a reload asks the browser to send the form again, which makes another)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest, admin_required
from accounts.models import ApiToken, User
from accounts.services import api_token_create, api_token_revoke


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="What it is for, e.g. “CRM sync”.")
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("name"),
        help_text="The token sees and writes what this person may.",
    )


@admin_required
def api_tokens(request: AuthenticatedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST) if request.method == "POST" else ApiTokenForm()
    new_key = ""
    if form.is_bound and form.is_valid():
        try:
            token, new_key = api_token_create(
                name=form.cleaned_data["name"], user=form.cleaned_data["user"], created_by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = ApiTokenForm()
            messages.success(
                request, f"Made the token “{token.name}”. Copy its key now: it is not shown again."
            )
    tokens = ApiToken.objects.select_related("user", "created_by")
    context = {"section": "data", "form": form, "tokens": tokens, "new_key": new_key}
    return render(request, "accounts/api_tokens.html", context, status=400 if form.errors else 200)


@admin_required
@require_POST
def api_token_revoke_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, f"Revoked “{token.name}”: requests with its key now get a 401.")
    return redirect("api_tokens")
