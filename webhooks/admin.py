"""Django admin: read-mostly views for operators; changes go through the console/API."""
from __future__ import annotations

from django.contrib import admin

from .models import Attempt, Delivery, Endpoint, Event


class ReadOnly(admin.ModelAdmin):
    """Looking only: the services own every change (target checks, secrets, wake-ups)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Endpoint)
class EndpointAdmin(ReadOnly):
    list_display = ["url", "account", "enabled", "failing_since", "last_success_at", "created_at"]
    list_filter = ["enabled"]
    search_fields = ["url", "description", "account__name"]
    exclude = ["secret", "previous_secret"]  # never shown after creation


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = ["id", "type", "account", "created_at"]
    list_filter = ["type"]


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "status_code", "succeeded", "error", "response_excerpt"]
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ["id", "event", "url", "status", "attempts", "next_attempt_at", "last_status_code"]
    list_filter = ["status"]
    search_fields = ["url"]
    inlines = [AttemptInline]
