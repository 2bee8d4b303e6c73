"""Reads of playbooks for their admin pages: the list with what each has opened, one playbook with its steps."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from health.models import Playbook, PlaybookStep


def playbook_list() -> QuerySet[Playbook]:
    """Every playbook by name, with its steps and how many times it fired and tasks it opened (three queries)."""
    return (
        Playbook.objects.annotate(
            fired=Count("runs", distinct=True), opened=Count("runs__tasks", distinct=True)
        )
        .prefetch_related(Prefetch("steps", queryset=PlaybookStep.objects.order_by("position")))
        .order_by("name")
    )


def playbook_get(pk: int) -> Playbook:
    try:
        return Playbook.objects.prefetch_related(
            Prefetch("steps", queryset=PlaybookStep.objects.order_by("position"))
        ).get(pk=pk)
    except Playbook.DoesNotExist:
        raise Http404("No such playbook.") from None
