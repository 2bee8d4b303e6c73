"""`python manage.py erase_contact (EXTERNAL_ID | --email EMAIL)` (README "Erasure"): erase a contact, or every
contact with an email (a request to be forgotten names an address, which several accounts may hold), then
recompute the snapshots of the days their answers and usage counted in."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Contact
from metrics.management.commands.erase_account import recompute
from metrics.services.erasure import contact_erase


class Command(BaseCommand):
    help = (
        "Erase a contact (GDPR) by external id, or every contact with an email, and recompute the snapshots."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "external_id", nargs="?", metavar="EXTERNAL_ID", help="the contact's id in the bundle"
        )
        parser.add_argument(
            "--email", help="erase every contact with this email (compared case-insensitively)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        external_id, email = options["external_id"], options["email"]
        if bool(external_id) == bool(email):
            raise CommandError("Give the contact's external id or --email, not both.")
        if email:
            contacts = list(Contact.objects.filter(email__iexact=email.strip()).order_by("pk"))
        else:
            contacts = list(Contact.objects.filter(external_id=external_id))
        if not contacts:
            raise CommandError(
                f"No contact has the {'email' if email else 'external id'} {email or external_id!r}."
            )
        for contact in contacts:
            began = time.monotonic()
            try:
                erasure = contact_erase(contact=contact, by=None, recompute="caller")
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            recompute(self, erasure, took=time.monotonic() - began)
