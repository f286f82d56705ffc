"""The sandbox carrier: a simulated network with deterministic outcomes, like payment
test cards. The last two digits of the recipient choose what happens:

==== ==========================================================================
01   SMS only: ``service`` SMS, ``was_downgraded`` true, ends at SENT
02   permanent failure: ERROR, ``error_code`` 10001, no retry
03   fails twice (transient), the third attempt succeeds, then delivered and read
04   delivered, never read
05   delivered, then the recipient replies "STOP" (opted out)
06   delivered, then the recipient replies "Thanks!"
07   sent, never a delivery receipt
08   delivered, then the recipient answers inline, quoting it: "Sounds good"
09   delivered and read, then the recipient loves it (a tapback)
else iMessage: delivered, then read
==== ==========================================================================

Every send request is written to a ledger (``SandboxSend``). The network is idempotent
per message handle: a handle it already took is answered as the first time and recorded
as a duplicate, never sent again. Later steps are reports due ``SANDBOX_DELAY_SECONDS``
apart (``SandboxReport`` rows); with no delay they come back with the send itself.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outreach.db import copy_rows
from outreach.wakeups import wake_later

from ...choices import Service, Status
from ..base import (
    BaseProvider,
    PermanentProviderError,
    ProviderEvent,
    SendResult,
    TransientProviderError,
)
from .models import SandboxAction, SandboxReport, SandboxSend

SMS_ONLY, PERMANENT, FLAKY, NO_READ, REPLY_STOP, REPLY_THANKS, NO_RECEIPT, REPLY_QUOTING = (
    "01", "02", "03", "04", "05", "06", "07", "08",
)
REACTS = "09"
FLAKY_FAILURES = 2
REPLIES = {REPLY_STOP: "STOP", REPLY_THANKS: "Thanks!", REPLY_QUOTING: "Sounds good"}


def outcome_digits(address: str) -> str:
    """The two digits that choose the outcome ("" for an Apple ID email)."""
    if "@" in address:
        return ""
    return re.sub(r"\D", "", address)[-2:]


def reply_id(handle) -> str:
    """The network's id for the scripted reply to a send, so a replayed report is one reply."""
    return f"sandbox-reply-{handle}"


class SandboxProvider(BaseProvider):
    name = "sandbox"

    def send(self, message) -> SendResult:
        outcome = self.send_many([message])[message.pk]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def send_many(self, messages) -> dict:
        pause = settings.SANDBOX_SEND_SECONDS
        if pause <= 0:
            return self._send_batch(list(messages))
        # A network with latency takes one send at a time; each is on the ledger before the
        # next starts, which is what a worker killed mid-chunk leaves behind.
        results: dict = {}
        for message in messages:
            time.sleep(pause)
            results.update(self._send_batch([message]))
        return results

    def _send_batch(self, messages) -> dict:
        prior = SandboxSend.objects.filter(handle__in=[m.handle for m in messages]).values_list("handle", "outcome")
        taken = {handle for handle, outcome in prior if outcome == "sent"}
        failures = Counter(handle for handle, outcome in prior if outcome == "failed")
        now = timezone.now()
        ledger, reports, results = [], [], {}
        for message in messages:
            digits = outcome_digits(message.to_number)
            outcome = "sent"
            if message.handle in taken:
                results[message.pk] = self._accepted(message, digits, now, reports=None)
            elif digits == PERMANENT:
                outcome = "failed"
                results[message.pk] = PermanentProviderError(
                    "The sandbox carrier refused the message (test number ending in 02)."
                )
            elif digits == FLAKY and failures[message.handle] < FLAKY_FAILURES:
                outcome = "failed"
                results[message.pk] = TransientProviderError(
                    "The sandbox carrier timed out (test number ending in 03 fails twice)."
                )
            else:
                results[message.pk] = self._accepted(message, digits, now, reports=reports)
            ledger.append((message.handle, self.line.pk, message.to_number, outcome, message.handle in taken, now))
        with transaction.atomic():  # the network's own commit: ledger and what it will report
            copy_rows(
                SandboxSend, ("handle", "line_id", "to_number", "outcome", "duplicate", "created_at"), ledger
            )
            if reports:
                SandboxReport.objects.bulk_create(reports)
        if reports:
            _wake_reports(min(r.due_at for r in reports))
        return results

    def _accepted(self, message, digits: str, now, *, reports: list | None) -> SendResult:
        """The network's answer to a send it took. ``reports`` collects later steps to
        schedule (None for a duplicate: the first request scheduled them already)."""
        if digits == SMS_ONLY:
            return SendResult(service=Service.SMS, was_downgraded=True)
        steps: list[ProviderEvent] = []
        if digits != NO_RECEIPT:
            steps.append(ProviderEvent(kind="status", status=Status.DELIVERED, message_handle=str(message.handle)))
        if digits not in (NO_RECEIPT, NO_READ, *REPLIES):
            steps.append(ProviderEvent(kind="status", status=Status.READ, message_handle=str(message.handle)))
        if digits in REPLIES:
            steps.append(ProviderEvent(
                kind="inbound", from_address=message.to_number, to_number=self.line.number,
                content=REPLIES[digits], service=Service.IMESSAGE, provider_message_id=reply_id(message.handle),
                reply_to_handle=str(message.handle) if digits == REPLY_QUOTING else "",
            ))
        if digits == REACTS:
            steps.append(ProviderEvent(
                kind="reaction", message_handle=str(message.handle), reaction="love", from_address=message.to_number,
            ))
        delay = settings.SANDBOX_DELAY_SECONDS
        if delay <= 0:
            # No delay: the reports come back with the send (replayed for a duplicate, as
            # the first answer may never have been recorded; applying them is idempotent).
            return SendResult(service=Service.IMESSAGE, reports=steps)
        if reports is not None:
            for n, step in enumerate(steps, start=1):
                reports.append(SandboxReport(
                    line=self.line, handle=message.handle, kind=step.kind, status=step.status,
                    from_address=step.from_address, content=step.content or step.reaction,
                    quotes=bool(step.reply_to_handle),
                    due_at=now + timedelta(seconds=delay * min(n, 2)),
                ))
        return SendResult(service=Service.IMESSAGE)

    def react(self, message, kind: str, part_index: int = 0) -> None:
        """The sandbox's network takes every reaction."""

    def rename_group(self, conversation, name: str) -> None:
        """The sandbox's network keeps no group state: a rename always succeeds."""

    def change_group(self, conversation, *, add: bool, address: str) -> None:
        """The sandbox's network keeps no group state: a change always succeeds."""

    def mark_read(self, conversation) -> bool:
        """The sandbox's network records every read receipt (``SandboxAction`` ``read``)."""
        SandboxAction.objects.create(line=conversation.line, kind="read", chat=conversation.address or conversation.group_id)
        return True

    def set_group_photo(self, conversation, media) -> None:
        """Recorded (``SandboxAction`` ``group_photo``, the file's name; "" clears it)."""
        SandboxAction.objects.create(
            line=conversation.line, kind="group_photo", chat=conversation.group_id,
            detail=media.filename if media is not None else "",
        )

    def lookup(self, address: str) -> str:
        return Service.SMS if outcome_digits(address) == SMS_ONLY else Service.IMESSAGE


#: The task that applies due reports (messaging/providers/sandbox/tasks.py).
REPORTS_TASK = "messaging.tasks.sandbox_reports"


def _wake_reports(when) -> None:
    wake_later(REPORTS_TASK, when)  # a lost wake-up: the task's beat entry applies them anyway


def take_due_reports(limit: int = 500) -> list[tuple[object, ProviderEvent]]:
    """The network's due reports as (line, event), oldest first, deleted from the network's
    side: call inside the transaction that applies them (SKIP LOCKED: safe in parallel)."""
    now = timezone.now()
    due = list(
        SandboxReport.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("line__account")
        .filter(due_at__lte=now)
        .order_by("due_at", "id")[:limit]
    )
    SandboxReport.objects.filter(pk__in=[r.pk for r in due]).delete()
    return [(report.line, _event(report)) for report in due]


def _event(report: SandboxReport) -> ProviderEvent:
    if report.kind == "inbound":
        return ProviderEvent(
            kind="inbound", from_address=report.from_address, to_number=report.line.number,
            content=report.content, service=Service.IMESSAGE, provider_message_id=reply_id(report.handle),
            reply_to_handle=str(report.handle) if report.quotes else "",
        )
    if report.kind == "reaction":
        return ProviderEvent(kind="reaction", message_handle=str(report.handle), reaction=report.content,
                             from_address=report.from_address)
    return ProviderEvent(kind="status", status=report.status, message_handle=str(report.handle))


def next_report_due():
    return SandboxReport.objects.order_by("due_at").values_list("due_at", flat=True).first()
