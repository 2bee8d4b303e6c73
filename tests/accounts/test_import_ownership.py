"""CSM ownership history (DATA.md §1): an account's first import sets its CSM for all its history; a later change
of csm_email takes effect from the day of the change (KEEL_TIMEZONE) and earlier days keep the earlier owner.
The same rule for one account at a time: `account_owner_change`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import BEGINNING_OF_TIME, Account, AccountOwnership, Role, User
from accounts.services import account_owner_change
from tests.accounts.test_import_helpers import FULL, counts, run

ACCOUNT = "id,name,csm_email\nACC-1,Acme,{}\n"


def history(external_id: str = "ACC-1") -> list[tuple[date, date | None, str | None]]:
    return [
        (row.valid_from, row.valid_to, row.csm.email if row.csm else None)
        for row in AccountOwnership.objects.filter(account__external_id=external_id).select_related("csm")
    ]


def on_day(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """Make `day` the local date of the import."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def test_the_first_import_owns_the_account_since_always(tmp_path: Path, db: None) -> None:
    assert run(tmp_path, FULL).ok
    assert history("ACC-1") == [(BEGINNING_OF_TIME, None, "alice@keel.example")]
    assert history("ACC-2") == [(BEGINNING_OF_TIME, None, "bob@keel.example")]
    assert Account.objects.get(external_id="ACC-1").csm.email == "alice@keel.example"  # type: ignore[union-attr]


def test_a_later_change_takes_effect_from_that_day(
    tmp_path: Path, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_day(monkeypatch, date(2024, 5, 1))
    assert run(tmp_path / "one", FULL).ok

    on_day(monkeypatch, date(2024, 6, 10))
    result = run(tmp_path / "two", {"accounts.csv": ACCOUNT.format("BOB@keel.example")})

    assert counts(result) == {"accounts": (0, 1, 0)}
    assert history() == [
        (BEGINNING_OF_TIME, date(2024, 6, 10), "alice@keel.example"),
        (date(2024, 6, 10), None, "bob@keel.example"),
    ]
    assert Account.objects.get(external_id="ACC-1").csm.email == "bob@keel.example"  # type: ignore[union-attr]

    # a second change the same day replaces that day's owner; a later one closes it
    assert run(tmp_path / "three", {"accounts.csv": ACCOUNT.format("")}).ok
    on_day(monkeypatch, date(2024, 7, 1))
    assert run(tmp_path / "four", {"accounts.csv": ACCOUNT.format("alice@keel.example")}).ok
    assert history() == [
        (BEGINNING_OF_TIME, date(2024, 6, 10), "alice@keel.example"),
        (date(2024, 6, 10), date(2024, 7, 1), None),
        (date(2024, 7, 1), None, "alice@keel.example"),
    ]
    # the other account did not change
    assert history("ACC-2") == [(BEGINNING_OF_TIME, None, "bob@keel.example")]


def test_the_same_csm_again_or_a_left_out_csm_changes_no_history(
    tmp_path: Path, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(tmp_path / "one", FULL).ok
    on_day(monkeypatch, date(2030, 1, 1))
    assert counts(run(tmp_path / "two", {"accounts.csv": ACCOUNT.format("Alice@Keel.example")})) == {
        "accounts": (0, 0, 1)
    }
    assert counts(run(tmp_path / "three", {"accounts.csv": "id,name\nACC-1,Acme\n"})) == {
        "accounts": (0, 0, 1)
    }
    assert history() == [(BEGINNING_OF_TIME, None, "alice@keel.example")]


def test_an_account_keel_holds_without_history_gets_it_on_import(
    tmp_path: Path, db: None, make_user: Callable[..., User]
) -> None:
    Account.objects.create(external_id="ACC-1", name="Acme", csm=make_user("eve@keel.example"))
    assert run(tmp_path, {"accounts.csv": ACCOUNT.format("eve@keel.example")}).ok
    assert history() == [(BEGINNING_OF_TIME, None, "eve@keel.example")]


@pytest.fixture
def acme(make_user: Callable[..., User]) -> Account:
    owner = make_user("alice@keel.example", Role.CSM)
    account = Account.objects.create(external_id="ACC-1", name="Acme", csm=owner)
    AccountOwnership.objects.create(account=account, csm=owner, valid_from=BEGINNING_OF_TIME)
    return account


def test_account_owner_change_for_one_account(acme: Account, make_user: Callable[..., User]) -> None:
    bob = make_user("bob@keel.example")
    account_owner_change(account=acme, csm=bob, on=date(2024, 3, 1))

    assert acme.csm == bob
    assert Account.objects.get(pk=acme.pk).csm == bob
    assert history() == [
        (BEGINNING_OF_TIME, date(2024, 3, 1), "alice@keel.example"),
        (date(2024, 3, 1), None, "bob@keel.example"),
    ]

    account_owner_change(account=acme, csm=None, on=date(2024, 3, 1))  # same day: in place
    account_owner_change(account=acme, csm=None, on=date(2024, 4, 1))  # already so: nothing
    assert history()[1:] == [(date(2024, 3, 1), None, None)]
    with pytest.raises(ValueError, match="starts on 2024-03-01"):
        account_owner_change(account=acme, csm=bob, on=date(2024, 2, 1))


def test_account_owner_change_takes_keyword_arguments_only(acme: Account) -> None:
    with pytest.raises(TypeError):
        account_owner_change(acme, None, date(2024, 3, 1))  # type: ignore[misc]
