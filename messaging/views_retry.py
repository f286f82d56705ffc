"""Retry from the thread: a failed outbound bubble (ERROR, a dead letter) is queued again
through the dead-letter service, as the Dead letters page does, by whoever may send here."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from outreach.choices import AuditAction
from outreach.console import member_required

from . import services
from .views_inbox import act_on_message


@member_required
@require_POST
def retry(request: HttpRequest, pk: int, handle) -> HttpResponse:
    """Queue this thread's failed message again (the thread comes back with it QUEUED);
    another agent's conversation is a 404."""
    return act_on_message(request, pk, handle, services.retry_dead_letter, AuditAction.DEAD_LETTER_RETRIED,
                          is_outbound=True)
