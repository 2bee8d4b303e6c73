"""The Django admin for the book of business: a power tool for admins (Keel's own pages come first)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.paginator import Paginator
from django.db import connection, models
from django.http import HttpRequest
from django.utils.functional import cached_property

from accounts.models import (
    Account,
    AccountOwnership,
    ApiToken,
    AuditEntry,
    ChangedUsageDay,
    Contact,
    ImportRun,
    SegmentMessage,
    SegmentUserAccount,
    SegmentWriteKey,
    SourceDay,
    SourceRejection,
    Spend,
    StripeCustomer,
    StripeEvent,
    SubscriptionSpan,
    SurveyResponse,
    TeamSettings,
    Ticket,
    TimelineEntry,
    User,
)


class _LowercaseEmailMixin:
    cleaned_data: dict[str, Any]

    def clean_email(self) -> str:
        # The model requires lower-case emails (logins compare case-insensitively).
        return str(self.cleaned_data["email"]).strip().lower()


class UserAddForm(_LowercaseEmailMixin, AdminUserCreationForm):
    """Email, name and role; the password is optional (without one, the person sets it by password reset)."""

    class Meta:
        model = User
        fields = ("email", "name", "role")


class UserEditForm(_LowercaseEmailMixin, UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "name", "role", "is_active")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    list_display = ("email", "name", "role", "is_active", "last_login", "date_joined")
    list_filter = ("role", "is_active")
    search_fields = ("email", "name")
    ordering = ("name", "email")
    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("name", "role", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "role", "usable_password", "password1", "password2"),
            },
        ),
    )


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    """Accounts come from imports and the API, which also record who owned them on which day
    (AccountOwnership): so no adding here, and the CSM is changed there, not in this form."""

    list_display = ("name", "external_id", "segment", "csm", "seats", "created_on")
    list_filter = ("segment",)
    list_select_related = ("csm",)
    search_fields = ("name", "external_id")
    readonly_fields = ("csm", "created_at", "updated_at")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AccountOwnership)
class AccountOwnershipAdmin(admin.ModelAdmin):
    list_display = ("account", "csm", "valid_from", "valid_to")
    list_select_related = ("account", "csm")
    search_fields = ("account__external_id", "account__name")
    raw_id_fields = ("account",)
    autocomplete_fields = ("csm",)
    show_full_result_count = False


class OfAnAccountAdmin(admin.ModelAdmin):
    """The raw facts of an account: the account by id (a select of 100k accounts would not load), no full count."""

    list_select_related: ClassVar[tuple[str, ...]] = ("account",)
    raw_id_fields: ClassVar[tuple[str, ...]] = ("account",)
    show_full_result_count = False


@admin.register(Contact)
class ContactAdmin(OfAnAccountAdmin):
    list_display = ("external_id", "name", "email", "title", "account")
    search_fields = ("external_id", "email", "name", "account__external_id")


@admin.register(SubscriptionSpan)
class SubscriptionSpanAdmin(OfAnAccountAdmin):
    list_display = (
        "subscription_id",
        "account",
        "plan",
        "interval",
        "amount",
        "currency",
        "starts_on",
        "ends_on",
        "annual_amount",
    )
    list_filter = ("interval",)
    search_fields = ("subscription_id", "account__external_id", "plan")
    readonly_fields = ("annual_amount",)


@admin.register(Ticket)
class TicketAdmin(OfAnAccountAdmin):
    list_display = ("external_id", "subject", "account", "priority", "status", "created_at", "resolved_at")
    list_filter = ("priority", "status")
    search_fields = ("external_id", "subject", "account__external_id")


@admin.register(SurveyResponse)
class SurveyResponseAdmin(OfAnAccountAdmin):
    list_display = ("external_id", "kind", "score", "responded_at", "account", "contact")
    list_filter = ("kind",)
    list_select_related = ("account", "contact")
    search_fields = ("external_id", "account__external_id", "contact__external_id")
    raw_id_fields = ("account", "contact")


@admin.register(Spend)
class SpendAdmin(admin.ModelAdmin):
    list_display = ("month", "amount")
    ordering = ("-month",)


class EstimatedCountPaginator(Paginator):
    """The admin counts every row of a change list; on tables of tens of millions of rows (usage events,
    daily snapshots) that takes seconds. Unfiltered, PostgreSQL's own estimate is good enough to page through."""

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [query.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > 100_000:  # -1 before the first ANALYZE; small tables are counted exactly
                return int(row[0])
        return super().count


# UsageEvent is not in the admin: its key is composite (account, occurred_at, user_id, event; see the model), which
# Django's admin cannot register. An account's events are read through its usage rollups on the 360 page, exported
# with `export_bundle`, and erased with the account or contact.


class RecordAdmin(admin.ModelAdmin):
    """Rows only Keel's own code writes: never added or changed here (deleting one is allowed)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyAdmin(RecordAdmin):
    """Rows only Keel's own code writes: never added, changed or deleted here."""

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ImportRun)
class ImportRunAdmin(RecordAdmin):
    """A record of what happened: read only, but for deleting it."""

    list_display = ("started_at", "name", "source", "user", "dry_run", "state", "outcome")
    list_filter = ("source", "state", "outcome", "dry_run")
    list_select_related = ("user",)
    search_fields = ("name",)


class DerivedAdmin(ReadOnlyAdmin):
    """Rows Keel derives and keeps itself (snapshots, rollups, caches, the usage journal): recomputed from raw facts
    by the pipeline (`manage.py snapshot`), so an edit here would be overwritten or, worse, make numbers disagree.
    Large tables: no full count, ids instead of selects."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False


def derived_admin(model: type[models.Model]) -> type[DerivedAdmin]:
    """A read-only DerivedAdmin for `model`, built from its fields so that it follows the table as it evolves."""
    fields = [
        f for f in model._meta.concrete_fields if not isinstance(f, models.JSONField | models.TextField)
    ]
    foreign_keys = tuple(f.name for f in fields if f.is_relation)
    attributes = {
        "list_display": tuple(f.name for f in fields if not f.primary_key or not f.auto_created)[:10],
        "list_select_related": foreign_keys,
        "raw_id_fields": foreign_keys,
    }
    return type(f"{model.__name__}Admin", (DerivedAdmin,), attributes)


admin.site.register(ChangedUsageDay, derived_admin(ChangedUsageDay))


@admin.register(SourceDay)
class SourceDayAdmin(ReadOnlyAdmin):
    """What each source delivered a day: counted by the sources themselves (the Data sources page shows it)."""

    list_display = ("day", "source", "accepted", "rejected", "last_at")
    list_filter = ("source",)


@admin.register(SourceRejection)
class SourceRejectionAdmin(RecordAdmin):
    list_display = ("received_at", "source", "reason")
    list_filter = ("source",)


@admin.register(SegmentWriteKey)
class SegmentWriteKeyAdmin(ReadOnlyAdmin):
    """Created and revoked on Keel's Segment page; the hash is never shown."""

    list_display = ("name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    exclude = ("key_hash",)


@admin.register(SegmentMessage)
class SegmentMessageAdmin(ReadOnlyAdmin):
    """Messages the Segment endpoint accepted, folded or waiting: written by the endpoint and its fold only."""

    list_display = ("received_at", "kind", "message_id", "user_id", "event", "account_ref", "state")
    list_filter = ("state", "kind")
    search_fields = ("=message_id", "=user_id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False


@admin.register(SegmentUserAccount)
class SegmentUserAccountAdmin(ReadOnlyAdmin):
    """Which account each Segment user belongs to, kept by their group calls."""

    list_display = ("user_id", "account_ref", "linked_at")
    search_fields = ("=user_id", "=account_ref")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """API tokens are made and revoked on Keel's own page (/settings/api-tokens/), where the key is shown once:
    here they are listed only, and the key's hash is never shown."""

    list_display = ("name", "prefix", "user", "created_by", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user", "created_by")
    exclude = ("key_hash",)


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    """Stripe's events as they came (the webhook stores them; the quarantine page maps their customers)."""

    list_display = ("received_at", "event_id", "type", "subscription_id", "customer_id", "state")
    list_filter = ("state", "type")
    search_fields = ("event_id", "subscription_id", "customer_id")


@admin.register(StripeCustomer)
class StripeCustomerAdmin(ReadOnlyAdmin):
    """Stripe customers and their accounts: mapped on the Stripe quarantine page (/data/stripe/)."""

    list_display = ("customer_id", "account", "hint", "first_seen_at", "mapped_at", "mapped_by")
    list_select_related = ("account", "mapped_by")
    search_fields = ("customer_id", "hint")


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    """What people logged on accounts' timelines (the 360 and the API write them; only authors change them)."""

    list_display = ("occurred_on", "kind", "account", "author", "created_at")
    list_filter = ("kind",)
    list_select_related = ("account", "author")
    raw_id_fields = ("account", "author", "contacts")
    search_fields = ("text", "account__name", "account__external_id")


@admin.register(TeamSettings)
class TeamSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "fallback_owner", "slack_webhook_url")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log (the Audit log page shows it to admins): never added, changed or deleted here."""

    list_display = ("at", "actor_label", "action", "target_type", "target_id", "target_label")
    list_filter = ("action",)
