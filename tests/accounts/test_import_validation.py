"""Every rule of DATA.md §1 "a row is bad when…": a bundle breaking it is rejected with the exact
`file:line: column: reason` line, and nothing in the database changes (a valid bundle is imported first, and
each bad bundle also renames an account, which would show if anything were applied)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from accounts.importers import bundle_import
from accounts.models import ImportRun
from tests.accounts.test_import_helpers import ACCOUNTS, FULL, database_state, run

RENAMED = ACCOUNTS.replace("ACC-1,Acme,", "ACC-1,Acme Renamed,")

CASES: dict[str, tuple[dict[str, str], list[str]]] = {
    "datetime without offset": (
        {"tickets.csv": "id,account_id,created_at\nT-1,ACC-1,2024-03-01T09:00:00\n"},
        [
            "tickets.csv:2: created_at: '2024-03-01T09:00:00' has no UTC offset "
            "(write Z or an offset such as +01:00)"
        ],
    ),
    "datetime that does not parse": (
        {"usage.csv": "account_id,user_id,event,occurred_at\nACC-1,u1,login,yesterday\n"},
        ["usage.csv:2: occurred_at: 'yesterday' is not an ISO 8601 datetime"],
    ),
    "date that does not exist": (
        {"accounts.csv": "id,name,created_on\nACC-1,Acme,2023-02-29\n"},
        ["accounts.csv:2: created_on: '2023-02-29' is not a day that exists"],
    ),
    "date in another format": (
        {"accounts.csv": "id,name,created_on\nACC-1,Acme,03/04/2024\n"},
        ["accounts.csv:2: created_on: '03/04/2024' is not a date (YYYY-MM-DD)"],
    ),
    "month that does not exist": (
        {"spend.csv": "month,amount\n2024-13,10\n"},
        ["spend.csv:2: month: '2024-13' is not a month that exists"],
    ),
    "number that does not parse": (
        {
            "subscriptions.csv": "subscription_id,account_id,amount,interval,starts_on\ns,ACC-1,12.5.0,month,2024-01-01\n"
        },
        ["subscriptions.csv:2: amount: '12.5.0' is not a decimal number"],
    ),
    "money with more than 4 decimals": (
        {"spend.csv": "month,amount\n2024-01,10.00001\n"},
        ["spend.csv:2: amount: 10.00001 has more than 4 decimals"],
    ),
    "required value blank": (
        {"accounts.csv": "id,name,segment\nACC-1,  ,smb\n"},
        ["accounts.csv:2: name: a value is required"],
    ),
    "id repeated": (
        {"accounts.csv": RENAMED + "ACC-1,Acme again,smb,,,\n"},
        ["accounts.csv:4: id: 'ACC-1' repeats line 2"],
    ),
    "email repeated in another case": (
        {"team.csv": "email,name,role\nalice@keel.example,Alice,csm\nALICE@Keel.example,Alice,vp\n"},
        ["team.csv:3: email: 'alice@keel.example' repeats line 2"],
    ),
    "subscription_id and starts_on repeated": (
        {
            "subscriptions.csv": "subscription_id,account_id,amount,interval,starts_on,ends_on\n"
            "sub_1,ACC-1,10,month,2024-01-01,2024-02-01\n"
            "sub_1,ACC-1,20,month,2024-01-01,\n"
        },
        ["subscriptions.csv:3: subscription_id: 'sub_1 from 2024-01-01' repeats line 2"],
    ),
    "month repeated": (
        {"spend.csv": "month,amount\n2024-01,10\n2024-01,20\n"},
        ["spend.csv:3: month: '2024-01' repeats line 2"],
    ),
    "unknown account": (
        {"contacts.csv": "id,account_id,email\nC-9,ACC-9,x@example.com\n"},
        ["contacts.csv:2: account_id: unknown account 'ACC-9'"],
    ),
    "unknown account in usage": (
        {
            "usage.csv": "account_id,user_id,event,occurred_at\nACC-1,u1,login,2024-01-01T00:00:00Z\nACC-9,u1,login,2024-01-01T00:00:00Z\n"
        },
        ["usage.csv:3: account_id: unknown account 'ACC-9'"],
    ),
    "unknown contact": (
        {"responses.csv": "id,kind,score,responded_at,contact_id\nR-9,nps,9,2024-01-01T00:00:00Z,C-9\n"},
        ["responses.csv:2: contact_id: unknown contact 'C-9'"],
    ),
    "unknown CSM": (
        {"accounts.csv": "id,name,csm_email\nACC-1,Acme,Nobody@Keel.example\n"},
        ["accounts.csv:2: csm_email: unknown CSM 'nobody@keel.example'"],
    ),
    "amount below zero": (
        {
            "subscriptions.csv": "subscription_id,account_id,amount,interval,starts_on\ns,ACC-1,-5,month,2024-01-01\n"
        },
        ["subscriptions.csv:2: amount: -5 is negative (amount < 0)"],
    ),
    "spend below zero": (
        {"spend.csv": "month,amount\n2024-01,-0.01\n"},
        ["spend.csv:2: amount: -0.01 is negative (amount < 0)"],
    ),
    "ends_on not after starts_on": (
        {
            "subscriptions.csv": "subscription_id,account_id,amount,interval,starts_on,ends_on\ns,ACC-1,5,month,2024-01-01,2024-01-01\n"
        },
        ["subscriptions.csv:2: ends_on: 2024-01-01 is not after starts_on 2024-01-01 (ends_on ≤ starts_on)"],
    ),
    "overlapping spans": (
        {
            "subscriptions.csv": "subscription_id,account_id,amount,interval,starts_on,ends_on\n"
            "s,ACC-1,5,month,2024-01-01,\n"
            "t,ACC-1,5,month,2024-03-01,\n"
            "s,ACC-1,9,month,2024-06-01,2024-09-01\n"
        },
        ["subscriptions.csv:4: starts_on: the span 2024-06-01…2024-09-01 overlaps the span on line 2"],
    ),
    "spans of one subscription on two accounts": (
        {
            "subscriptions.csv": "subscription_id,account_id,amount,interval,starts_on,ends_on\n"
            "s,ACC-1,5,month,2024-01-01,2024-02-01\n"
            "s,ACC-2,5,month,2024-02-01,\n"
        },
        [
            "subscriptions.csv:3: account_id: 's' belongs to account 'ACC-1' on line 2; "
            "a subscription's spans belong to one account"
        ],
    ),
    "interval not one of its values": (
        {
            "subscriptions.csv": "subscription_id,account_id,amount,interval,starts_on\ns,ACC-1,5,monthly,2024-01-01\n"
        },
        ["subscriptions.csv:2: interval: 'monthly' is not one of month, quarter, year"],
    ),
    "priority not one of its values": (
        {"tickets.csv": "id,account_id,created_at,priority\nT-1,ACC-1,2024-01-01T00:00:00Z,critical\n"},
        ["tickets.csv:2: priority: 'critical' is not one of low, normal, high, urgent"],
    ),
    "role not one of its values": (
        {"team.csv": "email,name,role\nalice@keel.example,Alice,boss\n"},
        ["team.csv:2: role: 'boss' is not one of csm, vp, admin"],
    ),
    "kind not one of its values": (
        {"responses.csv": "id,kind,score,responded_at,account_id\nR-1,csi,5,2024-01-01T00:00:00Z,ACC-1\n"},
        ["responses.csv:2: kind: 'csi' is not one of nps, csat, ces"],
    ),
    "status not one of its values": (
        {"tickets.csv": "id,account_id,created_at,status\nT-1,ACC-1,2024-01-01T00:00:00Z,done\n"},
        ["tickets.csv:2: status: 'done' is not one of new, open, pending, hold, solved, closed"],
    ),
    "first_response_at before created_at": (
        {
            "tickets.csv": "id,account_id,created_at,first_response_at\nT-1,ACC-1,2024-01-01T10:00:00Z,2024-01-01T10:30:00+01:00\n"
        },
        [
            "tickets.csv:2: first_response_at: 2024-01-01T10:30:00+01:00 is before created_at 2024-01-01T10:00:00+00:00"
        ],
    ),
    "resolved_at before created_at": (
        {
            "tickets.csv": "id,account_id,created_at,resolved_at\nT-1,ACC-1,2024-01-02T00:00:00Z,2024-01-01T23:59:59Z\n"
        },
        [
            "tickets.csv:2: resolved_at: 2024-01-01T23:59:59+00:00 is before created_at 2024-01-02T00:00:00+00:00"
        ],
    ),
    "replies not a whole number": (
        {"tickets.csv": "id,account_id,created_at,replies\nT-1,ACC-1,2024-01-01T00:00:00Z,2.5\n"},
        ["tickets.csv:2: replies: '2.5' is not a whole number ≥ 0"],
    ),
    "seats below zero": (
        {"accounts.csv": "id,name,seats\nACC-1,Acme,-3\n"},
        ["accounts.csv:2: seats: '-3' is not a whole number ≥ 0"],
    ),
    "count below one": (
        {"usage.csv": "account_id,user_id,event,occurred_at,count\nACC-1,u1,login,2024-01-01T00:00:00Z,0\n"},
        ["usage.csv:2: count: 0 is less than 1"],
    ),
    "nps score outside 0-10": (
        {"responses.csv": "id,kind,score,responded_at,account_id\nR-1,nps,11,2024-01-01T00:00:00Z,ACC-1\n"},
        ["responses.csv:2: score: 11 is outside the nps scale 0–10"],
    ),
    "csat score outside 1-5": (
        {"responses.csv": "id,kind,score,responded_at,account_id\nR-1,csat,0,2024-01-01T00:00:00Z,ACC-1\n"},
        ["responses.csv:2: score: 0 is outside the csat scale 1–5"],
    ),
    "ces score outside 1-7": (
        {"responses.csv": "id,kind,score,responded_at,account_id\nR-1,ces,8,2024-01-01T00:00:00Z,ACC-1\n"},
        ["responses.csv:2: score: 8 is outside the ces scale 1–7"],
    ),
    "contact_id and account_id disagree": (
        {
            "responses.csv": "id,kind,score,responded_at,contact_id,account_id\nR-1,nps,9,2024-01-01T00:00:00Z,C-1,ACC-2\n"
        },
        ["responses.csv:2: account_id: 'ACC-2' but contact 'C-1' belongs to account 'ACC-1'"],
    ),
    "neither contact_id nor account_id": (
        {
            "responses.csv": "id,kind,score,responded_at,contact_id,account_id\nR-9,nps,9,2024-01-01T00:00:00Z,,\n"
        },
        ["responses.csv:2: contact_id: one of contact_id and account_id is required"],
    ),
    "email without @": (
        {"contacts.csv": "id,account_id,email\nC-1,ACC-1,jane.acme.example\n"},
        ["contacts.csv:2: email: 'jane.acme.example' is not an email address (no @)"],
    ),
    "csm_email without @": (
        {"accounts.csv": "id,name,csm_email\nACC-1,Acme,alice\n"},
        ["accounts.csv:2: csm_email: 'alice' is not an email address (no @)"],
    ),
    "currency other than KEEL_CURRENCY": (
        {
            "subscriptions.csv": "subscription_id,account_id,amount,interval,starts_on,currency\ns,ACC-1,5,month,2024-01-01,EUR\n"
        },
        ["subscriptions.csv:2: currency: 'EUR' is not the reporting currency USD"],
    ),
    "unknown column": (
        {"accounts.csv": "id,name,colour\nACC-1,Acme,red\n"},
        [
            "accounts.csv:1: colour: unknown column; accounts.csv takes id, name, segment, csm_email, created_on, seats"
        ],
    ),
    "required column missing": (
        {"contacts.csv": "id,email\nC-1,jane@acme.example\n"},
        ["contacts.csv:1: account_id: required column is missing"],
    ),
    "column twice": (
        {"spend.csv": "month,amount,amount\n2024-01,1,2\n"},
        ["spend.csv:1: amount: the column appears twice"],
    ),
    "too many values": (
        {"spend.csv": "month,amount\n2024-01,1,2\n"},
        ["spend.csv:2: row: 3 values, but the header has 2 columns"],
    ),
    "empty file": (
        {"spend.csv": ""},
        ["spend.csv:1: header: the file is empty; its first row must be the header"],
    ),
    "not UTF-8": (
        {"accounts.csv": "id,name\nACC-1,Acme\nACC-2,Glob\udcffex\n"},
        ["accounts.csv:3: row: the file is not UTF-8 text from this line on"],
    ),
}


@pytest.fixture
def imported(tmp_path: Path, db: None) -> dict[str, list[tuple[object, ...]]]:
    """The full valid bundle imported; the database's state after it."""
    assert run(tmp_path / "valid", FULL).ok
    return database_state()


@pytest.mark.parametrize("case", CASES)
def test_a_bad_bundle_is_rejected_with_its_line_and_changes_nothing(
    case: str, tmp_path: Path, imported: dict[str, list[tuple[object, ...]]]
) -> None:
    files, expected = CASES[case]
    folder = tmp_path / "bad"
    folder.mkdir()
    for name, text in ({"accounts.csv": RENAMED} | files).items():
        # surrogateescape: the "not UTF-8" case writes a raw 0xff byte
        (folder / name).write_bytes(dedent(text).encode("utf-8", "surrogateescape"))

    result = bundle_import(path=folder)

    assert not result.ok
    assert result.errors == expected
    assert result.report_lines() == [*expected, "Rejected: nothing was imported."]
    assert result.summary == {}
    assert result.run.outcome == ImportRun.Outcome.REJECTED
    assert result.run.errors == expected
    assert database_state() == imported


def test_every_bad_row_of_every_file_is_listed_in_file_then_line_order(tmp_path: Path, db: None) -> None:
    """Problems found in Python (values) and in SQL (references, repeats) come out in one order."""
    result = run(
        tmp_path,
        {
            "usage.csv": """\
                account_id,user_id,event,occurred_at,count
                ACC-1,u1,login,2024-01-01T00:00:00Z,x
                ACC-X,u1,login,2024-01-01T00:00:00,1
                """,
            "accounts.csv": """\
                id,name,seats,created_on
                ACC-1,Acme,1,2024-01-01
                ACC-1,Acme,many,2024-01-32
                """,
            "contacts.csv": """\
                id,account_id,email
                C-1,ACC-2,nobody
                """,
        },
    )
    assert result.errors == [
        "accounts.csv:3: id: 'ACC-1' repeats line 2",
        "accounts.csv:3: seats: 'many' is not a whole number ≥ 0",
        "accounts.csv:3: created_on: '2024-01-32' is not a day that exists",
        "contacts.csv:2: account_id: unknown account 'ACC-2'",
        "contacts.csv:2: email: 'nobody' is not an email address (no @)",
        "usage.csv:2: count: 'x' is not a whole number ≥ 1",
        "usage.csv:3: account_id: unknown account 'ACC-X'",
        "usage.csv:3: occurred_at: '2024-01-01T00:00:00' has no UTC offset (write Z or an offset such as +01:00)",
    ]


def test_line_is_the_physical_line_where_the_record_starts(tmp_path: Path, db: None) -> None:
    """Quoted values with newlines and blank lines count: the header is line 1."""
    result = run(
        tmp_path,
        {
            "tickets.csv": 'id,account_id,created_at,subject\r\nT-1,ACC-1,2024-01-01T00:00:00Z,"two\r\nlines"\r\n'
            "\r\n"
            'T-2,ACC-1,2024-01-01T00:00:00Z,"and\nthree\nlines"\n'
            "T-3,ACC-1,never,fine\n",
            "accounts.csv": "\ufeffid,name\nACC-1,Acme\n",  # a BOM is fine
        },
    )
    assert result.errors == ["tickets.csv:8: created_at: 'never' is not an ISO 8601 datetime"]


def test_a_header_problem_still_lets_the_rows_be_checked(tmp_path: Path, db: None) -> None:
    """An unknown column is reported, and the rows' own problems too, so one run shows everything."""
    result = run(
        tmp_path,
        {
            "accounts.csv": "ID,Name,Colour\nACC-1,Acme,red\nACC-2,,blue\n",
            "contacts.csv": "id,account_id,email\nC-1,ACC-2,c@example.com\n",
        },
    )
    assert result.errors == [
        "accounts.csv:1: colour: unknown column; accounts.csv takes id, name, segment, csm_email, created_on, seats",
        "accounts.csv:3: name: a value is required",
    ]


def test_a_long_report_is_cut_with_a_count(tmp_path: Path, db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("accounts.importers.service.MAX_REPORTED", 3)
    rows = "".join(f"ACC-{n},Acme,x\n" for n in range(5))
    result = run(tmp_path, {"accounts.csv": "id,name,seats\n" + rows})
    assert result.errors == [
        "accounts.csv:2: seats: 'x' is not a whole number ≥ 0",
        "accounts.csv:3: seats: 'x' is not a whole number ≥ 0",
        "accounts.csv:4: seats: 'x' is not a whole number ≥ 0",
        "… and 2 more problems",
    ]
