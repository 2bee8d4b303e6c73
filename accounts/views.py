"""Pages of the book of business and of the team: accounts, Team (admins), Data (admins).

Views are thin: they check access (`accounts.access`, `selectors.account_get_for_user`), validate a form and call
one selector or service.
"""

from __future__ import annotations

import csv
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_POST

from accounts import selectors
from accounts.access import AuthenticatedRequest, admin_required
from accounts.forms import (
    AccountFilterForm,
    BundleUploadForm,
    KeelPasswordResetForm,
    UserAddForm,
    UserRoleForm,
)
from accounts.importers import ImportResult, bundle_import
from accounts.models import Account, ImportRun, Role, User
from accounts.users import user_create, user_deactivate, user_reactivate, user_role_change
from health.selectors import health_explanation
from metrics.models import AccountCurrent
from metrics.selectors.accounts import account_charts, account_history
from metrics.selectors.renewals import next_renewal

ACCOUNTS_PER_PAGE = 50


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The company dashboard for VPs and admins; a CSM's own dashboard for a CSM."""
    return redirect("company_dashboard" if request.user.is_vp else "my_dashboard")


def _filter_form(request: AuthenticatedRequest) -> AccountFilterForm:
    user = request.user
    return AccountFilterForm(
        request.GET,
        segments=selectors.segments_for_user(user),
        csms=selectors.csms_for_filter() if user.is_vp else None,
    )


@login_required
def account_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """Search, filter and sort the accounts `user` may see; MRR, usage and health from the latest snapshot.
    With `format=csv`, every account of that search, filters and sort as CSV (not only the page shown)."""
    form = _filter_form(request)
    filters = form.filters()
    accounts = selectors.account_list(user=request.user, **filters)
    if request.GET.get("format") == "csv":
        return _export(accounts)
    pages = selectors.account_pages(accounts, filters["sort"])
    page = Paginator(pages, ACCOUNTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = cast(list[Account], list(page.object_list))
    as_of = next((row.current.day for row in rows if _current(row) is not None), None)
    context = {
        "section": "accounts",
        "form": form,
        "page": page,
        "rows": rows,
        "sort": filters["sort"],
        "filtered": any(value for name, value in filters.items() if name != "sort"),
        "as_of": as_of,
        "currency": settings.KEEL_CURRENCY,
    }
    return render(request, "accounts/account_list.html", context)


def _current(account: Account) -> AccountCurrent | None:
    try:
        return account.current
    except AccountCurrent.DoesNotExist:
        return None


class _Echo:
    """csv.writer's file: each line is handed straight to the streaming response."""

    def write(self, value: str) -> str:
        return value


def _export(accounts: QuerySet[Account]) -> StreamingHttpResponse:
    """Streamed, so 100k accounts never sit in memory; the same scoping as the page (accounts_for_user)."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in selectors.account_export_rows(accounts)),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"keel-accounts-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def account_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The account 360: today's MRR from the spans, health with its explanation, history from the snapshots
    (health and usage of the last 90 days, MRR at every month-end), renewals, answers, tickets, tasks, contacts."""
    today = timezone.localdate()
    data = selectors.account_page_for_user(request.user, pk, day=today)
    account = data.account
    history = account_history(
        account_id=account.pk, first_paid_month_end=selectors.first_paid_month_end(data.spans)
    )
    health = health_explanation(account=account)
    renewal = next_renewal(data.spans, day=today)
    context = {
        "section": "accounts",
        "account": account,
        "arr_today": account.current_mrr * 12,  # type: ignore[attr-defined]
        "current": _current(account),
        "data": data,
        "history": history,
        "movements": [month for month in reversed(history.months) if month.movement][:12],
        "timeline": selectors.span_timeline(data.spans, today=today),
        "renewal": {"on": renewal[0], "span": renewal[1], "days": (renewal[0] - today).days}
        if renewal
        else None,
        "today": today,
        "currency": settings.KEEL_CURRENCY,
        "health": health,
        "charts": account_charts(history, health=health),
    }
    return render(request, "accounts/account_detail.html", context)


# --- Team (admins) ------------------------------------------------------------------------------------------


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
    context = {"section": "team", "form": form, "members": selectors.team_members(), "roles": Role.choices}
    return render(request, "accounts/team.html", context, status=400 if form.errors else 200)


@admin_required
@require_POST
def team_role(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = UserRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return redirect("team")
    try:
        user_role_change(user=user, role=form.cleaned_data["role"], changed_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{user.name} is now {user.get_role_display()}.")
    return redirect("team")


@admin_required
@require_POST
def team_deactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    try:
        user_deactivate(user=user, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{user.name} is deactivated and can no longer log in.")
    return redirect("team")


@admin_required
@require_POST
def team_reactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    try:
        user_reactivate(user=user, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{user.name} can log in again.")
    return redirect("team")


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


# --- Data (admins) ------------------------------------------------------------------------------------------


@admin_required
def data(request: AuthenticatedRequest) -> HttpResponse:
    form = BundleUploadForm(request.POST, request.FILES) if request.method == "POST" else BundleUploadForm()
    result = None
    if form.is_bound and form.is_valid():
        result = _import_upload(
            form.cleaned_data["bundle"], dry_run=form.cleaned_data["dry_run"], request=request
        )
        form = BundleUploadForm()
    context = {
        "section": "data",
        "form": form,
        "result": result,
        "runs": selectors.import_runs_recent(),
        "max_upload": settings.KEEL_MAX_UPLOAD_BYTES,
    }
    status = 400 if form.errors or (result and not result.ok) else 200
    return render(request, "accounts/data.html", context, status=status)


@admin_required
def import_run_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun.objects.select_related("user"), pk=pk)
    return render(request, "accounts/import_run.html", {"section": "data", "run": run})


def _import_upload(upload: UploadedFile, *, dry_run: bool, request: AuthenticatedRequest) -> ImportResult:
    # Saved under its own (sanitized) name so that the ImportRun shows the file the admin chose.
    with TemporaryDirectory(prefix="keel-upload-") as folder:
        path = Path(folder) / get_valid_filename(Path(upload.name or "bundle.zip").name)
        with path.open("wb") as file:
            for chunk in upload.chunks():
                file.write(chunk)
        return bundle_import(path=path, dry_run=dry_run, user=request.user, source=ImportRun.Source.UPLOAD)
