from django.contrib import admin

from .models import Account, ApiKey, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "plan", "default_timezone", "created_at"]
    list_filter = ["plan"]
    search_fields = ["name", "email"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "role", "created_at"]
    list_filter = ["role", "account"]
    search_fields = ["user__username", "account__name"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created in the console or with ``create_api_key``; the secret's hash is
    never shown here, and the secret itself is never stored."""

    list_display = ["name", "key_id", "account", "scopes", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["account", "revoked_at"]
    search_fields = ["name", "key_id", "account__name"]
    exclude = ["secret_hash"]
    readonly_fields = ["key_id", "account", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False
