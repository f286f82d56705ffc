"""Serializers of both wire dialects. One model, two shapes: the differences live here and
in the status-word maps, never in services.

Sendblue responses are ``messaging.payloads.message_body`` (the seeds' field names); the
serializer classes below describe that body for the OpenAPI document and produce it.
"""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from messaging.choices import MessageType, SendStyle, Service, Status
from messaging.models import Line, Message
from messaging.payloads import ARNIO_WORDS, iso, message_body
from messaging.status import SCHEDULED, wire_status
from outreach.choices import Dialect

from .fields import EXPIRES_AT, REPLY_TO, SEND_AT, BlankCharField

#: The v1 dialect's words (seed 004): lowercase canonical words, ERROR is "failed".
V1_STATUS = {status: status.lower() for status in [*Status.values, SCHEDULED]} | {Status.ERROR: "failed"}
V1_STATUS_WORDS = sorted(set(V1_STATUS.values()))

STYLE_ERROR = f"Unknown send_style {{input!r}}; use one of {', '.join(SendStyle.values)}."


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Line
        fields = [
            "id", "number", "name", "provider", "active", "healthy", "health_error", "unhealthy_since",
            "burst_per_second", "new_contacts_per_hour", "new_contacts_per_day", "created_at",
        ]


# --- Sendblue dialect: requests ----------------------------------------------------------

class SendMessageRequest(serializers.Serializer):
    number = serializers.CharField(help_text="Recipient: E.164 (+19998887777), as typed, or an Apple ID email.")
    from_number = BlankCharField(help_text="One of your lines (E.164). Default: the contact's line, else the least busy.")
    content = BlankCharField(trim_whitespace=False, help_text="Text, shorter than 18,996 characters.")
    media_url = BlankCharField(help_text="Public http(s) URL ending in a media extension (.png, .jpg, .mp4, .caf...).")
    send_style = serializers.ChoiceField(
        choices=SendStyle.choices, required=False, allow_blank=True, allow_null=True, default="",
        error_messages={"invalid_choice": STYLE_ERROR},
    )
    status_callback = BlankCharField(help_text="URL that receives the message body on every status change.")
    send_at = SEND_AT
    expires_at = EXPIRES_AT
    reply_to = REPLY_TO

    def validate_send_style(self, value):
        return value or ""


class SendGroupMessageRequest(serializers.Serializer):
    numbers = serializers.ListField(
        child=serializers.CharField(), required=False, allow_empty=False, max_length=32,
        help_text="Participants (E.164 or Apple ID), for a new group. Or give group_id.",
    )
    group_id = BlankCharField(help_text="An existing group's id (returned by an earlier group send).")
    from_number = BlankCharField(help_text="One of your lines (E.164).")
    content = BlankCharField(trim_whitespace=False)
    media_url = BlankCharField()
    send_style = serializers.ChoiceField(
        choices=SendStyle.choices, required=False, allow_blank=True, allow_null=True, default="",
        error_messages={"invalid_choice": STYLE_ERROR},
    )
    status_callback = BlankCharField()
    send_at = SEND_AT
    expires_at = EXPIRES_AT
    reply_to = REPLY_TO

    def validate_send_style(self, value):
        return value or ""

    def validate(self, attrs):
        if not attrs.get("numbers") and not attrs.get("group_id"):
            raise serializers.ValidationError({"numbers": ["Give numbers (a new group) or group_id."]})
        return attrs


class TypingIndicatorRequest(serializers.Serializer):
    number = serializers.CharField(help_text="Who sees the typing dots (E.164).")
    from_number = BlankCharField(help_text="Your line (E.164). Default: the contact's line.")


class UploadMediaRequest(serializers.Serializer):
    file = serializers.FileField(help_text="At most 5 MB; an image, video, .caf voice note, PDF or vCard.")


class UploadMediaUrlRequest(serializers.Serializer):
    media_url = serializers.CharField(help_text="A URL to copy the file from (signed URLs welcome); at most 5 MB.")


# --- Sendblue dialect: responses -------------------------------------------------------

def nullable_str(**kw):
    return serializers.CharField(allow_null=True, **kw)


@extend_schema_field({
    "description": "In the caller's key's dialect: a `sendblue` key gets the canonical words, "
    "an `arnio` key Arnio's five (ERROR and DECLINED are FAILED; the steps before sending, QUEUED).",
    "anyOf": [
        {"title": "sendblue", "type": "string", "enum": [*Status.values, SCHEDULED]},
        {"title": "arnio", "type": "string", "enum": ARNIO_WORDS},
    ],
})
class DialectStatusField(serializers.CharField):
    """A message's status word; ``message_body`` picks the dialect's."""


class SendblueMessage(serializers.Serializer):
    """The message body of seeds 000-002 (callbacks, status, lists)."""

    accountEmail = serializers.EmailField()
    content = serializers.CharField(allow_blank=True)
    is_outbound = serializers.BooleanField()
    status = DialectStatusField()
    error_code = serializers.IntegerField(allow_null=True)
    error_message = nullable_str()
    error_reason = nullable_str(help_text="A word a program can switch on, e.g. OPTED_OUT.")
    error_detail = nullable_str()
    message_handle = serializers.UUIDField()
    date_sent = serializers.DateTimeField()
    date_updated = serializers.DateTimeField()
    from_number = serializers.CharField(allow_blank=True)
    number = serializers.CharField(allow_blank=True)
    to_number = serializers.CharField(allow_blank=True)
    was_downgraded = serializers.BooleanField(allow_null=True)
    plan = serializers.CharField()
    media_url = serializers.CharField(allow_blank=True)
    message_type = serializers.ChoiceField(choices=MessageType.choices)
    group_id = serializers.CharField(allow_blank=True)
    participants = serializers.ListField(child=serializers.CharField())
    send_style = serializers.CharField(allow_blank=True)
    opted_out = serializers.BooleanField()
    sendblue_number = nullable_str()
    service = serializers.ChoiceField(choices=Service.choices, allow_null=True)
    group_display_name = nullable_str()
    send_at = serializers.DateTimeField(
        allow_null=True, help_text="A scheduled send's time; status is SCHEDULED until then."
    )
    reply_to = serializers.DictField(allow_null=True, help_text="{message_handle}: the message this one answers inline.")
    thread_originator = serializers.DictField(allow_null=True, help_text="{message_handle}: the reply thread's first message.")
    expires_at = serializers.DateTimeField(allow_null=True, help_text="Withdrawn (EXPIRED) if not sent by then.")
    redacted_at = serializers.DateTimeField(
        allow_null=True, help_text="Set when content and media were blanked (data retention, or DELETE); null otherwise."
    )

    def to_representation(self, message: Message) -> dict:
        return message_body(message, self.context.get("dialect", Dialect.SENDBLUE))


class SendblueSendResponse(SendblueMessage):
    """What a send answers: the body above plus the SDK's ``MessageResponse`` names."""

    account_email = serializers.EmailField()
    date_created = serializers.DateTimeField()
    error_key = nullable_str(help_text="Why a rule declined the message, e.g. OPTED_OUT.")

    def to_representation(self, message: Message) -> dict:
        body = super().to_representation(message)
        body.update(
            account_email=body["accountEmail"],
            date_created=body["date_sent"],
            error_key=message.error_key or None,
        )
        return body


class ArnioSendResponse(SendblueSendResponse):
    """A send's answer on Arnio's own paths: Arnio's words whatever the key's dialect."""

    status = serializers.ChoiceField(choices=ARNIO_WORDS)


class SendblueRetrieveResponse(serializers.Serializer):
    status = serializers.CharField(default="OK")
    data = SendblueMessage()


class EvaluateServiceResponse(serializers.Serializer):
    number = serializers.CharField()
    service = serializers.ChoiceField(choices=[Service.IMESSAGE, Service.SMS])


class TypingIndicatorResponse(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=["SENT", "ERROR"])
    error_message = nullable_str()


class UploadMediaResponse(serializers.Serializer):
    status = serializers.CharField()
    message = serializers.CharField()
    mediaObjectId = serializers.UUIDField()
    media_url = serializers.URLField(help_text="Public, unguessable URL: use it as media_url.")


class SendblueError(serializers.Serializer):
    status = serializers.CharField(default="ERROR")
    error_code = serializers.IntegerField(allow_null=True)
    error_message = serializers.CharField()


# --- v1 dialect (seed 004) --------------------------------------------------------------

class V1SendRequest(serializers.Serializer):
    to = serializers.CharField(help_text="E.164 number, Apple ID email, or a group id.")
    body = BlankCharField(trim_whitespace=False, help_text="Text; required unless attachments are given.")
    attachments = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, max_length=10,
        help_text="Media URLs, at most 10.",
    )
    priority = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=100, help_text="0-100, higher first."
    )
    fromNumber = BlankCharField(help_text="One of your lines (E.164).")
    sendAt = serializers.DateTimeField(
        required=False, allow_null=True, default=None,
        help_text="Schedule the send (ISO 8601 with a zone), 1 minute to 35 days ahead; status "
        "is scheduled until then, and DELETE cancels it.",
    )
    expiresAt = serializers.DateTimeField(
        required=False, allow_null=True, default=None,
        help_text="Withdraw the message (status expired, never sent late) if it has not been sent by then; "
        "in the future, after sendAt if both are given.",
    )


@extend_schema_field(serializers.ChoiceField(choices=V1_STATUS_WORDS))
class V1StatusField(serializers.Field):
    """The message's v1 word (``scheduled`` while a scheduled send waits)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, message: Message) -> str:
        status = wire_status(message)
        return V1_STATUS.get(status, status.lower())


class V1Message(serializers.ModelSerializer):
    id = serializers.UUIDField(source="handle")
    status = V1StatusField()
    direction = serializers.SerializerMethodField()
    to = serializers.SerializerMethodField()
    body = serializers.CharField(source="content")
    attachments = serializers.SerializerMethodField()
    lastError = serializers.CharField(source="last_error", allow_null=True)
    fromNumber = serializers.CharField(source="from_number")
    groupId = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")
    sentAt = serializers.DateTimeField(source="sent_at", allow_null=True)
    deliveredAt = serializers.DateTimeField(source="delivered_at", allow_null=True)
    sendAt = serializers.DateTimeField(source="scheduled_for", allow_null=True)
    expiresAt = serializers.DateTimeField(source="expires_at", allow_null=True)
    redactedAt = serializers.DateTimeField(
        source="redacted_at", allow_null=True,
        help_text="Set when the body and attachments were blanked (data retention, or DELETE); null otherwise.",
    )

    class Meta:
        model = Message
        fields = [
            "id", "status", "direction", "to", "fromNumber", "body", "attachments", "priority",
            "attempts", "lastError", "groupId", "createdAt", "updatedAt", "sentAt", "deliveredAt", "sendAt",
            "expiresAt", "redactedAt",
        ]

    def get_direction(self, message: Message) -> str:
        return "sent" if message.is_outbound else "received"

    def get_to(self, message: Message) -> str:
        if message.message_type == MessageType.GROUP and message.conversation_id:
            return message.conversation.group_id
        return message.to_number

    def get_groupId(self, message: Message) -> str | None:  # noqa: N802 - the wire name
        if message.message_type == MessageType.GROUP and message.conversation_id:
            return message.conversation.group_id
        return None

    def get_attachments(self, message: Message) -> list[str]:
        urls = [a.url for a in message.attachments.all()]
        return urls or ([message.media_url] if message.media_url else [])

    def to_representation(self, message: Message) -> dict:
        data = super().to_representation(message)
        data["lastError"] = message.last_error or message.error_message or None
        return data


class V1SendResponse(serializers.Serializer):
    """Seed 004's 201 body."""

    id = serializers.UUIDField(source="handle")
    status = V1StatusField()
    to = serializers.SerializerMethodField()
    body = serializers.CharField(source="content", allow_blank=True)
    priority = serializers.IntegerField()
    createdAt = serializers.DateTimeField(source="created_at")
    sendAt = serializers.DateTimeField(
        source="scheduled_for", required=False, help_text="Only for a scheduled send: its time."
    )

    def get_to(self, message: Message) -> str:
        return V1Message().get_to(message)

    def to_representation(self, message: Message) -> dict:
        data = super().to_representation(message)
        if message.scheduled_for is None:
            del data["sendAt"]  # seed 004's shape, exactly, for a send now
        return data


class V1StatusResponse(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=V1_STATUS_WORDS)
    attempts = serializers.IntegerField()
    lastError = nullable_str()
    errorCode = serializers.IntegerField(allow_null=True)
    queuedAt = serializers.DateTimeField(allow_null=True)
    sentAt = serializers.DateTimeField(allow_null=True)
    deliveredAt = serializers.DateTimeField(allow_null=True)
    readAt = serializers.DateTimeField(allow_null=True)

    def to_representation(self, m: Message) -> dict:
        return {
            "id": str(m.handle),
            "status": V1_STATUS[wire_status(m)],
            "attempts": m.attempts,
            "lastError": m.last_error or m.error_message or None,
            "errorCode": m.error_code,
            "queuedAt": iso(m.queued_at),
            "sentAt": iso(m.sent_at),
            "deliveredAt": iso(m.delivered_at),
            "readAt": iso(m.read_at),
        }


class V1Attachment(serializers.Serializer):
    url = serializers.URLField()
    contentType = serializers.CharField(allow_blank=True)
    size = serializers.IntegerField(allow_null=True)
    filename = serializers.CharField(allow_blank=True)


class V1AttachmentsResponse(serializers.Serializer):
    id = serializers.UUIDField()
    items = V1Attachment(many=True)


class QueueStatsResponse(serializers.Serializer):
    pending = serializers.IntegerField(help_text="Queued, not yet tried.")
    processing = serializers.IntegerField(help_text="Taken by a worker, being sent.")
    failed = serializers.IntegerField(help_text="Failed an attempt; waiting to be retried.")
    deadLetter = serializers.IntegerField(help_text="Out of attempts (ERROR); POST .../retry.")


class V1Error(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
