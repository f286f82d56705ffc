from rest_framework import serializers

from outreach.models import Account, ApiKey


class ApiKeyInfoSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = ["key_id", "name", "scopes", "dialect", "created_at", "expires_at"]


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "name", "email", "plan", "default_timezone", "created_at"]


class WhoAmISerializer(serializers.Serializer):
    account = AccountSerializer()
    api_key = ApiKeyInfoSerializer()
