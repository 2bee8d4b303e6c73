"""Forms of the team's pages (login, password reset, Team, Data): they validate input; the views call
selectors and services with it."""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from accounts.backends import login_wait
from accounts.models import Account, Contact, Role, TimelineEntry, User
from accounts.services.timeline import MAX_TEXT


class LoginForm(AuthenticationForm):
    """Email and password; after too many failures (accounts.backends) it says so, the same words whether the
    email is anyone's or not."""

    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong email or password.",
        "locked": (
            "Too many failed logins for this email or from this address. Try again in %(minutes)s, or reset "
            "your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            wait = login_wait(self.request, self.cleaned_data.get("username"))
            if wait is None:
                raise
            minutes = math.ceil(wait / 60)
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": f"{minutes} minute{'s' if minutes != 1 else ''}"},
            ) from None


class KeelPasswordResetForm(PasswordResetForm):
    """Django's reset form, but people without a usable password get the link too.

    Users added on the Team page or from team.csv have no usable password until they set one through this
    link (DATA.md); Django skips such users by default because elsewhere they may log in through SSO or LDAP.
    """

    def get_users(self, email: str) -> Iterator[User]:
        return iter(User.objects.filter(email=email.strip().lower(), is_active=True))

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Links in emails point at KEEL_BASE_URL, not at whatever Host header the request came with.
        context = {
            "base_url": settings.KEEL_BASE_URL.rstrip("/"),
            "timeout_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
            **context,
        }
        super().send_mail(
            subject_template_name,
            email_template_name,
            context,
            from_email,
            to_email,
            html_email_template_name,
        )


class UserAddForm(forms.Form):
    email = forms.EmailField()
    name = forms.CharField(max_length=200)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CSM)
    send_link = forms.BooleanField(
        required=False, initial=True, label="Email them a link to set their password"
    )


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class BundleUploadForm(forms.Form):
    bundle = forms.FileField(label="Bundle (.zip)", widget=forms.ClearableFileInput(attrs={"accept": ".zip"}))
    dry_run = forms.BooleanField(required=False, label="Dry run: check the bundle, change nothing")

    def clean_bundle(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["bundle"]
        if upload.size is not None and upload.size > settings.KEEL_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; "
                f"the largest bundle Keel accepts is {filesizeformat(settings.KEEL_MAX_UPLOAD_BYTES)}."
            )
        if not (upload.name or "").lower().endswith(".zip") or not zipfile.is_zipfile(upload):
            raise forms.ValidationError(
                "This is not a .zip file. Upload the bundle's CSV files zipped together (DATA.md)."
            )
        upload.seek(0)
        return upload


class WriteKeyForm(forms.Form):
    """A new write key of the Segment endpoint: only its name is asked."""

    name = forms.CharField(max_length=100, help_text="Which source sends with it, e.g. “Production backend”")


class StripeMappingForm(forms.Form):
    """Map a quarantined Stripe customer to an account, by the account's external id."""

    customer_id = forms.CharField(max_length=255, widget=forms.HiddenInput)
    account = forms.CharField(max_length=200, label="Account external id")


class TimelineEntryForm(forms.Form):
    """Log a note, call, meeting or email with an account; `contacts` are the account's (the service checks)."""

    kind = forms.ChoiceField(
        choices=TimelineEntry.Kind.choices, initial=TimelineEntry.Kind.CALL, label="What"
    )
    occurred_on = forms.DateField(
        label="When", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    text = forms.CharField(
        max_length=MAX_TEXT, label="What happened", widget=forms.Textarea(attrs={"rows": 3})
    )
    contacts = forms.TypedMultipleChoiceField(
        coerce=int, required=False, label="With", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, contacts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].choices = contacts  # type: ignore[attr-defined]

    @classmethod
    def for_account(cls, account: Account, *args: Any, **kwargs: Any) -> TimelineEntryForm:
        """The form with every contact of `account` to choose from."""
        contacts = Contact.objects.filter(account=account).order_by("name", "email")
        return cls(
            *args, contacts=[(contact.pk, contact.name or contact.email) for contact in contacts], **kwargs
        )

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class FallbackOwnerForm(forms.Form):
    """The Team page's choice of who gets the tasks of accounts without a CSM, among `members` (active ones)."""

    owner = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Tasks of accounts without a CSM go to"
    )

    def __init__(self, *args: Any, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {member.pk: member for member in members if member.is_active}
        choices: list[tuple[int | str, str]] = [("", "The first admin (default)")]
        choices += [
            (pk, f"{person.name} ({person.get_role_display()})") for pk, person in self.people.items()
        ]
        self.fields["owner"].choices = choices  # type: ignore[attr-defined]

    def chosen(self) -> User | None:
        pk = self.cleaned_data["owner"]
        return None if pk is None else self.people[pk]
