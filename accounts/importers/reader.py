"""Opening a CSV bundle (a folder, a .zip of one, or a single bundle .csv) and reading its files (DATA.md §1).

A .zip may hold the files at its top level or inside one folder; anything else in it, an unknown file name, or a
path that tries to leave the bundle is refused. Reading is streamed: a file is never held in memory.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

# Operating systems add these to folders and zips; they are not part of the bundle.
IGNORED_NAMES = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini"})


class BundleError(Exception):
    """The bundle as a whole cannot be read; `messages` say why (one line each)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class BundleFile:
    name: str  # the canonical name, e.g. "accounts.csv"
    open: Callable[[], IO[bytes]]


def _ignored(name: str) -> bool:
    return name.startswith(".") or name in IGNORED_NAMES


def _known_name(name: str, known: Collection[str]) -> str | None:
    lowered = name.lower()
    return lowered if lowered in known else None


def _unknown_file(name: str, known: Collection[str]) -> str:
    return f"{name}: unknown file; a bundle holds {', '.join(known)}"


@contextmanager
def open_bundle(path: Path, *, known: Collection[str]) -> Iterator[dict[str, BundleFile]]:
    """The bundle's files by canonical name, open for the duration of the `with` block. Raises BundleError."""
    if not path.exists():
        raise BundleError([f"{path}: no such file or folder"])
    if path.is_dir():
        files = _folder_files(path, known)
        _require_some(path, files, known)
        yield files
    elif zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise BundleError([f"{path.name}: not a readable .zip ({error})"]) from None
        with archive:
            files = _zip_files(path, archive, known)
            _require_some(path, files, known)
            yield files
    elif path.suffix.lower() == ".zip":
        raise BundleError([f"{path.name}: not a .zip file"])
    elif _known_name(path.name, known):
        name = path.name.lower()
        yield {name: BundleFile(name, lambda: path.open("rb"))}
    else:
        raise BundleError([f"{path.name}: not a folder, a .zip or one of {', '.join(known)}"])


def _require_some(path: Path, files: dict[str, BundleFile], known: Collection[str]) -> None:
    if not files:
        raise BundleError([f"{path.name}: holds none of the bundle files ({', '.join(known)})"])


def _folder_files(folder: Path, known: Collection[str]) -> dict[str, BundleFile]:
    files: dict[str, BundleFile] = {}
    problems: list[str] = []
    for entry in sorted(folder.iterdir()):
        if _ignored(entry.name):
            continue
        name = _known_name(entry.name, known)
        if entry.is_dir():
            problems.append(f"{entry.name}/: a bundle holds files only, not folders")
        elif name is None:
            problems.append(_unknown_file(entry.name, known))
        elif name in files:
            problems.append(f"{entry.name}: {name} appears twice")
        else:
            files[name] = BundleFile(name, lambda entry=entry: entry.open("rb"))  # type: ignore[misc]
    if problems:
        raise BundleError(problems)
    return files


def _unsafe(member: str) -> bool:
    parts = PurePosixPath(member).parts
    return (
        member.startswith(("/", "\\")) or "\\" in member or ".." in parts or (bool(parts) and ":" in parts[0])
    )


def _zip_files(path: Path, archive: zipfile.ZipFile, known: Collection[str]) -> dict[str, BundleFile]:
    problems: list[str] = []
    members: list[tuple[str, str, zipfile.ZipInfo]] = []  # (folder, file name, entry)
    for info in archive.infolist():
        if _unsafe(info.filename):
            problems.append(f"{info.filename}: unsafe path in {path.name}")
            continue
        parts = PurePosixPath(info.filename).parts
        if not parts or any(_ignored(part) for part in parts) or info.is_dir():
            continue
        if len(parts) > 2:
            problems.append(f"{info.filename}: a .zip holds the files at its top level or inside one folder")
            continue
        members.append((parts[0] if len(parts) == 2 else "", parts[-1], info))
    folders = {folder for folder, _, _ in members}
    if len(folders) > 1:
        listed = ", ".join(sorted(f"{folder}/" if folder else "(top level)" for folder in folders))
        problems.append(f"{path.name}: files in more than one place ({listed}); put them in one folder")
    files: dict[str, BundleFile] = {}
    for _, file_name, info in members:
        name = _known_name(file_name, known)
        if name is None:
            problems.append(_unknown_file(info.filename, known))
        elif name in files:
            problems.append(f"{info.filename}: {name} appears twice")
        else:
            files[name] = BundleFile(name, lambda info=info: archive.open(info))  # type: ignore[misc]
    if problems:
        raise BundleError(problems)
    return files


class ReadError(Exception):
    """A file cannot be read past `line` (not UTF-8, or not CSV); the rest of it is not checked."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


# What a damaged or unsupported .zip member raises while it is opened or read.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


@contextmanager
def csv_records(file: BundleFile) -> Iterator[Iterator[tuple[int, list[str]]]]:
    """The file's records as (physical line where the record starts, values); the header is line 1.

    UTF-8 with or without a BOM. Blank lines are skipped. Iterating raises ReadError where the file stops being
    readable (then nothing after it is checked).
    """
    try:
        raw = file.open()
    except _ZIP_ERRORS as error:
        yield _unreadable(ReadError(1, f"cannot be read from the .zip ({error})"))
        return
    with raw:
        yield _records(file, io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))


def _unreadable(error: ReadError) -> Iterator[tuple[int, list[str]]]:
    raise error
    yield  # pragma: no cover - makes this a generator


def _records(file: BundleFile, text: IO[str]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(text)
    line = 1
    try:
        for values in reader:
            if values:
                yield line, values
            line = reader.line_num + 1
    except UnicodeDecodeError:
        bad = _first_bad_utf8_line(file)
        # Text is decoded a block at a time: the lines of the block before the bad one are read now.
        yield from _records_between(file, start=line, stop=bad)
        raise ReadError(bad, "the file is not UTF-8 text from this line on") from None
    except csv.Error as error:
        raise ReadError(line, f"not readable as CSV ({error})") from None
    except _ZIP_ERRORS as error:
        raise ReadError(line, f"the .zip is damaged ({error})") from None


def _records_between(file: BundleFile, *, start: int, stop: int) -> Iterator[tuple[int, list[str]]]:
    """The records on lines start … stop − 1, read again line by line."""
    with file.open() as raw:
        lines = itertools.islice(enumerate(raw, start=1), start - 1, stop - 1)
        reader = csv.reader(data.decode("utf-8-sig" if number == 1 else "utf-8") for number, data in lines)
        line = start
        for values in reader:
            if values:
                yield line, values
            line = start + reader.line_num


def _first_bad_utf8_line(file: BundleFile) -> int:
    """The physical line holding the first byte sequence that is not UTF-8 (read again only on that error)."""
    with file.open() as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1  # pragma: no cover - only called after a decoding error
