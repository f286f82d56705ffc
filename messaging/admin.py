from django.contrib import admin

from .models import Line


@admin.register(Line)
class LineAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "account", "provider", "active", "healthy", "burst_per_second"]
    list_filter = ["provider", "active", "healthy", "account"]
    search_fields = ["number", "name"]
    exclude = ["provider_settings"]
