"""Console forms of messaging: the inbox filters, the reply box, the inbound simulator,
a new message, and the dead-letter bulk actions."""
from __future__ import annotations

from django import forms

from .choices import SendStyle
from .models import Line
from .providers import registry


class InboxFilterForm(forms.Form):
    """What narrows the conversation list. Every field is optional; bad values are ignored."""

    q = forms.CharField(required=False, label="Search", max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": "Name or number", "type": "search"}))
    line = forms.ModelChoiceField(queryset=Line.objects.none(), required=False, empty_label="All lines")
    unread = forms.BooleanField(required=False, label="Unread")
    opted_out = forms.BooleanField(required=False, label="Opted out")

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = Line.objects.filter(account=account)


class ReplyForm(forms.Form):
    content = forms.CharField(
        required=False, label="Message", max_length=18995,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Write a reply…"}),
    )
    media_url = forms.URLField(
        required=False, label="Media URL", max_length=2000, assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://… (image, video or file)"}),
    )
    media_file = forms.FileField(required=False, label="Or upload a file")
    send_style = forms.ChoiceField(
        required=False, label="Effect",
        choices=[("", "No effect")] + [(v, label.replace("_", " ").title()) for v, label in SendStyle.choices],
    )
    reply_to = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    send_at = forms.DateTimeField(
        required=False, label="Send at", help_text="Your time zone; 1 minute to 35 days ahead. Empty: now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean(self):
        data = super().clean()
        if data.get("media_url") and data.get("media_file"):
            raise forms.ValidationError("Give a media URL or upload a file, not both.")
        if not (data.get("content") or "").strip() and not data.get("media_url") and not data.get("media_file"):
            # On the message box, so it is marked aria-invalid and takes focus.
            self.add_error("content", "Write a message or add a media URL.")
        return data


class ComposeForm(ReplyForm):
    """A message to someone new (or not yet in the inbox): the reply box plus a recipient."""

    to = forms.CharField(label="To", max_length=254,
                         help_text="A phone number (any usual format) or an Apple ID email. "
                                   "An existing conversation with them continues.",
                         widget=forms.TextInput(attrs={"placeholder": "+1 512 555 0100 or name@icloud.com",
                                                       "autocomplete": "off"}))
    line = forms.ModelChoiceField(queryset=Line.objects.none(), required=False,
                                  empty_label="Automatic (the contact's line, else the least busy)")
    field_order = ["to", "line", "content", "media_url", "media_file", "send_style"]

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = Line.objects.filter(account=account, active=True)


class SimulateInboundForm(forms.Form):
    """The sandbox's "play the customer": a message as if the other party wrote it."""

    text = forms.CharField(label="Customer says", max_length=2000,
                           widget=forms.TextInput(attrs={"placeholder": "Reply as the customer…"}))


class DeadLetterActionForm(forms.Form):
    """A bulk action on dead letters; ``ids`` are scoped to the account by the view."""

    action = forms.ChoiceField(choices=[("retry", "Retry"), ("discard", "Discard")])
    ids = forms.MultipleChoiceField(required=True, error_messages={"required": "Select at least one message."})

    def __init__(self, *args, allowed_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(str(i), str(i)) for i in allowed_ids]


class InboxSettingsForm(forms.Form):
    mark_read_on_open = forms.BooleanField(
        required=False, label="Send read receipts when staff open a thread",
        help_text="On: opening a conversation with unread messages shows the customer \"Read\" where the "
                  "line can (BlueBubbles with the Private API). Off: it is marked read here only.",
    )


class RenameGroupForm(forms.Form):
    group_name = forms.CharField(required=False, max_length=200, label="Group name",
                                 help_text="Empty clears the name.")


class AddLineForm(forms.Form):
    number = forms.CharField(max_length=32, label="Number", help_text="The line's phone number, e.g. +15125550100.",
                             error_messages={"required": "Give the line's phone number."})
    name = forms.CharField(max_length=100, required=False, label="Name", help_text="Shown beside the number.")
    provider = forms.ChoiceField(label="Provider", choices=registry.choices,
                                 help_text="Sandbox: a simulated network for trying things. BlueBubbles: your Mac "
                                           "(you connect it on the next page).")


class LineSettingsForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, label="Name")
    new_contacts_per_day = forms.IntegerField(min_value=0, max_value=100_000, label="New contacts per day",
                                              help_text="Conversations the line may start in 24 hours; 0 pauses it.")
    new_contacts_per_hour = forms.IntegerField(min_value=0, max_value=10_000, label="New contacts per hour")
    burst_per_second = forms.IntegerField(min_value=1, max_value=100, label="Messages per second",
                                          help_text="The most the line sends in one second.")
