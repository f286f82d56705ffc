"""Group sends and sends with several attachments: the group conversation, its
participants, and the v1 ``to`` that may name a number, an Apple ID or a group."""
from __future__ import annotations

import uuid

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from contacts.models import Contact
from outreach.exceptions import Conflict, InvalidInput, NotFound
from outreach.models import Account

from .. import media as media_files
from .. import validation
from ..choices import ErrorCode, ErrorKey, EventSource, MessageType, Status
from ..lines import BadLine, least_busy_line_id, no_line, resolve_from_line
from ..models import Attachment, Conversation, Line, MediaObject, Message, MessageEvent, participants_key
from ..providers.registry import provider_for
from .sending import Body, originator, queue_new, reply_target, send

GROUP_MIN_PARTICIPANTS = 2
#: What a group photo may be (Apple's group photos: JPEG, PNG or GIF).
GROUP_PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})
MAX_ATTACHMENTS = 10


def _group_conversation(
    account: Account, *, numbers, group_id: str, from_number: str | None
) -> Conversation:
    """The group named by ``group_id``, or the group of exactly these numbers (created the
    first time), so repeated sends to one set of people share one thread."""
    if group_id:
        conversation = (
            Conversation.objects.select_related("line")
            .filter(account=account, message_type=MessageType.GROUP, group_id=group_id)
            .first()
        )
        if conversation is None:
            raise InvalidInput(
                f"No group {group_id!r} in your account; send numbers to start a group.", field="group_id"
            )
        _acting_line(account, conversation, from_number, verb="send")
        return conversation
    participants = sorted(
        {validation.normalize_address(n, field=f"numbers.{i}") for i, n in enumerate(numbers or [])}
    )
    if len(participants) < GROUP_MIN_PARTICIPANTS:
        raise InvalidInput(
            "A group needs at least 2 different numbers; use /api/send-message for one person.",
            field="numbers",
        )
    key = participants_key(participants)
    _serialize_group(account, key)
    line = resolve_from_line(account, from_number) if from_number else None
    groups = Conversation.objects.select_related("line").filter(
        account=account, message_type=MessageType.GROUP, participants_key=key, line__active=True
    )
    # Sticky, as a contact's line: without from_number the people's group on any line.
    found = (groups.filter(line=line) if line else groups).order_by("created_at", "pk").first()
    if found is not None:
        return found
    if line is None:
        picked = least_busy_line_id(account)
        if picked is None:
            raise no_line()
        line = Line.objects.get(pk=picked)
    return _create_group(account, line, participants, key)


def _serialize_group(account: Account, key: str) -> None:
    """Sends that would start the same people's group take turns until the first commits
    (PostgreSQL: a transaction-level advisory lock), so a race without from_number cannot
    start one group on each line. The unique constraint is what guarantees one per line."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"group:{account.pk}:{key}"])


def _create_group(account: Account, line: Line, participants: list[str], key: str) -> Conversation:
    """The group of these people on ``line``: created, or the one a racing send just created."""
    try:
        with transaction.atomic():  # a savepoint: the unique violation must not end the send
            return Conversation.objects.create(
                account=account, line=line, message_type=MessageType.GROUP,
                group_id=str(uuid.uuid4()), participants=participants, participants_key=key,
            )
    except IntegrityError:
        return Conversation.objects.select_related("line").get(
            account=account, line=line, message_type=MessageType.GROUP, participants_key=key
        )


@transaction.atomic
def send_group(
    account: Account, *, numbers=(), group_id: str = "", from_number: str | None = None, **body
) -> Message:
    """Validate and queue one message to a group (new: ``numbers``; existing: ``group_id``;
    ``body``: the fields of ``sending.Body``).

    A group with an opted-out participant is DECLINED (error_key OPTED_OUT): the group
    thread would reach that person too.
    """
    body = Body(**body).validated()
    conversation = _group_conversation(account, numbers=numbers, group_id=group_id, from_number=from_number)
    now = timezone.now()
    message = body.message(
        account, conversation.line, now, conversation=conversation, message_type=MessageType.GROUP,
        status=Status.QUEUED, queued_at=now,
    )
    message.reply_to = reply_target(account, body.reply_to, conversation.pk, conversation.line)
    message.thread_originator = originator(message.reply_to)
    detail = ""
    opted_out = sorted(
        Contact.objects.filter(
            account=account, e164_number__in=conversation.participants, opted_out_at__isnull=False
        ).values_list("e164_number", flat=True)
    )
    if opted_out:
        message.status, message.queued_at, message.next_attempt_at = Status.DECLINED, None, None
        detail = "a participant opted out"
        message.error_code, message.error_key = ErrorCode.VALIDATION, ErrorKey.OPTED_OUT
        message.error_message = f"{', '.join(opted_out)} opted out of messages from this account."
    return queue_new(message, MessageEvent(status=message.status, source=body.source, detail=detail), None, now)


def looks_like_group_id(to: str) -> bool:
    try:
        uuid.UUID(str(to))
    except ValueError:
        return False
    return True


@transaction.atomic
def send_to(
    account: Account,
    *,
    to: str,
    content: str = "",
    media_urls=(),
    from_number: str | None = None,
    priority: int = 0,
    source: str = EventSource.API,
    send_at=None,
    expires_at=None,
) -> Message:
    """One message to ``to`` (an address, or a group id), with up to 10 attachments: the
    first travels as ``media_url``, every one is kept as an Attachment; ``send_at``
    schedules it."""
    media_urls = list(media_urls or [])
    if len(media_urls) > MAX_ATTACHMENTS:
        raise InvalidInput(f"At most {MAX_ATTACHMENTS} attachments per message.", field="attachments")
    for i, url in enumerate(media_urls):
        validation.validate_media_url(url, field=f"attachments.{i}")
    first = media_urls[0] if media_urls else ""
    if looks_like_group_id(to):
        message = send_group(
            account, group_id=str(to), content=content, media_url=first,
            from_number=from_number, priority=priority, source=source, send_at=send_at, expires_at=expires_at,
        )
    else:
        message = send(
            account, to=to, content=content, media_url=first,
            from_number=from_number, priority=priority, source=source, send_at=send_at, expires_at=expires_at,
        )
    if media_urls:
        Attachment.objects.bulk_create([Attachment(message=message, url=url) for url in media_urls])
    return message


MAX_GROUP_NAME = 200


def find_group(account: Account, group_id: str, *, lock: bool = False) -> Conversation:
    """The account's group by its id (another account's, or none: 404)."""
    groups = Conversation.objects.select_related("line").filter(
        account=account, message_type=MessageType.GROUP, group_id=str(group_id)
    )
    conversation = (groups.select_for_update(of=("self",)) if lock else groups).first()
    if conversation is None:
        raise NotFound(f"No group {group_id!r} in your account.")
    return conversation


def _acting_line(account: Account, conversation: Conversation, from_number: str | None, *, verb: str = "change it") -> None:
    """A group is sent to and changed by the line it lives on: ``from_number``, when
    given, must be it, and that line active."""
    if from_number and resolve_from_line(account, from_number).pk != conversation.line_id:
        raise BadLine(
            f"This group lives on {conversation.line.number}; {verb} from that line or omit from_number.",
            field="from_number",
        )
    if not conversation.line.active:
        raise BadLine(f"The group's line {conversation.line.number} is not active.", field="from_number")


@transaction.atomic
def rename_group(account: Account, group_id: str, name: str | None, *, from_number: str | None = None) -> Conversation:
    """Rename the group chat on its network, then here (``None`` or "" clears the name).
    The row stays locked while the network answers, so two renames land in order."""
    name = "" if name is None else name
    if not isinstance(name, str):
        raise InvalidInput("group_name must be a string, or null to clear the name.", field="group_name")
    if name and not name.strip():
        raise InvalidInput("group_name must not be only spaces; send null or \"\" to clear it.", field="group_name")
    if len(name) > MAX_GROUP_NAME:
        raise InvalidInput(f"group_name is at most {MAX_GROUP_NAME} characters.", field="group_name")
    conversation = find_group(account, group_id, lock=True)
    _acting_line(account, conversation, from_number)
    provider_for(conversation.line).rename_group(conversation, name)
    conversation.group_display_name = name
    conversation.save(update_fields=["group_display_name"])
    return conversation


@transaction.atomic
def modify_group(
    account: Account, group_id: str, *, add: bool, number: str, from_number: str | None = None
) -> Conversation:
    """Add a participant to the group chat (``add``) or remove one, on its network, then here."""
    address = validation.normalize_address(number, field="number")
    conversation = find_group(account, group_id, lock=True)
    _acting_line(account, conversation, from_number)
    participants = set(conversation.participants)
    if add and address in participants:
        raise InvalidInput(f"{address} is already in this group.", field="number")
    if not add and address not in participants:
        raise InvalidInput(f"{address} is not in this group.", field="number")
    if add and Contact.objects.filter(account=account, e164_number=address, opted_out_at__isnull=False).exists():
        raise InvalidInput(f"{address} opted out of messages from this account.", field="number")
    changed = sorted(participants | {address} if add else participants - {address})
    if len(changed) < GROUP_MIN_PARTICIPANTS:
        raise InvalidInput(f"A group keeps at least {GROUP_MIN_PARTICIPANTS} participants.", field="number")
    key = participants_key(changed)
    if Conversation.objects.filter(
        account=account, line=conversation.line, message_type=MessageType.GROUP, participants_key=key
    ).exists():
        raise Conflict("These people already have another group on this line; send to that group instead.")
    provider_for(conversation.line).change_group(conversation, add=add, address=address)
    conversation.participants, conversation.participants_key = changed, key
    conversation.save(update_fields=["participants", "participants_key"])
    return conversation


def _discard(media: MediaObject | None) -> None:
    """Delete a group photo's file and row (refused, or replaced by another)."""
    if media is not None:
        media.file.delete(save=False)
        media.delete()


def set_group_photo(account: Account, group_id: str, photo_url, *, from_number: str | None = None) -> Conversation:
    """Set the group chat's photo from ``photo_url`` (a JPEG, PNG or GIF of at most 5 MB,
    copied here first) on its network, then here; ``None`` clears it. The group and line are
    checked before anything is fetched, and a photo the network refuses is deleted at once,
    as is the photo it replaces, so no file is left without a group."""
    if photo_url is not None and (not isinstance(photo_url, str) or not photo_url.strip()):
        raise InvalidInput("photo_url must be an http(s) URL of a JPEG, PNG or GIF, or null to clear the photo.",
                           field="photo_url")
    conversation = find_group(account, group_id)
    _acting_line(account, conversation, from_number)
    photo = media_files.fetch_upload(account, photo_url.strip(), field="photo_url") if photo_url else None
    try:
        if photo is not None and photo.content_type not in GROUP_PHOTO_TYPES:
            raise InvalidInput(f"photo_url must be a JPEG, PNG or GIF; it is {photo.content_type}.", field="photo_url")
        with transaction.atomic():
            conversation = find_group(account, group_id, lock=True)
            provider_for(conversation.line).set_group_photo(conversation, photo)
            previous = conversation.group_photo
            conversation.group_photo = photo
            conversation.save(update_fields=["group_photo"])
    except Exception:
        _discard(photo)
        raise
    _discard(previous)
    return conversation
