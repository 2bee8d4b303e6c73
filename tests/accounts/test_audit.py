"""The audit log: every admin change leaves exactly one entry, with its actor, action and target, in the change's
own transaction, and no secret; the Audit log page lists them newest first, filtered and paginated."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import AuditEntry, Role, SegmentWriteKey, TeamSettings, User
from accounts.segment.keys import write_key_create, write_key_revoke
from accounts.services import api_token_create, api_token_revoke
from accounts.services.audit import audit_record
from accounts.users import (
    team_fallback_owner_set,
    team_slack_webhook_set,
    user_create,
    user_deactivate,
    user_reactivate,
    user_role_change,
)
from health.models import HealthModel, Playbook
from health.selectors import health_model_active
from health.services import health_model_save, playbook_save, playbook_set_active
from health.services.playbooks import StepData
from health.services.versions import health_model_activate, health_model_draft
from surveys.services import survey_close, survey_create, survey_send, survey_update
from tests.factories import AccountFactory, ContactFactory, SubscriptionSpanFactory

pytestmark = pytest.mark.django_db


@contextmanager
def one_entry(
    *, actor: User | None, action: str, target_type: str, target_id: object = None
) -> Iterator[dict[str, Any]]:
    """The block leaves exactly one new entry, of `actor`, `action` and target; yields a dict the entry is put in."""
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    found: dict[str, Any] = {}
    yield found
    new = list(AuditEntry.objects.exclude(pk__in=before))
    assert len(new) == 1, [(e.action, e.target_label) for e in new]
    entry = new[0]
    assert (entry.actor, entry.action, entry.target_type) == (actor, action, target_type)
    assert entry.actor_label == (actor.email if actor else "")
    if target_id is not None:
        assert entry.target_id == str(target_id)
    found["entry"] = entry


def _draft(**changes: Any) -> HealthModel:
    active = health_model_active()
    fields: dict[str, Any] = {
        "weights": dict(active.weights),
        "parameters": dict(active.parameters),
        "green_min": active.green_min,
        "yellow_min": active.yellow_min,
        "drop_points": active.drop_points,
        "drop_days": active.drop_days,
    }
    fields.update(changes)
    return health_model_draft(**fields)


def test_the_team_changes_each_leave_one_entry(admin_user: User, csm: User) -> None:
    with one_entry(actor=admin_user, action="user.invite", target_type="user") as made:
        new = user_create(email="New@Keel.test", name="Nia New", role=Role.CSM, invited_by=admin_user)
    assert made["entry"].target_id == str(new.pk) and made["entry"].detail == {
        "role": "csm",
        "name": "Nia New",
    }
    with one_entry(actor=admin_user, action="user.role", target_type="user", target_id=csm.pk) as changed:
        user_role_change(user=csm, role=Role.VP, changed_by=admin_user)
    assert changed["entry"].detail == {"role": ["csm", "vp"]}
    assert changed["entry"].target_label == str(csm)
    with one_entry(actor=admin_user, action="user.deactivate", target_type="user", target_id=csm.pk):
        user_deactivate(user=csm, by=admin_user)
    with one_entry(actor=admin_user, action="user.reactivate", target_type="user", target_id=csm.pk):
        user_reactivate(user=csm, by=admin_user)
    with one_entry(actor=admin_user, action="team.fallback_owner", target_type="team") as fallback:
        team_fallback_owner_set(owner=csm, by=admin_user)
    assert fallback["entry"].detail == {"fallback_owner": [None, csm.email]}
    with one_entry(actor=admin_user, action="team.slack_webhook", target_type="team") as slack:
        team_slack_webhook_set(url="https://hooks.slack.com/services/T0/B0/secretpart", by=admin_user)
    assert "secretpart" not in json.dumps(slack["entry"].detail) + slack["entry"].target_label
    # What changes nothing writes nothing: the same role again, deactivating twice.
    count = AuditEntry.objects.count()
    user_role_change(user=csm, role=Role.VP, changed_by=admin_user)
    user_reactivate(user=csm, by=admin_user)
    assert AuditEntry.objects.count() == count


def test_credentials_are_logged_without_their_secrets(admin_user: User, csm: User) -> None:
    with one_entry(actor=admin_user, action="api_token.create", target_type="apitoken") as made:
        token, key = api_token_create(name="CRM sync", user=csm, created_by=admin_user)
    with one_entry(actor=admin_user, action="api_token.revoke", target_type="apitoken", target_id=token.pk):
        api_token_revoke(token=token, by=admin_user)
    api_token_revoke(token=token, by=admin_user)  # twice: revoked already, no second entry
    with one_entry(actor=admin_user, action="segment_key.create", target_type="segmentwritekey") as key_made:
        write_key, secret = write_key_create(name="Web app", user=admin_user)
    with one_entry(
        actor=admin_user, action="segment_key.revoke", target_type="segmentwritekey", target_id=write_key.pk
    ):
        write_key_revoke(key=SegmentWriteKey.objects.get(), by=admin_user)
    assert made["entry"].detail == {"acts_as": csm.email}
    rows = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert key not in rows and key[12:] not in rows
    assert secret not in rows and token.key_hash not in rows and write_key.key_hash not in rows
    assert key_made["entry"].target_label == "Web app (" + secret[:6] + "…)"


def test_a_detail_naming_a_secret_is_refused(admin_user: User) -> None:
    with pytest.raises(ValueError, match="secrets"), transaction.atomic():
        audit_record(actor=admin_user, action="x", target_type="t", detail={"new": {"key": "keel_abc"}})


def test_the_health_model_changes_each_leave_one_entry(admin_user: User) -> None:
    active = health_model_active()
    with one_entry(actor=admin_user, action="health_model.save", target_type="healthmodel") as saved:
        model = health_model_save(draft=_draft(green_min=80), by=admin_user, note="Stricter green")
    detail = saved["entry"].detail
    assert detail["replaces"] == active.version and detail["note"] == "Stricter green"
    assert any("80" in change for change in detail["changes"])
    assert saved["entry"].target_label == f"Health model v{model.version}"
    with one_entry(actor=admin_user, action="health_model.activate", target_type="healthmodel") as back:
        health_model_activate(model=active, by=admin_user)
    assert back["entry"].detail == {"active": [model.version, active.version]}
    count = AuditEntry.objects.count()
    health_model_activate(model=active, by=admin_user)  # already active
    assert AuditEntry.objects.count() == count


def test_playbook_changes_each_leave_one_entry(admin_user: User) -> None:
    steps = [StepData("Call them", "", 1, "high")]
    with one_entry(actor=admin_user, action="playbook.create", target_type="playbook") as made:
        playbook = playbook_save(
            playbook=None, name="Rescue", trigger="turned_red", days=None, steps=steps, by=admin_user
        )
    assert made["entry"].detail["name"] == [None, "Rescue"]
    with one_entry(
        actor=admin_user, action="playbook.edit", target_type="playbook", target_id=playbook.pk
    ) as e:
        playbook_save(
            playbook=Playbook.objects.get(),
            name="Rescue fast",
            trigger="turned_red",
            days=None,
            steps=[StepData("Call them today", "", 0, "high")],
            by=admin_user,
        )
    assert e["entry"].detail == {
        "name": ["Rescue", "Rescue fast"],
        "steps": [[["Call them", 1, "high"]], [["Call them today", 0, "high"]]],
    }
    with one_entry(actor=admin_user, action="playbook.deactivate", target_type="playbook"):
        playbook_set_active(playbook=playbook, active=False, by=admin_user)


def test_survey_changes_each_leave_one_entry(admin_user: User) -> None:
    account = AccountFactory.create()
    SubscriptionSpanFactory(account=account, amount=100, starts_on=date(2020, 1, 1))
    ContactFactory(account=account, email="ann@paying.example")
    with one_entry(actor=admin_user, action="survey.create", target_type="survey") as made:
        survey = survey_create(by=admin_user, name="Q3 NPS", kind="nps")
    assert made["entry"].detail["kind"] == "nps"
    with one_entry(actor=admin_user, action="survey.update", target_type="survey", target_id=survey.pk) as e:
        survey_update(survey=survey, by=admin_user, name="Q3 NPS (all)")
    assert e["entry"].detail == {"name": ["Q3 NPS", "Q3 NPS (all)"]}
    with one_entry(actor=admin_user, action="survey.send", target_type="survey", target_id=survey.pk) as sent:
        survey_send(survey=survey, by=admin_user)
    assert sent["entry"].detail == {"round": 1, "invitations": 1}
    survey_send(survey=survey, by=admin_user)  # nothing due: no round started, no entry
    assert AuditEntry.objects.filter(action="survey.send").count() == 1
    with one_entry(actor=admin_user, action="survey.close", target_type="survey", target_id=survey.pk):
        survey_close(survey=survey, by=admin_user)


def test_the_pages_record_the_admin_who_acted(client: Client, admin_user: User, csm: User) -> None:
    client.force_login(admin_user)
    with one_entry(actor=admin_user, action="user.role", target_type="user", target_id=csm.pk):
        client.post(reverse("team_role", args=[csm.pk]), {"role": "vp"})
    with one_entry(actor=admin_user, action="segment_key.create", target_type="segmentwritekey"):
        client.post(reverse("segment_settings"), {"name": "Web"})
    with one_entry(actor=admin_user, action="segment_key.revoke", target_type="segmentwritekey"):
        client.post(reverse("segment_key_revoke", args=[SegmentWriteKey.objects.get().pk]))
    with one_entry(actor=admin_user, action="playbook.create", target_type="playbook"):
        from tests.permission_cases import PLAYBOOK_FORM

        client.post(reverse("playbook_new"), PLAYBOOK_FORM)
    with one_entry(actor=admin_user, action="playbook.deactivate", target_type="playbook"):
        client.post(reverse("playbook_toggle", args=[Playbook.objects.get().pk]))


@pytest.mark.django_db(transaction=True)
def test_an_entry_is_written_in_the_change_s_transaction(
    admin_user: User, csm: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure writing the entry rolls the change back (and the other way round); outside a transaction
    audit_record refuses to write at all, so no caller can leave a change without its entry."""

    def failing_create(**fields: Any) -> AuditEntry:
        raise RuntimeError("the log is full")

    monkeypatch.setattr(AuditEntry.objects, "create", failing_create)
    with pytest.raises(RuntimeError, match="full"):
        user_role_change(user=csm, role=Role.VP, changed_by=admin_user)
    with pytest.raises(RuntimeError, match="full"):
        team_fallback_owner_set(owner=csm, by=admin_user)
    monkeypatch.undo()
    csm.refresh_from_db()
    assert csm.role == Role.CSM and not TeamSettings.objects.filter(fallback_owner=csm).exists()

    def role_then_failure() -> None:
        with transaction.atomic():  # the change fails after its entry: neither is kept
            user_role_change(user=csm, role=Role.VP, changed_by=admin_user)
            User.objects.create_user(admin_user.email, None, name="Twice")

    with pytest.raises(IntegrityError):
        role_then_failure()
    csm.refresh_from_db()
    assert csm.role == Role.CSM and not AuditEntry.objects.exists()
    with pytest.raises(RuntimeError, match="outside a transaction"):
        audit_record(actor=admin_user, action="user.role", target=csm)


def _entries(admin: User, n: int, action: str = "user.role", actor: User | None = None) -> None:
    with transaction.atomic():
        for i in range(n):
            audit_record(
                actor=actor, action=action, target_type="user", target_id=i, target_label=f"Person {i}"
            )


def test_the_page_lists_entries_newest_first_filtered_and_paginated(
    client: Client,
    admin_user: User,
    csm: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    _entries(admin_user, 60, actor=admin_user)
    _entries(admin_user, 2, action="survey.send")  # by Keel itself
    client.force_login(admin_user)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("audit_log")).content.decode()
    assert "62 entries" in page and "Page 1 of 2" in page
    rows = page[page.index("<tbody>") :]
    assert rows.index("survey.send") < rows.index("Person 59 ") < rows.index("Person 12 ")
    assert "Person 11 " not in rows  # 50 a page: the 12 oldest are on page 2
    second = client.get(reverse("audit_log") + "?page=2").content.decode()
    assert "Person 11 " in second and "Person 12 " not in second
    keel = client.get(reverse("audit_log") + "?actor=keel").content.decode()
    assert "2 entries" in keel and "Person 59" not in keel
    mine = client.get(reverse("audit_log") + f"?actor={admin_user.pk}&action=user.role").content.decode()
    assert "60 entries" in mine
    nobody = client.get(reverse("audit_log") + f"?actor={csm.pk}").content.decode()
    assert "No entries" in nobody and "Nothing matches these filters" in nobody


@pytest.mark.parametrize("role", [Role.VP, Role.CSM])
def test_only_admins_read_the_log(client: Client, make_user: Callable[..., User], role: str) -> None:
    client.force_login(make_user(f"{role}@keel.test", role))
    assert client.get(reverse("audit_log")).status_code == 403
