"""The book of business: customer accounts, who owns them when, their contacts and subscription spans.

External ids are the keys every source uses; Keel's own primary keys never leave the database."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.functions import Lower, Upper

from accounts.models.team import User

# The first day of every account's first ownership row: "since always".
BEGINNING_OF_TIME = date(1, 1, 1)


def day_ranges_apart(
    *, key: str, starts: str, ends: str, ordered_name: str, apart_name: str, text_key: bool = False
) -> list[models.BaseConstraint]:
    """The constraints of rows that hold days [starts, ends) (a null end: still open): each row's range is not
    empty, and the ranges of rows with the same `key` never overlap.

    A `text_key` is led by its hash (hashtext) in the exclusion's GiST index: equal keys have equal hashes, so the
    constraint is the same, but btree_gist's text keys make a tree whose every insert searches many pages (an
    import of 44,000 subscription spans took 2.2 s to insert them; led by the hash, 1.0 s)."""
    lead = [(Func(F(key), function="hashtext", output_field=models.IntegerField()), RangeOperators.EQUAL)]
    return [
        models.CheckConstraint(
            condition=Q(**{f"{ends}__isnull": True}) | Q(**{f"{ends}__gt": F(starts)}), name=ordered_name
        ),
        ExclusionConstraint(
            name=apart_name,
            expressions=[
                *(lead if text_key else []),
                (key, RangeOperators.EQUAL),
                (Func(F(starts), F(ends), Value("[)"), function="daterange"), RangeOperators.OVERLAPS),
            ],
        ),
    ]


class Account(models.Model):
    """A customer. `csm` is today's owner; `AccountOwnership` keeps who owned it on every day."""

    external_id = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=300)
    segment = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 - null is "no segment", a group of its own
    # Indexed by account_csm_lower_name, which leads with it (so for every foreign key below: one index less to
    # write on every import, README "Benchmarks").
    csm = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
        verbose_name="CSM",
        db_index=False,
    )
    created_on = models.DateField(null=True, blank=True)
    seats = models.PositiveIntegerField(null=True, blank=True, help_text="Licensed users")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        # The account list filters by CSM or segment and sorts by lower(name); its search is `icontains` on the
        # name and the external id, which Django writes as UPPER(…) LIKE UPPER(…): trigram indexes on UPPER().
        # The API lists accounts by (name, id): a page deep in 100k accounts is an index range, not a sort of all
        # of them (page 750: 82 ms sorted, 4 ms by the index).
        indexes = [
            models.Index(fields=["name", "id"], name="account_name_id"),
            models.Index(F("csm"), Lower("name"), name="account_csm_lower_name"),
            models.Index(F("segment"), Lower("name"), name="account_segment_lower_name"),
            models.Index(Lower("name"), name="account_lower_name"),
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="account_name_trgm"),
            GinIndex(OpClass(Upper("external_id"), name="gin_trgm_ops"), name="account_external_id_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"


class AccountOwnership(models.Model):
    """Who owned an account from `valid_from` (inclusive) to `valid_to` (exclusive, null = still).

    Days are local dates in KEEL_TIMEZONE. An account's first import owns it since BEGINNING_OF_TIME; a later
    change of CSM takes effect on the day of the change (DATA.md), so per-CSM history never moves.
    """

    account = models.ForeignKey(  # indexed by ownership_account_from_unique
        Account, on_delete=models.CASCADE, related_name="ownerships", db_index=False
    )
    csm = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["account", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["account", "valid_from"], name="ownership_account_from_unique"),
            models.UniqueConstraint(
                fields=["account"], condition=Q(valid_to__isnull=True), name="ownership_one_current"
            ),
            *day_ranges_apart(
                key="account",
                starts="valid_from",
                ends="valid_to",
                ordered_name="ownership_range_valid",
                apart_name="ownership_no_overlap",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.csm_id} from {self.valid_from}"


class Contact(models.Model):
    external_id = models.CharField(max_length=200, unique=True)
    account = models.ForeignKey(  # indexed by contact_account
        Account, on_delete=models.CASCADE, related_name="contacts", db_index=False
    )
    email = models.CharField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name", "email"]
        indexes = [
            models.Index(fields=["account"], name="contact_account"),
            models.Index(Lower("email"), name="contact_lower_email"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.email} ({self.external_id})"


class Interval(models.TextChoices):
    MONTH = "month", "Monthly"
    QUARTER = "quarter", "Quarterly"
    YEAR = "year", "Yearly"


# Billed amount × this = the span's annual amount, exactly (12 / months per interval is a whole number).
ANNUAL_FACTOR = {Interval.MONTH: 12, Interval.QUARTER: 4, Interval.YEAR: 1}


class SubscriptionSpan(models.Model):
    """One span of a subscription at a constant price, active on d when starts_on ≤ d < ends_on.

    `annual_amount` is amount × periods per year, exact; span MRR (METRICS.md) is annual_amount / 12, and is
    only divided at output so that sums stay exact.
    """

    subscription_id = models.CharField(max_length=200)
    account = models.ForeignKey(  # indexed by span_account_start
        Account, on_delete=models.CASCADE, related_name="spans", db_index=False
    )
    plan = models.CharField(max_length=300, blank=True)
    interval = models.CharField(max_length=10, choices=Interval.choices)
    amount = models.DecimalField(max_digits=18, decimal_places=4)
    currency = models.CharField(max_length=3)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    # The contract's terms when they are not the billing interval's (DATA.md subscriptions.csv; METRICS.md
    # `renewals_due`): the first term end, and the term's length. Blank: terms are the interval's, from starts_on.
    renews_on = models.DateField(null=True, blank=True, help_text="The first term end (contract date)")
    term = models.CharField(
        max_length=10,
        blank=True,
        db_default="",
        choices=Interval.choices,
        help_text="The contract term's length; blank: the billing interval (year and quarter renew)",
    )
    annual_amount = models.GeneratedField(
        expression=F("amount")
        * Case(
            *(When(interval=interval, then=Value(factor)) for interval, factor in ANNUAL_FACTOR.items()),
            output_field=models.IntegerField(),
        ),
        output_field=models.DecimalField(max_digits=20, decimal_places=4),
        db_persist=True,
    )

    class Meta:
        ordering = ["subscription_id", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription_id", "starts_on"], name="span_subscription_start_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="span_amount_not_negative"),
            models.CheckConstraint(condition=Q(interval__in=Interval.values), name="span_interval_valid"),
            models.CheckConstraint(condition=Q(term__in=["", *Interval.values]), name="span_term_valid"),
            models.CheckConstraint(
                condition=Q(renews_on__isnull=True) | Q(renews_on__gt=F("starts_on")),
                name="span_renews_after_start",
            ),
            *day_ranges_apart(
                key="subscription_id",
                starts="starts_on",
                ends="ends_on",
                ordered_name="span_ends_after_start",
                apart_name="span_no_overlap",
                text_key=True,
            ),
        ]
        indexes = [
            models.Index(fields=["account", "starts_on"], name="span_account_start"),
            models.Index(fields=["starts_on", "ends_on"], name="span_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} from {self.starts_on}"


class SpanDates(Protocol):
    """Anything with a span's dates: a SubscriptionSpan, a row read for a page, a test's stand-in."""

    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date | None: ...


def span_active_on(span: SpanDates, day: date) -> bool:
    """DATA.md: a span is active on d when starts_on ≤ d < ends_on (a blank ends_on: still active). The one
    rule; `spans_active_on` says it to the ORM, and the pipeline's SQL in the same words."""
    return span.starts_on <= day and (span.ends_on is None or day < span.ends_on)


def spans_active_on(day: date) -> Q:
    """`span_active_on` as a filter of SubscriptionSpan."""
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gt=day))
