"""Access to accounts, decided here in one place: a CSM sees the accounts they own today (`Account.csm`); VPs and
admins see every account (DESIGN.md "Roles and access"). Everything that lists or opens accounts starts from
`accounts_for_user`; one account is opened through `account_get_for_user` (or the account page's selector, which
starts from the same queryset)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.db.models import DecimalField, Model, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.models import Account, SubscriptionSpan, User, spans_active_on

T = TypeVar("T", bound=Model)
UNASSIGNED = "none"  # the CSM filter's value for accounts without a CSM


def money_field() -> DecimalField:
    """The type of exact money expressions: PostgreSQL numeric, only rounded when shown."""
    return DecimalField(max_digits=24, decimal_places=10)


def accounts_for_user(user: User) -> QuerySet[Account]:
    """The accounts `user` may see: a CSM's own accounts, every account for VPs and admins."""
    if user.is_vp:
        return Account.objects.all()
    return Account.objects.filter(csm=user)


def visible_to(user: User, rows: QuerySet[T], *, account: str = "account") -> QuerySet[T]:
    """`rows` (records of an account, reached by the lookup `account`) limited to the accounts `user` may see.
    Unchanged for VPs and admins, who see every account: `account_id IN (every account)` is a semi-join over all
    of them (13 ms for one day's health scores at 100,000 accounts, and again in the page's count)."""
    if user.is_vp:
        return rows
    return rows.filter(**{f"{account}__in": accounts_for_user(user)})


def account_get_for_user(user: User, pk: int) -> Account:
    """The account `pk` with its CSM and `current_mrr`, or Http404 when it is outside `user`'s scope.

    Another CSM's account is a 404, not a 403, so a CSM cannot tell which ids exist.
    """
    try:
        return with_current_mrr(accounts_for_user(user).select_related("csm")).get(pk=pk)
    except Account.DoesNotExist:
        raise Http404("No such account.") from None


def with_current_mrr(accounts: QuerySet[Account], *, day: date | None = None) -> QuerySet[Account]:
    """`accounts` annotated with `current_mrr`: account MRR on `day` (default: today in KEEL_TIMEZONE).

    METRICS.md "account MRR on d" = Σ span MRR of the spans active on d = Σ annual_amount / 12, summed exactly
    and divided once; 0 for an account without active spans. One correlated subquery, which PostgreSQL
    evaluates only for the rows a page returns.
    """
    day = day or timezone.localdate()
    annual = (
        SubscriptionSpan.objects.filter(spans_active_on(day), account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(total=Sum("annual_amount"))
        .values("total")
    )
    money = money_field()
    return accounts.annotate(
        current_mrr=Coalesce(Subquery(annual, output_field=money), Value(Decimal(0)), output_field=money)
        / Value(Decimal(12), output_field=money)
    )


def account_search(user: User, query: str, *, limit: int = 20) -> list[Account]:
    """Up to `limit` accounts `user` may see whose name or external id contains `query` (case-insensitive), by
    name: the account picker of a new task."""
    query = query.strip()
    if not query:
        return []
    matches = accounts_for_user(user).filter(Q(name__icontains=query) | Q(external_id__icontains=query))
    return list(matches.select_related("csm").order_by("name", "pk")[:limit])
