from django import forms

from .choices import DEFAULT_COLOUR, Rule


class LabelForm(forms.Form):
    name = forms.CharField(max_length=50, help_text="Unique in the account, e.g. VIP or Billing.",
                           error_messages={"required": "Name the label, e.g. VIP."})
    colour = forms.CharField(max_length=7, initial=DEFAULT_COLOUR, widget=forms.TextInput(attrs={"type": "color"}),
                             help_text="The label's colour in the inbox.")


class CannedReplyForm(forms.Form):
    shortcut = forms.CharField(max_length=41, help_text="Typed as /shortcut in the reply box, e.g. thanks.",
                               error_messages={"required": "Give a shortcut, e.g. thanks."})
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                           help_text="The contact's fields fill in: Hi {first_name|there}, thanks for writing.",
                           error_messages={"required": "Write the reply."})


class RuleForm(forms.Form):
    rule = forms.ChoiceField(choices=Rule.choices, widget=forms.RadioSelect, label="Assign new replies",
                             help_text="Round-robin gives a reply nobody holds to the next available person.")


class AvailabilityForm(forms.Form):
    available = forms.BooleanField(required=False)
