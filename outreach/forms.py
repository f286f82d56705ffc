from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from .choices import AuditAction, Dialect, RetentionMode, Role, Scope
from .services import MAX_RETENTION_DAYS


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses this key, e.g. 'CRM sync'.",
                           error_messages={"required": "Give the key a name, e.g. 'CRM sync'."})
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Read only reads everything; the others grant writes to one area.",
        error_messages={"required": "Choose at least one scope."},
    )
    dialect = forms.ChoiceField(
        choices=Dialect.choices,
        initial=Dialect.SENDBLUE,
        required=False,  # a client that does not send it gets the default, as before the field
        widget=forms.RadioSelect,
        help_text="The wire dialect of the messages and status callbacks this key gets.",
    )
    expires_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Optional. Leave empty for a key that does not expire.",
    )

    def clean_dialect(self) -> str:
        return self.cleaned_data["dialect"] or Dialect.SENDBLUE


class TimeZoneForm(forms.Form):
    time_zone = forms.CharField(
        max_length=64, required=False, label="Your time zone",
        widget=forms.TextInput(attrs={"list": "iana-zones", "autocomplete": "off"}),
        help_text="IANA name, e.g. America/New_York. Leave empty to use the account's zone.",
    )
    phone = forms.CharField(
        max_length=32, required=False, label="Your phone number",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text="Your own mobile, E.164 such as +15551234567: campaign test sends may go to it.",
    )


class LinkTrackingForm(forms.Form):
    track_links = forms.BooleanField(required=False, label="Track links in campaign messages",
                                     help_text="Each URL becomes a short link per recipient that counts the click.")
    link_domain = forms.URLField(required=False, max_length=200, label="Short link domain", assume_scheme="https",
                                 help_text="Where short links point, e.g. https://go.example.com (it must serve "
                                           "this instance's /l/ paths). Empty: this instance's address.")


def _days_field(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(required=False, min_value=1, max_value=MAX_RETENTION_DAYS, label=label,
                              help_text=help_text)


class RetentionForm(forms.Form):
    message_retention_days = _days_field(
        "Keep message content for (days)", "Empty: kept. Past it, bodies and media are redacted or messages deleted.")
    message_retention_mode = forms.ChoiceField(choices=RetentionMode.choices, label="Past that")
    event_retention_days = _days_field(
        "Keep events for (days)", "The event stream's log; at least one day. Empty: this instance's default.")
    webhook_delivery_retention_days = _days_field(
        "Keep webhook delivery logs for (days)", "Pending deliveries stay. Empty: this instance's default.")


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email", help_text="The invitation's link goes here; it works once.",
                             error_messages={"required": "Give the person's email address."})
    role = forms.ChoiceField(choices=Role.choices, initial=Role.AGENT,
                             help_text="Owner: everything. Manager: campaigns, contacts, every conversation. "
                                       "Agent: conversations and contacts. Viewer: reads only.")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class AcceptInvitationForm(UserCreationForm):
    """The invited person picks a username and a password (Django's validators apply)."""

    class Meta(UserCreationForm.Meta):
        fields = ("username",)


class AuditFilterForm(forms.Form):
    """The audit page's filters; every field optional."""

    person = forms.ModelChoiceField(queryset=None, required=False, empty_label="Anyone")
    action = forms.ChoiceField(choices=[("", "Any action"), *AuditAction.choices], required=False)
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = get_user_model().objects.filter(memberships__account=account).order_by("username")
