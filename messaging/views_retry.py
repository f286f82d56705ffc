"""Retry from the thread: a failed outbound bubble (ERROR, a dead letter) is queued again
through the dead-letter service, as the Dead letters page does, by whoever may send here."""
from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from outreach.audit import record
from outreach.choices import AuditAction
from outreach.console import member_required
from outreach.exceptions import OutreachError

from . import services
from .choices import EventSource
from .models import Message
from .views_inbox import _fragment_or_redirect, _get_conversation


@member_required
@require_POST
def retry(request: HttpRequest, pk: int, handle) -> HttpResponse:
    """Queue this thread's failed message again (the thread comes back with it QUEUED)."""
    conversation = _get_conversation(request, pk)  # another agent's conversation: 404
    message = Message.objects.filter(account=request.account, conversation=conversation, handle=handle,
                                     is_outbound=True).first()
    if message is None:
        raise Http404
    try:
        services.retry_dead_letter(request.account, message, source=EventSource.CONSOLE)
    except OutreachError as exc:
        flash.error(request, exc.message)
    else:
        record(request.account, request.user, AuditAction.DEAD_LETTER_RETRIED, message, target_id=message.handle,
               target_label=conversation.address, detail={"conversation": conversation.pk})
    return _fragment_or_redirect(request, conversation)
