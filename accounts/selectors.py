"""Reads of the book of business for pages and the API. Access to accounts is decided here, in one place.

A CSM sees the accounts they own today (`Account.csm`); VPs and admins see every account (DESIGN.md
"Roles and access"). Everything that lists or opens accounts starts from `accounts_for_user`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.http import Http404
from django.utils import timezone

from accounts.models import Account, Contact, ImportRun, Role, SubscriptionSpan, User

UNASSIGNED = "none"  # the CSM filter's value for accounts without a CSM


def _money() -> DecimalField:
    """The type of exact money expressions: PostgreSQL numeric, only rounded when shown."""
    return DecimalField(max_digits=24, decimal_places=10)


def accounts_for_user(user: User) -> QuerySet[Account]:
    """The accounts `user` may see: a CSM's own accounts, every account for VPs and admins."""
    if user.is_vp:
        return Account.objects.all()
    return Account.objects.filter(csm=user)


def account_get_for_user(user: User, pk: int) -> Account:
    """The account `pk` with its CSM and `current_mrr`, or Http404 when it is outside `user`'s scope.

    Another CSM's account is a 404, not a 403, so a CSM cannot tell which ids exist.
    """
    try:
        return with_current_mrr(accounts_for_user(user).select_related("csm")).get(pk=pk)
    except Account.DoesNotExist:
        raise Http404("No such account.") from None


def spans_active_on(day: date) -> Q:
    """Spans active on `day`: starts_on ≤ day < ends_on, a blank ends_on meaning still active (DATA.md)."""
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gt=day))


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
    money = _money()
    return accounts.annotate(
        current_mrr=Coalesce(Subquery(annual, output_field=money), Value(Decimal(0)), output_field=money)
        / Value(Decimal(12), output_field=money)
    )


LIST_ORDER = (Lower("name"), "pk")  # lower(name) has an index (account_lower_name); pk breaks ties


def account_list(*, user: User, q: str = "", segment: str = "", csm: str = "") -> QuerySet[Account]:
    """The account list page: `user`'s accounts matching the search and filters, ordered by name.

    `q` matches the name or the external id (case-insensitive, anywhere). `csm` is a user id or UNASSIGNED; it
    only narrows what `user` may see anyway. Without MRR, so that counting and paging stay cheap: show a page
    of it through `account_rows`.
    """
    accounts = accounts_for_user(user)
    if q:
        accounts = accounts.filter(Q(name__icontains=q) | Q(external_id__icontains=q))
    if segment:
        accounts = accounts.filter(segment=segment)
    if csm == UNASSIGNED:
        accounts = accounts.filter(csm__isnull=True)
    elif csm.isdigit():
        accounts = accounts.filter(csm_id=int(csm))
    return accounts.order_by(*LIST_ORDER)


def account_rows(page: QuerySet[Account]) -> QuerySet[Account]:
    """The accounts of one page of `account_list` (a sliced queryset), in list order, with CSM and `current_mrr`.

    One query: `WHERE id IN (the page's LIMIT/OFFSET)`, and the MRR subquery runs for those rows only.
    Annotating the whole list instead makes PostgreSQL evaluate it for every row it sorts or skips (OFFSET).
    """
    return (
        with_current_mrr(Account.objects.filter(pk__in=page.values("pk")))
        .select_related("csm")
        .order_by(*LIST_ORDER)
    )


# A "loose index scan" on the account_segment index: one index probe per distinct segment instead of reading
# every row (SELECT DISTINCT reads 100k rows for a handful of segments). PostgreSQL has no such plan built in and
# the ORM cannot say a recursive CTE, hence raw SQL.
DISTINCT_SEGMENTS_SQL = """
WITH RECURSIVE segments(segment) AS (
    (SELECT segment FROM accounts_account WHERE segment IS NOT NULL ORDER BY segment LIMIT 1)
    UNION ALL
    SELECT (SELECT a.segment FROM accounts_account a WHERE a.segment > s.segment ORDER BY a.segment LIMIT 1)
    FROM segments s WHERE s.segment IS NOT NULL
)
SELECT segment FROM segments WHERE segment IS NOT NULL AND segment <> ''
"""


def segments_for_user(user: User) -> list[str]:
    """The segments of the accounts `user` may see, in order, for the segment filter."""
    if user.is_vp:
        with connection.cursor() as cursor:
            cursor.execute(DISTINCT_SEGMENTS_SQL)
            return [segment for (segment,) in cursor.fetchall()]
    segments = accounts_for_user(user).order_by("segment").values_list("segment", flat=True).distinct()
    return [segment for segment in segments if segment]


def csms_for_filter() -> list[User]:
    """For the CSM filter: every CSM, active or not, and anyone else who owns accounts (say, a CSM made VP)."""
    owns_accounts = Exists(Account.objects.filter(csm=OuterRef("pk")))
    return list(User.objects.filter(Q(role=Role.CSM) | owns_accounts).order_by("name"))


def account_contacts(account: Account) -> QuerySet[Contact]:
    return account.contacts.order_by("name", "email")


def account_spans(account: Account, *, day: date) -> QuerySet[SubscriptionSpan]:
    """The account's subscription spans, newest first, with `mrr` (span MRR) and `active` (on `day`)."""
    money = _money()
    return account.spans.annotate(
        mrr=ExpressionWrapper(
            F("annual_amount") / Value(Decimal(12), output_field=money), output_field=money
        ),
        active=ExpressionWrapper(spans_active_on(day), output_field=BooleanField()),
    ).order_by("-starts_on", "subscription_id")


def team_members() -> QuerySet[User]:
    """Everyone on the team for the Team page: active people first, then by name."""
    return User.objects.order_by("-is_active", "name", "email")


def import_runs_recent(*, limit: int = 20) -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("user").order_by("-started_at")[:limit]
