"""CSV files for people defuse formulas (accounts.spreadsheet): text that starts like a formula gets a leading
quote; a number Keel computed itself stays a number, negative or not."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.spreadsheet import SpreadsheetWriter, spreadsheet_cell
from metrics.models import AccountCurrent
from tests.factories import AccountFactory


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_a_spreadsheet_would_run_gets_a_quote(start: str) -> None:
    assert spreadsheet_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("text", ["Acme", "", " =1", "'=1", "1+1", "a@b.example", "12.50"])
def test_other_text_is_left_alone(text: str) -> None:
    assert spreadsheet_cell(text) == text


def test_keels_own_numbers_stay_numbers_and_text_that_looks_negative_does_not() -> None:
    out = io.StringIO()
    writer = SpreadsheetWriter(out, lineterminator="\n")
    writer.writerow([Decimal("-12.50"), -3, -0.25, date(2025, 1, 31), None, "-12.50", "-1+1"])
    assert out.getvalue() == "-12.50,-3,-0.25,2025-01-31,,'-12.50,'-1+1\n"


def test_the_account_export_defuses_every_text_column_and_keeps_numbers(client: Client, csm: User) -> None:
    """Name, external id, segment and the CSM's email come from outside Keel; the health change of -12.5 is
    Keel's own number and stays -12.5."""
    csm.email = "-csm@keel.test"
    csm.save(update_fields=["email"])
    account = AccountFactory.create(
        name='=HYPERLINK("http://evil.example","x")', external_id="+A1", segment="@seg", csm=csm
    )
    AccountCurrent.objects.create(
        account=account, day=date(2024, 6, 30), arr=Decimal("1200"), score=40.0, score_change_30d=-12.5
    )
    client.force_login(csm)
    response = client.get(reverse("account_list"), {"format": "csv"})
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    header, row = list(csv.reader(io.StringIO(body)))
    line = dict(zip(header, row, strict=True))
    assert line["name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert line["external_id"] == "'+A1"
    assert line["segment"] == "'@seg"
    assert line["csm_email"] == "'-csm@keel.test"
    assert (line["mrr"], line["arr"], line["health_score"]) == ("100.00", "1200.00", "40.0")
    assert line["health_change_30d"] == "-12.5"
    assert line["as_of"] == "2024-06-30"
