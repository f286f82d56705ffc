from django.contrib import admin

from .models import Appointment, BulkJob, CallLog, Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "status", "audience_count", "fanout_count", "created_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    readonly_fields = ["audience_count", "fanout_count", "fanout_done_at", "started_at",
                       "completed_at", "stopped_at"]


@admin.register(BulkJob)
class BulkJobAdmin(admin.ModelAdmin):
    list_display = ["id", "account", "status", "total_recipients", "processed", "failed", "created_at"]
    exclude = ["payload"]


admin.site.register(Appointment)
admin.site.register(CallLog)
