"""The Health model page (/health/model/): admins only; preview a draft, save versions, recompute history."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from health.forms import HealthModelForm
from health.models import HealthModel
from health.selectors import health_model_active
from metrics.models import AccountDay, SnapshotJob
from tests.scenarios import Facts, ago, churn_book, score_day

FIRST_VISIT_QUERIES, VISIT_QUERIES, DRAFT_QUERIES = 34, 14, 24  # whatever the number of accounts
URL = reverse("health_model")


def html(response: HttpResponseBase) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def cell(page: str, table: str, row: str) -> list[str]:
    """The cells of row `row` (its data-row) of the table with id `table`, as text."""
    body = re.search(rf'<table[^>]*id="{table}".*?</table>', page, re.S)
    assert body, table
    found = re.search(rf'<tr data-row="{row}">(.*?)</tr>', body.group(0), re.S)
    assert found, row
    cells = re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", value).split()[0] if value.strip() else "" for value in cells]


def form_data(**changes: Any) -> dict[str, Any]:
    """The form as the page fills it for the active model, with `changes`."""
    data = {**HealthModelForm.initial_from(health_model_active()), "note": "", **changes}
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def book(facts: Facts) -> Facts:
    return churn_book(facts)


@pytest.mark.parametrize("role", ["csm", "vp"])
def test_only_admins_open_or_change_the_model(
    client: Client, make_user: Callable[..., User], role: str
) -> None:
    client.force_login(make_user(f"{role}@keel.test", role))
    assert client.get(URL).status_code == 403
    response = client.post(URL, form_data(weight_activity="50", action="save"))
    assert response.status_code == 403
    assert HealthModel.objects.count() == 2  # v1 and the recommended v2 (health 0008)
    job = SnapshotJob.objects.create(
        reason="health model v1", start=timezone.localdate(), end=timezone.localdate()
    )
    assert client.get(reverse("snapshot_job", args=[job.pk])).status_code == 403


def test_anonymous_people_are_sent_to_log_in(client: Client, db: None) -> None:
    versions = HealthModel.objects.count()
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post(URL, {"action": "save"}).status_code == 302
    assert HealthModel.objects.count() == versions


def test_the_page_shows_the_active_model_its_preview_and_history(book: Facts, admin_client: Client) -> None:
    response = admin_client.get(URL)
    assert response.status_code == 200
    page = html(response)
    assert 'name="weight_activity"' in page and 'value="30"' in page
    assert "Active: <strong>version 1</strong>" in page
    assert "The active model on 30 Jun 2024, the latest computed day." in page
    # on D only the stayers pay: activity 5, support 85, recency 100, revenue 100 → 3425 / 65 = 52.7: yellow
    assert [cell(page, "distribution", status) for status in ("green", "yellow", "red")] == [
        ["0"],
        ["4"],
        ["0"],
    ]
    assert "Backtest" in page and "Apr 2023 – Mar 2024" in page
    assert cell(page, "backtest", "auc") != ["—"]
    assert 'data-version="1"' in page
    assert "parameters-notice" not in page


def test_preview_compares_a_draft_with_the_active_model_and_saves_nothing(
    book: Facts, admin_client: Client
) -> None:
    active_page = html(admin_client.get(URL))
    response = admin_client.post(URL, form_data(weight_activity="0", action="preview"))
    assert response.status_code == 200
    page = html(response)
    assert "The draft against the active model" in page
    active_auc, draft_auc = cell(page, "backtest", "auc")
    assert active_auc == cell(active_page, "backtest", "auc")[0]
    assert draft_auc != active_auc
    # without activity the stayers score (15 × 85 + 10 × 100 + 10 × 100) / 35 = 93.6: green
    assert cell(page, "distribution", "green") == ["0", "4"]
    assert HealthModel.objects.count() == 2  # v1 and the recommended v2 (health 0008)
    assert "parameters-notice" not in page


def test_a_changed_parameter_says_the_preview_needs_a_recompute(book: Facts, admin_client: Client) -> None:
    page = html(admin_client.post(URL, form_data(recency_ramp_days="30", action="preview")))
    assert "A component parameter changed." in page
    assert "Recompute history" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"yellow_min": "80"}, "green_min", "Green must start above yellow (80)."),
        ({"weight_activity": "-3"}, "weight_activity", "A weight is a number from 0 to 1000."),
        ({"drop_days": "2.5"}, "drop_days", "Enter a whole number."),
        ({"activity_target_days": "45"}, "activity_target_days", "A whole number of days from 1 to 30."),
        ({"weight_support": ""}, "weight_support", "This field is required."),
    ],
)
def test_invalid_values_are_shown_on_their_field(
    admin_client: Client, changes: dict[str, str], field: str, message: str
) -> None:
    response = admin_client.post(URL, form_data(action="save", **changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors[field] == [message]
    assert message.replace("(", "").split()[0] in html(response)
    assert HealthModel.objects.count() == 2  # v1 and the recommended v2 (health 0008)


def test_all_weights_zero_is_an_error_above_the_form(admin_client: Client) -> None:
    zero = {
        f"weight_{name}": "0"
        for name in ("activity", "adoption", "sentiment", "support", "revenue", "recency")
    }
    response = admin_client.post(URL, form_data(action="preview", **zero))
    assert response.status_code == 400
    assert "At least one weight must be above 0." in html(response)
    assert 'id="form-errors"' in html(response)


def test_saving_makes_a_new_active_version_in_the_history(
    book: Facts, admin_client: Client, admin_user: User
) -> None:
    response = admin_client.post(URL, form_data(weight_activity="45", note="Usage first", action="save"))
    assert response.status_code == 302 and response["Location"] == URL
    v2 = health_model_active()  # v3: v2 is Keel's recommended model, saved inactive by health 0008
    assert (v2.version, v2.created_by, v2.note, v2.changes) == (
        3,
        admin_user,
        "Usage first",
        ["Activity weight: 30 → 45"],
    )
    page = html(admin_client.get(URL))
    assert "Saved version 3; it is active from now on." in page
    assert "Active: <strong>version 3</strong>" in page
    assert re.search(
        r'data-version="3">\s*<td class="nowrap">v3 <span class="badge badge--success">Active', page
    )
    assert "Activity weight: 30 → 45" in page and "Usage first" in page
    assert SnapshotJob.objects.filter(reason__startswith="health model").count() == 0


def test_saving_with_a_recompute_queues_it_and_shows_its_progress(
    book: Facts, admin_client: Client, admin_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    """The job is queued once the save commits, and tasks run eagerly in the tests: the job is done when the
    redirect comes back. The recomputed day has the new version's scores."""
    today = timezone.localdate()
    start, end = today - timedelta(days=3), today - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            URL,
            form_data(
                weight_activity="5",
                action="save",
                recompute="on",
                recompute_from=start.isoformat(),
                recompute_to=end.isoformat(),
            ),
        )
    assert response.status_code == 302
    job = SnapshotJob.objects.get(reason="health model v3")
    assert (job.requested_by, job.start, job.end, job.state) == (admin_user, start, end, "done")
    assert job.steps_done == job.steps_total
    page = html(admin_client.get(URL))
    assert "Recompute: health model v3" in page and f"{job.steps_total} of {job.steps_total} steps" in page
    progress = admin_client.get(reverse("snapshot_job", args=[job.pk])).json()
    assert progress == {
        "state": "done",
        "state_label": "Done",
        "steps_done": job.steps_total,
        "steps_total": job.steps_total,
        "progress": 1.0,
        "error": "",
    }


def test_a_recompute_of_the_retention_window_by_default(book: Facts, admin_client: Client) -> None:
    """Without dates, the range is the daily retention window: today − KEEL_DAILY_RETENTION_DAYS … yesterday;
    D (2024-06-30) was computed with v1 and is not in it, so it keeps v1."""
    admin_client.post(URL, form_data(weight_activity="5", action="save", recompute="on"))
    job = SnapshotJob.objects.get(reason="health model v3")
    today = timezone.localdate()
    assert (job.start, job.end) == (today - timedelta(days=400), today - timedelta(days=1))
    assert AccountDay.objects.filter(day=ago(0), health_model__version=1).exists()


def test_a_recompute_range_must_be_over(admin_client: Client) -> None:
    today = timezone.localdate()
    response = admin_client.post(
        URL, form_data(weight_activity="5", action="save", recompute="on", recompute_to=today.isoformat())
    )
    assert response.status_code == 400
    assert response.context["form"].errors["recompute_to"] == [
        f"The last day that can be computed is {today - timedelta(days=1)}."
    ]
    assert HealthModel.objects.count() == 2  # v1 and the recommended v2 (health 0008)


def test_query_count_does_not_grow_with_versions_or_accounts(
    facts: Facts,
    admin_client: Client,
    admin_user: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    """session + user + active model + versions + latest recompute + ledger + the distribution (the fill's lock,
    ledger and filled days, then the query) + the backtest's last day and its fill + the churned-while-green
    count and page; the first visit after a pipeline run also fills the preview's and the backtest's rows and runs
    the active model's backtest."""
    for size in (2, 20):
        while len(facts.accounts) < size:
            account = facts.account(f"A{len(facts.accounts)}")
            facts.span(account, "100.00", "month", ago(400))
        score_day(facts)
        while HealthModel.objects.count() < size // 2:
            admin_client.post(URL, form_data(weight_activity=str(HealthModel.objects.count()), action="save"))
        with django_assert_max_num_queries(FIRST_VISIT_QUERIES):
            assert admin_client.get(URL).status_code == 200
        with django_assert_max_num_queries(VISIT_QUERIES):
            assert admin_client.get(URL).status_code == 200
        data = form_data(weight_adoption="1", action="preview")
        with django_assert_max_num_queries(DRAFT_QUERIES):
            assert admin_client.post(URL, data).status_code == 200


WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "MERGE", "CREATE", "ALTER", "DROP", "COPY")


def test_the_page_and_a_draft_preview_write_nothing(book: Facts, admin_client: Client) -> None:
    """Selectors only read: the preview and the backtest re-weight the rows the pipeline keeps, so neither a
    visit nor a draft's preview runs one statement that writes (the first visit after a run included)."""
    admin_client.get(reverse("task_list"))  # the session's own first write, not the page's
    statements: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(" ".join(str(sql).split()).upper())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert admin_client.get(URL).status_code == 200
        assert admin_client.post(URL, form_data(weight_activity="0", action="preview")).status_code == 200
    assert statements
    assert [sql for sql in statements if sql.startswith(WRITES)] == []
