"""Reads of the book of business for pages and the API, by feature: access (decided in one place), the account
list, the account page, the team. Access to accounts is decided in `accounts.selectors.access`.

A CSM sees the accounts they own today (`Account.csm`); VPs and admins see every account (DESIGN.md
"Roles and access"). Everything that lists or opens accounts starts from `accounts_for_user`.
"""

from accounts.selectors.access import (
    UNASSIGNED,
    account_get_for_user,
    accounts_for_user,
    money_field,
    spans_active_on,
    with_current_mrr,
)
from accounts.selectors.lists import (
    DISTINCT_SEGMENTS_SQL,
    EXPORT_HEADER,
    NOT_SCORED,
    SNAPSHOT_SORTS,
    SORTS,
    STATUSES,
    AccountPages,
    account_export_rows,
    account_list,
    account_pages,
    csms_for_filter,
    segments_for_user,
)
from accounts.selectors.page import (
    AccountPage,
    SpanRow,
    account_page_for_user,
    first_paid_month_end,
    span_timeline,
)
from accounts.selectors.team import import_runs_recent, team_members

__all__ = [
    "DISTINCT_SEGMENTS_SQL",
    "EXPORT_HEADER",
    "NOT_SCORED",
    "SNAPSHOT_SORTS",
    "SORTS",
    "STATUSES",
    "UNASSIGNED",
    "AccountPage",
    "AccountPages",
    "SpanRow",
    "account_export_rows",
    "account_get_for_user",
    "account_list",
    "account_page_for_user",
    "account_pages",
    "accounts_for_user",
    "csms_for_filter",
    "first_paid_month_end",
    "import_runs_recent",
    "money_field",
    "segments_for_user",
    "span_timeline",
    "spans_active_on",
    "team_members",
    "with_current_mrr",
]
