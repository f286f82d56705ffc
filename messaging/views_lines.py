"""Owners' pages for lines: add one (sandbox, or BlueBubbles then connect it), change its
name and limits, deactivate or reactivate it. Each change is audit-logged."""
from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from outreach.audit import record
from outreach.choices import AuditAction
from outreach.console import member_required
from outreach.exceptions import OutreachError

from . import services
from .choices import Provider
from .forms import AddLineForm, LineSettingsForm
from .models import Line


def _line(request: HttpRequest, pk: int) -> Line:
    return get_object_or_404(Line, account=request.account, pk=pk)  # another account's line: 404


def _next_step(line: Line) -> str:
    """Where a new line goes next: its provider's connect page, else the lines page."""
    if line.provider != Provider.SANDBOX:
        try:
            return reverse(f"messaging:line-{line.provider}", args=[line.pk])
        except NoReverseMatch:
            pass
    return reverse("messaging:lines")


@member_required
def line_new(request: HttpRequest) -> HttpResponse:
    form = AddLineForm(request.POST or None, initial={"provider": Provider.SANDBOX})
    if request.method == "POST" and form.is_valid():
        try:
            line = services.add_line(request.account, form.cleaned_data["number"], form.cleaned_data["provider"],
                                     name=form.cleaned_data["name"])
        except OutreachError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            record(request.account, request.user, AuditAction.LINE_ADDED, line, target_label=line.number,
                   detail={"provider": line.provider, "name": line.name})
            flash.success(request, f"Added {line.number}." + ("" if line.provider == Provider.SANDBOX
                                                              else " Connect it to its server below."))
            return redirect(_next_step(line))
    return render(request, "messaging/line_new.html", {"form": form}, status=422 if form.errors else 200)


@member_required
def line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    fields = ("name", "new_contacts_per_day", "new_contacts_per_hour", "burst_per_second")
    form = LineSettingsForm(request.POST or None, initial={f: getattr(line, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        before = {f: getattr(line, f) for f in fields}
        try:
            services.update_line(request.account, line, **form.cleaned_data)
        except OutreachError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            changed = {f: [before[f], getattr(line, f)] for f in fields if before[f] != getattr(line, f)}
            if changed:
                record(request.account, request.user, AuditAction.LINE_CHANGED, line, target_label=line.number,
                       detail=changed)
            flash.success(request, f"Saved {line.number}.")
            return redirect("messaging:lines")
    return render(request, "messaging/line_edit.html", {"line": line, "form": form},
                  status=422 if form.errors else 200)


@member_required
@require_POST
def line_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate the line (``active=0``) or reactivate it (``active=1``)."""
    line = _line(request, pk)
    active = request.POST.get("active") == "1"
    if services.set_line_active(request.account, line, active):
        record(request.account, request.user, AuditAction.LINE_CHANGED, line, target_label=line.number,
               detail={"active": active})
        flash.success(request, f"{line.number} is {'active again' if active else 'deactivated'}.")
    return redirect("messaging:lines")
