"""The home redirect and the Team page (admins): who can log in, with which role, and who gets the tasks of
accounts without a CSM.

Views are thin: they check access (`accounts.access`), validate a form and call one selector or service.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors
from accounts.access import AuthenticatedRequest, admin_required
from accounts.forms import FallbackOwnerForm, KeelPasswordResetForm, UserAddForm, UserRoleForm
from accounts.models import Role, User
from accounts.users import (
    team_fallback_owner_set,
    user_create,
    user_deactivate,
    user_reactivate,
    user_role_change,
)


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The company dashboard for VPs and admins; a CSM's own dashboard for a CSM."""
    return redirect("company_dashboard" if request.user.is_vp else "my_dashboard")


@admin_required
def team(request: AuthenticatedRequest) -> HttpResponse:
    form = UserAddForm(request.POST) if request.method == "POST" else UserAddForm()
    if form.is_bound and form.is_valid():
        try:
            user = user_create(
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if form.cleaned_data["send_link"]:
                _send_password_link(request, user)
                messages.success(request, f"Added {user.name}; a link to set their password is on its way.")
            else:
                messages.success(
                    request, f"Added {user.name}. They set a password with “Forgot your password?”."
                )
            return redirect("team")
    members = list(selectors.team_members())
    settings = selectors.team_settings()
    chosen = settings.fallback_owner
    context = {
        "section": "team",
        "form": form,
        "members": members,
        "roles": Role.choices,
        "fallback_form": FallbackOwnerForm(members=members, initial={"owner": chosen.pk if chosen else None}),
        "fallback_owner": selectors.fallback_owner(settings),
    }
    return render(request, "accounts/team.html", context, status=400 if form.errors else 200)


def _team_action(change: Callable[[AuthenticatedRequest, User], str]) -> Callable[..., HttpResponseBase]:
    """A Team page action on the member `pk` (admins, POST): `change` makes it and returns what to say, or
    raises ValidationError, whose messages are said instead. Back to the Team page either way."""

    @admin_required
    @require_POST
    @wraps(change)
    def action(request: AuthenticatedRequest, pk: int) -> HttpResponse:
        user = get_object_or_404(User, pk=pk)
        try:
            done = change(request, user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
        return redirect("team")

    return action


@_team_action
def team_role(request: AuthenticatedRequest, user: User) -> str:
    form = UserRoleForm(request.POST)
    if not form.is_valid():
        raise ValidationError("Choose one of the roles.")
    user_role_change(user=user, role=form.cleaned_data["role"], changed_by=request.user)
    return f"{user.name} is now {user.get_role_display()}."


@_team_action
def team_deactivate(request: AuthenticatedRequest, user: User) -> str:
    user_deactivate(user=user, by=request.user)
    return f"{user.name} is deactivated and can no longer log in."


@_team_action
def team_reactivate(request: AuthenticatedRequest, user: User) -> str:
    user_reactivate(user=user, by=request.user)
    return f"{user.name} can log in again."


def _send_password_link(request: AuthenticatedRequest, user: User) -> None:
    """The password reset email, worded as an invitation, so a new user can choose their password."""
    form = KeelPasswordResetForm({"email": user.email})
    form.is_valid()
    form.save(
        request=request,
        subject_template_name="registration/invite_subject.txt",
        email_template_name="registration/invite_email.txt",
        extra_email_context={"invited_by": request.user.name},
    )


@admin_required
@require_POST
def team_fallback_owner(request: AuthenticatedRequest) -> HttpResponse:
    form = FallbackOwnerForm(request.POST, members=list(selectors.team_members()))
    if not form.is_valid():
        messages.error(request, "Choose an active member of the team.")
    else:
        try:
            team_fallback_owner_set(owner=form.chosen(), by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            owner = selectors.fallback_owner()
            messages.success(
                request,
                f"Tasks of accounts without a CSM go to {owner.name if owner else 'nobody (no admin)'}.",
            )
    return redirect("team")
