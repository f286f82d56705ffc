"""Console forms. They collect input; the services judge it and write."""
from __future__ import annotations

import uuid

from django import forms

from outreach.exceptions import OutreachError

from . import validation
from .choices import ContactField
from .imports import CUSTOM_PREFIX
from .models import ContactList


class ContactForm(forms.Form):
    phone_number = forms.CharField(
        max_length=64, help_text="Any format; +country for numbers outside the default region.",
        error_messages={"required": "Enter the contact's phone number, e.g. (555) 123-4567."},
    )
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    email = forms.CharField(max_length=254, required=False)
    company_name = forms.CharField(max_length=200, required=False, label="Company")
    timezone = forms.CharField(max_length=64, required=False, help_text="IANA name, e.g. America/New_York.",
                               widget=forms.TextInput(attrs={"list": "iana-zones"}))
    tags = forms.CharField(required=False, help_text="Comma separated.")
    custom_variables = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One name=value per line; templates use them as {name}.",
    )
    lists = forms.ModelMultipleChoiceField(queryset=ContactList.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = ContactList.objects.filter(account=account)

    @staticmethod
    def initial_for(contact) -> dict:
        return {
            "phone_number": contact.phone_number, "first_name": contact.first_name,
            "last_name": contact.last_name, "email": contact.email, "company_name": contact.company_name,
            "timezone": contact.timezone, "tags": ", ".join(contact.tags),
            "custom_variables": "\n".join(f"{k}={v}" for k, v in contact.custom_variables.items()),
            "lists": list(contact.lists.all()),
        }

    def clean_custom_variables(self) -> dict[str, str]:
        out: dict[str, str] = {}
        bad: list[str] = []
        for n, line in enumerate(self.cleaned_data["custom_variables"].splitlines(), 1):
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep:
                bad.append(str(n))
            out[name.strip()] = value.strip()
        if bad:
            lines = f"Line {bad[0]} needs" if len(bad) == 1 else f"Lines {', '.join(bad)} need"
            raise forms.ValidationError(f"{lines} the form name=value, e.g. plan=gold.")
        return out

    def clean(self):
        """Judge every field the way the service will, so one submit shows every mistake."""
        cleaned = super().clean()
        values = {k: v for k, v in cleaned.items() if k != "lists" and not self.has_error(k)}
        for name, message in validation.field_errors(values, require_phone="phone_number" in values).items():
            self.add_error(name if name in self.fields else None, message)
        return cleaned

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "lists"}

    def add_service_error(self, exc: OutreachError) -> None:
        for name, messages in (exc.field_errors or {None: [exc.message]}).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class ContactListForm(forms.ModelForm):
    class Meta:
        model = ContactList
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ContactIds(forms.MultipleChoiceField):
    """Contact ids (UUIDs) from ticked boxes; only the account's contacts are ever acted on."""

    def validate(self, value) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        for item in value:
            try:
                uuid.UUID(item)
            except ValueError:
                raise forms.ValidationError(f"{item[:40]!r} is not a contact id.") from None


class BulkAction(forms.Form):
    """What to do with the ticked contacts, or with every contact the table's filter matches."""

    ADD_TO_LIST, TAG, OPT_OUT, DELETE = "add_to_list", "tag", "opt_out", "delete"
    #: Actions that ask "are you sure?" (with the count) before they run.
    DESTRUCTIVE = {OPT_OUT, DELETE}

    action = forms.ChoiceField(choices=[(ADD_TO_LIST, "Add to list"), (TAG, "Tag"), (OPT_OUT, "Opt out"),
                                        (DELETE, "Delete")])
    scope = forms.ChoiceField(choices=[("selected", "Ticked"), ("filter", "Every match")], initial="selected")
    contact = ContactIds(required=False)
    list = forms.ModelChoiceField(queryset=ContactList.objects.none(), required=False)
    tag = forms.CharField(max_length=50, required=False)
    filter = forms.CharField(required=False, max_length=4000)
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["list"].queryset = ContactList.objects.filter(account=account)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == self.ADD_TO_LIST and not data.get("list"):
            self.add_error("list", "Choose the list to add them to.")
        if action == self.TAG and not (data.get("tag") or "").strip():
            self.add_error("tag", "Write the tag to add.")
        if data.get("scope") == "selected" and "contact" in data and not data["contact"]:
            self.add_error("contact", "Tick at least one contact, or choose every contact the filter matches.")
        return data


class SaveAsListForm(forms.Form):
    name = forms.CharField(max_length=200, label="List name")
    filter = forms.CharField(required=False, max_length=4000)


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="First row: column names. UTF-8 or Excel CSV, up to 20 MB.")


class MappingForm(forms.Form):
    """One select per CSV column, plus the lists the new contacts join."""

    lists = forms.ModelMultipleChoiceField(queryset=ContactList.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple, label="Add the new contacts to")

    def __init__(self, *args, account, header: list[str], initial_mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.header = header
        self.fields["lists"].queryset = ContactList.objects.filter(account=account)
        choices = [("", "— skip —"), *ContactField.choices]
        for i, column in enumerate(header):
            target = initial_mapping.get(column, "")
            custom = f"{CUSTOM_PREFIX}{_slug(column)}"
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=column or f"Column {i + 1}", required=False, initial=target,
                choices=[*choices, (custom, f"Custom variable “{_slug(column)}”")],
            )

    def column_fields(self):
        return [self[f"col_{i}"] for i in range(len(self.header))]

    def mapping(self) -> dict[str, str]:
        return {column: self.cleaned_data.get(f"col_{i}", "") for i, column in enumerate(self.header)}


def _slug(column: str) -> str:
    import re

    slug = re.sub(r"[^A-Za-z0-9_]+", "_", column.strip()).strip("_").lower() or "column"
    return slug if not slug[0].isdigit() else f"c_{slug}"
