"""Writes to the ground floor that pages, the API, the importers and the ingestion endpoints share: the book of
business (`book`), the counts of each source of data (`sources`), the timeline's logged entries (`timeline`)."""

from accounts.services.api_tokens import api_token_create, api_token_revoke
from accounts.services.book import account_owner_change, account_owners_change, usage_days_changed
from accounts.services.sources import SOURCE_REJECTIONS_KEPT, source_accepted, source_rejected
from accounts.services.timeline import timeline_entry_create, timeline_entry_delete, timeline_entry_update

__all__ = [
    "SOURCE_REJECTIONS_KEPT",
    "account_owner_change",
    "account_owners_change",
    "api_token_create",
    "api_token_revoke",
    "source_accepted",
    "source_rejected",
    "timeline_entry_create",
    "timeline_entry_delete",
    "timeline_entry_update",
    "usage_days_changed",
]
