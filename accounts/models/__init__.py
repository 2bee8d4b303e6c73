"""The models of the ground floor, one module per kind of thing (the team, the book of business, the raw facts,
imports, sources of data, the Segment endpoint); importing from `accounts.models` finds every one."""

from accounts.models.api_tokens import ApiToken
from accounts.models.audit import AuditEntry
from accounts.models.book import (
    ANNUAL_FACTOR,
    BEGINNING_OF_TIME,
    Account,
    AccountOwnership,
    Contact,
    Interval,
    SpanDates,
    SubscriptionSpan,
    day_ranges_apart,
    span_active_on,
    spans_active_on,
)
from accounts.models.facts import (
    SCALES,
    ChangedUsageDay,
    Priority,
    Spend,
    SurveyKind,
    SurveyResponse,
    Ticket,
    TicketStatus,
    UsageEvent,
)
from accounts.models.imports import ImportRun
from accounts.models.segment import SegmentMessage, SegmentState, SegmentUserAccount, SegmentWriteKey
from accounts.models.sources import SOURCE_DAY_SLOTS, DataSource, SourceDay, SourceRejection
from accounts.models.stripe import StripeCustomer, StripeEvent
from accounts.models.team import Role, TeamSettings, User, UserManager
from accounts.models.timeline import TimelineEntry

__all__ = [
    "ANNUAL_FACTOR",
    "BEGINNING_OF_TIME",
    "SCALES",
    "SOURCE_DAY_SLOTS",
    "Account",
    "AccountOwnership",
    "ApiToken",
    "AuditEntry",
    "ChangedUsageDay",
    "Contact",
    "DataSource",
    "ImportRun",
    "Interval",
    "Priority",
    "Role",
    "SegmentMessage",
    "SegmentState",
    "SegmentUserAccount",
    "SegmentWriteKey",
    "SourceDay",
    "SourceRejection",
    "SpanDates",
    "Spend",
    "StripeCustomer",
    "StripeEvent",
    "SubscriptionSpan",
    "SurveyKind",
    "SurveyResponse",
    "TeamSettings",
    "Ticket",
    "TicketStatus",
    "TimelineEntry",
    "UsageEvent",
    "User",
    "UserManager",
    "day_ranges_apart",
    "span_active_on",
    "spans_active_on",
]
