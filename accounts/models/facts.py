"""The raw facts about accounts (DATA.md): tickets, usage events, survey answers, spend, and the journal of
usage days that changed since the rollups last read them."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from accounts.models.book import Account, Contact


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
    account = models.ForeignKey(  # indexed by ticket_account_created, which leads with it
        Account, on_delete=models.CASCADE, related_name="tickets", db_index=False
    )
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

    The largest table (tens of millions of rows), so it has one index, its primary key, in the order that serves
    every reader and writer: account first (an account's events, erasure), then the instant (the usage rollups
    read one day of every account's events as a range of the key per account, index only), then the user and
    the event. A second index on occurred_at and an id cost the bulk import more than half its time (measured:
    2M rows inserted in key order, 26.2 s with id, key and occurred_at indexes; 9.7 s with this key alone).
    The foreign key is not enforced by the database because every writer resolves account ids itself and a
    trigger per row would halve the COPY rate.
    """

    pk = models.CompositePrimaryKey("account_id", "occurred_at", "user_id", "event")
    account = models.ForeignKey(
        Account, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    user_id = models.CharField(max_length=200)
    event = models.CharField(max_length=200)
    occurred_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="usage_count_positive"),
        ]

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
    # Indexed by response_contact_time and response_account_time, which lead with them.
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="responses", db_index=False)
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
