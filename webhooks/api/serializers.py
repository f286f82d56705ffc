"""Shapes of the webhooks API (v1 dialect, snake_case like seed 003)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import SENDBLUE_NOT_DELIVERED, DeliveryStatus, EventType, PayloadFormat, SendblueType
from ..models import Attempt, Delivery, Endpoint


class WebhookErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class EndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        help_text="Event types delivered here; empty means every type.",
    )

    class Meta:
        model = Endpoint
        fields = [
            "id", "url", "description", "event_types", "payload_format", "enabled", "disabled_reason",
            "disabled_at", "failing_since", "last_success_at", "secret_rotated_at", "created_at", "updated_at",
        ]
        read_only_fields = fields


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.CharField(help_text="Shown once: at creation and after a rotation.")
    previous_secret_expires_at = serializers.DateTimeField(
        allow_null=True, help_text="Until then the previous secret signs as well."
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret", "previous_secret_expires_at"]
        read_only_fields = fields


class EndpointWriteSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), required=False,
        help_text="Event types to deliver; empty or absent means every type.",
    )
    payload_format = serializers.ChoiceField(choices=PayloadFormat.choices, required=False)
    enabled = serializers.BooleanField(required=False, help_text="Only on update.")
    secret = serializers.CharField(
        required=False, help_text="Only on create: a whsec_ secret of your own (else one is generated)."
    )


class RotateSerializer(serializers.Serializer):
    grace_hours = serializers.FloatField(
        required=False, min_value=0, max_value=720,
        help_text="Hours the old secret keeps signing alongside the new one (default 24).",
    )


class AccountSecretSerializer(serializers.Serializer):
    secret = serializers.CharField()
    previous_secret_expires_at = serializers.DateTimeField(allow_null=True)
    secret_rotated_at = serializers.DateTimeField(allow_null=True)


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ["number", "started_at", "duration_ms", "status_code", "succeeded", "error", "response_excerpt"]


class DeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.IntegerField()
    event_type = serializers.CharField(source="event.type")
    webhook_id = serializers.CharField(source="event.webhook_id")
    attempts = AttemptSerializer(source="attempt_log", many=True, help_text="Every attempt, oldest first.")
    attempt_count = serializers.IntegerField(source="attempts", help_text="Attempts in the current chain.")

    class Meta:
        model = Delivery
        fields = [
            "id", "event_id", "event_type", "webhook_id", "endpoint_id", "url", "status", "attempt_count",
            "next_attempt_at", "last_status_code", "last_error", "delivered_at", "replayed_at", "created_at",
            "attempts",
        ]


class ReplaySinceSerializer(serializers.Serializer):
    since = serializers.DateTimeField(help_text="Replay failed deliveries created at or after this time.")


class ReplayResultSerializer(serializers.Serializer):
    replayed = serializers.IntegerField()


DELIVERY_STATUS = serializers.ChoiceField(choices=DeliveryStatus.choices)


# --- Sendblue dialect: /api/account/webhooks -------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "uri"},
            {
                "type": "object",
                "required": ["url"],
                "properties": {"url": {"type": "string", "format": "uri"}, "secret": {"type": "string"}},
            },
        ]
    }
)
class SendblueWebhookField(serializers.Field):
    """A URL string or ``{"url", "secret"}``, as Sendblue accepts."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            return {"url": data, "secret": None}
        if isinstance(data, dict) and isinstance(data.get("url"), str):
            secret = data.get("secret")
            if secret is not None and not isinstance(secret, str):
                raise serializers.ValidationError("secret must be a string.")
            return {"url": data["url"], "secret": secret or None}
        raise serializers.ValidationError('Each webhook is a URL string or {"url": ..., "secret": ...}.')

    def to_representation(self, value):
        return value


SENDBLUE_TYPE_ERROR = (
    '"{input}" webhooks are not delivered by this server; the types are: ' + ", ".join(SendblueType.values) + "."
)


def sendblue_type(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=SendblueType.choices, error_messages={"invalid_choice": SENDBLUE_TYPE_ERROR}, **kwargs
    )


class SendblueAddSerializer(serializers.Serializer):
    webhooks = serializers.ListField(child=SendblueWebhookField(), allow_empty=False)
    type = sendblue_type(required=False, default=SendblueType.RECEIVE)
    globalSecret = serializers.CharField(required=False)


class SendblueConfigSerializer(serializers.Serializer):
    receive = serializers.ListField(child=SendblueWebhookField(), required=False)
    outbound = serializers.ListField(child=SendblueWebhookField(), required=False)
    call_log = serializers.ListField(child=SendblueWebhookField(), required=False)
    contact_created = serializers.ListField(child=SendblueWebhookField(), required=False)
    line_assigned = serializers.ListField(child=SendblueWebhookField(), required=False)
    line_blocked = serializers.ListField(child=SendblueWebhookField(), required=False)
    globalSecret = serializers.CharField(required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            refused = {t: SENDBLUE_TYPE_ERROR.format(input=t) for t in SENDBLUE_NOT_DELIVERED if data.get(t)}
            if refused:
                raise serializers.ValidationError(refused)
        return super().to_internal_value(data)


class SendblueReplaceSerializer(serializers.Serializer):
    webhooks = SendblueConfigSerializer()


class SendblueDeleteSerializer(serializers.Serializer):
    webhook_urls = serializers.ListField(child=serializers.CharField(), required=False)
    webhooks = serializers.ListField(child=serializers.CharField(), required=False)
    type = sendblue_type(required=False)


class SendblueListSerializer(serializers.Serializer):
    receive = serializers.ListField(child=serializers.CharField())
    outbound = serializers.ListField(child=serializers.CharField())
    call_log = serializers.ListField(child=serializers.CharField())
    contact_created = serializers.ListField(child=serializers.CharField())
    line_assigned = serializers.ListField(child=serializers.CharField())
    line_blocked = serializers.ListField(child=serializers.CharField())


class SendblueResponseSerializer(serializers.Serializer):
    status = serializers.CharField()
    message = serializers.CharField(required=False)
    webhooks = SendblueListSerializer()


class SendblueWebhooksErrorSerializer(serializers.Serializer):
    status = serializers.CharField()
    error_code = serializers.IntegerField(allow_null=True)
    error_message = serializers.CharField()
