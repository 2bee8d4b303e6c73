"""The account list: search, filters and sorts over the latest snapshot (AccountCurrent), its CSV export, and the
choices of its filters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.functions import Lower

from accounts.models import Account, User
from accounts.numbers import cents
from accounts.selectors import UNASSIGNED, accounts_for_user
from accounts.spreadsheet import Cell
from health.models import Stage

# Sorts of the account list: by name, or by a figure of the latest snapshot (AccountCurrent) either way with the
# accounts that lack it last; lower(name) (index account_lower_name) and pk break ties, so pages never overlap.
_BY_NAME: tuple[OrderBy, ...] = (Lower("name").asc(), F("pk").asc())
SORTS: dict[str, tuple[OrderBy, ...]] = {
    "name": _BY_NAME,
    "-name": (Lower("name").desc(), F("pk").desc()),
    "mrr": (F("current__arr").asc(nulls_last=True), *_BY_NAME),
    "-mrr": (F("current__arr").desc(nulls_last=True), *_BY_NAME),
    "health": (F("current__score").asc(nulls_last=True), *_BY_NAME),
    "-health": (F("current__score").desc(nulls_last=True), *_BY_NAME),
    "change": (F("current__score_change_30d").asc(nulls_last=True), *_BY_NAME),
    "-change": (F("current__score_change_30d").desc(nulls_last=True), *_BY_NAME),
}
# The sorts by a figure of the snapshot, whose pages are read through AccountPages.
SNAPSHOT_SORTS = frozenset(key for key in SORTS if key.lstrip("-") != "name")
STATUSES = ("green", "yellow", "red")
NOT_SCORED = "none"  # the status filter's value for accounts without a score


def account_list(
    *,
    user: User,
    q: str = "",
    segment: str = "",
    csm: str = "",
    status: str = "",
    stage: str = "",
    at_risk: bool = False,
    sort: str = "name",
) -> QuerySet[Account]:
    """The account list page and its CSV export: `user`'s accounts matching the search and filters in `sort`
    order (SORTS), with their CSM and their row of the latest snapshot (`current`; none before the first run).

    `q` matches the name or the external id (case-insensitive, anywhere: trigram indexes). `csm` is a user id or
    UNASSIGNED; it only narrows what `user` may see anyway. `status` is a health status or NOT_SCORED; `stage`
    a lifecycle stage (health.models.Stage) on the snapshot's day.
    """
    accounts = accounts_for_user(user)
    if q:
        accounts = accounts.filter(Q(name__icontains=q) | Q(external_id__icontains=q))
    if segment:
        accounts = accounts.filter(segment=segment)
    if csm == UNASSIGNED:
        accounts = accounts.filter(csm__isnull=True)
    elif csm.isdigit():
        accounts = accounts.filter(csm_id=int(csm))
    if status in STATUSES:
        accounts = accounts.filter(current__status=status)
    elif status == NOT_SCORED:
        accounts = accounts.filter(current__score__isnull=True)
    if stage in Stage.values:
        accounts = accounts.filter(current__stage=stage)
    if at_risk:
        accounts = accounts.filter(current__at_risk=True)
    # No annotation: the paginator's COUNT would then wrap the whole join in a subquery.
    return accounts.select_related("csm", "current").order_by(*SORTS.get(sort, _BY_NAME))


class AccountPages:
    """The account list sorted by a figure of the snapshot, as the paginator reads it: the accounts with a snapshot
    row in the order of `accounts` (from `account_list`), then those without one (created since the last run) by
    name: exactly the order of `accounts`, whose figures sort them last.

    `account_list` says it in one query, but one that joins every account to its row before sorting (a LEFT JOIN
    cannot be read in the order of an index on its right side): 200 ms at 100k accounts. The accounts with a row
    are an inner join, which PostgreSQL reads in index order and stops after the page; those without a row are
    read only for the pages past the others.
    """

    def __init__(self, accounts: QuerySet[Account]) -> None:
        self.accounts = accounts
        self.with_row = accounts.filter(current__isnull=False)
        self.without_row = accounts.filter(current__isnull=True).order_by(*_BY_NAME)

    def count(self) -> int:
        return self.accounts.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Account]:
        return iter(self[0:None])

    @overload
    def __getitem__(self, index: int) -> Account: ...

    @overload
    def __getitem__(self, index: slice) -> list[Account]: ...

    def __getitem__(self, index: int | slice) -> Account | list[Account]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        rows = list(self.with_row[start:stop])
        if stop is not None and len(rows) == stop - start:
            return rows
        with_row = start + len(rows) if rows else self.with_row.count()
        rest = self.without_row[max(0, start - with_row) : None if stop is None else max(0, stop - with_row)]
        return rows + list(rest)


def account_pages(accounts: QuerySet[Account], sort: str) -> QuerySet[Account] | AccountPages:
    """What the list's paginator reads for `accounts` (from `account_list`) in `sort` order."""
    return AccountPages(accounts) if sort in SNAPSHOT_SORTS else accounts


EXPORT_HEADER = [
    "name",
    "external_id",
    "segment",
    "csm_email",
    "mrr",
    "arr",
    "mau",
    "health_score",
    "health_status",
    "at_risk",
    "health_change_30d",
    "stage",
    "as_of",
]


def account_export_rows(accounts: QuerySet[Account]) -> Iterator[Sequence[Cell]]:
    """The CSV export of the account list: the header, then one line per account of `accounts` (every one, in
    list order), read in chunks through a server-side cursor so that 100k accounts stream in constant memory.
    Money to the cent; scores unrounded, as the API gives them. Text cells are text and numbers are numbers, so
    the writer (accounts.spreadsheet) defuses formulas in the text and leaves Keel's own numbers numeric."""
    yield EXPORT_HEADER
    rows = accounts.values_list(
        "name",
        "external_id",
        "segment",
        "csm__email",
        "current__arr",
        "current__mau",
        "current__score",
        "current__status",
        "current__at_risk",
        "current__score_change_30d",
        "current__stage",
        "current__day",
    )
    for (
        name,
        external_id,
        segment,
        email,
        arr,
        mau,
        score,
        status,
        at_risk,
        change,
        stage,
        day,
    ) in rows.iterator(chunk_size=2000):
        yield [
            name,
            external_id,
            segment or "",
            email or "",
            None if arr is None else cents(arr / 12),
            None if arr is None else cents(arr),
            mau,
            score,
            status or "",
            "" if at_risk is None else ("yes" if at_risk else "no"),
            change,
            stage or "",
            day,
        ]
