"""Console page to connect a line to a BlueBubbles server, test it, and see its health.

The password field is write-only: it is never rendered back (the page says whether one is
stored), and leaving it empty keeps the stored one.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from outreach.audit import record
from outreach.choices import AuditAction
from outreach.console import admin_required
from outreach.exceptions import OutreachError

from ...models import Line
from ..base import ProviderError
from . import services as bb
from .send import SendMethod


class BlueBubblesForm(forms.Form):
    url = forms.CharField(
        label="Server URL", max_length=500,
        help_text="As shown in BlueBubbles under Settings > Connection (an ngrok/Cloudflare URL or http://<Mac IP>:1234).",
        widget=forms.URLInput(attrs={"placeholder": "https://your-mac.ngrok.app"}),
    )
    password = forms.CharField(
        label="Server password", required=False, max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    method = forms.ChoiceField(label="Send method", choices=SendMethod.choices, initial=SendMethod.APPLE_SCRIPT)

    def __init__(self, *args, has_password: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = (
            "A password is stored (never shown). Leave empty to keep it." if has_password
            else "The password you set in BlueBubbles under Settings > Connection."
        )


def _lines_url() -> str:
    try:
        return reverse("messaging:lines")
    except NoReverseMatch:  # the Lines page is another engineer's; link it once it exists
        return ""


def _line(request, pk: int) -> Line:
    return get_object_or_404(Line, account=request.account, pk=pk)


@admin_required
def line_settings(request, pk: int):
    line = _line(request, pk)
    current = (line.provider_settings or {}) if line.provider == "bluebubbles" else {}
    has_password = bool(current.get("password"))
    initial = {"url": current.get("url", ""), "method": current.get("method", SendMethod.APPLE_SCRIPT)}
    form = BlueBubblesForm(request.POST or None, initial=initial, has_password=has_password)
    if request.method == "POST" and form.is_valid():
        try:
            bb.connect(request.account, line, **form.cleaned_data)
        except OutreachError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            record(request.account, request.user, AuditAction.LINE_CHANGED, line, target_label=line.number,
                   detail={"provider": "bluebubbles", "url": form.cleaned_data.get("url"),
                           "method": form.cleaned_data.get("method")})
            if line.healthy:
                messages.success(request, f"{line.number} is connected to BlueBubbles and healthy.")
            else:
                messages.error(request, "Saved, but the line is not healthy: see Health below.")
            return redirect("messaging:line-bluebubbles", pk=line.pk)
    line.refresh_from_db()
    settings = (line.provider_settings or {}) if line.provider == "bluebubbles" else {}
    context = {
        "line": line,
        "form": form,
        "connected": bool(settings.get("url")),
        "has_password": bool(settings.get("password")),
        "settings": settings,
        "webhook_url": bb.webhook_url(line) if settings.get("webhook_token") else "",
        "nav_lines_url": _lines_url(),
    }
    return render(request, "bluebubbles/line.html", context, status=422 if form.errors else 200)


@admin_required
@require_POST
def test_line(request, pk: int):
    line = _line(request, pk)
    if not (line.provider_settings or {}).get("url") or line.provider != "bluebubbles":
        messages.error(request, "Connect the line to a BlueBubbles server first.")
        return redirect("messaging:line-bluebubbles", pk=line.pk)
    info = bb.test_connection(line)
    if info is None:
        messages.error(request, f"Connection failed: {line.health_error}")
    else:
        try:
            bb.register_webhook(line)
        except ProviderError as exc:
            bb.record_health(line, f"Connected, but the webhook could not be registered: {exc.message}")
            messages.error(request, line.health_error)
        else:
            messages.success(
                request, f"Connected to BlueBubbles {info.get('server_version') or ''} — the line is healthy."
            )
    return redirect("messaging:line-bluebubbles", pk=line.pk)
