from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from outreach.choices import RetentionMode
from outreach.models import Account, ApiKey
from outreach.services import MAX_RETENTION_DAYS


class ApiKeyInfoSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = ["key_id", "name", "scopes", "dialect", "created_at", "expires_at"]


def _days(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_RETENTION_DAYS, allow_null=True, required=False,
                                    help_text=help_text)


class RetentionSerializer(serializers.Serializer):
    """The account's data retention; PATCH changes the fields given."""

    message_retention_days = _days("Days message bodies and media are kept; null: kept.")
    message_retention_mode = serializers.ChoiceField(
        choices=RetentionMode.choices, required=False,
        help_text="Past message retention: `redact` blanks body and media, `delete` deletes the message.",
    )
    event_retention_days = _days("Days events (the event stream's log) are kept, at least 24 hours; "
                                 "null: the deployment's default (30).")
    webhook_delivery_retention_days = _days("Days webhook deliveries and their attempt logs are kept "
                                            "(pending ones always); null: the deployment's default (30).")


class AccountSerializer(serializers.ModelSerializer):
    retention = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = ["id", "name", "email", "plan", "default_timezone", "created_at", "retention"]

    @extend_schema_field(RetentionSerializer)
    def get_retention(self, account: Account) -> dict:
        return RetentionSerializer(account).data


class WhoAmISerializer(serializers.Serializer):
    account = AccountSerializer()
    api_key = ApiKeyInfoSerializer()
