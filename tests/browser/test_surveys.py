"""Surveys end to end, in a real browser against a live Keel: an invitation goes out through Django's SMTP backend
to a real SMTP server on loopback (aiosmtpd), a contact follows its link on a phone and answers 3, the CSM finds
the follow-up task on their dashboard, and the next snapshot counts the answer in the month's NPS; an admin makes,
previews and sends a survey on its pages and reads its results. Screenshots: test-artifacts/ (docs/ with `make
screenshots`)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role, SurveyResponse, User
from health.models import Task
from metrics.selectors import monthly_kpis
from metrics.services.pipeline import snapshot_compute
from surveys.models import Invitation, Survey
from surveys.services import survey_create, survey_send
from surveys.services.answers import response_record
from tests.browser.conftest import wait_true
from tests.factories import AccountFactory, ContactFactory, SubscriptionSpanFactory
from tests.smtp import SmtpServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.fixtures import Settings
    from pytest_django.live_server_helper import LiveServer

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A phone's browser: 390×844, touch, on the live server."""
    context = browser.new_context(
        viewport=PHONE,  # type: ignore[arg-type]
        base_url=live_server.url,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_an_invitation_from_the_email_to_the_csms_follow_up_and_the_months_nps(
    page: Page,
    phone: Page,
    live_server: LiveServer,
    login: Callable[..., None],
    screenshot: Callable[..., Path],
    settings: Settings,
    smtp: SmtpServer,
    csm: User,
    vp: User,
) -> None:
    settings.KEEL_BASE_URL = live_server.url
    account = AccountFactory(name="Aurora Analytics", external_id="CRM-10231", csm=csm, segment="enterprise")
    SubscriptionSpanFactory(account=account, interval="year", amount="54000.00", starts_on=date(2024, 1, 1))
    ContactFactory(account=account, name="Maya Lindqvist", email="maya@aurora.example")

    # Sent through the services: the commit runs the batch's task (eagerly, as without Redis) over SMTP.
    survey = survey_create(name="Q4 NPS", kind="nps", reminder_days=5)
    assert survey_send(survey=survey) == 1
    (message,) = smtp.messages
    assert message["To"] == "maya@aurora.example"
    assert message["Subject"] == "How likely are you to recommend us to a friend or colleague?"
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    links = re.findall(re.escape(live_server.url) + r"/s/([^/\s]+)/\?score=(\d+)", text)
    assert [int(score) for _, score in links] == list(range(11))
    (token,) = {token for token, _ in links}
    # 256 random bits: secrets.token_urlsafe(32), 43 URL-safe characters that decode to 32 bytes.
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert len(base64.urlsafe_b64decode(token + "=")) == 32
    assert Invitation.objects.get().state == Invitation.State.SENT

    page.set_content(html)  # the email as a mail program shows it
    expect(page.get_by_role("link", name="9", exact=True)).to_be_visible()
    screenshot(page, "survey-email.png", full_page=True)

    # On a phone, from the email's link for 9: the page opens with 9 chosen and records nothing.
    phone.goto(f"{live_server.url}/s/{token}/?score=9")
    expect(phone.locator("#score-9")).to_be_checked()
    expect(phone.get_by_text("How likely are you to recommend us")).to_be_visible()
    assert not SurveyResponse.objects.exists() and not Task.objects.exists()
    fits = phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the page scrolls sideways on a phone"
    box = phone.locator("label[for=score-10]").bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44  # a thumb's target
    screenshot(phone, "survey-phone.png", full_page=True)

    phone.locator("label[for=score-3]").tap()
    phone.get_by_label("Anything you would like to add?").fill("Exports time out every Monday morning.")
    phone.get_by_role("button", name="Send my answer").tap()
    phone.wait_for_url("**/thanks/")
    expect(phone.locator("#answer-score")).to_have_text("3")
    screenshot(phone, "survey-phone-thanks.png")

    response = SurveyResponse.objects.get()
    assert (response.kind, response.score, response.comment) == (
        "nps",
        3,
        "Exports time out every Monday morning.",
    )
    assert (response.account, response.contact.email) == (account, "maya@aurora.example")  # type: ignore[union-attr]
    assert Invitation.objects.get().response == response

    page.goto(f"/s/{token}/")  # on a laptop, the answer given is chosen and can be changed
    expect(page.locator("#score-3")).to_be_checked()
    expect(page.get_by_role("button", name="Change my answer")).to_be_visible()
    screenshot(page, "survey-answer-laptop.png")
    phone.goto(f"/s/{token[:-5]}/")  # a link cut short by a mail program
    expect(phone.get_by_role("heading", name="We do not know this link")).to_be_visible()
    screenshot(phone, "survey-phone-unknown.png")

    # The CSM's dashboard lists the follow-up task with the score and the comment.
    login(page, csm)
    tasks = page.locator("#open-tasks")
    expect(tasks).to_contain_text("Aurora Analytics")
    expect(tasks).to_contain_text("Follow up Aurora Analytics's NPS 3")
    page.goto("/tasks/")
    expect(page.locator("#tasks")).to_contain_text(
        "NPS 3 from Maya Lindqvist: “Exports time out every Monday morning.”"
    )

    # The next snapshot of the answer's day counts it in the month's NPS: one detractor of one answer, −100.
    day = timezone.localdate(response.responded_at)
    snapshot_compute(start=day, end=day, today=day + timedelta(days=1))
    (month,) = monthly_kpis(user=vp, start=day.replace(day=1), end=day)
    assert (month["month"], month["nps_responses"], month["nps"]) == (f"{day:%Y-%m}", 1, -100.0)


def test_an_admin_makes_previews_sends_and_reads_a_survey(
    page: Page,
    login: Callable[..., None],
    screenshot: Callable[..., Path],
    inked: Callable[[Page, str], int],
    make_user: Callable[..., User],
) -> None:
    """Twelve accounts of three CSMs, 24 contacts; the admin creates an NPS survey on the form, checks the
    preview, sends it (24 emails), then the answers of four months come in and the results page draws them."""
    admin = make_user("ada@keel.test", Role.ADMIN, "Ada Admin")
    csms = [
        make_user(f"{name.lower()}@keel.test", Role.CSM, f"{name} CSM") for name in ("Priya", "Tom", "Lena")
    ]
    names = [
        "Aurora Analytics", "Beacon Health", "Cedar & Stone", "Driftwood Labs", "Evergreen Logistics",
        "Fathom Robotics", "Granite Payroll", "Harborview Clinics", "Ironbark Studios", "Juniper Foods",
        "Kestrel Outdoor", "Lighthouse Legal",
    ]  # fmt: skip
    people = ["Maya", "Noah", "Olivia", "Liam", "Emma", "Lucas", "Ava", "Ethan", "Mia", "Leo", "Zoe", "Finn"]
    for index, name in enumerate(names):
        account = AccountFactory(
            name=name,
            external_id=f"CRM-{10231 + index}",
            csm=csms[index % 3],
            segment=("enterprise", "mid-market", "smb")[index % 3],
        )
        SubscriptionSpanFactory(account=account, amount=f"{400 + 150 * index}.00", starts_on=date(2024, 1, 1))
        domain = name.split()[0].lower().replace("&", "")
        for person in (people[index], people[(index + 5) % 12]):
            ContactFactory(
                account=account,
                name=f"{person} {name.split()[0]}",
                email=f"{person.lower()}@{domain}.example",
            )

    login(page, admin)
    page.locator(".mainnav").get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="New survey").click()
    expect(page.get_by_label("Question")).to_have_value(
        "How likely are you to recommend us to a friend or colleague?"
    )
    page.get_by_label("Name").fill("Q4 relationship NPS")
    page.get_by_label("Remind after (days)").fill("5")
    screenshot(page, "survey-form.png", full_page=True)
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url("**/preview/")
    expect(page.locator("#audience-count")).to_contain_text("would ask 24 contacts")
    expect(
        page.frame_locator(".preview-frame--phone").get_by_role("button", name="Send my answer")
    ).to_be_disabled()
    expect(
        page.frame_locator(".preview-frame--email").get_by_role("link", name="10", exact=True)
    ).to_be_visible()
    screenshot(page, "survey-preview.png", full_page=True)

    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Queued 24 emails of “Q4 relationship NPS”.")
    assert page.url.endswith(f"/surveys/{Survey.objects.get().pk}/")
    assert len(mail.outbox) == 24
    survey = Survey.objects.get()
    assert survey.status == Survey.Status.OPEN

    # Four months of answers (the month before last has none of its own: they came in late).
    first = (timezone.localdate().replace(day=1) - timedelta(days=100)).replace(day=1)
    # as if it had been sent before the first of those months
    sent_at = timezone.make_aware(datetime.combine(first - timedelta(days=2), time(9)))
    Survey.objects.filter(pk=survey.pk).update(started_at=sent_at, created_at=sent_at)
    Invitation.objects.update(created_at=sent_at, sent_at=sent_at)
    comments = [
        "The new reporting saves us hours every week.",
        "Support answered within minutes, twice.",
        "Exports time out on Mondays.",
        "Pricing went up without notice.",
        "Good, but onboarding new staff is slow.",
        "",
    ]
    scores = [10, 9, 3, 5, 7, 10, 9, 8, 2, 9, 10, 6, 9, 7, 10, 4, 9, 10]
    invitations = list(Invitation.objects.select_related("survey", "contact").order_by("pk"))
    for index, (invitation, score) in enumerate(zip(invitations, scores, strict=False)):
        month = (first + timedelta(days=31 * (index % 4))).replace(day=1)
        when = timezone.make_aware(datetime.combine(month + timedelta(days=3 + index), time(10, 30)))
        response_record(invitation=invitation, score=score, comment=comments[index % len(comments)], now=when)

    page.reload()  # Send came back to the survey's results
    expect(page.locator("#tile-answers .tile__value")).to_have_text("18")
    expect(page.locator("#tile-rate .tile__value")).to_have_text("75.0%")
    wait_true(page, "window.Chart !== undefined")
    for canvas in ("chart-months", "chart-distribution"):
        assert inked(page, canvas) > 500, f"{canvas} is blank"
    screenshot(page, "survey-results.png", full_page=True)

    page.locator(".mainnav").get_by_role("link", name="Surveys").click()
    expect(page.locator(f'#surveys tr[data-survey="{survey.pk}"]')).to_contain_text("75.0%")
    screenshot(page, "survey-list.png")
    page.get_by_role("link", name="Q4 relationship NPS").click()
    page.get_by_label("Comments scoring").select_option("0-6")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**score=0-6**")
    shown = page.locator(".comment-list .answer-score").all_inner_texts()
    assert shown and all(int(score) <= 6 for score in shown)
