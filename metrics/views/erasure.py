"""Erasing an account or a contact (admins; README "Erasure"): a page that says what goes and asks to type the
account's name or external id (the contact's email or external id) before anything is erased."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import AuthenticatedRequest, admin_required
from accounts.models import Account, Contact
from metrics.services.erasure import Erasure, account_erase, contact_erase


def _confirmed(request: AuthenticatedRequest, *names: str) -> bool:
    typed = request.POST.get("confirm", "").strip().casefold()
    return bool(typed) and typed in {name.strip().casefold() for name in names if name}


def _done(request: AuthenticatedRequest, erasure: Erasure) -> None:
    messages.success(request, erasure.describe().replace(" recomputed", " being recomputed"))


@admin_required
def account_erase_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    error = ""
    if request.method == "POST":
        if _confirmed(request, account.name, account.external_id):
            try:
                erasure = account_erase(account=account, by=request.user)
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                _done(request, erasure)
                return redirect("account_list")
        else:
            error = "Type the account's name or external id exactly to erase it."
    context = {"section": "accounts", "account": account, "contact": None, "error": error}
    return render(request, "metrics/erase.html", context, status=400 if error else 200)


@admin_required
def contact_erase_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=pk)
    error = ""
    if request.method == "POST":
        if _confirmed(request, contact.email, contact.external_id):
            try:
                erasure = contact_erase(contact=contact, by=request.user)
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                _done(request, erasure)
                return redirect("account_detail", pk=contact.account_id)
        else:
            error = "Type the contact's email or external id exactly to erase it."
    context = {"section": "accounts", "account": contact.account, "contact": contact, "error": error}
    return render(request, "metrics/erase.html", context, status=400 if error else 200)
