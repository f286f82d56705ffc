from django import forms

from .choices import Dialect, Scope


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
