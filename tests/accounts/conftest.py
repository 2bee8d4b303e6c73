"""Fixtures of the accounts tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture
def upload_dir(settings: Settings, tmp_path: Path) -> Path:
    """KEEL_UPLOAD_DIR in the test's own folder: where the Data page saves bundles for their import task."""
    settings.KEEL_UPLOAD_DIR = tmp_path / "uploads"
    return settings.KEEL_UPLOAD_DIR
