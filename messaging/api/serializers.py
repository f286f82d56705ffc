from rest_framework import serializers

from messaging.models import Line


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Line
        fields = [
            "id", "number", "name", "provider", "active", "healthy", "health_error",
            "burst_per_second", "new_contacts_per_hour", "new_contacts_per_day", "created_at",
        ]
