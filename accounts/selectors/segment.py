"""Reads for the Segment page: the write keys and the messages not yet in usage."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import SegmentMessage, SegmentState, SegmentWriteKey


def segment_write_keys() -> QuerySet[SegmentWriteKey]:
    return SegmentWriteKey.objects.select_related("created_by")


def segment_backlog() -> dict[str, int]:
    """How many messages wait to be folded (`pending`) and how many tracks wait for their account."""
    return SegmentMessage.objects.filter(state__in=[SegmentState.PENDING, SegmentState.WAITING]).aggregate(
        pending=Count("id", filter=Q(state=SegmentState.PENDING)),
        waiting=Count("id", filter=Q(state=SegmentState.WAITING)),
    )
