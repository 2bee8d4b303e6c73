"""Importing is idempotent by external id; a changed row updates; a left-out optional column keeps the stored
value while a blank one clears it (DATA.md §1)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from accounts.models import Account, ImportRun, Priority, Spend, SurveyResponse, Ticket, User
from tests.accounts.test_import_helpers import ACCOUNTS, FULL, TICKETS, Importer, counts, database_state, run

FULL_COUNTS = {
    "team": (2, 0, 0),
    "accounts": (2, 0, 0),
    "contacts": (2, 0, 0),
    "subscriptions": (3, 0, 0),
    "tickets": (2, 0, 0),
    "usage": (3, 0, 0),
    "spend": (2, 0, 0),
    "responses": (3, 0, 0),
}


def test_the_same_bundle_twice_changes_nothing_the_second_time(tmp_path: Path, db: None) -> None:
    first = run(tmp_path / "one", FULL)
    assert first.ok, first.errors
    assert counts(first) == FULL_COUNTS
    assert first.report_lines()[:2] == [
        "team: 2 created, 0 updated, 0 unchanged",
        "accounts: 2 created, 0 updated, 0 unchanged",
    ]
    state = database_state()

    second = run(tmp_path / "two", FULL)

    assert second.ok, second.errors
    assert counts(second) == {name: (0, 0, created) for name, (created, _, _) in FULL_COUNTS.items()}
    assert second.report_lines()[1] == "accounts: 0 created, 0 updated, 2 unchanged"
    assert database_state() == state
    assert [run.outcome for run in ImportRun.objects.order_by("pk")] == ["imported", "imported"]
    assert second.run.summary["usage"] == {"created": 0, "updated": 0, "unchanged": 3}


def test_what_the_full_bundle_holds(tmp_path: Path, db: None) -> None:
    assert run(tmp_path, FULL).ok
    alice = User.objects.get(email="alice@keel.example")
    assert (alice.name, alice.role, alice.has_usable_password()) == ("Alice Owner", "csm", False)
    acme = Account.objects.get(external_id="ACC-1")
    assert (acme.name, acme.segment, acme.csm, acme.created_on, acme.seats) == (
        "Acme",
        "smb",
        alice,
        date(2024, 1, 15),
        10,
    )
    assert Account.objects.get(external_id="ACC-2").seats is None
    ticket = Ticket.objects.get(external_id="T-1")
    # 10:00+01:00 is 09:00 UTC: the instant is kept, whatever offset it was written with
    assert ticket.first_response_at == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    assert (ticket.priority, ticket.status, ticket.replies, ticket.subject) == (
        "high",
        "solved",
        2,
        "Login broken",
    )
    blank = Ticket.objects.get(external_id="T-2")
    assert (blank.priority, blank.status, blank.replies, blank.subject, blank.resolved_at) == (
        Priority.NORMAL,
        "open",
        None,
        "",
        None,
    )
    assert list(Spend.objects.values_list("month", "amount")) == [
        (date(2024, 1, 1), Decimal("1500.0000")),
        (date(2024, 2, 1), Decimal("1750.5000")),
    ]
    by_id = {response.external_id: response for response in SurveyResponse.objects.select_related("account")}
    assert by_id["R-1"].account.external_id == "ACC-1"  # the contact's account
    assert (by_id["R-2"].contact, by_id["R-2"].account.external_id) == (None, "ACC-2")


def test_a_changed_row_is_updated_and_only_it(import_after_full: Importer) -> None:
    changed = FULL | {
        "accounts.csv": ACCOUNTS.replace("ACC-2,Globex,enterprise", "ACC-2,Globex Corp,enterprise"),
        "tickets.csv": TICKETS.replace(
            "T-2,ACC-2,2024-03-05T12:00:00Z,,,,open", "T-2,ACC-2,2024-03-05T12:00:00Z,,,,pending"
        ),
        "spend.csv": "month,amount\n2024-01,1500.0\n2024-02,1800\n",
    }

    result = import_after_full(changed)

    assert result.ok, result.errors
    assert counts(result)["accounts"] == (0, 1, 1)
    assert counts(result)["tickets"] == (0, 1, 1)
    assert counts(result)["spend"] == (0, 1, 1)  # 1500.0 is 1500.00: unchanged
    assert Account.objects.get(external_id="ACC-2").name == "Globex Corp"
    assert Ticket.objects.get(external_id="T-2").status == "pending"
    assert Spend.objects.get(month=date(2024, 2, 1)).amount == Decimal("1800")


def test_an_optional_column_left_out_keeps_the_stored_value(import_after_full: Importer) -> None:
    result = import_after_full({"accounts.csv": "id,name\nACC-1,Acme Inc\n"})

    assert result.ok, result.errors
    acme = Account.objects.get(external_id="ACC-1")
    assert (acme.name, acme.segment, acme.csm.email, acme.created_on, acme.seats) == (  # type: ignore[union-attr]
        "Acme Inc",
        "smb",
        "alice@keel.example",
        date(2024, 1, 15),
        10,
    )


def test_a_blank_value_in_a_present_column_clears_it(import_after_full: Importer) -> None:
    result = import_after_full(
        {
            "accounts.csv": "id,name,segment,csm_email,created_on,seats\nACC-1,Acme,,,,\n",
            "tickets.csv": "id,account_id,created_at,first_response_at,resolved_at,priority,status,replies,subject\n"
            "T-1,ACC-1,2024-03-01T09:00:00Z,,,,,,\n",
        },
    )

    assert result.ok, result.errors
    acme = Account.objects.get(external_id="ACC-1")
    assert (acme.segment, acme.csm, acme.created_on, acme.seats) == (None, None, None, None)
    ticket = Ticket.objects.get(external_id="T-1")
    assert (ticket.first_response_at, ticket.resolved_at, ticket.priority, ticket.status, ticket.replies) == (
        None,
        None,
        Priority.NORMAL,
        "",
        None,
    )
    assert ticket.subject == ""


def test_a_left_out_column_keeps_a_value_the_row_is_checked_against(import_after_full: Importer) -> None:
    """resolved_at is left out, so the stored one stays: a created_at after it is bad."""
    state = database_state()

    result = import_after_full({"tickets.csv": "id,account_id,created_at\nT-1,ACC-1,2024-03-03T00:00:00Z\n"})

    assert result.errors == [
        "tickets.csv:2: created_at: 2024-03-03T00:00:00+00:00 is after the stored first_response_at "
        "2024-03-01T09:00:00+00:00",
        "tickets.csv:2: created_at: 2024-03-03T00:00:00+00:00 is after the stored resolved_at "
        "2024-03-02T09:00:00+00:00",
    ]
    assert database_state() == state


def test_emails_compare_case_insensitively(import_after_full: Importer) -> None:
    result = import_after_full(
        {
            "team.csv": "Email,Name,Role\nALICE@Keel.Example,Alice Owner,csm\n",
            "accounts.csv": "id,name,csm_email\nACC-1,Acme,Alice@KEEL.example\n",
        },
    )

    assert result.ok, result.errors
    assert counts(result) == {"team": (0, 0, 1), "accounts": (0, 0, 1)}
    assert User.objects.filter(email__iexact="alice@keel.example").count() == 1
