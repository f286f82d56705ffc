"""What the network reports: status reports about our messages and messages to our lines.

Providers parse what their network says into ``ProviderEvent``s (messaging/providers/);
this module applies them (``apply_events``, with the provider's policy hooks:
``match_message``, ``retry_for``): a status report moves its message through the status machine
(``transitions.record_transition``: a stale or duplicate report is a no-op), an inbound
message is RECEIVED in its conversation, the contact created if unknown, ``message.received``
emitted, the account's keywords (contacts.keywords) opt out, back in, or are answered.
"""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from contacts.choices import KeywordAction
from contacts.keywords import keyword_action
from contacts.services import contact_for_address, opt_in, opt_out
from outreach.exceptions import InvalidInput, NotFound
from outreach.models import Account

from .. import handle_cache, redact, signals, validation
from ..choices import EventSource, Provider, Service, Status
from ..models import Conversation, Line, Message, MessageEvent
from ..providers.base import BaseProvider, ProviderEvent, Retry
from ..providers.registry import provider_for
from ..queue.limits import backoff
from ..queue.wake import wake_dispatcher
from ..status import IllegalTransition
from .reactions import receive_reaction
from .sending import direct_conversation, insert_message, originator, send_keyword_reply
from .transitions import emit_status, record_transition

logger = logging.getLogger(__name__)


def find_message(line: Line, event: ProviderEvent) -> Message | None:
    qs = Message.objects.select_related("account", "line", "conversation").filter(line=line)
    if event.message_handle:
        return qs.filter(handle=event.message_handle).first()
    if event.provider_message_id:
        return qs.filter(provider_message_id=event.provider_message_id).first()
    return None


@transaction.atomic
def apply_report(line: Line, event: ProviderEvent, *, source: str = EventSource.PROVIDER) -> bool:
    """Apply a status report about one of our messages. Duplicates and stale reports are
    harmless (False); an unknown message is logged and ignored."""
    message = find_message(line, event)
    if message is None:
        logger.info("report for an unknown message on %s: %s", line.number, event.raw or event)
        return False
    message = (
        Message.objects.select_for_update(of=("self",)).select_related("account", "line", "conversation")
        .get(pk=message.pk)
    )
    fields = {}
    if event.service:
        fields["service"] = event.service
    if event.error_code is not None:
        fields["error_code"] = event.error_code
        fields["error_message"] = event.error_message
    return record_transition(message, event.status, source=source, **fields)


@transaction.atomic
def receive_inbound(line: Line, event: ProviderEvent) -> Message:
    """A message from a customer to one of our lines: RECEIVED, in its conversation, the
    contact created if unknown, ``message.received`` emitted; STOP-words opt out."""
    account = line.account
    if event.provider_message_id:
        # A network may report the same inbound message twice (a replayed webhook, a
        # re-sent reply): its id makes the second report a no-op.
        known = Message.objects.filter(
            line=line, is_outbound=False, provider_message_id=event.provider_message_id
        ).first()
        if known is not None:
            return known
    address = validation.normalize_address(event.from_address, field="from")
    contact = contact_for_address(account, address, create=True)
    conversation = direct_conversation(account, line, address, contact)
    message = Message(
        account=account, line=line, conversation=conversation, is_outbound=False, number=address,
        from_number=address, to_number=line.number, content=event.content or "",
        media_url=(event.media_urls[0] if event.media_urls else ""), status=Status.RECEIVED,
        service=event.service or "", provider_message_id=event.provider_message_id,
        reply_to=quoted(line, conversation, event),
    )
    message.thread_originator = originator(message.reply_to)
    insert_message(message, MessageEvent(status=Status.RECEIVED, source=EventSource.PROVIDER), None, timezone.now())
    Conversation.objects.filter(pk=conversation.pk).update(unread_count=F("unread_count") + 1)
    answer = _keyword(message, contact)
    emit_status(message)
    signals.message_received.send(sender=Message, message=message)
    if answer:
        # Once per inbound message: a redelivered one is found above and never gets here.
        send_keyword_reply(message, answer)
    return message


def _keyword(message: Message, contact) -> str | None:
    """A reply that is one of the account's keywords opts out or back in; -> the account's
    automatic answer to it, if it has one."""
    action, answer = keyword_action(message.account, message.content)
    if contact is not None and action == KeywordAction.OPT_OUT:
        opt_out(message.account, contact, source="keyword")
    elif contact is not None and action == KeywordAction.OPT_IN:
        opt_in(message.account, contact, source="keyword")
    return answer


def quoted(line: Line, conversation, event: ProviderEvent) -> Message | None:
    """The message an inbound one answers inline, if the network says so and it is in the
    same conversation (by our handle, else the network's id)."""
    handle = _uuid(event.reply_to_handle)
    if handle is not None:
        found = Message.objects.filter(conversation_id=conversation.pk, handle=handle).first()
        if found is not None:
            return found
    if event.reply_to_provider_id:
        return Message.objects.filter(
            conversation_id=conversation.pk, line=line, provider_message_id=event.reply_to_provider_id
        ).first()
    return None


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:  # not one of our handles
        return None


def apply_events(line: Line, events: list[ProviderEvent], provider: BaseProvider | None = None) -> int:
    """Apply a provider's events in order (a callback's, a poll's); -> how many changed
    something. Each event is its own transaction: one bad report does not undo the others."""
    provider = provider or provider_for(line)
    return sum(1 for event in events if apply_event(line, event, provider))


@transaction.atomic
def apply_event(line: Line, event: ProviderEvent, provider: BaseProvider) -> bool:
    if event.kind == "inbound":
        # A callback and a poll may carry the same reply at once: one of them at a time
        # per line checks and writes. (Status reports need no such lock: apply_report locks
        # the message, and a duplicate report is a no-op.)
        Line.objects.select_for_update().filter(pk=line.pk).first()
        if event.provider_message_id and Message.objects.filter(
            line=line, provider_message_id=event.provider_message_id
        ).exists():
            return False
        receive_inbound(line, event)
        return True
    if event.kind == "reaction":
        target = provider.match_message(Message.objects.filter(line=line), event)
        return target is not None and receive_reaction(line, target, event)
    message = provider.match_message(Message.objects.filter(line=line, is_outbound=True), event)
    if message is None:
        return False  # typed on the network's own device, or another tool's: not ours
    if event.provider_message_id and not message.provider_message_id:
        Message.objects.filter(pk=message.pk, provider_message_id="").update(
            provider_message_id=event.provider_message_id
        )
    event.message_handle = str(message.handle)
    try:
        changed = apply_report(line, event)
    except IllegalTransition:
        # E.g. re-queued after a timeout that in fact sent: the retry finds the copy and
        # confirms it; this report has nothing to move now.
        logger.info("report %s does not apply to %s", event.status, message)
        return False
    retry = provider.retry_for(message, event)
    if retry is not None:
        changed = _retry(message, retry) or changed
    return changed


def _retry(message: Message, retry: Retry) -> bool:
    """A reported failure worth another attempt: back to the queue (as SMS when the network
    said the recipient is not on iMessage), while attempts remain."""
    message = (
        Message.objects.select_for_update(of=("self",)).select_related("account", "line", "conversation")
        .get(pk=message.pk)
    )
    if message.status != Status.ERROR or (retry.as_sms and message.service == Service.SMS):
        return False
    if not retry.as_sms and message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
        return False
    detail = redact.for_line(message.line, retry.detail)
    if retry.as_sms:
        handle_cache.remember(message.line, message.to_number or message.number, Service.SMS)
    moved = record_transition(
        message, Status.QUEUED, source=EventSource.PROVIDER, detail=detail,
        next_attempt_at=timezone.now() + (timedelta(0) if retry.as_sms else backoff(message.attempts)),
        error_code=None, error_message="", last_error=detail,
    )
    if moved:
        wake_dispatcher()
    return moved


def simulate_inbound(account: Account, line: Line, from_address: str, text: str) -> Message:
    """Play the customer on a sandbox line: ``from_address`` writes ``text`` to it."""
    if line.account_id != account.pk:
        raise NotFound("No such line.")
    if line.provider != Provider.SANDBOX:
        raise InvalidInput("Only a sandbox line can receive simulated messages.", field="line")
    if not (text or "").strip():
        raise InvalidInput("A message needs some text.", field="content")
    address = validation.normalize_address(from_address, field="from_number")
    return receive_inbound(line, ProviderEvent(
        kind="inbound", from_address=address, to_number=line.number, content=text,
        service=Service.IMESSAGE, provider_message_id=f"sandbox-in-{uuid.uuid4()}",
    ))
