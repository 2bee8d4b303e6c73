"""A dry run does all the work of an import and rolls it back: nothing changes, and its counts are exact."""

from __future__ import annotations

from pathlib import Path

from accounts.models import ImportRun
from tests.accounts.test_import_helpers import ACCOUNTS, FULL, counts, database_state, run


def test_a_dry_run_changes_nothing_and_counts_what_an_import_would(tmp_path: Path, db: None) -> None:
    assert run(tmp_path / "one", {"team.csv": FULL["team.csv"], "accounts.csv": ACCOUNTS}).ok
    state = database_state()
    bundle = FULL | {"accounts.csv": ACCOUNTS.replace("Globex,", "Globex Corp,")}

    dry = run(tmp_path / "dry", bundle, dry_run=True)

    assert dry.ok, dry.errors
    assert database_state() == state
    assert dry.run.outcome == ImportRun.Outcome.CHECKED
    assert dry.run.dry_run
    assert dry.report_lines()[-1] == "Dry run: the bundle is valid; nothing was saved."

    real = run(tmp_path / "real", bundle)
    assert counts(real) == counts(dry)
    assert counts(real)["accounts"] == (0, 1, 1)
    assert real.run.summary == dry.run.summary


def test_a_dry_run_of_a_bad_bundle_reports_it(tmp_path: Path, db: None) -> None:
    result = run(tmp_path, {"spend.csv": "month,amount\n2024-01,x\n"}, dry_run=True)
    assert result.errors == ["spend.csv:2: amount: 'x' is not a decimal number"]
    assert result.run.outcome == ImportRun.Outcome.REJECTED
