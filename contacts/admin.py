"""Django admin: for looking. Changes go through the console or the API (the services),
so the admin is read-only here."""
from __future__ import annotations

from django.contrib import admin

from .models import Contact, ContactList, ImportJob


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["e164_number", "first_name", "last_name", "email", "account", "opted_out_at", "created_at"]
    list_filter = ["account"]
    search_fields = ["e164_number", "first_name", "last_name", "email"]
    list_select_related = ["account"]


@admin.register(ContactList)
class ContactListAdmin(ReadOnlyAdmin):
    list_display = ["name", "account", "created_at"]
    list_filter = ["account"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["filename", "account", "status", "total_rows", "processed_rows", "created_count",
                    "duplicate_count", "error_count", "created_at"]
    list_filter = ["status"]
    exclude = ["content"]
