"""Erasing an account or a contact (admins; README "Erasure"): a page that says what goes and asks to type the
account's name or external id (the contact's email or external id) before anything is erased."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import AuthenticatedRequest, admin_required
from accounts.models import Account, Contact
from metrics.services.erasure import Erasure, account_erase, contact_erase


def _erase_page(
    request: AuthenticatedRequest,
    *,
    account: Account,
    contact: Contact | None,
    names: tuple[str, ...],
    erase: Callable[[], Erasure],
    then: HttpResponse,
) -> HttpResponse:
    """The page of one erasure: on POST, erase once the typed text is one of `names` (case and outer spaces
    aside), say what went and answer `then`; else the page again with why (400)."""
    error = ""
    if request.method == "POST":
        typed = request.POST.get("confirm", "").strip().casefold()
        if typed and typed in {name.strip().casefold() for name in names if name}:
            try:
                erasure = erase()
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                messages.success(request, erasure.describe().replace(" recomputed", " being recomputed"))
                return then
        else:
            what = "the contact's email" if contact is not None else "the account's name"
            error = f"Type {what} or external id exactly to erase it."
    context = {"section": "accounts", "account": account, "contact": contact, "error": error}
    return render(request, "metrics/erase.html", context, status=400 if error else 200)


@admin_required
def account_erase_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    return _erase_page(
        request,
        account=account,
        contact=None,
        names=(account.name, account.external_id),
        erase=lambda: account_erase(account=account, by=request.user),
        then=redirect("account_list"),
    )


@admin_required
def contact_erase_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.select_related("account"), pk=pk)
    return _erase_page(
        request,
        account=contact.account,
        contact=contact,
        names=(contact.email, contact.external_id),
        erase=lambda: contact_erase(contact=contact, by=request.user),
        then=redirect("account_detail", pk=contact.account_id),
    )
