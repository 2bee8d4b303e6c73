"""What an import says: the `file:line: column: reason` lines of a rejected bundle, and per-file counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

# A report is read by a person; past this many lines it says how many more there were. It also bounds memory
# when a huge file is bad on every row.
MAX_REPORTED = 10_000


@dataclass(frozen=True, order=True)
class Problem:
    file_rank: int
    line: int
    column_rank: int
    text: str
    column: str = field(default="", compare=False)  # the row's column, "" for a problem of the whole bundle
    reason: str = field(default="", compare=False)


class ErrorLog:
    """Problems found anywhere in a bundle, reported in file order (`SPECS`), then line, then column."""

    def __init__(self, file_order: Iterable[str], limit: int = MAX_REPORTED) -> None:
        self._file_rank = {name: rank for rank, name in enumerate(file_order)}
        self._column_rank: dict[str, dict[str, int]] = {}
        self._kept: list[Problem] = []
        self._kept_per_source: Counter[tuple[str, str]] = Counter()
        self.limit = limit
        self.total = 0
        self.warnings: list[str] = []  # what was imported as given but looks wrong: never refuses the bundle

    def __bool__(self) -> bool:
        return self.total > 0

    def set_header(self, file: str, header: list[str]) -> None:
        self._column_rank[file] = {name: rank for rank, name in enumerate(header)}

    def add(self, file: str, line: int, column: str, reason: str, *, source: str = "rows") -> None:
        """A problem in a row (or the header, line 1) of a file, found by `source` (the row reader or a rule)."""
        self.total += 1
        # Each source adds its problems in line order, so its first `limit` are enough to give the first
        # `limit` of the whole report.
        if self._kept_per_source[file, source] < self.limit:
            self._kept_per_source[file, source] += 1
            rank = self._column_rank.get(file, {}).get(column, -1)
            problem = Problem(
                self._file_rank.get(file, -1),
                line,
                rank,
                f"{file}:{line}: {column}: {reason}",
                column,
                reason,
            )
            self._kept.append(problem)

    def warn(self, text: str) -> None:
        """Something imported as given that a person should look at (`file:line: column: why`)."""
        if len(self.warnings) < self.limit:
            self.warnings.append(text)

    def add_more(self, count: int) -> None:
        """Problems counted but not listed (a set-based rule returns at most `limit` rows)."""
        self.total += count

    def add_general(self, message: str) -> None:
        """A problem with the bundle itself (missing, unreadable, unknown file): listed first."""
        self.total += 1
        self._kept.append(Problem(-1, 0, 0, message))

    def problems(self) -> list[Problem]:
        """The problems kept, in report order (the API maps their line and column to its fields)."""
        return sorted(self._kept)[: self.limit]

    def lines(self) -> list[str]:
        shown = [problem.text for problem in sorted(self._kept)[: self.limit]]
        if self.total > len(shown):
            shown.append(f"… and {self.total - len(shown)} more problems")
        return shown


@dataclass
class FileCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0  # spans replaced away by subscriptions.csv

    def describe(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return f"{text}, {self.deleted} deleted" if self.deleted else text

    def as_dict(self) -> dict[str, int]:
        counts = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        return counts | ({"deleted": self.deleted} if self.deleted else {})
