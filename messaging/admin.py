from django.contrib import admin

from .models import Line
from .services import set_line_active


@admin.register(Line)
class LineAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "account", "provider", "active", "healthy", "burst_per_second"]
    list_filter = ["provider", "active", "healthy", "account"]
    search_fields = ["number", "name"]
    exclude = ["provider_settings"]
    #: Stamped by the services when the state changes, never typed in.
    readonly_fields = ["state_changed_at", "unhealthy_since"]

    def save_model(self, request, obj, form, change):
        """(De)activation goes through the line service, as in the console: it stamps
        ``state_changed_at`` (the lines API's ``status_changed_at``) and forgets the cached
        lines; the other fields are saved as they are."""
        if not (change and "active" in form.changed_data):
            return super().save_model(request, obj, form, change)
        obj.active = not obj.active
        super().save_model(request, obj, form, change)
        set_line_active(obj.account, obj, not obj.active)
