"""Stripe webhooks into subscription spans (DATA.md §4): verify, store every accepted event once, apply.

`stripe_webhook_receive` is the endpoint's whole work: the signature (either secret of a rotation, 5 minutes'
tolerance), the event stored by its id (a replay answers as the first time and changes nothing), and then:

- a subscription event whose customer maps to an account (a remembered mapping, `metadata.keel_account_id`,
  or an account whose external id is the customer id) applies: its subscription's spans become what the event
  says from the event's day on (`_spans_write`), unless a newer event of that subscription was applied already
  (then it is superseded: the newer state wins, compared by `created`, ties by event id);
- a customer that maps to no account is quarantined with its events, never dropped, until an admin maps it
  (`stripe_customer_map`); then its events apply in order (created, event id);
- anything else is stored as ignored, with the reason.

Every request is counted for the Data sources page (`source_accepted` / `source_rejected`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, DataSource, StripeCustomer, StripeEvent, SubscriptionSpan, User
from accounts.services.audit import audit_record
from accounts.services.sources import source_accepted, source_rejected
from accounts.services.stripe_terms import (
    Piece,
    Terms,
    TermsError,
    account_hint,
    customer_of,
    local_day,
    subscription_pieces,
)

TOLERANCE_SECONDS = 300
SUBSCRIPTION_EVENTS = frozenset(
    {"customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted"}
)
State = StripeEvent.State


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: dict[str, Any]


def _refuse(status: int, reason: str, detail: dict[str, Any]) -> WebhookAnswer:
    source_rejected(DataSource.STRIPE, reason, detail={"path": "/webhooks/stripe", **detail})
    return WebhookAnswer(status, {"error": reason, **detail})


def _secrets() -> list[str]:
    return [s for s in (settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_WEBHOOK_SECRET_PREVIOUS) if s]


def _signature_problem(payload: str, header: str | None) -> str | None:
    """None when the header signs the payload with one of the secrets, recently; else why not."""
    if not header:
        return "missing Stripe-Signature header"
    problems = []
    for secret in _secrets():
        try:
            stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError as error:
            problems.append(str(error.user_message or error))
        else:
            return None
    if any("tolerance" in problem for problem in problems):
        return "stale timestamp: the signature is older than 5 minutes"
    return "bad signature: Stripe-Signature does not sign this body with STRIPE_WEBHOOK_SECRET"


def _malformed(event: Any) -> str | None:
    if not isinstance(event, dict):
        return "the body is not a JSON object"
    for name, kind in (("id", str), ("type", str), ("created", int)):
        if not isinstance(event.get(name), kind) or event.get(name) == "":
            return f"{name}: missing or not a {kind.__name__}"
    if not isinstance((event.get("data") or {}).get("object"), dict):
        return "data.object: missing or not an object"
    return None


def stripe_webhook_receive(*, payload: bytes, signature: str | None) -> WebhookAnswer:
    """One POST /webhooks/stripe: what to answer. Nothing of a refused request is stored but its reason."""
    if not _secrets():
        return _refuse(
            503, "Stripe webhooks are not configured: set STRIPE_WEBHOOK_SECRET (README: Stripe)", {}
        )
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return _refuse(400, "the body is not UTF-8", {})
    problem = _signature_problem(text, signature)
    if problem:
        stamp = next((part[2:] for part in (signature or "").split(",") if part.startswith("t=")), "")
        return _refuse(400, problem, {"timestamp": stamp[:20]})
    try:
        event = json.loads(text)
    except ValueError as error:
        return _refuse(400, f"the body is not JSON ({error})", {})
    problem = _malformed(event)
    if problem:
        return _refuse(400, f"not a Stripe event: {problem}", {})
    with transaction.atomic():
        stored, new = _event_store(event)
        if new:
            _event_process(stored)
            stored.refresh_from_db(fields=["state", "reason"])
        # Counted once, when it comes: a replay counts as accepted (it came), an event Keel cannot price as
        # rejected (it is kept all the same, with the reason).
        if new and stored.state == State.IGNORED and stored.type in SUBSCRIPTION_EVENTS:
            source_rejected(
                DataSource.STRIPE,
                stored.reason,
                detail={
                    "event": stored.event_id,
                    "type": stored.type,
                    "subscription": stored.subscription_id,
                },
            )
        else:
            source_accepted(DataSource.STRIPE, 1)
    return WebhookAnswer(
        200, {"received": True, "event": stored.event_id, "duplicate": not new, "state": stored.state}
    )


def _event_store(event: dict[str, Any]) -> tuple[StripeEvent, bool]:
    obj = event["data"]["object"]
    subscription = event["type"] in SUBSCRIPTION_EVENTS
    return StripeEvent.objects.get_or_create(
        event_id=event["id"][:255],
        defaults={
            "type": event["type"][:100],
            "created": datetime.fromtimestamp(event["created"], tz=UTC),
            "subscription_id": str(obj.get("id") or "")[:255] if subscription else "",
            "customer_id": customer_of(obj)[:255] if subscription else "",
            "payload": event,
            "state": State.QUARANTINED if subscription else State.IGNORED,
            "reason": "" if subscription else "not a subscription event",
        },
    )


def _event_process(event: StripeEvent) -> None:
    if event.state == State.IGNORED:
        return
    if not event.subscription_id or not event.customer_id:
        _ignore(event, "data.object: a subscription without an id or a customer")
        return
    customer = _customer_locked(event.customer_id, hint=account_hint(event.payload["data"]["object"]))
    if customer.account_id is None:
        why = f"customer {customer.customer_id} maps to no account"
        if customer.hint:
            why += f" (metadata.keel_account_id {customer.hint} is no account's external id)"
        StripeEvent.objects.filter(pk=event.pk).update(reason=why)
        return
    _waiting_apply(customer)


def _customer_locked(customer_id: str, *, hint: str) -> StripeCustomer:
    """The customer's row, locked for the transaction (its events apply one at a time), mapped if it can be."""
    StripeCustomer.objects.get_or_create(customer_id=customer_id)
    customer = StripeCustomer.objects.select_for_update().get(customer_id=customer_id)
    if customer.account_id is None:
        # metadata.keel_account_id first: it names the account; else the account whose external id it is.
        found = Account.objects.filter(external_id=hint).first() if hint else None
        found = found or Account.objects.filter(external_id=customer_id).first()
        if found is not None:
            customer.account = found
            customer.mapped_at = timezone.now()
        if hint:
            customer.hint = hint[:255]
        customer.save()
    return customer


def _waiting_apply(customer: StripeCustomer) -> dict[str, int]:
    """Apply the customer's waiting events in order (created, event id); how many ended in each state."""
    waiting = list(
        StripeEvent.objects.filter(customer_id=customer.customer_id, state=State.QUARANTINED).order_by(
            "created", "event_id"
        )
    )
    states: dict[str, int] = {}
    for event in waiting:
        state = _event_apply(event, account_id=customer.account_id)
        states[state] = states.get(state, 0) + 1
    return states


def _ignore(event: StripeEvent, reason: str) -> str:
    StripeEvent.objects.filter(pk=event.pk).update(state=State.IGNORED, reason=reason)
    return State.IGNORED


def _event_apply(event: StripeEvent, *, account_id: int | None) -> str:
    """Apply a waiting event unless a newer one of its subscription was applied; the state it ends in."""
    newest = (
        StripeEvent.objects.filter(subscription_id=event.subscription_id, state=State.APPLIED)
        .order_by("-created", "-event_id")
        .first()
    )
    if newest is not None and (newest.created, newest.event_id) > (event.created, event.event_id):
        StripeEvent.objects.filter(pk=event.pk).update(
            state=State.SUPERSEDED,
            reason=f"{newest.event_id} (created {newest.created:%Y-%m-%d %H:%M:%S}) is newer",
        )
        return State.SUPERSEDED
    subscription = event.payload["data"]["object"]
    try:
        pieces = subscription_pieces(subscription, deleted=event.type == "customer.subscription.deleted")
    except TermsError as error:
        return _ignore(event, f"subscription {event.subscription_id}: {error}")
    assert account_id is not None
    _spans_write(
        event.subscription_id,
        account_id=account_id,
        pieces=pieces,
        changed_on=local_day(event.created.timestamp()),
    )
    StripeEvent.objects.filter(pk=event.pk).update(state=State.APPLIED, reason="", applied_at=timezone.now())
    return State.APPLIED


def _terms(span: SubscriptionSpan) -> Terms:
    return Terms(plan=span.plan, interval=span.interval, amount=span.amount, currency=span.currency)


def _clip(piece: Piece, *, start: date | None = None, end: date | None = None) -> Piece | None:
    starts_on = max(piece.starts_on, start) if start else piece.starts_on
    ends_on = piece.ends_on if end is None else min(piece.ends_on or end, end)
    if ends_on is not None and ends_on <= starts_on:
        return None
    return Piece(starts_on, ends_on, piece.terms)


def spans_after_change(existing: list[Piece], pieces: list[Piece], *, changed_on: date | None) -> list[Piece]:
    """A subscription's spans once a newer state applies on `changed_on` (None: the first Keel hears of it).

    DATA.md's upgrade rule: what the spans said before the change day stays (ended on that day), the new
    state's pieces hold from that day on, and a span whose price did not change simply goes on. The state's
    end (ended_at, a cancellation) ends everything. Spans never overlap: each piece starts where one ends."""
    if not pieces:
        return []  # it ended before it began: no spans
    merged: list[Piece] = []
    end = pieces[-1].ends_on
    before = [p for p in existing if changed_on is not None and p.starts_on < changed_on]
    after = [p for p in pieces if changed_on is None or p.ends_on is None or p.ends_on > changed_on]
    candidates = [_clip(p, end=changed_on) for p in before] + [_clip(p, start=changed_on) for p in after]
    for piece in candidates:
        piece = _clip(piece, end=end) if piece else None
        if piece is None:
            continue
        last = merged[-1] if merged else None
        if last is not None and last.terms == piece.terms and last.ends_on == piece.starts_on:
            merged[-1] = Piece(last.starts_on, piece.ends_on, piece.terms)
        else:
            merged.append(piece)
    return merged


def _spans_write(subscription_id: str, *, account_id: int, pieces: list[Piece], changed_on: date) -> None:
    """Make the subscription's spans what `spans_after_change` says: deletes, then updates, then inserts (the
    importer's order: no step overlaps a span that stays, since keys keep their start)."""
    rows = list(SubscriptionSpan.objects.select_for_update().filter(subscription_id=subscription_id))
    existing = sorted((Piece(r.starts_on, r.ends_on, _terms(r)) for r in rows), key=lambda p: p.starts_on)
    wanted = {
        p.starts_on: p for p in spans_after_change(existing, pieces, changed_on=changed_on if rows else None)
    }
    by_start = {row.starts_on: row for row in rows}
    SubscriptionSpan.objects.filter(pk__in=[row.pk for row in rows if row.starts_on not in wanted]).delete()
    for start, piece in wanted.items():
        row = by_start.get(start)
        if row is None:
            continue
        if (row.ends_on, _terms(row), row.account_id) != (piece.ends_on, piece.terms, account_id):
            SubscriptionSpan.objects.filter(pk=row.pk).update(
                ends_on=piece.ends_on,
                account_id=account_id,
                plan=piece.terms.plan,
                interval=piece.terms.interval,
                amount=piece.terms.amount,
                currency=piece.terms.currency,
            )
    SubscriptionSpan.objects.bulk_create(
        SubscriptionSpan(
            subscription_id=subscription_id,
            account_id=account_id,
            starts_on=piece.starts_on,
            ends_on=piece.ends_on,
            plan=piece.terms.plan,
            interval=piece.terms.interval,
            amount=piece.terms.amount,
            currency=piece.terms.currency,
        )
        for start, piece in wanted.items()
        if start not in by_start
    )


class MappingError(ValueError):
    pass


@dataclass(frozen=True)
class MappingResult:
    customer: StripeCustomer
    states: dict[str, int]  # how many of its waiting events ended applied, superseded, ignored

    def describe(self) -> str:
        total = sum(self.states.values())
        parts = ", ".join(f"{n} {state}" for state, n in sorted(self.states.items()))
        return f"{total} waiting event{'s' if total != 1 else ''}" + (f" ({parts})" if parts else "")


def stripe_customer_map(*, customer_id: str, account_external_id: str, by: User | None) -> MappingResult:
    """Map a quarantined Stripe customer to the account with that external id and apply its waiting events in
    order; the mapping is remembered for its later events."""
    account = Account.objects.filter(external_id=account_external_id.strip()).first()
    if account is None:
        raise MappingError(f"No account has the external id {account_external_id.strip()!r}.")
    with transaction.atomic():
        customer = StripeCustomer.objects.select_for_update().filter(customer_id=customer_id).first()
        if customer is None:
            raise MappingError(f"Keel has no Stripe customer {customer_id!r}.")
        customer.account = account
        customer.mapped_at = timezone.now()
        customer.mapped_by = by
        customer.save(update_fields=["account", "mapped_at", "mapped_by"])
        states = _waiting_apply(customer)
        audit_record(
            actor=by,
            action="stripe.map",
            target_type="stripecustomer",
            target_id=customer.customer_id,
            target_label=customer.customer_id,
            detail={"account": account.external_id, "events": states},
        )
    return MappingResult(customer=customer, states=states)
