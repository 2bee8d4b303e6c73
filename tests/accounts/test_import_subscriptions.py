"""subscriptions.csv is authoritative per subscription_id: Keel's spans of every subscription in the file are
replaced by the file's; other subscriptions are untouched. Key: (subscription_id, starts_on) (DATA.md §1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from accounts.models import SubscriptionSpan
from tests.accounts.test_import_helpers import Importer, counts, run


def spans() -> list[tuple[str, str, date, date | None, Decimal, str]]:
    return [
        (span.subscription_id, span.account.external_id, span.starts_on, span.ends_on, span.amount, span.plan)
        for span in SubscriptionSpan.objects.select_related("account").order_by(
            "subscription_id", "starts_on"
        )
    ]


def test_the_file_replaces_the_spans_of_its_subscriptions_only(import_after_full: Importer) -> None:
    # sub_1's second span really started on 2024-07-01, and costs less: the span that started on 2024-06-01
    # must not stay behind. sub_2 is not in the file: untouched.
    result = import_after_full(
        {
            "subscriptions.csv": """\
                subscription_id,account_id,amount,interval,starts_on,ends_on,plan
                sub_1,ACC-1,2000.00,year,2024-01-15,2024-07-01,Pro
                sub_1,ACC-1,2500,year,2024-07-01,,Pro plus
                """
        },
    )

    assert result.ok, result.errors
    assert result.summary["subscriptions"].deleted == 1
    assert counts(result)["subscriptions"] == (1, 1, 0)
    assert result.report_lines() == ["subscriptions: 1 created, 1 updated, 0 unchanged, 1 deleted"]
    assert spans() == [
        ("sub_1", "ACC-1", date(2024, 1, 15), date(2024, 7, 1), Decimal("2000.0000"), "Pro"),
        ("sub_1", "ACC-1", date(2024, 7, 1), None, Decimal("2500.0000"), "Pro plus"),
        ("sub_2", "ACC-2", date(2024, 2, 1), None, Decimal("300.0000"), "Team"),
    ]
    assert result.run.summary["subscriptions"] == {"created": 1, "updated": 1, "unchanged": 0, "deleted": 1}


def test_shortening_a_span_and_adding_the_next_one_in_one_import(tmp_path: Path, db: None) -> None:
    """The old open span ends where the new one starts: no moment breaks the no-overlap constraint."""
    assert run(
        tmp_path / "one",
        {
            "accounts.csv": "id,name\nACC-1,Acme\n",
            "subscriptions.csv": "subscription_id,account_id,amount,interval,starts_on\ns,ACC-1,10,month,2024-01-01\n",
        },
    ).ok

    result = run(
        tmp_path / "two",
        {
            "subscriptions.csv": "subscription_id,account_id,amount,interval,starts_on,ends_on\n"
            "s,ACC-1,20,month,2024-03-01,\n"
            "s,ACC-1,10,month,2024-01-01,2024-03-01\n"
        },
    )

    assert result.ok, result.errors
    assert [(s, start, end, amount) for s, _, start, end, amount, _ in spans()] == [
        ("s", date(2024, 1, 1), date(2024, 3, 1), Decimal("10.0000")),
        ("s", date(2024, 3, 1), None, Decimal("20.0000")),
    ]


def test_a_left_out_ends_on_keeps_the_stored_one_of_the_same_span(import_after_full: Importer) -> None:
    result = import_after_full(
        {
            "subscriptions.csv": "subscription_id,account_id,amount,interval,starts_on\n"
            "sub_1,ACC-1,2100,year,2024-01-15\n"
            "sub_1,ACC-1,3000.00,year,2024-06-01\n"
        },
    )

    assert result.ok, result.errors
    assert counts(result)["subscriptions"] == (0, 1, 1)
    assert spans()[:2] == [
        ("sub_1", "ACC-1", date(2024, 1, 15), date(2024, 6, 1), Decimal("2100.0000"), "Pro"),
        ("sub_1", "ACC-1", date(2024, 6, 1), None, Decimal("3000.0000"), "Pro plus"),
    ]


def test_a_subscription_moves_to_another_account_as_a_whole(import_after_full: Importer) -> None:
    result = import_after_full(
        {
            "subscriptions.csv": "subscription_id,account_id,amount,interval,starts_on,plan\nsub_2,ACC-1,300,quarter,2024-02-01,Team\n"
        },
    )

    assert result.ok, result.errors
    assert spans()[2] == ("sub_2", "ACC-1", date(2024, 2, 1), None, Decimal("300.0000"), "Team")
    assert SubscriptionSpan.objects.get(subscription_id="sub_2").currency == "USD"


def test_overlap_with_a_span_the_file_replaces_is_fine(import_after_full: Importer) -> None:
    """Keel's old spans of sub_1 go, so the file's new span may cover their days."""
    result = import_after_full(
        {
            "subscriptions.csv": "subscription_id,account_id,amount,interval,starts_on\nsub_1,ACC-1,99,month,2023-12-01\n"
        },
    )

    assert result.ok, result.errors
    assert [(s, start, end) for s, _, start, end, _, _ in spans()] == [
        ("sub_1", date(2023, 12, 1), None),
        ("sub_2", date(2024, 2, 1), None),
    ]
