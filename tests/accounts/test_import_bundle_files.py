"""What a bundle may be: a folder, a .zip with its files at the top level or inside one folder, or one bundle
file. Anything else is refused with a clear line, and nothing is imported."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from accounts.importers import bundle_import
from accounts.models import Account, ImportRun, User
from tests.accounts.test_import_helpers import FULL, write_bundle, write_zip

KNOWN = "team.csv, accounts.csv, contacts.csv, subscriptions.csv, tickets.csv, usage.csv, spend.csv, responses.csv"


def test_a_folder(tmp_path: Path, db: None) -> None:
    result = bundle_import(path=write_bundle(tmp_path / "bundle", FULL))
    assert result.ok, result.errors
    assert result.run.name == "bundle"
    assert Account.objects.count() == 2


@pytest.mark.parametrize("folder", ["", "export-2024-03/"])
def test_a_zip_with_the_files_at_the_top_or_in_one_folder(tmp_path: Path, db: None, folder: str) -> None:
    path = write_zip(tmp_path / "bundle.zip", FULL, folder=folder)
    with zipfile.ZipFile(path, "a") as archive:  # what macOS adds is not part of the bundle
        archive.writestr(f"__MACOSX/{folder}._accounts.csv", "junk")
        archive.writestr(f"{folder}.DS_Store", "junk")
        if folder:
            archive.writestr(zipfile.ZipInfo(folder), "")

    result = bundle_import(path=path, source=ImportRun.Source.UPLOAD)

    assert result.ok, result.errors
    assert (result.run.name, result.run.source) == ("bundle.zip", "upload")
    assert Account.objects.count() == 2


def test_a_single_bundle_file(tmp_path: Path, db: None) -> None:
    path = write_bundle(tmp_path, {"team.csv": FULL["team.csv"]}) / "team.csv"
    result = bundle_import(path=path)
    assert result.ok, result.errors
    assert User.objects.count() == 2


def test_file_names_compare_case_insensitively(tmp_path: Path, db: None) -> None:
    result = bundle_import(path=write_bundle(tmp_path / "b", {"Team.CSV": FULL["team.csv"]}))
    assert result.ok, result.errors


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ({"../accounts.csv": "id,name\n"}, ["../accounts.csv: unsafe path in bundle.zip"]),
        ({"/etc/accounts.csv": "id,name\n"}, ["/etc/accounts.csv: unsafe path in bundle.zip"]),
        ({"x\\..\\accounts.csv": "id,name\n"}, ["x\\..\\accounts.csv: unsafe path in bundle.zip"]),
        (
            {"a/b/accounts.csv": "id,name\n"},
            ["a/b/accounts.csv: a .zip holds the files at its top level or inside one folder"],
        ),
        (
            {"accounts.csv": "id,name\n", "more/team.csv": "email,name,role\n"},
            ["bundle.zip: files in more than one place ((top level), more/); put them in one folder"],
        ),
        (
            {"accounts.csv": "id,name\n", "notes.txt": "hi"},
            [f"notes.txt: unknown file; a bundle holds {KNOWN}"],
        ),
        ({"readme.md": "hi"}, [f"readme.md: unknown file; a bundle holds {KNOWN}"]),
        ({}, [f"bundle.zip: holds none of the bundle files ({KNOWN})"]),
    ],
)
def test_a_zip_that_is_not_a_bundle_is_refused(
    tmp_path: Path, db: None, members: dict[str, str], expected: list[str]
) -> None:
    path = write_zip(tmp_path / "bundle.zip", members)

    result = bundle_import(path=path)

    assert result.errors == expected
    assert result.run.outcome == ImportRun.Outcome.REJECTED
    assert not Account.objects.exists()


def test_a_path_that_does_not_exist(tmp_path: Path, db: None) -> None:
    result = bundle_import(path=tmp_path / "nowhere")
    assert result.errors == [f"{tmp_path / 'nowhere'}: no such file or folder"]
    assert result.report_lines() == [*result.errors, "Rejected: nothing was imported."]
    assert ImportRun.objects.get().outcome == ImportRun.Outcome.REJECTED


def test_a_folder_with_other_things_in_it(tmp_path: Path, db: None) -> None:
    folder = write_bundle(tmp_path / "b", {"accounts.csv": "id,name\n", "notes.txt": "hi"})
    (folder / "old").mkdir()
    (folder / ".hidden").write_text("ignored")
    assert bundle_import(path=folder).errors == [
        f"notes.txt: unknown file; a bundle holds {KNOWN}",
        "old/: a bundle holds files only, not folders",
    ]


def test_an_empty_folder_and_a_file_that_is_not_a_bundle(tmp_path: Path, db: None) -> None:
    (tmp_path / "empty").mkdir()
    assert bundle_import(path=tmp_path / "empty").errors == [
        f"empty: holds none of the bundle files ({KNOWN})"
    ]
    (tmp_path / "fake.zip").write_text("not a zip")
    assert bundle_import(path=tmp_path / "fake.zip").errors == ["fake.zip: not a .zip file"]
    (tmp_path / "data.xlsx").write_text("x")
    assert bundle_import(path=tmp_path / "data.xlsx").errors == [
        f"data.xlsx: not a folder, a .zip or one of {KNOWN}"
    ]


def test_a_damaged_zip_member_is_reported_on_its_line(tmp_path: Path, db: None) -> None:
    path = write_zip(
        tmp_path / "bundle.zip",
        {"accounts.csv": "id,name\n" + "".join(f"ACC-{n},Acme\n" for n in range(2000))},
    )
    data = bytearray(path.read_bytes())
    start = data.index(b"ACC-1000")  # stored uncompressed: corrupt a byte in the middle, the CRC check fails
    data[start] = ord("X")
    path.write_bytes(bytes(data))

    result = bundle_import(path=path)

    assert not result.ok
    assert len(result.errors) == 1
    assert result.errors[0].startswith("accounts.csv:")
    assert "the .zip is damaged" in result.errors[0]
    assert not Account.objects.exists()
