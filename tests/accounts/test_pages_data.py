"""The Data page (/data/, admins only): upload a bundle .zip, follow it to its run's page and the report there,
see recent imports. Uploads are imported by a Celery task queued on commit: the tests run it eagerly
(`django_capture_on_commit_callbacks(execute=True)`); tests/accounts/test_import_uploads.py covers the queue."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from accounts.models import Account, ImportRun, User

DATA = reverse("data")
GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "golden" / "bundle"
FINISHED = ImportRun.State.FINISHED

pytestmark = pytest.mark.usefixtures("upload_dir")


def upload(
    client: Client, capture: DjangoCaptureOnCommitCallbacks, data: dict[str, object]
) -> tuple[ImportRun, str]:
    """POST the upload form, run its import task, follow the redirect: the run and its page."""
    with capture(execute=True):
        response = client.post(DATA, data)
    assert response.status_code == 302, response.content.decode()
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("import_run_detail", args=[run.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    run.refresh_from_db()
    return run, page.content.decode()


def zipped(files: dict[str, str], name: str = "bundle.zip") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for filename, text in files.items():
            archive.writestr(filename, text)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


TEAM_CSV = "email,name,role\nkim.csm@keel.example,Kim Csm,csm\n"
ACCOUNTS_CSV = (
    "id,name,segment,csm_email,created_on,seats\n"
    "ACC-1,Tiny One,smb,kim.csm@keel.example,2024-01-02,5\n"
    "ACC-2,Tiny Two,mid-market,kim.csm@keel.example,2024-02-03,12\n"
)
SUBSCRIPTIONS_CSV = (
    "subscription_id,account_id,amount,interval,starts_on,ends_on,plan,currency\n"
    "sub_1,ACC-1,2000.00,year,2024-01-02,,Pro,USD\n"
    "sub_2,ACC-2,300.00,quarter,2024-02-03,,Team,USD\n"
)
BAD_ACCOUNTS_CSV = (
    "id,name,segment,csm_email,created_on,seats\n"
    "ACC-1,Tiny One,smb,kim.csm@keel.example,2024-01-02,5\n"
    "ACC-2,Tiny Two,smb,nobody@keel.example,2024-02-30,many\n"
)


def test_data_page_renders_with_recent_imports(
    admin_client: Client, admin_user: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    ImportRun.objects.create(
        source=ImportRun.Source.UPLOAD,
        name="march.zip",
        state=FINISHED,
        outcome="imported",
        user=admin_user,
        summary={},
    )
    ImportRun.objects.create(
        source=ImportRun.Source.COMMAND,
        name="bad.zip",
        state=FINISHED,
        outcome="rejected",
        errors=["accounts.csv:3: id: blank"],
    )
    ImportRun.objects.create(source=ImportRun.Source.UPLOAD, name="april.zip", user=admin_user)
    with django_assert_max_num_queries(4):
        response = admin_client.get(DATA)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Import a bundle",
        'type="file"',
        'name="dry_run"',
        "march.zip",
        "Adam Admin",
        "bad.zip",
        "Rejected",
        "april.zip",
        '<span class="badge">Queued</span>',
    ):
        assert text in html


def test_an_import_run_page_shows_its_report(admin_client: Client) -> None:
    run = ImportRun.objects.create(
        source=ImportRun.Source.COMMAND,
        name="bad.zip",
        state=FINISHED,
        outcome="rejected",
        errors=["accounts.csv:3: created_on: 2024-02-30 is not a date"],
    )
    html = admin_client.get(reverse("import_run_detail", args=[run.pk])).content.decode()
    assert "accounts.csv:3: created_on: 2024-02-30 is not a date" in html
    assert "Rejected: nothing imported" in html


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("accounts.csv", b"id,name\nA,B\n", content_type="text/csv"),
            "This is not a .zip file.",
        ),
        (
            SimpleUploadedFile("bundle.zip", b"id,name\nA,B\n", content_type="application/zip"),
            "This is not a .zip file.",
        ),
    ],
    ids=["csv", "zip-name-but-not-a-zip"],
)
def test_a_file_that_is_not_a_zip_is_refused(
    admin_client: Client, upload: SimpleUploadedFile, message: str
) -> None:
    response = admin_client.post(DATA, {"bundle": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


@override_settings(KEEL_MAX_UPLOAD_BYTES=1024)
def test_a_file_over_the_size_limit_is_refused(admin_client: Client) -> None:
    big = zipped({"usage.csv": os.urandom(3000).hex()}, "big.zip")  # random: does not compress below 1 KB
    response = admin_client.post(DATA, {"bundle": big})
    assert response.status_code == 400
    assert "the largest bundle Keel accepts is 1.0\xa0KB" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_no_file_is_refused(admin_client: Client) -> None:
    response = admin_client.post(DATA, {"dry_run": "on"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


# --- end to end, through the real importer (accounts/importers) ---------------------------------------------


def test_upload_a_small_bundle(
    admin_client: Client, admin_user: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    bundle = zipped(
        {"team.csv": TEAM_CSV, "accounts.csv": ACCOUNTS_CSV, "subscriptions.csv": SUBSCRIPTIONS_CSV},
        "tiny.zip",
    )
    run, html = upload(admin_client, django_capture_on_commit_callbacks, {"bundle": bundle})
    assert "Imported" in html
    assert set(Account.objects.values_list("external_id", flat=True)) == {"ACC-1", "ACC-2"}
    assert (run.source, run.user, run.outcome, run.dry_run) == ("upload", admin_user, "imported", False)
    assert run.name == "tiny.zip"
    assert "accounts" in html

    # and the accounts are on the list (MRR there comes with the next snapshot), their pages show MRR today
    # from the spans: $2,000/year → 166.67, a quarterly $300 → 100.00
    listing = admin_client.get(reverse("account_list")).content.decode()
    assert "ACC-1" in listing and "ACC-2" in listing
    pages = [
        admin_client.get(reverse("account_detail", args=[account.pk])).content.decode()
        for account in Account.objects.order_by("external_id")
    ]
    assert '<dd class="big" id="mrr-today">$166.67</dd>' in pages[0]
    assert '<dd class="big" id="mrr-today">$100.00</dd>' in pages[1]


def test_dry_run_changes_nothing(
    admin_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    bundle = zipped({"team.csv": TEAM_CSV, "accounts.csv": ACCOUNTS_CSV})
    run, html = upload(admin_client, django_capture_on_commit_callbacks, {"bundle": bundle, "dry_run": "on"})
    assert "Checked (dry run)" in html
    assert not Account.objects.exists()
    assert run.outcome == ImportRun.Outcome.CHECKED


def test_a_bad_bundle_shows_every_problem_and_imports_nothing(
    admin_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    bundle = zipped({"team.csv": TEAM_CSV, "accounts.csv": BAD_ACCOUNTS_CSV}, "bad.zip")
    run, html = upload(admin_client, django_capture_on_commit_callbacks, {"bundle": bundle})
    assert "Rejected: nothing imported" in html
    assert "accounts.csv:3: csm_email:" in html
    assert "accounts.csv:3: created_on:" in html
    assert "accounts.csv:3: seats:" in html
    assert not Account.objects.exists()
    assert not User.objects.filter(email="kim.csm@keel.example").exists()
    assert run.outcome == ImportRun.Outcome.REJECTED
    # the run keeps its report for later
    assert (
        "accounts.csv:3: seats:"
        in admin_client.get(reverse("import_run_detail", args=[run.pk])).content.decode()
    )


def test_upload_the_golden_bundle(
    admin_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    bundle = zipped({path.name: path.read_text() for path in GOLDEN.glob("*.csv")}, "golden.zip")
    run, html = upload(admin_client, django_capture_on_commit_callbacks, {"bundle": bundle})
    assert run.outcome == ImportRun.Outcome.IMPORTED, html[:3000]
    assert Account.objects.count() == 40
