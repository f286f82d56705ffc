"""Console forms. They only shape input; the services judge it (and their errors are put
back on the field they name)."""
from __future__ import annotations

import csv
import datetime as dt
import io

from django import forms

from contacts.imports import decode_upload
from contacts.models import ContactList
from messaging.choices import SendStyle
from messaging.models import Line
from outreach.exceptions import InvalidInput

from .choices import CallOutcome, WinnerMetric
from .models import PACE_MAX


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Message", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Personalise with {first_name}, {last_name}, {company_name}, {email}, {phone} or any "
                  "custom variable; add a fallback after a bar: {first_name|there}.",
    )
    variant_b = forms.CharField(label="Variant B message", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="A/B test: the message above is variant A; add B (and C-E) to split "
                                          "the audience between them.")
    variant_c = forms.CharField(label="Variant C message", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    variant_d = forms.CharField(label="Variant D message", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    variant_e = forms.CharField(label="Variant E message", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    split = forms.CharField(label="Split (%)", required=False, max_length=40,
                            help_text="With variants: each one's percentage, A first, adding up to 100, e.g. 50, 50.")
    winner_test_percent = forms.IntegerField(
        label="Test share (%)", required=False,
        help_text="With variants: send them to this share of the audience first, then the winner to the rest.")
    winner_wait_minutes = forms.IntegerField(label="Pick the winner after (minutes)", required=False,
                                             help_text="Counted from the start.")
    winner_metric = forms.ChoiceField(label="Winner by", required=False,
                                      choices=[("", "Reply rate (default)"), *WinnerMetric.choices])
    media_url = forms.URLField(label="Media URL", required=False, max_length=2000, assume_scheme="https")
    send_style = forms.ChoiceField(label="Send style", required=False,
                                   choices=[("", "None")] + list(SendStyle.choices))
    lists = forms.ModelMultipleChoiceField(queryset=ContactList.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    tags = forms.CharField(required=False, help_text="Comma-separated; contacts with any of them join the audience.")
    lines = forms.ModelMultipleChoiceField(queryset=Line.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text="None ticked: every active line.")
    priority = forms.IntegerField(min_value=0, max_value=100, initial=0)
    start_at = forms.DateTimeField(label="Start at", required=False,
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                   help_text="Empty: as soon as it is started.")
    expires_at = forms.DateTimeField(label="Expires at", required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     help_text="A message not sent by then is withdrawn (expired). Empty: never.")
    window_start = forms.TimeField(label="Send from", initial=dt.time(9), widget=forms.TimeInput(attrs={"type": "time"}),
                                   help_text="Quiet hours are outside this window, in each contact's timezone.")
    window_end = forms.TimeField(label="Send until", initial=dt.time(20), widget=forms.TimeInput(attrs={"type": "time"}))
    pace_per_minute = forms.IntegerField(label="Pace (messages per minute)", required=False, min_value=1, max_value=PACE_MAX)

    def __init__(self, account, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = ContactList.objects.filter(account=account)
        self.fields["lines"].queryset = Line.objects.filter(account=account, active=True)

    def service_data(self) -> tuple[dict, list, list]:
        data = dict(self.cleaned_data)
        lists, lines = data.pop("lists"), data.pop("lines")
        data["tags"] = [t.strip() for t in (data.get("tags") or "").split(",") if t.strip()]
        extra = [data.pop(name) for name in VARIANT_FIELDS]
        split = data.pop("split")
        if any(extra):
            bodies = [data.get("body") or "", *(b for b in extra if b)]
            percents = [_int(p) for p in split.split(",")] if split.strip() else []
            data["variants"] = [{"body": b, "percent": percents[i] if i < len(percents) else None}
                                for i, b in enumerate(bodies)]
        else:
            data["variants"] = []
        return data, [x.pk for x in lists], [x.pk for x in lines]

    def put_error(self, field: str | None, message: str) -> None:
        """A service error on the field it names (``variants.<i>.body`` on that variant's box)."""
        self.add_error(variant_field(field) if field not in self.fields else field, message)


VARIANT_FIELDS = ("variant_b", "variant_c", "variant_d", "variant_e")


def variant_field(field: str | None) -> str | None:
    parts = (field or "").split(".")
    if parts[0] != "variants":
        return None
    if len(parts) == 3 and parts[2] == "body":
        return "body" if parts[1] == "0" else VARIANT_FIELDS[int(parts[1]) - 1]
    return "split"


def _int(text: str):
    try:
        return int(text.strip().rstrip("%"))
    except ValueError:
        return text.strip()


class AppointmentForm(forms.Form):
    contact = forms.UUIDField(widget=forms.HiddenInput)
    scheduled_for = forms.DateTimeField(label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    notes = forms.CharField(required=False)


class CallForm(forms.Form):
    contact = forms.UUIDField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(choices=CallOutcome.choices)
    duration_seconds = forms.IntegerField(label="Duration (s)", required=False, min_value=0)
    notes = forms.CharField(required=False)


class TestSendForm(forms.Form):
    """Send the message as one contact would get it to a number of yours (the service judges
    both fields)."""

    contact_id = forms.ChoiceField(label="Rendered for", help_text="A contact of the audience.")
    to = forms.CharField(label="Send to", max_length=64, required=False,
                         widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
                         help_text="Your own number (Settings), or any number when a line is a sandbox line.")

    def __init__(self, contacts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_id"].choices = [(str(c["pk"]), label_of(c)) for c in contacts]


def label_of(contact: dict) -> str:
    name = f"{contact.get('first_name') or ''} {contact.get('last_name') or ''}".strip()
    return f"{name} ({contact['e164_number']})" if name else contact["e164_number"]


#: Column names a bulk job's CSV may give its recipients under (otherwise the first column).
RECIPIENT_COLUMNS = {"to", "phone", "phone_number", "number", "mobile", "recipient", "email"}


class BulkJobForm(forms.Form):
    """Recipients pasted or uploaded, and one message for all of them. The shapes are
    checked here; the items go to ``bulkjobs.check_messages``, as the API's do."""

    recipients = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One phone number (E.164, e.g. +15551234567) or Apple ID email per line.",
    )
    file = forms.FileField(label="Or a CSV of recipients", required=False,
                           help_text="The column named to, phone or number (else the first column).")
    body = forms.CharField(label="Message", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    priority = forms.IntegerField(required=False, initial=0, help_text="0 to 100; higher goes first.")

    def clean_file(self) -> list[str]:
        upload = self.cleaned_data.get("file")
        if not upload:
            return []
        try:
            rows = list(csv.reader(io.StringIO(decode_upload(upload.read()))))
        except (InvalidInput, csv.Error) as exc:
            raise forms.ValidationError(getattr(exc, "message", None) or f"The file is not valid CSV: {exc}.") from None
        rows = [row for row in rows if any(cell.strip() for cell in row)]
        if not rows:
            return []
        header = [cell.strip().lower() for cell in rows[0]]
        column = next((i for i, name in enumerate(header) if name in RECIPIENT_COLUMNS), None)
        if column is None:
            column, body_rows = 0, rows  # no header: every row is a recipient
        else:
            body_rows = rows[1:]
        return [row[column].strip() if column < len(row) else "" for row in body_rows]

    def recipient_list(self) -> list[str]:
        """The pasted lines (blank ones skipped), then the file's rows."""
        pasted = [line.strip() for line in self.cleaned_data.get("recipients", "").splitlines() if line.strip()]
        return pasted + self.cleaned_data.get("file", [])
