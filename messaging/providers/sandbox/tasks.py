"""Celery entry point of the sandbox: apply the network's due reports (delivered, read,
replies). Woken when a report falls due, and by beat in case a wake-up was lost."""
from __future__ import annotations

from celery import shared_task
from django.db import transaction

from outreach.wakeups import wake_later

from ...services.reports import apply_event, apply_report, receive_inbound
from ..registry import provider_for
from .provider import REPORTS_TASK, next_report_due, take_due_reports


def deliver_due_reports(limit: int = 500) -> int:
    """Apply the sandbox reports that are due; -> how many. Safe in parallel (SKIP LOCKED)."""
    with transaction.atomic():
        due = take_due_reports(limit)
        for line, event in due:
            if event.kind == "inbound":
                receive_inbound(line, event)
            elif event.kind == "reaction":
                apply_event(line, event, provider_for(line))
            else:
                apply_report(line, event)
    return len(due)


@shared_task(name=REPORTS_TASK, ignore_result=True)
def sandbox_reports() -> int:
    """Apply the sandbox network's due reports; -> how many."""
    done = deliver_due_reports()
    following = next_report_due()
    if following is not None:
        wake_later(REPORTS_TASK, following)
    return done
