"""The verbs of messaging: the only code that writes lines, conversations and messages."""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from contacts.models import Contact
from outreach.choices import Dialect
from outreach.exceptions import Conflict, InvalidInput, NotFound, OutreachError
from outreach.models import Account
from outreach.phones import to_e164

from . import choices, sendpath, signals, validation
from .choices import ErrorCode, ErrorKey, EventSource, MessageType, Provider, Service, Status
from .foreground import raise_flag
from .models import Conversation, Line, Message, MessageEvent
from .status import can_move
from .transitions import STATUS_TIMESTAMPS, emit_items, status_items

logger = logging.getLogger(__name__)


class BadLine(OutreachError):
    """``from_number`` is not an active line of the caller's account."""

    status_code = 400


# --- lines ------------------------------------------------------------------------------

def add_line(
    account: Account,
    number: str,
    provider: str = Provider.SANDBOX,
    *,
    name: str = "",
    provider_settings: dict | None = None,
) -> Line:
    number = to_e164(number, field="number")
    if provider not in Provider.values:
        raise InvalidInput(
            f"Unknown provider {provider!r}; use one of {', '.join(Provider.values)}.",
            field="provider",
        )
    if Line.objects.filter(number=number).exists():
        raise InvalidInput(f"The line {number} already exists.", field="number")
    return Line.objects.create(
        account=account,
        number=number,
        provider=provider,
        name=name,
        provider_settings=provider_settings or {},
    )


def resolve_from_line(account: Account, from_number: str, lines: Iterable[Line] | None = None) -> Line:
    """The active line of ``account`` numbered ``from_number``; ``lines`` (the account's
    lines, e.g. from the send path's cache) spares the query."""
    try:
        number = to_e164(from_number, field="from_number")
    except InvalidInput as exc:
        raise BadLine(exc.message, field="from_number") from None
    if lines is None:
        line = Line.objects.filter(account=account, number=number, active=True).first()
    else:
        line = next((ln for ln in lines if ln.number == number and ln.active), None)
    if line is None:
        raise BadLine(
            f"from_number {number} is not an active line of your account; "
            "GET /api/v1/lines lists them.",
            field="from_number",
        )
    return line


def pick_line(account: Account, address: str) -> tuple[Line, Conversation | None]:
    """The sticky line for this address if it has one, else the least-loaded active line."""
    conversation = (
        Conversation.objects.select_related("line")
        .filter(account=account, address=address, message_type=MessageType.MESSAGE)
        .first()
    )
    if conversation and conversation.line.active:
        return conversation.line, conversation
    line_id = sendpath.least_busy_line_id(account, claim=False)
    line = Line.objects.filter(pk=line_id).first() if line_id else None
    if line is None:
        raise BadLine("Your account has no active line to send from; add one first.", field="from_number")
    return line, conversation


def direct_conversation(account: Account, line: Line, address: str, contact: Contact | None) -> Conversation:
    conversation = Conversation.objects.filter(
        account=account, address=address, message_type=MessageType.MESSAGE
    ).first()
    if conversation is None:
        try:
            with transaction.atomic():
                conversation = Conversation.objects.create(
                    account=account, line=line, address=address, contact=contact
                )
        except IntegrityError:  # created by a concurrent send
            conversation = Conversation.objects.get(
                account=account, address=address, message_type=MessageType.MESSAGE
            )
    return conversation


# --- status changes ---------------------------------------------------------------------

def emit_status(message: Message, previous: str | None = None) -> None:
    """The webhook events of ``message``'s step from ``previous`` (None: just created)."""
    emit_items([status_items(message, previous)])


def record_transition(
    message: Message,
    new_status: str,
    *,
    source: str,
    detail: str = "",
    save: bool = True,
    **fields,
) -> bool:
    """Move ``message`` to ``new_status`` if the status machine allows it.

    Appends a MessageEvent and emits the webhook event in the caller's transaction.
    Returns False (and changes nothing) for a stale or duplicate report.
    """
    if not can_move(message.status, new_status):
        return False
    now, previous = timezone.now(), message.status
    message.status = new_status
    stamp = STATUS_TIMESTAMPS.get(new_status)
    if stamp and getattr(message, stamp) is None:
        setattr(message, stamp, now)
    # A READ implies it was delivered; a report may skip a step.
    if new_status == Status.READ and message.delivered_at is None:
        message.delivered_at = now
    for name, value in fields.items():
        setattr(message, name, value)
    if save:
        message.save()
    MessageEvent.objects.create(message=message, status=new_status, source=source, detail=detail)
    emit_status(message, previous)
    signals.status_changed.send(sender=Message, message=message, status=new_status)
    signals.statuses_changed.send(sender=Message, changes=[(message, new_status)])
    return True


# --- sending ----------------------------------------------------------------------------

def wake_dispatcher(*, interactive: bool = False) -> None:
    """Ask a worker to drain the queue, once the caller's transaction has committed.

    ``interactive`` (single sends) also wakes the interactive lane, whose worker is never
    busy with campaign chunks; the general wake-up still goes out, so a deployment without
    a lane worker sends all the same.
    """
    from . import tasks

    if interactive:
        transaction.on_commit(raise_flag)  # renewed: the lane lowers it once it has sent
    transaction.on_commit(lambda: _publish(tasks.dispatch))
    if interactive:
        transaction.on_commit(lambda: _publish(tasks.dispatch_interactive))


def _publish(task) -> None:
    try:
        task.delay()
    except Exception:  # noqa: BLE001 - the reconciler re-wakes anything stale
        logger.warning("could not publish a dispatch wake-up; the reconciler will", exc_info=True)


@transaction.atomic
def send(
    account: Account,
    *,
    to: str,
    content: str = "",
    media_url: str = "",
    send_style: str = "",
    from_number: str | None = None,
    status_callback: str = "",
    priority: int = 0,
    source: str = EventSource.API,
    dialect: str = Dialect.SENDBLUE,
) -> Message:
    """Validate and queue one 1:1 message. Nothing is sent here: a worker does that.

    An opted-out recipient gives a DECLINED message (error_key OPTED_OUT), not an error.
    """
    content = content or ""
    validation.validate_content(content, media_url)
    validation.validate_media_url(media_url)
    validation.validate_send_style(send_style)
    validation.validate_priority(priority)
    validation.validate_callback(status_callback)
    address = validation.normalize_address(to, field="number")
    raise_flag()  # bulk dispatch holds back from here until the lane has sent it

    # A bounded number of statements whatever the account's size (see sendpath).
    recipient = sendpath.lookup_recipient(account, address)
    line = _send_line(account, recipient, from_number)
    now = timezone.now()
    message = Message(
        account=account,
        line=line,
        is_outbound=True,
        number=address,
        from_number=line.number,
        to_number=address,
        content=content,
        media_url=media_url,
        send_style=send_style,
        priority=priority,
        status_callback=status_callback,
        dialect=dialect,
        next_attempt_at=now,
    )
    if recipient.opted_out:
        message.status, detail = Status.DECLINED, "recipient opted out"
        message.error_code = ErrorCode.VALIDATION
        message.error_key = ErrorKey.OPTED_OUT
        message.error_message = f"{address} has opted out of messages from this account."
    else:
        message.status, detail, message.queued_at = Status.QUEUED, "", now
    # Born QUEUED (or DECLINED): the event and webhook of that status, as record_transition.
    event = MessageEvent(status=message.status, source=source, detail=detail)
    sendpath.insert_message(message, event, recipient.contact_id, now)
    emit_status(message)
    # created=True: a message born here belongs to no campaign (they queue via enqueue).
    signals.status_changed.send(sender=Message, message=message, status=message.status, created=True)
    if message.status == Status.QUEUED:
        wake_dispatcher(interactive=True)
    return message


def _send_line(account: Account, recipient, from_number: str | None) -> Line:
    """``from_number``'s line, else the recipient's sticky line, else the least busy one."""
    lines = {line.pk: line for line in sendpath.account_lines(account)}
    if from_number:
        return resolve_from_line(account, from_number, lines.values())
    sticky = lines.get(recipient.conversation_line_id)
    if sticky is not None and sticky.active:
        return sticky
    line_id = sendpath.least_busy_line_id(account, lines.values())
    if line_id is None:
        raise BadLine("Your account has no active line to send from; add one first.", field="from_number")
    return lines.get(line_id) or Line.objects.get(pk=line_id)


def is_opted_out(account: Account, address: str) -> bool:
    return Contact.objects.filter(
        Q(account=account) & Q(e164_number=address) & Q(opted_out_at__isnull=False)
    ).exists()


# --- what the network reports -----------------------------------------------------------



def find_message(line: Line, event) -> Message | None:
    qs = Message.objects.select_related("account", "line", "conversation").filter(line=line)
    if event.message_handle:
        return qs.filter(handle=event.message_handle).first()
    if event.provider_message_id:
        return qs.filter(provider_message_id=event.provider_message_id).first()
    return None


@transaction.atomic
def apply_report(line: Line, event, *, source: str = EventSource.PROVIDER) -> bool:
    """Apply a status report about one of our messages. Duplicates and stale reports are
    harmless (False); an unknown message is logged and ignored."""
    message = find_message(line, event)
    if message is None:
        logger.info("report for an unknown message on %s: %s", line.number, event.raw or event)
        return False
    message = Message.objects.select_for_update(of=("self",)).select_related("account", "line", "conversation").get(pk=message.pk)
    fields = {}
    if event.service:
        fields["service"] = event.service
    if event.error_code is not None:
        fields["error_code"] = event.error_code
        fields["error_message"] = event.error_message
    return record_transition(message, event.status, source=source, **fields)


@transaction.atomic
def receive_inbound(line: Line, event) -> Message:
    """A message from a customer to one of our lines: RECEIVED, in its conversation, the
    contact created if unknown, ``message.received`` emitted; STOP-words opt out."""
    from contacts.services import contact_for_address, opt_in, opt_out

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
    now = timezone.now()
    message = Message.objects.create(
        account=account,
        line=line,
        conversation=conversation,
        is_outbound=False,
        number=address,
        from_number=address,
        to_number=line.number,
        content=event.content or "",
        media_url=(event.media_urls[0] if event.media_urls else ""),
        status=Status.RECEIVED,
        service=event.service or "",
        provider_message_id=event.provider_message_id,
    )
    MessageEvent.objects.create(message=message, status=Status.RECEIVED, source=EventSource.PROVIDER)
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=now, unread_count=F("unread_count") + 1
    )
    said = choices.keyword(event.content)
    if contact is not None and said in choices.OPT_OUT_KEYWORDS:
        opt_out(account, contact, source="keyword")
    elif contact is not None and said in choices.OPT_IN_KEYWORDS:
        opt_in(account, contact, source="keyword")
    emit_status(message)
    signals.message_received.send(sender=Message, message=message)
    return message


# --- console (the inbox) ----------------------------------------------------------------

def mark_read(account: Account, conversation: Conversation) -> None:
    """Staff opened the thread: nothing in it is unread any more."""
    Conversation.objects.filter(account=account, pk=conversation.pk, unread_count__gt=0).update(unread_count=0)


# --- dead letters and the sandbox (pipeline) ------------------------------------------------

def _scoped_message(account: Account, message: Message) -> Message:
    """The caller's message, locked; another account's message does not exist (404)."""
    found = (
        Message.objects.select_for_update(of=("self",))
        .select_related("account", "line", "conversation")
        .filter(account=account, pk=message.pk)
        .first()
    )
    if found is None:
        raise NotFound("No such message.")
    return found


@transaction.atomic
def retry_dead_letter(account: Account, message: Message, *, source: str = EventSource.API) -> Message:
    """Send a dead letter (ERROR) again: back to QUEUED, attempts from zero, errors cleared."""
    message = _scoped_message(account, message)
    if message.status != Status.ERROR or message.discarded_at is not None:
        raise Conflict(f"Only a dead letter (ERROR, not discarded) can be retried; this one is {message.status}.")
    record_transition(
        message, Status.QUEUED, source=source, detail="dead letter retried",
        attempts=0, next_attempt_at=timezone.now(), error_code=None, error_message="",
        error_key="", last_error="", claimed_at=None,
    )
    wake_dispatcher(interactive=True)
    return message


@transaction.atomic
def discard_dead_letter(account: Account, message: Message) -> Message:
    """Drop a dead letter from the dead-letter queue; it stays ERROR in the history."""
    message = _scoped_message(account, message)
    if message.status != Status.ERROR:
        raise Conflict(f"Only a dead letter (ERROR) can be discarded; this one is {message.status}.")
    if message.discarded_at is None:
        message.discarded_at = timezone.now()
        message.save(update_fields=["discarded_at", "updated_at"])
    return message


def simulate_inbound(account: Account, line: Line, from_address: str, text: str) -> Message:
    """Play the customer on a sandbox line: ``from_address`` writes ``text`` to it."""
    from .providers.base import ProviderEvent

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
