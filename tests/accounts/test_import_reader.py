"""Reading a bundle file: each record with the physical line it starts on (the header is line 1), whatever the
quoting, line endings and blank lines; unreadable text stops the file at the line where it goes wrong."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.importers.reader import BundleFile, ReadError, csv_records

values = st.lists(st.sampled_from(["a", "b", " ", ",", '"', "\n", "\r\n", "é"]), max_size=6).map("".join)
rows = st.lists(st.lists(values, min_size=2, max_size=2), max_size=12)


def in_memory(data: bytes) -> BundleFile:
    return BundleFile("x.csv", lambda: io.BytesIO(data))


@given(rows=rows, newline=st.sampled_from(["\n", "\r\n"]), blank_after=st.sets(st.integers(0, 12)))
def test_records_carry_the_line_they_start_on(
    rows: list[list[str]], newline: str, blank_after: set[int]
) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator=newline)
    expected = []
    for number, row in enumerate([["h1", "h2"], *rows]):
        expected.append((text.getvalue().count("\n") + 1, row))  # every line break holds one \n
        writer.writerow(row)
        if number in blank_after:
            text.write(newline)

    with csv_records(in_memory(text.getvalue().encode())) as records:
        assert list(records) == expected


def test_text_that_is_not_utf8_stops_the_file_at_its_line() -> None:
    """The records before the bad line are read (and checked), even those in the block it was decoded in."""
    data = b'\xef\xbb\xbfa,b\n1,"x\ny"\n3,\xff\n5,6\n'
    with csv_records(in_memory(data)) as records:
        assert next(records) == (1, ["a", "b"])
        assert next(records) == (2, ["1", "x\ny"])
        with pytest.raises(ReadError) as error:
            next(records)
    assert (error.value.line, error.value.reason) == (4, "the file is not UTF-8 text from this line on")


def test_a_bom_is_not_part_of_the_header(tmp_path: Path) -> None:
    path = tmp_path / "team.csv"
    path.write_bytes("\ufeffemail,name\r\n".encode())
    with csv_records(BundleFile("team.csv", lambda: path.open("rb"))) as records:
        assert list(records) == [(1, ["email", "name"])]
