"""Forms of the top floor's pages: the account list's search, filters and sort; the notification settings."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any, cast

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from accounts.selectors import UNASSIGNED
from health.models import Stage
from metrics.selectors.account_list import NOT_SCORED


class QuickSelect(forms.Select):
    """A <select> written in Python. Django renders each <option> through a template, about 0.15 ms apiece, and the
    account list's CSM filter has one per CSM: a few hundred took half the page's time. Plain choices only (no
    groups); values and labels are escaped, the attributes written by Django's own flatatt."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = {str(item) for item in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) in chosen else ""}>{escape(str(label))}</option>'
            for key, label in self.choices
        )
        return mark_safe(
            f"<select{flatatt({'name': name, **self.build_attrs(self.attrs, attrs)})}>{options}</select>"
        )


class AccountFilterForm(forms.Form):
    """The account list's search box, filters and sort (GET). Unknown values are ignored, not errors."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    segment = forms.ChoiceField(required=False, widget=QuickSelect)
    csm = forms.ChoiceField(required=False, label="CSM", widget=QuickSelect)
    status = forms.ChoiceField(
        required=False,
        widget=QuickSelect,
        label="Health",
        choices=[
            ("", "Any health"),
            ("green", "Green"),
            ("yellow", "Yellow"),
            ("red", "Red"),
            (NOT_SCORED, "Not scored"),
        ],
    )
    stage = forms.ChoiceField(
        required=False,
        widget=QuickSelect,
        label="Stage",
        choices=[("", "Any stage"), *Stage.choices],
    )
    at_risk = forms.BooleanField(required=False, label="At risk only")
    sort = forms.ChoiceField(
        required=False,
        widget=QuickSelect,
        label="Sort by",
        choices=[
            ("name", "Name, A–Z"),
            ("-name", "Name, Z–A"),
            ("-mrr", "MRR, high to low"),
            ("mrr", "MRR, low to high"),
            ("health", "Health, low to high"),
            ("-health", "Health, high to low"),
            ("change", "Change, falls first"),
            ("-change", "Change, rises first"),
        ],
    )

    def __init__(self, *args: Any, segments: Iterable[str], csms: Iterable[User] | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(placeholder="Name or external id", type="search")
        cast(forms.ChoiceField, self.fields["segment"]).choices = [
            ("", "All segments"),
            *((s, s) for s in segments),
        ]
        if csms is None:  # a CSM only ever sees their own accounts
            del self.fields["csm"]
        else:
            cast(forms.ChoiceField, self.fields["csm"]).choices = [
                ("", "All CSMs"),
                *((str(u.pk), u.name if u.is_active else f"{u.name} (inactive)") for u in csms),
                (UNASSIGNED, "No CSM"),
            ]

    def value(self, name: str) -> str:
        """The cleaned value of a field, or "" when it is missing or not one of the choices."""
        self.is_valid()  # cleaned_data then holds only the valid fields
        return str(self.cleaned_data.get(name) or "").strip()

    def filters(self) -> dict[str, Any]:
        """The keyword arguments of `metrics.selectors.account_list.account_list`."""
        names = ("q", "segment", "status", "stage", *(("csm",) if "csm" in self.fields else ()))
        return {
            **{name: self.value(name) for name in names},
            "at_risk": self.value("at_risk") == "True",
            "sort": self.value("sort") or "name",
        }


class SnapshotQueueForm(forms.Form):
    """The days a dashboard's button asks to compute (its hidden fields: the missing months' first and last day)."""

    start = forms.DateField(input_formats=["%Y-%m-%d"])
    end = forms.DateField(input_formats=["%Y-%m-%d"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            raise forms.ValidationError("The first day is after the last.")
        return cleaned

    def errors_in_words(self) -> list[str]:
        return [
            f"{'days' if name == '__all__' else name}: {' '.join(str(error) for error in errors)}"
            for name, errors in self.errors.items()
        ]


# Text, not type=url: the browser's own check would stand in front of Keel's clearer message.
WEBHOOK_INPUT = {
    "placeholder": "https://hooks.slack.com/services/…",
    "inputmode": "url",
    "autocomplete": "off",
    "spellcheck": "false",
}


class NotificationSettingsForm(forms.Form):
    """A person's own notifications (the service checks the webhook: accounts.users.slack_webhook_url_check)."""

    daily_digest = forms.BooleanField(required=False, label="Email me the daily digest")
    slack_webhook_url = forms.CharField(
        required=False,
        max_length=500,
        label="My Slack webhook URL",
        help_text="A Slack incoming webhook (https://hooks.slack.com/services/…): the digest is posted there too. "
        "Leave it empty for none.",
        widget=forms.TextInput(attrs=WEBHOOK_INPUT),
    )


class TeamSlackForm(forms.Form):
    """The team's Slack webhook (admins)."""

    team_slack_webhook_url = forms.CharField(
        required=False,
        max_length=500,
        label="Team Slack webhook URL",
        help_text="Gets the team's digest: every new at-risk account, tasks due per person, renewals in 30 days.",
        widget=forms.TextInput(attrs=WEBHOOK_INPUT),
    )
