"""Survey responses belong to their contact's account when they have a contact, and follow the contact when a
contacts.csv import moves it to another account (DATA.md §1, METRICS.md "Customer voice")."""

from __future__ import annotations

from pathlib import Path

from accounts.models import SurveyResponse
from tests.accounts.test_import_helpers import FULL, Importer, counts, run


def accounts_of_responses() -> dict[str, tuple[str | None, str]]:
    return {
        r.external_id: (r.contact.external_id if r.contact else None, r.account.external_id)
        for r in SurveyResponse.objects.select_related("contact", "account")
    }


def test_a_response_with_a_contact_belongs_to_the_contacts_account(tmp_path: Path, db: None) -> None:
    assert run(tmp_path, FULL).ok
    assert accounts_of_responses() == {
        "R-1": ("C-1", "ACC-1"),
        "R-2": (None, "ACC-2"),
        "R-3": ("C-2", "ACC-2"),
    }


def test_a_contact_moved_to_another_account_takes_its_responses_along(import_after_full: Importer) -> None:
    result = import_after_full({"contacts.csv": "id,account_id,email\nC-1,ACC-2,jane@acme.example\n"})

    assert counts(result) == {"contacts": (0, 1, 0)}
    assert accounts_of_responses() == {
        "R-1": ("C-1", "ACC-2"),
        "R-2": (None, "ACC-2"),
        "R-3": ("C-2", "ACC-2"),
    }


def test_a_contact_moved_in_the_same_bundle_as_its_responses(import_after_full: Importer) -> None:
    """The response names the contact's new account, which is right once the contact has moved."""
    result = import_after_full(
        {
            "contacts.csv": "id,account_id,email\nC-1,ACC-2,jane@acme.example\n",
            "responses.csv": "id,kind,score,responded_at,contact_id,account_id\nR-9,nps,10,2024-04-01T00:00:00Z,C-1,ACC-2\n",
        },
    )

    assert result.ok, result.errors
    assert accounts_of_responses()["R-9"] == ("C-1", "ACC-2")


def test_left_out_contact_and_account_columns_keep_the_stored_ones(import_after_full: Importer) -> None:
    result = import_after_full(
        {
            "responses.csv": "id,kind,score,responded_at,comment\nR-1,nps,10,2024-03-10T10:00:00Z,Even better\nR-2,csat,2,2024-03-11T10:00:00Z,Slow support\n"
        },
    )

    assert counts(result) == {"responses": (0, 1, 1)}
    assert accounts_of_responses()["R-1"] == ("C-1", "ACC-1")
    assert SurveyResponse.objects.get(external_id="R-1").comment == "Even better"


def test_a_new_response_needs_a_contact_or_an_account(import_after_full: Importer) -> None:
    result = import_after_full(
        {
            "responses.csv": "id,kind,score,responded_at\nR-1,nps,10,2024-03-10T10:00:00Z\nR-new,nps,10,2024-03-10T10:00:00Z\n"
        },
    )
    assert result.errors == ["responses.csv:3: contact_id: one of contact_id and account_id is required"]
