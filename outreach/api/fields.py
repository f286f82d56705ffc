"""Serializer fields shared by the apps' APIs."""
from __future__ import annotations

from rest_framework import serializers


class BoundedListField(serializers.ListField):
    """A ListField that refuses a list over ``max_length`` before validating its items, so
    100,000 items cost one error message rather than 100,000 item checks (and errors)."""

    def to_internal_value(self, data):
        if self.max_length is not None and isinstance(data, list) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)
