"""Stripe: the webhook endpoint (its own auth: the signature) and the quarantine page (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import selectors
from accounts.access import AuthenticatedRequest, admin_required
from accounts.forms import StripeMappingForm
from accounts.services.stripe import MappingError, stripe_customer_map, stripe_webhook_receive


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    """POST /webhooks/stripe: Stripe's signed events (README: Stripe)."""
    answer = stripe_webhook_receive(payload=request.body, signature=request.headers.get("Stripe-Signature"))
    return JsonResponse(answer.body, status=answer.status)


@admin_required
def stripe_quarantine(request: AuthenticatedRequest) -> HttpResponse:
    """The Stripe customers that map to no account, and a form per customer to map it."""
    form = StripeMappingForm(request.POST) if request.method == "POST" else None
    if form is not None and form.is_valid():
        try:
            result = stripe_customer_map(
                customer_id=form.cleaned_data["customer_id"],
                account_external_id=form.cleaned_data["account"],
                by=request.user,
            )
        except MappingError as error:
            form.add_error("account", str(error))
        else:
            messages.success(
                request,
                f"{result.customer.customer_id} is now {result.customer.account}; {result.describe()}.",
            )
            return redirect("stripe_quarantine")
    context = {
        "section": "data",
        "form": form,
        "customers": selectors.stripe_quarantine(),
        "events": selectors.stripe_events_recent(),
    }
    return render(request, "accounts/stripe_quarantine.html", context, status=400 if form else 200)
