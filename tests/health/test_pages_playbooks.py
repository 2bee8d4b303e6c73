"""The Playbooks pages: an admin makes a playbook with its tasks, sees it listed, edits it, switches it off;
a bad form says what is wrong and saves nothing."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import User
from health.models import Playbook
from tests.permission_cases import PLAYBOOK_FORM


def test_an_admin_makes_edits_and_switches_off_a_playbook(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    response = client.post(reverse("playbook_new"), PLAYBOOK_FORM)
    assert response.status_code == 302
    playbook = Playbook.objects.get()
    assert (playbook.name, playbook.trigger, playbook.is_active, playbook.created_by) == (
        "Rescue",
        "turned_red",
        True,
        admin_user,
    )
    assert [(s.title, s.offset_days, s.priority) for s in playbook.steps.all()] == [("Call them", 1, "high")]

    page = client.get(reverse("playbook_list")).content.decode()
    assert "Rescue" in page and "Turned red" in page and "Call them" in page

    edit = client.get(reverse("playbook_edit", args=[playbook.pk])).content.decode()
    assert 'value="Call them"' in edit
    changed = {
        **PLAYBOOK_FORM,
        "trigger": "renewal",
        "days": "45",
        "steps-TOTAL_FORMS": "2",
        "steps-1-title": "Send the quote",
        "steps-1-offset_days": "10",
        "steps-1-priority": "normal",
    }
    assert client.post(reverse("playbook_edit", args=[playbook.pk]), changed).status_code == 302
    playbook.refresh_from_db()
    assert (playbook.trigger, playbook.days, playbook.steps.count()) == ("renewal", 45, 2)

    client.post(reverse("playbook_toggle", args=[playbook.pk]))
    playbook.refresh_from_db()
    assert not playbook.is_active


def test_a_bad_playbook_form_says_why(client: Client, admin_user: User) -> None:
    client.force_login(admin_user)
    response = client.post(reverse("playbook_new"), {**PLAYBOOK_FORM, "trigger": "renewal", "days": ""})
    assert response.status_code == 200
    assert "A renewal playbook needs N" in response.content.decode()
    no_steps = client.post(reverse("playbook_new"), {**PLAYBOOK_FORM, "steps-0-title": ""})
    assert "Add at least one task." in no_steps.content.decode()
    assert not Playbook.objects.exists()


def test_the_list_takes_three_queries_however_many(
    client: Client, admin_user: User, django_assert_max_num_queries: object
) -> None:
    from health.services import playbooks_default_create

    playbooks_default_create()
    client.force_login(admin_user)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        assert client.get(reverse("playbook_list")).status_code == 200
