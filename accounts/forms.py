"""Forms of the accounts pages: they validate input; the views call selectors and services with it."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from html import escape
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.files.uploadedfile import UploadedFile
from django.forms.utils import flatatt
from django.template.defaultfilters import filesizeformat
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Role, User
from accounts.selectors import NOT_SCORED, UNASSIGNED


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong email or password.",
    }


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
        """The keyword arguments of `accounts.selectors.account_list`."""
        names = ("q", "segment", "csm", "status") if "csm" in self.fields else ("q", "segment", "status")
        return {
            **{name: self.value(name) for name in names},
            "at_risk": self.value("at_risk") == "True",
            "sort": self.value("sort") or "name",
        }


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
