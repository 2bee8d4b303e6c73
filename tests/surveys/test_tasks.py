"""The sending tasks (surveys/tasks.py) on a real Celery worker with the Redis broker of this machine: survey_send
queues batches once its transaction commits, two worker threads send them, each email once."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from surveys.models import Invitation
from surveys.services import invitations, survey_create, survey_send
from tests.metrics.test_celery_worker import worker  # noqa: F401 - the fixture of a worker on Redis
from tests.smtp import SmtpServer
from tests.surveys.conftest import Book


@pytest.mark.redis
@pytest.mark.usefixtures("worker")
@pytest.mark.django_db(transaction=True)
def test_a_worker_sends_the_batches_a_survey_queues(
    book: Book, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of 2: the 3 invitations go as 2 tasks through Redis, and the survey is open once they are sent."""
    monkeypatch.setattr(invitations, "BATCH", 2)
    survey = survey_create(name="Q4", kind="nps")
    assert survey_send(survey=survey) == 3
    deadline = time.monotonic() + 60
    while survey.status != "open" and time.monotonic() < deadline:
        time.sleep(0.1)
        survey.refresh_from_db()
    assert survey.status == "open"
    assert Counter(smtp.recipients) == Counter(book.emails("ana", "ben", "cleo"))
    assert set(Invitation.objects.values_list("state", flat=True)) == {"sent"}
