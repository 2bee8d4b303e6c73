"""Erasure (GDPR): an erased account or contact leaves no row anywhere (every table is checked by introspection,
so a table added later cannot be forgotten), its snapshots are recomputed, and the numbers equal those of a
fresh import of the golden bundle without it; one audit entry says what was erased, without personal data."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import (
    Account,
    AuditEntry,
    Contact,
    SegmentMessage,
    SegmentUserAccount,
    StripeCustomer,
    StripeEvent,
    SurveyResponse,
    TimelineEntry,
    UsageEvent,
    User,
)
from health.models import Task
from health.services import task_create
from metrics.models import AccountDay, SnapshotJob
from metrics.services.erasure import account_erase, contact_erase
from surveys.models import Invitation, SurveyOptOut
from surveys.services import contact_unsubscribe, survey_create, survey_send
from tests.bundles import empty_database, numbers, quiet
from tests.factories import AccountFactory, ContactFactory, SubscriptionSpanFactory
from tests.metrics.test_golden import GOLDEN, run

pytestmark = pytest.mark.django_db

ERASED = "ACC-000004"
RANGE = ("--from", "2023-07-01", "--to", "2025-06-30")
HEALTH_DAYS = ("2024-06-30", "2024-12-31", "2025-04-30", "2025-06-30")


def golden_numbers() -> dict[str, Any]:
    """Every kpis and health output the golden case defines, over its whole range."""
    return numbers(months=("2023-07", "2025-06"), days=HEALTH_DAYS, backtest=("2024-07", "2025-03"))


def bundle_without(account: str, into: Path) -> Path:
    """The golden bundle with every row of `account` (and of its contacts) left out."""
    shutil.copytree(GOLDEN / "bundle", into)
    contacts = {
        row["id"] for row in csv.DictReader((into / "contacts.csv").open()) if row["account_id"] == account
    }
    for path in into.glob("*.csv"):
        with path.open(newline="") as file:
            reader = csv.DictReader(file)
            fields, rows = reader.fieldnames or [], list(reader)
        kept = [
            row
            for row in rows
            if row.get("account_id") != account
            and row.get("contact_id") not in contacts
            and row.get("id") != account
        ]
        with path.open("w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=fields)
            writer.writeheader()
            writer.writerows(kept)
    return into


def bundle_rows(file: str, account: str) -> int:
    """The rows of the golden bundle's `file` about `account` (usage: distinct event keys)."""
    rows = [
        row
        for row in csv.DictReader((GOLDEN / "bundle" / f"{file}.csv").open())
        if row["account_id"] == account
    ]
    if file == "usage":
        return len({(row["user_id"], row["event"], row["occurred_at"]) for row in rows})
    return len(rows)


def tables_with(column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND column_name = %s ORDER BY 1",
            [column],
        )
        return [row[0] for row in cursor.fetchall()]


def rows_pointing_at(column: str, ids: list[int]) -> dict[str, int]:
    found = {}
    with connection.cursor() as cursor:
        for table in tables_with(column):
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}" = ANY(%s)', [ids])
            (n,) = cursor.fetchone() or (0,)
            if n:
                found[table] = n
    return found


def rows_mentioning(text: str, *, besides: tuple[str, ...] = ()) -> dict[str, int]:
    """Rows of every table with a text or JSON column that holds `text` anywhere."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND data_type IN ('text', 'character varying', 'jsonb', 'json') ORDER BY 1, 2"
        )
        columns = cursor.fetchall()
        found = {}
        for table, column in columns:
            if table in besides:
                continue
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE strpos("{column}"::text, %s) > 0',
                [text],
            )
            (n,) = cursor.fetchone() or (0,)
            if n:
                found[f"{table}.{column}"] = n
    return found


def everything_of(account: Account, admin: User) -> None:
    """Rows of the account in the tables the bundle does not fill: a logged call with its contact, a task, a
    survey's invitation and an opt-out, a Stripe customer with an event, Segment messages and a user link."""
    contact = account.contacts.order_by("pk").first()
    assert contact is not None
    entry = TimelineEntry.objects.create(
        account=account, author=admin, kind="call", occurred_on=date(2025, 6, 1), text="Call"
    )
    entry.contacts.add(contact)
    task_create(account=account, by=admin, title="Follow up", due_on=date(2025, 7, 1))
    survey = survey_create(
        by=admin, name="Erasure NPS", kind="nps", audience="accounts", account_ids=[account.pk]
    )
    survey_send(survey=survey, by=admin)
    contact_unsubscribe(invitation=Invitation.objects.filter(contact=contact).get())
    StripeCustomer.objects.create(customer_id="cus_erased", account=account)
    StripeEvent.objects.create(
        event_id="evt_erased",
        type="customer.subscription.created",
        created=datetime(2025, 6, 1, tzinfo=UTC),
        customer_id="cus_erased",
        payload={"customer": "cus_erased", "email": contact.email},
        state="applied",
    )
    for n, kind in enumerate(("track", "group")):
        SegmentMessage.objects.create(
            message_id=f"m-{n}",
            kind=kind,
            user_id="u4-1",
            account_ref=account.external_id,
            occurred_at=datetime(2025, 6, 1, tzinfo=UTC),
            received_at=datetime(2025, 6, 1, tzinfo=UTC),
            state="applied",
            body={"groupId": account.external_id},
        )
    SegmentUserAccount.objects.create(
        user_id="u4-1", account_ref=account.external_id, linked_at=datetime(2025, 6, 1, tzinfo=UTC)
    )


def test_an_erased_account_leaves_no_row_and_the_numbers_of_a_bundle_without_it(
    tmp_path: Path, admin_user: User
) -> None:
    quiet("import_bundle", str(GOLDEN / "bundle"))
    quiet("snapshot", *RANGE)
    account = Account.objects.get(external_id=ERASED)
    everything_of(account, admin_user)
    contact_ids = list(account.contacts.values_list("pk", flat=True))
    emails = list(account.contacts.values_list("email", flat=True))
    assert (
        AccountDay.objects.filter(account=account).exists() and Task.objects.filter(account=account).exists()
    )
    assert rows_pointing_at("account_id", [account.pk])  # the check below can see rows

    quiet("erase_account", ERASED)

    assert rows_pointing_at("account_id", [account.pk]) == {}
    assert rows_pointing_at("contact_id", contact_ids) == {}
    assert rows_mentioning(ERASED, besides=("accounts_auditentry",)) == {}
    for email in emails:
        assert rows_mentioning(email) == {}, email
    assert not SurveyOptOut.objects.exists() and not StripeEvent.objects.exists()
    entry = AuditEntry.objects.get(action="account.erase")
    assert (entry.actor, entry.target_type, entry.target_id) == (None, "account", ERASED)
    deleted = entry.detail["deleted"]
    assert deleted["account"] == 1 and deleted["contact"] == len(contact_ids)
    for name, file in (("ticket", "tickets"), ("subscriptionspan", "subscriptions"), ("usageevent", "usage")):
        assert deleted[name] == bundle_rows(file, ERASED), name
    assert entry.detail["recomputed"][1] == "2025-06-30"
    after_erasure = golden_numbers()

    empty_database()
    quiet("import_bundle", str(bundle_without(ERASED, tmp_path / "bundle")))
    quiet("snapshot", *RANGE)
    fresh = golden_numbers()
    assert after_erasure == fresh
    assert not any(row["account_id"] == ERASED for row in fresh["health 2025-04-30"])


def test_an_erased_contact_takes_its_answers_usage_and_invitations_and_the_numbers_follow(
    admin_user: User,
) -> None:
    """Ann (C-1) answered 0 (a detractor, with a follow-up task) and used the product as user C-1; Bo answered
    10. After Ann is erased, June's NPS is Bo's alone (100) and the account keeps Bo and its other user."""
    account = AccountFactory.create(external_id="A-1")
    SubscriptionSpanFactory(account=account, amount=100, starts_on=date(2025, 1, 1))
    ann = ContactFactory.create(
        account=account, external_id="C-1", email="ann@a1.example", name="Ann Private"
    )
    ContactFactory(account=account, external_id="C-2", email="bo@a1.example")
    at = datetime(2025, 6, 10, 10, tzinfo=UTC)
    for n, (contact_id, score) in enumerate((("C-1", 0), ("C-2", 10))):
        SurveyResponse.objects.create(
            external_id=f"R-{n}",
            kind="nps",
            score=score,
            responded_at=at,
            account=account,
            contact=Contact.objects.get(external_id=contact_id),
            comment="Ann's own words" if score == 0 else "",
        )
    UsageEvent.objects.create(account=account, user_id="C-1", event="login", occurred_at=at)
    UsageEvent.objects.create(account=account, user_id="u-other", event="login", occurred_at=at)
    response = SurveyResponse.objects.get(external_id="R-0")
    Task.objects.create(
        account=account, kind="response", response=response, due_on=date(2025, 6, 11), reason={}
    )
    quiet("snapshot", "--from", "2025-06-01", "--to", "2025-06-30")
    assert run("kpis", "--from", "2025-06", "--to", "2025-06")[0]["nps"] == 0.0

    quiet("erase_contact", "--email", "ANN@a1.example")

    assert not Contact.objects.filter(external_id="C-1").exists()
    assert rows_pointing_at("contact_id", [ann.pk]) == {}
    assert rows_mentioning("ann@a1.example") == {} and rows_mentioning("Ann Private") == {}
    assert rows_mentioning("Ann's own words") == {}
    assert list(UsageEvent.objects.values_list("user_id", flat=True)) == ["u-other"]
    assert SurveyResponse.objects.get().external_id == "R-1" and not Task.objects.exists()
    june = run("kpis", "--from", "2025-06", "--to", "2025-06")[0]
    assert june["nps"] == 100.0
    entry = AuditEntry.objects.get(action="contact.erase")
    assert entry.target_id == "C-1" and entry.target_label == "C-1 of A-1"
    assert entry.detail["deleted"] == {"contact": 1, "surveyresponse": 1, "task": 1, "usageevent": 1}
    assert "ann@" not in json.dumps(entry.detail)


def test_only_an_admin_erases_and_twice_is_refused(csm: User, admin_user: User) -> None:
    account = AccountFactory.create()
    with pytest.raises(ValidationError, match="Only admins"):
        account_erase(account=account, by=csm)
    assert Account.objects.filter(pk=account.pk).exists() and not AuditEntry.objects.exists()
    account_erase(account=account, by=admin_user)
    with pytest.raises(ValidationError, match="erased already"):
        account_erase(account=account, by=admin_user)
    contact = ContactFactory.create()
    with pytest.raises(ValidationError, match="Only admins"):
        contact_erase(contact=contact, by=csm)


def test_the_360_erases_after_the_name_is_typed_and_queues_the_recompute(
    client: Client, admin_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    account = AccountFactory.create(external_id="ACME-1", name="Acme Inc")
    SubscriptionSpanFactory(account=account, amount=100, starts_on=date(2025, 1, 1))
    quiet("snapshot", "--from", "2025-06-01", "--to", "2025-06-02")
    client.force_login(admin_user)
    page = client.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert reverse("account_erase", args=[account.pk]) in page
    wrong = client.post(reverse("account_erase", args=[account.pk]), {"confirm": "Acme"})
    assert wrong.status_code == 400 and Account.objects.filter(pk=account.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("account_erase", args=[account.pk]), {"confirm": "acme-1"})
    assert done.status_code == 302 and not Account.objects.filter(pk=account.pk).exists()
    job = SnapshotJob.objects.get(reason="erasure")
    assert (job.start, job.end, job.state, job.requested_by) == (
        date(2025, 6, 1),
        date(2025, 6, 2),
        "done",
        admin_user,
    )
    assert AuditEntry.objects.get(action="account.erase").actor == admin_user


def test_a_contact_is_erased_from_its_page_after_its_email_is_typed(client: Client, admin_user: User) -> None:
    contact = ContactFactory.create(external_id="C-7", email="Jane@Acme.example")
    client.force_login(admin_user)
    wrong = client.post(reverse("contact_erase", args=[contact.pk]), {"confirm": "jane"})
    assert wrong.status_code == 400
    assert "Type the contact&#x27;s email or external id exactly to erase it." in wrong.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()
    done = client.post(reverse("contact_erase", args=[contact.pk]), {"confirm": " jane@acme.EXAMPLE "})
    assert done.status_code == 302 and done["Location"] == reverse(
        "account_detail", args=[contact.account_id]
    )
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert AuditEntry.objects.get(action="contact.erase").actor == admin_user


@pytest.mark.parametrize("role", ["csm", "vp"])
def test_only_admins_see_or_use_the_erase_buttons(
    client: Client, role: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(role)
    account = AccountFactory.create(csm=user if role == "csm" else None)
    contact = ContactFactory.create(account=account)
    client.force_login(user)
    page = client.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert reverse("account_erase", args=[account.pk]) not in page
    assert (
        client.post(reverse("account_erase", args=[account.pk]), {"confirm": account.name}).status_code == 403
    )
    assert (
        client.post(reverse("contact_erase", args=[contact.pk]), {"confirm": contact.email}).status_code
        == 403
    )
    assert Contact.objects.filter(pk=contact.pk).exists()
