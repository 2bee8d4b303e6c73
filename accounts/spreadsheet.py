"""CSV files Keel writes for people, who open them in a spreadsheet: one rule against formula injection.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a
formula, so text that came from outside (an account's name, a segment, an email) gets a leading `'`, which
spreadsheets show as text and do not run. A number Keel computed itself (money, a score, a change that may be
negative) is passed as a number, not as text, and is written as it is, so its column stays numeric: the rule
goes by the cell's type, never by the look of its text (README "Decisions").
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | date | None


class _Writable(Protocol):
    def write(self, value: str, /) -> object: ...


def spreadsheet_cell(value: Cell) -> Cell:
    """`value` as a spreadsheet should see it: text that would run as a formula gets a leading `'`; numbers,
    dates and None (an empty cell) are Keel's own and stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SpreadsheetWriter:
    """csv.writer for people's files: every row goes through `spreadsheet_cell`."""

    def __init__(self, file: _Writable, **options: object) -> None:
        self._writer = csv.writer(file, **options)  # type: ignore[arg-type]

    def writerow(self, row: Iterable[Cell]) -> object:
        return self._writer.writerow([spreadsheet_cell(value) for value in row])
