"""The book of business: the team, customer accounts and the raw facts about them (DATA.md).

External ids are the keys every source uses; Keel's own primary keys never leave the database.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Protocol

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.functions import Lower, Upper

# The first day of every account's first ownership row: "since always".
BEGINNING_OF_TIME = date(1, 1, 1)


def day_ranges_apart(
    *, key: str, starts: str, ends: str, ordered_name: str, apart_name: str
) -> list[models.BaseConstraint]:
    """The constraints of rows that hold days [starts, ends) (a null end: still open): each row's range is not
    empty, and the ranges of rows with the same `key` never overlap."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{ends}__isnull": True}) | Q(**{f"{ends}__gt": F(starts)}), name=ordered_name
        ),
        ExclusionConstraint(
            name=apart_name,
            expressions=[
                (key, RangeOperators.EQUAL),
                (Func(F(starts), F(ends), Value("[)"), function="daterange"), RangeOperators.OVERLAPS),
            ],
        ),
    ]


class Role(models.TextChoices):
    CSM = "csm", "CSM"
    VP = "vp", "VP"
    ADMIN = "admin", "Admin"


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=(username or "").strip().lower())

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(email=email.strip().lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields["role"] = Role.ADMIN
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser):
    """A person on the customer success team. Logs in with their email; `role` decides what they see."""

    email = models.EmailField(
        unique=True, help_text="Stored in lower case; logins compare case-insensitively."
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CSM)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="user_email_lowercase"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_vp(self) -> bool:
        """VPs and admins see the whole base (admin implies vp)."""
        return self.role in (Role.VP, Role.ADMIN)

    @property
    def is_csm(self) -> bool:
        return self.role == Role.CSM

    # The Django admin asks these; in Keel only admins use it.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.is_admin

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list: Any, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff


class Account(models.Model):
    """A customer. `csm` is today's owner; `AccountOwnership` keeps who owned it on every day."""

    external_id = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=300)
    segment = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 - null is "no segment", a group of its own
    csm = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts", verbose_name="CSM"
    )
    created_on = models.DateField(null=True, blank=True)
    seats = models.PositiveIntegerField(null=True, blank=True, help_text="Licensed users")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        # The account list filters by CSM or segment and sorts by lower(name); its search is `icontains` on the
        # name and the external id, which Django writes as UPPER(…) LIKE UPPER(…): trigram indexes on UPPER().
        indexes = [
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

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="ownerships")
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
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
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
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="spans")
    plan = models.CharField(max_length=300, blank=True)
    interval = models.CharField(max_length=10, choices=Interval.choices)
    amount = models.DecimalField(max_digits=18, decimal_places=4)
    currency = models.CharField(max_length=3)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
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
            *day_ranges_apart(
                key="subscription_id",
                starts="starts_on",
                ends="ends_on",
                ordered_name="span_ends_after_start",
                apart_name="span_no_overlap",
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


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    HOLD = "hold", "On hold"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


class Ticket(models.Model):
    external_id = models.CharField(max_length=200, unique=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tickets")
    subject = models.CharField(max_length=500, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=10, choices=TicketStatus.choices, blank=True)
    created_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    replies = models.PositiveIntegerField(null=True, blank=True, help_text="Agent replies before resolution")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="ticket_priority_valid"),
            models.CheckConstraint(
                condition=Q(first_response_at__isnull=True) | Q(first_response_at__gte=F("created_at")),
                name="ticket_first_response_after_created",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("created_at")),
                name="ticket_resolved_after_created",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "created_at"], name="ticket_account_created"),
            models.Index(fields=["created_at"], name="ticket_created"),
            models.Index(fields=["resolved_at"], name="ticket_resolved"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.subject}"


class UsageEvent(models.Model):
    """A product usage event. No id of its own: (account, user_id, event, occurred_at) is the key (DATA.md).

    The largest table (tens of millions of rows). The foreign key is not enforced by the database because
    every writer resolves account ids itself and a trigger per row would halve the COPY rate. It has no index of
    its own either: the unique key starts with the account, and a redundant index costs every insert.
    """

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(
        Account, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    user_id = models.CharField(max_length=200)
    event = models.CharField(max_length=200)
    occurred_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user_id", "event", "occurred_at"], name="usage_event_key"
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="usage_count_positive"),
        ]
        indexes = [models.Index(fields=["occurred_at"], name="usage_occurred")]

    def __str__(self) -> str:
        return f"{self.event} by {self.user_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class SurveyKind(models.TextChoices):
    NPS = "nps", "NPS"
    CSAT = "csat", "CSAT"
    CES = "ces", "CES"


# Inclusive score range per kind (METRICS.md "Customer voice").
SCALES = {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5), SurveyKind.CES: (1, 7)}


class SurveyResponse(models.Model):
    """One survey answer, imported (responses.csv, the API) or given on Keel's own survey page: a raw fact about
    the account like its tickets. `account` is the contact's account when there is a contact (the importer keeps
    it in step when a contact moves)."""

    external_id = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=4, choices=SurveyKind.choices)
    score = models.SmallIntegerField()
    responded_at = models.DateTimeField()
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="responses")
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-responded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SurveyKind.values)
                & (
                    Q(kind=SurveyKind.NPS, score__gte=0, score__lte=10)
                    | Q(kind=SurveyKind.CSAT, score__gte=1, score__lte=5)
                    | Q(kind=SurveyKind.CES, score__gte=1, score__lte=7)
                ),
                name="response_score_in_scale",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "responded_at"], name="response_kind_time"),
            models.Index(fields=["account", "responded_at"], name="response_account_time"),
            models.Index(fields=["contact", "responded_at"], name="response_contact_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.score} ({self.external_id})"


class Spend(models.Model):
    """Sales and marketing spend of a month (spend.csv), for CAC. `month` is the month's first day."""

    month = models.DateField(unique=True)
    amount = models.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="spend_month_first_day"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spend_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.amount}"


class ChangedUsageDay(models.Model):
    """A local day (KEEL_TIMEZONE) whose usage events changed: the journal of UsageEvent's writers.

    Every writer of UsageEvent records the days it touched, in its own transaction (`usage_days_changed`), so
    nothing that is written goes unnoticed; the snapshot pipeline rebuilds what it derives from those days and
    clears them. The app that owns the facts keeps the journal, so no writer calls the apps that read it.
    """

    day = models.DateField(primary_key=True)
    marked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"usage changed on {self.day}"


class ImportRun(models.Model):
    """One attempt to import a CSV bundle, from the command line or an upload, with the report it printed.

    An upload is queued first and imported by a Celery task (accounts.tasks); a command imports at once.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"

    class Source(models.TextChoices):
        COMMAND = "command", "Command line"
        UPLOAD = "upload", "Upload"
        DEMO = "demo", "Demo data"

    class Outcome(models.TextChoices):
        IMPORTED = "imported", "Imported"
        CHECKED = "checked", "Checked (dry run)"
        REJECTED = "rejected", "Rejected"

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    name = models.CharField(max_length=500, help_text="File or folder name")
    dry_run = models.BooleanField(default=False)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    summary = models.JSONField(default=dict, help_text="Per file: created, updated, unchanged counts")
    errors = models.JSONField(default=list, help_text="`file:line: column: reason` lines")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.outcome or self.state})"
