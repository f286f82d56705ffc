"""Request fields the send serializers share (messaging/api/serializers.py)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class BlankCharField(serializers.CharField):
    """A string field where JSON null, absent and "" all mean "not given"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("default", "")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return "" if data is None else super().to_internal_value(data)


class ReplyToField(serializers.Field):
    """Sendblue's ``reply_to``: ``{"message_handle": ..., "part_index"?: 0}`` (a bare handle too)."""

    default_error_messages = {"invalid": 'reply_to must be {{"message_handle": "<the handle of the message answered>"}}.'}

    def to_internal_value(self, data) -> str:
        handle = data.get("message_handle") if isinstance(data, dict) else data
        if not isinstance(handle, str) or not handle:
            self.fail("invalid")
        return handle

    def to_representation(self, value):
        return value


REPLY_TO = extend_schema_field({
    "type": "object", "required": ["message_handle"],
    "properties": {"message_handle": {"type": "string"}, "part_index": {"type": "integer"}},
})(ReplyToField)(required=False, default="", help_text="Answer a message of this conversation inline.")


SEND_AT = serializers.DateTimeField(
    required=False, allow_null=True, default=None,
    help_text="Schedule the send (ISO 8601 with a zone), 1 minute to 35 days ahead; cancel it "
    "with DELETE /api/v1/messages/{message_handle} until then.",
)


EXPIRES_AT = serializers.DateTimeField(
    required=False, allow_null=True, default=None,
    help_text="Withdraw the message (status EXPIRED, never sent late) if it has not been sent by then "
    "(ISO 8601 with a zone); in the future, after send_at if both are given.",
)
