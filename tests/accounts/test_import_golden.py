"""The golden bundle (tests/fixtures/golden/bundle: 40 accounts, 33k usage rows) imports whole, and a second
import of it finds everything unchanged."""

from __future__ import annotations

import csv
from pathlib import Path

from accounts.importers import bundle_import
from accounts.models import Account, AccountOwnership, UsageEvent
from tests.accounts.test_import_helpers import FILE_ORDER, counts, database_state

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "golden" / "bundle"


def rows(name: str) -> int:
    with (GOLDEN / name).open(newline="", encoding="utf-8") as file:
        return sum(1 for _ in csv.reader(file)) - 1


def test_the_golden_bundle_imports_and_reimports_unchanged(db: None) -> None:
    first = bundle_import(path=GOLDEN)

    assert first.ok, first.errors[:20]
    expected = {name: rows(f"{name}.csv") for name in first.summary}
    assert set(expected) == set(FILE_ORDER)
    assert counts(first) == {name: (count, 0, 0) for name, count in expected.items()}
    assert Account.objects.count() == 40
    assert AccountOwnership.objects.count() == 40
    assert UsageEvent.objects.count() == rows("usage.csv") == 33_367
    state = database_state()

    second = bundle_import(path=GOLDEN)

    assert second.ok, second.errors[:20]
    assert counts(second) == {name: (0, 0, count) for name, count in expected.items()}
    assert database_state() == state
