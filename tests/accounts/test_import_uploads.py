"""An uploaded bundle is queued as an ImportRun and imported by a Celery task (accounts.tasks), its progress on
the run's page (accounts/importers/uploads.py, progress.py). The task runs eagerly here, as without Redis. Who
may open the run's page and its progress: tests/accounts/test_access.py and tests/test_permissions.py."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from accounts.importers import bundle_import
from accounts.importers.progress import ImportProgress, import_progress
from accounts.importers.uploads import upload_path
from accounts.models import Account, ImportRun, User
from accounts.tasks import bundle_upload_import_task
from config.settings.environment import env_path
from tests.accounts.test_import_helpers import write_bundle
from tests.accounts.test_pages_data import ACCOUNTS_CSV, DATA, TEAM_CSV, zipped

pytestmark = pytest.mark.usefixtures("upload_dir")


def queue(
    client: Client, capture: DjangoCaptureOnCommitCallbacks
) -> tuple[ImportRun, list[Callable[[], Any]]]:
    """Upload a small bundle; its task is queued on commit and not run yet: the run and the callbacks."""
    with capture() as callbacks:
        response = client.post(DATA, {"bundle": zipped({"team.csv": TEAM_CSV, "accounts.csv": ACCOUNTS_CSV})})
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import_run_detail", args=[run.pk])
    return run, callbacks


def progress_of(client: Client, run: ImportRun) -> dict[str, Any]:
    response = client.get(reverse("import_run_progress", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    fields: dict[str, Any] = response.json()
    return fields


def test_an_upload_is_queued_then_imported_by_its_task(
    admin_client: Client,
    admin_user: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    upload_dir: Path,
) -> None:
    run, callbacks = queue(admin_client, django_capture_on_commit_callbacks)
    assert (run.state, run.source, run.user, run.name, run.outcome) == (
        "queued",
        "upload",
        admin_user,
        "bundle.zip",
        "",
    )
    saved = upload_path(run)
    assert saved == upload_dir / str(run.pk) / "bundle.zip" and saved.exists()
    assert len(callbacks) == 1 and not Account.objects.exists()

    # before: the state, a Refresh link and the script that polls the progress endpoint
    page = admin_client.get(reverse("import_run_detail", args=[run.pk])).content.decode()
    assert '<span class="badge badge--accent" data-progress="state">Queued</span>' in page
    assert "waiting for a worker" in page
    assert f'data-progress-url="{reverse("import_run_progress", args=[run.pk])}"' in page
    assert f'href="{reverse("import_run_detail", args=[run.pk])}"' in page and "Refresh" in page
    assert "js/import_run.js" in page
    assert progress_of(admin_client, run) == {
        "state": "queued",
        "state_label": "Queued",
        "file": "",
        "rows": 0,
        "outcome": "",
        "outcome_label": "",
    }

    callbacks[0]()  # the task, as a worker runs it after the commit

    run.refresh_from_db()
    assert (run.state, run.outcome) == ("finished", "imported")
    assert set(Account.objects.values_list("external_id", flat=True)) == {"ACC-1", "ACC-2"}
    assert not saved.parent.exists()  # the upload is deleted once imported
    # after: the report, and no more polling
    page = admin_client.get(reverse("import_run_detail", args=[run.pk])).content.decode()
    assert '<td class="mono">accounts</td>' in page and "2 created" in page
    assert "Imported" in page and "js/import_run.js" not in page and "data-progress" not in page
    assert progress_of(admin_client, run) == {
        "state": "finished",
        "state_label": "Finished",
        "file": "",
        "rows": 0,
        "outcome": "imported",
        "outcome_label": "Imported",
    }


def test_the_page_and_the_endpoint_show_how_far_a_running_import_has_read(
    admin_client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    run = ImportRun.objects.create(
        source=ImportRun.Source.UPLOAD, name="big.zip", state=ImportRun.State.RUNNING
    )
    progress = ImportProgress(
        run.pk
    )  # what the import records at the start of a file, then every 50,000 rows
    progress.file("usage.csv")
    progress.rows(150_000)
    with django_assert_max_num_queries(3):
        page = admin_client.get(reverse("import_run_detail", args=[run.pk])).content.decode()
    assert '<span class="badge badge--accent" data-progress="state">Running</span>' in page
    assert "usage.csv: 150,000 rows read" in page
    assert progress_of(admin_client, run) == {
        "state": "running",
        "state_label": "Running",
        "file": "usage.csv",
        "rows": 150_000,
        "outcome": "",
        "outcome_label": "",
    }


def test_progress_is_recorded_per_file_and_every_so_many_rows(
    tmp_path: Path, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With PROGRESS_ROWS = 3, usage.csv's 7 rows are recorded at its start (0), after rows 3 and 6, and at its
    end (7); nothing is left in the cache once the run is finished."""
    monkeypatch.setattr("accounts.importers.staging.PROGRESS_ROWS", 3)
    recorded: list[tuple[str, int]] = []
    rows = ImportProgress.rows

    def spy(self: ImportProgress, count: int) -> None:
        recorded.append((self._file, count))
        rows(self, count)

    monkeypatch.setattr(ImportProgress, "rows", spy)
    usage = "account_id,user_id,event,occurred_at\n" + "".join(
        f"ACC-1,u{n},login,2024-03-0{n}T09:00:00Z\n" for n in range(1, 8)
    )
    files = {"team.csv": TEAM_CSV, "accounts.csv": ACCOUNTS_CSV, "usage.csv": usage}
    result = bundle_import(path=write_bundle(tmp_path, files))
    assert result.ok, result.report_lines()
    assert recorded == [
        ("team.csv", 0),
        ("team.csv", 1),
        ("accounts.csv", 0),
        ("accounts.csv", 2),
        ("usage.csv", 0),
        ("usage.csv", 3),
        ("usage.csv", 6),
        ("usage.csv", 7),
    ]
    assert import_progress(result.run.pk) == {}


def test_running_the_task_twice_imports_once(
    admin_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    run, callbacks = queue(admin_client, django_capture_on_commit_callbacks)
    callbacks[0]()
    run.refresh_from_db()
    first = (run.state, run.outcome, run.summary, run.finished_at)

    bundle_upload_import_task.delay(run.pk)  # delivered again: the run is not queued any more

    run.refresh_from_db()
    assert (run.state, run.outcome, run.summary, run.finished_at) == first
    assert run.summary["accounts"] == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }  # not re-imported: "unchanged"
    assert ImportRun.objects.count() == 1


@pytest.mark.parametrize(
    "broken",
    ["accounts.importers.service.file_write", "accounts.importers.uploads.bundle_import"],
    ids=["inside-the-import", "around-it"],
)
def test_an_upload_whose_task_fails_records_the_failure_on_its_run(
    admin_client: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    upload_dir: Path,
    broken: str,
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(broken, fail)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            DATA, {"bundle": zipped({"team.csv": TEAM_CSV, "accounts.csv": ACCOUNTS_CSV})}
        )
    run = ImportRun.objects.get()
    assert response.status_code == 302  # to the run's page, not a 500
    assert (run.state, run.outcome) == ("finished", "rejected")
    assert run.errors == ["The import stopped on an internal error (RuntimeError); nothing was imported."]
    assert run.finished_at is not None
    assert not Account.objects.exists()
    assert not upload_path(run).parent.exists()
    assert "disk on fire" in caplog.text  # logged with its traceback, not swallowed
    page = admin_client.get(response["Location"]).content.decode()
    assert "Rejected: nothing imported" in page and "internal error (RuntimeError)" in page


def test_a_rejected_upload_is_deleted_too(
    admin_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(DATA, {"bundle": zipped({"accounts.csv": "id\nACC-1\n"})})
    run = ImportRun.objects.get()
    assert (run.state, run.outcome) == ("finished", "rejected")
    assert run.errors == ["accounts.csv:1: name: required column is missing"]
    assert not upload_path(run).parent.exists()


def test_the_upload_folder_must_be_an_absolute_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KEEL_UPLOAD_DIR", "uploads")
    with pytest.raises(ImproperlyConfigured, match="KEEL_UPLOAD_DIR='uploads' is not an absolute path"):
        env_path("KEEL_UPLOAD_DIR", tmp_path)
    monkeypatch.setenv("KEEL_UPLOAD_DIR", str(tmp_path / "shared"))
    assert env_path("KEEL_UPLOAD_DIR", tmp_path) == tmp_path / "shared"
    monkeypatch.delenv("KEEL_UPLOAD_DIR")
    assert env_path("KEEL_UPLOAD_DIR", tmp_path) == tmp_path
