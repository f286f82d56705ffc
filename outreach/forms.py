from django import forms

from .choices import Dialect, Scope


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses this key, e.g. 'CRM sync'.")
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Read only reads everything; the others grant writes to one area.",
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
