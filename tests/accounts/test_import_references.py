"""References (account, contact, CSM) resolve to the bundle or to what Keel already holds, whatever the order of
the files (DATA.md §1)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from accounts.importers import bundle_import
from accounts.models import Account, Contact, Role, SurveyResponse, Ticket, User
from tests.accounts.test_import_helpers import FILE_ORDER, FULL, counts, run, write_zip


def test_files_refer_to_each_other_whatever_their_order_in_the_zip(tmp_path: Path, db: None) -> None:
    reversed_order = dict(reversed(list(FULL.items())))
    assert next(iter(reversed_order)) == "responses.csv"

    result = bundle_import(path=write_zip(tmp_path / "bundle.zip", reversed_order))

    assert result.ok, result.errors
    assert list(result.summary) == FILE_ORDER


def test_references_to_what_keel_already_holds(
    tmp_path: Path, db: None, make_user: Callable[..., User]
) -> None:
    make_user("carol@keel.example", Role.VP)
    assert run(tmp_path / "one", {"accounts.csv": "id,name\nACC-7,Initech\n"}).ok
    assert run(
        tmp_path / "two", {"contacts.csv": "id,account_id,email\nC-7,ACC-7,peter@initech.example\n"}
    ).ok

    result = run(
        tmp_path / "three",
        {
            "accounts.csv": "id,name,csm_email\nACC-8,Umbrella,CAROL@keel.example\n",
            "tickets.csv": "id,account_id,created_at\nT-7,ACC-7,2024-01-01T00:00:00Z\n",
            "usage.csv": "account_id,user_id,event,occurred_at\nACC-7,u1,login,2024-01-01T00:00:00Z\n",
            "responses.csv": "id,kind,score,responded_at,contact_id\nR-7,nps,3,2024-01-02T00:00:00Z,C-7\n",
        },
    )

    assert result.ok, result.errors
    assert counts(result) == {
        "accounts": (1, 0, 0),
        "tickets": (1, 0, 0),
        "usage": (1, 0, 0),
        "responses": (1, 0, 0),
    }
    assert Account.objects.get(external_id="ACC-8").csm == User.objects.get(email="carol@keel.example")
    assert Ticket.objects.get(external_id="T-7").account.external_id == "ACC-7"
    assert SurveyResponse.objects.get(external_id="R-7").account.external_id == "ACC-7"


def test_a_csm_may_come_from_team_csv_of_the_same_bundle(tmp_path: Path, db: None) -> None:
    result = run(
        tmp_path,
        {
            "accounts.csv": "id,name,csm_email\nACC-1,Acme,dana@keel.example\n",
            "team.csv": "email,name,role\nDana@Keel.example,Dana,admin\n",
        },
    )
    assert result.ok, result.errors
    assert Account.objects.get().csm == User.objects.get(email="dana@keel.example", role=Role.ADMIN)


def test_rows_of_a_rejected_file_still_resolve_references(tmp_path: Path, db: None) -> None:
    """ACC-2 has a bad row but is in the bundle: the contact naming it is not reported as well."""
    result = run(
        tmp_path,
        {
            "accounts.csv": "id,name,seats\nACC-1,Acme,1\nACC-2,Globex,lots\n",
            "contacts.csv": "id,account_id,email\nC-1,ACC-2,x@globex.example\nC-2,ACC-3,y@example.com\n",
            "usage.csv": "account_id,user_id,event,occurred_at\nACC-2,u,login,2024-01-01T00:00:00Z\n",
        },
    )
    assert result.errors == [
        "accounts.csv:3: seats: 'lots' is not a whole number ≥ 0",
        "contacts.csv:3: account_id: unknown account 'ACC-3'",
    ]
    assert not Contact.objects.exists()
