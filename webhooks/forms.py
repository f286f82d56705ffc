"""Console forms for webhook endpoints; the services judge the values."""
from __future__ import annotations

from django import forms

from .choices import DeliveryStatus, EventType, PayloadFormat


class EndpointForm(forms.Form):
    url = forms.URLField(
        max_length=2000, label="URL", assume_scheme="https",
        help_text="Where events are POSTed: a public http(s) URL.",
    )
    description = forms.CharField(max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label="Events", help_text="Leave all unticked to receive every event.",
    )
    payload_format = forms.ChoiceField(
        choices=PayloadFormat.choices, initial=PayloadFormat.ENVELOPE, label="Body",
        help_text="Envelope wraps the event as {type, timestamp, data}; raw posts the body alone, as Sendblue does.",
    )


class ReplaySinceForm(forms.Form):
    since = forms.DateTimeField(
        label="Replay failed deliveries since",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Failed deliveries created at or after this time are sent again.",
    )


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *DeliveryStatus.choices], required=False)
