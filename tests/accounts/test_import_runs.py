"""Every import attempt leaves an ImportRun: who, from where, the outcome, the counts or the problem lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accounts.models import Account, DataSource, ImportRun, Role, SourceRejection, User
from accounts.selectors.sources import source_days
from tests.accounts.test_import_helpers import database_state, run


def test_imported_checked_and_rejected_runs(tmp_path: Path, db: None, make_user: Callable[..., User]) -> None:
    admin = make_user("adam@keel.test", Role.ADMIN)
    run(tmp_path / "a", {"accounts.csv": "id,name\nACC-1,Acme\nACC-2,Globex\n"}, user=admin)
    run(
        tmp_path / "b",
        {"accounts.csv": "id,name\nACC-3,Initech\n"},
        dry_run=True,
        source=ImportRun.Source.UPLOAD,
    )
    run(tmp_path / "c", {"accounts.csv": "id\nACC-4\n"})

    imported, checked, rejected = ImportRun.objects.order_by("pk")
    assert (imported.outcome, imported.user, imported.source, imported.name) == (
        "imported",
        admin,
        "command",
        "a",
    )
    assert imported.summary == {"accounts": {"created": 2, "updated": 0, "unchanged": 0}}
    assert imported.finished_at is not None and imported.finished_at >= imported.started_at
    assert (checked.outcome, checked.dry_run, checked.source) == ("checked", True, "upload")
    assert checked.summary == {"accounts": {"created": 1, "updated": 0, "unchanged": 0}}
    assert (rejected.outcome, rejected.summary) == ("rejected", {})
    assert rejected.errors == ["accounts.csv:1: name: required column is missing"]


def test_an_internal_error_is_recorded_and_raised(
    tmp_path: Path, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = database_state()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("accounts.importers.service.file_write", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run(tmp_path, {"accounts.csv": "id,name\nACC-1,Acme\n"})

    assert not Account.objects.exists()
    assert database_state() == state
    failed = ImportRun.objects.get()
    assert failed.outcome == ImportRun.Outcome.REJECTED
    assert failed.errors == ["The import stopped on an internal error (RuntimeError); nothing was imported."]


def test_imports_count_for_the_data_sources_page(tmp_path: Path, db: None) -> None:
    run(tmp_path / "a", {"accounts.csv": "id,name\nACC-1,Acme\nACC-2,Globex\n"})
    run(tmp_path / "b", {"accounts.csv": "id,name\nACC-1,Acme\nACC-3,Initech\n"})  # 1 unchanged, 1 created
    run(tmp_path / "c", {"accounts.csv": "id,name\nACC-9,Nine\n"}, dry_run=True)  # a dry run counts nothing
    run(tmp_path / "d", {"accounts.csv": "id\nACC-4\n"})  # refused: one refusal, nothing accepted
    (counted,) = source_days(source=DataSource.BUNDLE)
    assert (counted.accepted, counted.rejected) == (4, 1)
    refusal = SourceRejection.objects.get(source=DataSource.BUNDLE)
    assert refusal.reason == "d: accounts.csv:1: name: required column is missing"
    assert refusal.detail == {"import run": ImportRun.objects.get(name="d").pk, "problems": 1}
