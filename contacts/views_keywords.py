"""The console's reply keywords (owners and managers): the opt-out, opt-in and HELP words and
the automatic reply to each. The same service as ``/api/v1/keywords``."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from outreach.console import member_required
from outreach.exceptions import OutreachError

from . import keywords
from .choices import KeywordAction

WORDS_HELP = "Comma-separated; a reply that is exactly one of them (any case) matches."


class KeywordsForm(forms.Form):
    opt_out_keywords = forms.CharField(label="Opt-out words", help_text=f"{WORDS_HELP} STOP is always one.")
    opt_out_reply_on = forms.BooleanField(label="Confirm opt-outs", required=False,
                                          help_text="Off by default: carriers and providers often confirm them.")
    opt_out_reply = forms.CharField(label="Opt-out confirmation", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    opt_in_keywords = forms.CharField(label="Opt-in words", help_text=WORDS_HELP)
    opt_in_reply_on = forms.BooleanField(label="Confirm opt-ins", required=False)
    opt_in_reply = forms.CharField(label="Opt-in confirmation", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    help_keywords = forms.CharField(label="Help words", help_text=WORDS_HELP)
    help_reply_on = forms.BooleanField(label="Answer help requests", required=False)
    help_reply = forms.CharField(label="Help reply", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for action in KeywordAction.values:
            data[f"{action}_keywords"] = [w for w in data[f"{action}_keywords"].split(",") if w.strip()]
        return data


def _initial(found) -> dict:
    initial = {name: getattr(found, name) for name in KeywordsForm.base_fields}
    for action in KeywordAction.values:
        initial[f"{action}_keywords"] = ", ".join(getattr(found, f"{action}_keywords"))
    return initial


@member_required
def keyword_settings(request):
    form = KeywordsForm(request.POST or None, initial=_initial(keywords.settings_for(request.account)))
    if request.method == "POST" and form.is_valid():
        try:
            keywords.update(request.account, form.service_data())
        except OutreachError as exc:
            for field, texts in exc.field_errors.items() or [(None, [exc.message])]:
                form.add_error(field if field in form.fields else None, " ".join(texts))
        else:
            messages.success(request, "Saved the reply keywords.")
            return redirect("contacts:keywords")
    return render(request, "contacts/keywords.html", {"form": form}, status=422 if form.errors else 200)
