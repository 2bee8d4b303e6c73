"""Fixtures of the accounts tests."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from accounts.importers import ImportResult
from tests.accounts.test_import_helpers import FULL, Importer, run


@pytest.fixture
def upload_dir(settings: Settings, tmp_path: Path) -> Path:
    """KEEL_UPLOAD_DIR in the test's own folder: where the Data page saves bundles for their import task."""
    settings.KEEL_UPLOAD_DIR = tmp_path / "uploads"
    return settings.KEEL_UPLOAD_DIR


@pytest.fixture
def import_after_full(tmp_path: Path, db: None) -> Importer:
    """The small bundle FULL imported; call it with another bundle ({file name: CSV text}, options) to import
    that one on top: its result."""
    assert run(tmp_path / "full", FULL).ok
    folders = (tmp_path / f"next-{n}" for n in itertools.count(1))

    def import_next(files: dict[str, str], **options: object) -> ImportResult:
        return run(next(folders), files, **options)

    return import_next
