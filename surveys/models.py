"""Surveys Keel sends (DATA.md §5): a survey, its invitations (one per contact and round), and the people who asked
not to be surveyed again. An answer is a raw fact like an imported one: accounts.SurveyResponse, linked from its
invitation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Account, Contact, SurveyKind, SurveyResponse

# The question each kind asks unless the admin words it otherwise (METRICS.md "Customer voice" scales).
DEFAULT_QUESTIONS = {
    SurveyKind.NPS: "How likely are you to recommend us to a friend or colleague?",
    SurveyKind.CSAT: "How satisfied are you with our product and service?",
    SurveyKind.CES: "The company made it easy for me to get what I needed.",
}
# What the ends of each scale mean, for the email and the page.
SCALE_LABELS = {
    SurveyKind.NPS: ("Not at all likely", "Extremely likely"),
    SurveyKind.CSAT: ("Very dissatisfied", "Very satisfied"),
    SurveyKind.CES: ("Strongly disagree", "Strongly agree"),
}


class Survey(models.Model):
    """An NPS, CSAT or CES survey: who is asked, how often, when it is reminded and closed."""

    class Audience(models.TextChoices):
        PAYING = "paying", "All contacts of paying accounts"
        SEGMENT = "segment", "Contacts of paying accounts in one segment"
        ACCOUNTS = "accounts", "Contacts of accounts picked by hand"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=4, choices=SurveyKind.choices)
    question = models.TextField()
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PAYING)
    segment = models.CharField(max_length=100, blank=True)
    accounts = models.ManyToManyField(Account, blank=True, related_name="+")
    every_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Recurring: a new round every this many days; blank: once"
    )
    reminder_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="One reminder this many days after the invitation; blank: none"
    )
    closes_on = models.DateField(
        null=True, blank=True, help_text="Answers are taken until this day, included"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    # Kept by sending (surveys.services): a round can have no invitation at all (every contact in cooldown), so
    # neither when the first round started nor which round is the last can be read off the invitations.
    round = models.PositiveIntegerField(default=0, help_text="The last round started; 0: none yet")
    started_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When round 1 started; round n starts every_days × (n − 1) days later",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SurveyKind.values), name="survey_kind_valid"),
            models.CheckConstraint(
                condition=~Q(audience="segment") | ~Q(segment=""), name="survey_segment_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class Invitation(models.Model):
    """One contact asked in one round of a survey, by an email with a link that carries `token`.

    Sending claims an invitation (pending → sending) with a conditional UPDATE, so two workers or a retry never
    send it twice; a temporary failure goes back to `failed` with the time of the next attempt, a refused
    recipient is `bounced`; neither is ever dropped. The reminder is claimed the same way, once.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will be retried"
        BOUNCED = "bounced", "Refused by the recipient's server"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="invitations")
    round = models.PositiveIntegerField(default=1)
    token = models.CharField(max_length=64, unique=True)
    email = models.CharField(max_length=254, help_text="Where it was sent (the contact's email then)")
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    reminder_claimed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    response = models.OneToOneField(
        SurveyResponse, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "contact", "round"], name="invitation_once_per_round"),
        ]
        indexes = [
            models.Index(fields=["contact", "created_at"], name="invitation_contact_time"),
            models.Index(
                fields=["state", "next_attempt_at"],
                condition=Q(state__in=["pending", "sending", "failed"]),
                name="invitation_to_send",
            ),
            models.Index(fields=["survey", "state"], name="invitation_survey_state"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} → {self.email} (round {self.round}, {self.state})"


class SurveyOptOut(models.Model):
    """Someone who followed an invitation's unsubscribe link: no later survey asks them (by email, so another
    contact record with the same address is spared too)."""

    email = models.CharField(max_length=254, unique=True, help_text="Lower case")
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.email
