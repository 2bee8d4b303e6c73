"""What the dashboards show of months they lack, and of the month still running: they default to the last complete
month, label the month to date, and never tell anyone to run a command — an admin gets a button that queues the
computation and follows its progress; a VP is told an admin can."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import Role, User
from metrics.models import SnapshotJob
from metrics.selectors.dashboards import ComputedMonths, month_range
from metrics.selectors.jobs import DASHBOARD_REASON
from metrics.templatetags.dashboard_tags import month_label
from tests.metrics.pages_book import Book, element, june_book, table_rows, text
from tests.scenarios import Facts

URL = reverse("company_dashboard")


@pytest.fixture
def book(facts: Facts) -> Book:
    return june_book(facts)


@pytest.fixture
def admin(db: None) -> User:
    return User.objects.create_user("ada@keel.test", "x", name="Ada Admin", role=Role.ADMIN)


def test_the_default_range_ends_at_the_last_complete_month() -> None:
    may, june, july = date(2024, 5, 1), date(2024, 6, 1), date(2024, 7, 1)
    running = ComputedMonths([may, june, july], in_progress=july)
    assert month_range(start=None, end=None, computed=running).end == june
    assert month_range(start=None, end="2024-07", computed=running).end == july  # asked for: shown
    # The month to date is the default only when it is the only month there is.
    assert month_range(start=None, end=None, computed=ComputedMonths([july], july)).end == july
    assert month_range(start=None, end=None, computed=ComputedMonths([may, june])).end == june


def test_the_month_to_date_is_labelled_so() -> None:
    assert month_label(date(2024, 7, 1), date(2024, 7, 1)) == "Jul 2024 (month to date)"
    assert month_label(date(2024, 6, 1), date(2024, 7, 1)) == "Jun 2024"
    assert month_label(date(2024, 6, 1)) == "Jun 2024"


def test_a_dashboard_opens_on_the_last_complete_month(client: Client, book: Book) -> None:
    """The book is computed to 30 June; computing 1–9 July adds July as of the 9th: the month to date. The page
    still opens on June, offers July in the picker as "Jul 2024 (month to date)", and shows it when asked."""
    book.facts.compute("2024-07-01", "2024-07-09", today="2024-07-10")
    client.force_login(book.vp)
    html = client.get(URL).content.decode()
    assert "May 2024 – Jun 2024 · figures as of 30 Jun 2024" in text(element(html, "main"))
    assert '<option value="2024-07">Jul 2024 (month to date)</option>' in html
    html = client.get(URL, {"to": "2024-07"}).content.decode()
    assert "– Jul 2024 (month to date) · figures as of 9 Jul 2024" in text(element(html, "main"))
    assert "Jul 2024 (month to date)" in [row[0] for row in table_rows(html, "bridge")]
    charts = html[html.index('id="dashboard-data"') :]
    assert '"in_progress": "2024-07"' in charts


def test_an_admin_queues_the_missing_months_and_follows_them(
    client: Client,
    book: Book,
    admin: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client.force_login(admin)
    query = {"from": "2024-03", "to": "2024-06"}
    html = client.get(URL, query).content.decode()
    notice = html[html.index('id="missing-months"') : html.index("</div>", html.index('id="missing-months"'))]
    assert 'name="start" value="2024-03-01"' in notice and 'name="end" value="2024-04-30"' in notice
    assert text(element(html, "compute")) == "Compute them" and "manage.py" not in html
    back = f"{URL}?from=2024-03&to=2024-06"
    with django_capture_on_commit_callbacks(execute=False) as queued:  # no worker here: the job stays queued
        response = client.post(
            reverse("snapshot_queue"), {"start": "2024-03-01", "end": "2024-04-30", "next": back}
        )
    assert response.status_code == 302 and response["Location"] == back
    assert len(queued) == 1  # the Celery chain, sent once the request's transaction commits
    job = SnapshotJob.objects.get(reason=DASHBOARD_REASON)
    assert (job.start, job.end, job.requested_by, job.state) == (
        date(2024, 3, 1),
        date(2024, 4, 30),
        admin,
        "queued",
    )
    html = client.get(back).content.decode()
    status = text(element(html, "snapshot-job"))
    assert status.startswith("Computing the missing months") and "1 Mar 2024 … 30 Apr 2024" in status
    assert f'data-job-url="{reverse("snapshot_job", args=[job.pk])}"' in html
    assert "js/snapshot_job.js" in html
    progress = client.get(reverse("snapshot_job", args=[job.pk])).json()
    assert progress["state"] == "queued" and progress["steps_total"] == job.steps_total > 0


def test_a_complete_range_asks_nothing_about_jobs(client: Client, book: Book, admin: User) -> None:
    SnapshotJob.objects.create(
        reason=DASHBOARD_REASON, start=date(2024, 3, 1), end=date(2024, 3, 31), steps_total=3
    )
    client.force_login(admin)
    html = client.get(URL).content.decode()
    assert 'id="snapshot-job"' not in html and "snapshot_job.js" not in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start": "2024-05-01", "end": "2024-03-01"}, "The first day is after the last."),
        ({"start": "March", "end": "2024-03-31"}, "start: Enter a valid date."),
    ],
)
def test_a_bad_request_queues_nothing_and_says_why(
    client: Client, book: Book, admin: User, fields: dict[str, str], message: str
) -> None:
    client.force_login(admin)
    before = SnapshotJob.objects.count()
    response = client.post(
        reverse("snapshot_queue"), {**fields, "next": "https://elsewhere.example/"}, follow=True
    )
    assert response.redirect_chain[0][0] == reverse("home")  # never back to another site
    assert message in response.content.decode()
    assert SnapshotJob.objects.count() == before
