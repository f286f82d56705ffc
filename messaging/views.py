"""Console pages of messaging's operations: the lines, the dead letters and the inbox settings.

The inbox lives in ``views_inbox``, the message log in ``views_log``.
"""
from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from outreach.audit import record
from outreach.choices import AuditAction
from outreach.console import member_required
from outreach.exceptions import OutreachError

from . import dashboard, inbox, services
from .choices import EventSource, Status
from .forms import DeadLetterActionForm, InboxSettingsForm
from .models import Message

DEAD_LETTER_SIZE = 50


@member_required
@require_GET
def lines(request: HttpRequest) -> HttpResponse:
    return render(request, "messaging/lines.html", {"lines": dashboard.lines_with_usage(request.account)})


def _dead_letters(request: HttpRequest):
    return (
        Message.objects.filter(account=request.account, status=Status.ERROR, discarded_at__isnull=True)
        .select_related("line", "conversation__contact")
        .order_by("-updated_at", "-id")
    )


@member_required
@require_GET
def dead_letters(request: HttpRequest) -> HttpResponse:
    win = inbox.window(_dead_letters(request), inbox.parse_offset(request.GET.get("offset")), DEAD_LETTER_SIZE)
    return render(request, "messaging/dead_letters.html", {"window": win})


@member_required
@require_POST
def dead_letter_action(request: HttpRequest) -> HttpResponse:
    """Retry or discard the selected dead letters; ids outside the account do not exist."""
    data = request.POST.copy()
    row = data.get("row", "")
    if ":" in row:  # a row's own button: act on that message alone
        action, pk = row.split(":", 1)
        data.setlist("ids", [pk])
        data["action"] = action
    wanted = [int(i) for i in data.getlist("ids") if i.isdigit()]
    found = {m.pk: m for m in _dead_letters(request).filter(pk__in=wanted)}
    data.setlist("ids", [str(pk) for pk in found])  # another account's id is simply not there
    form = DeadLetterActionForm(data, allowed_ids=list(found))
    if not form.is_valid():
        if not found and wanted:
            flash.error(request, "Those messages are no longer dead letters.")
        else:
            flash.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("messaging:dead-letters")
    action = form.cleaned_data["action"]
    done, failed = 0, []
    for pk in form.cleaned_data["ids"]:
        try:
            message = found[int(pk)]
            if action == "retry":
                services.retry_dead_letter(request.account, message, source=EventSource.CONSOLE)
            else:
                services.discard_dead_letter(request.account, message)
            record(request.account, request.user, AuditAction.DEAD_LETTER_RETRIED if action == "retry"
                   else AuditAction.DEAD_LETTER_DISCARDED, message, target_id=message.handle,
                   target_label=message.number)
            done += 1
        except OutreachError as exc:
            failed.append(exc.message)
    if done:
        word = "Queued again" if action == "retry" else "Discarded"
        flash.success(request, f"{word}: {done} message{'s' if done != 1 else ''}.")
    for message in failed[:5]:
        flash.error(request, message)
    return redirect("messaging:dead-letters")


@member_required
def inbox_settings(request: HttpRequest) -> HttpResponse:
    """Owners: whether staff opening a thread sends the customer a read receipt."""
    # An unchecked box posts nothing: an empty POST is still a submission.
    form = InboxSettingsForm(request.POST if request.method == "POST" else None,
                             initial={"mark_read_on_open": services.mark_read_on_open(request.account)})
    if request.method == "POST" and form.is_valid():
        services.set_mark_read_on_open(request.account, form.cleaned_data["mark_read_on_open"])
        flash.success(request, "Saved the inbox settings.")
        return redirect("messaging:inbox-settings")
    return render(request, "messaging/inbox_settings.html", {"form": form})
