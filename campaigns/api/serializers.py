"""v1 shapes of campaigns (seed 003, snake_case), bulk jobs (seed 004, camelCase),
appointments and calls."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns import bulkjobs, schedule, stats, variants, waiting, winner
from campaigns.choices import CallOutcome, CampaignStatus, WinnerMetric
from campaigns.models import PACE_MAX, Appointment, BulkResult, CallLog, Campaign
from messaging.api.serializers import V1_STATUS, V1_STATUS_WORDS


class CampaignsErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class ProgressSerializer(serializers.Serializer):
    audience = serializers.IntegerField(help_text=(
        "Contacts in the audience when it started; a draft's: the contacts a start would reach now."))
    materialised = serializers.IntegerField(help_text="Messages queued so far by the fan-out.")
    queued = serializers.IntegerField(help_text="Messages still waiting to leave.")
    sent = serializers.IntegerField(help_text="Reached the network (delivered and read included).")
    delivered = serializers.IntegerField()
    read = serializers.IntegerField()
    replied = serializers.IntegerField(help_text="Contacts who answered (an opt-out keyword alone is no reply).")
    opted_out = serializers.IntegerField(help_text="Contacts who answered with an opt-out keyword (STOP...).")
    clicked = serializers.IntegerField(help_text="Recipients who clicked a tracked link (once each).")
    failed = serializers.IntegerField()
    declined = serializers.IntegerField()
    withdrawn = serializers.IntegerField(help_text="Never sent: the campaign was stopped first.")
    expired = serializers.IntegerField(help_text="Never sent: not sent by the campaign's expires_at.")


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "09:00"})
class ClockField(serializers.TimeField):
    """A local wall-clock time as ``HH:MM``."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class CampaignListSerializer(serializers.ListSerializer):
    """A page of campaigns: their progress counted in one grouped query, not one per row."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        self.child.context["progress"] = stats.progress_many(items)
        return super().to_representation(items)


class VariantSerializer(serializers.Serializer):
    body = serializers.CharField(help_text="The template of this variant (same syntax as `body`).")
    percent = serializers.IntegerField(min_value=1, max_value=99, help_text="Its share of the recipients.")


class WinnerSerializer(serializers.Serializer):
    test_percent = serializers.IntegerField(help_text="The share of the audience the test sends to.")
    wait_minutes = serializers.IntegerField()
    metric = serializers.ChoiceField(choices=WinnerMetric.choices)
    due_at = serializers.DateTimeField(allow_null=True, help_text="When the winner is picked (null before the start).")
    variant = serializers.CharField(allow_null=True, help_text="The winner (A, B...), null until picked.")
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(help_text="Why it won: each variant's count and rate.")


class CampaignSerializer(serializers.ModelSerializer):
    list_ids = serializers.SerializerMethodField()
    variants = VariantSerializer(many=True, help_text="A/B variants (the first's body is `body`); [] for none.")
    line_ids = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    winner = serializers.SerializerMethodField()
    window_start = ClockField()
    window_end = ClockField()

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "status", "created_at", "updated_at", "body", "variants", "media_url", "send_style",
            "list_ids", "tags", "line_ids", "priority", "start_at", "expires_at", "window_start", "window_end",
            "pace_per_minute", "winner_test_percent", "winner_wait_minutes", "winner_metric", "winner",
            "started_at", "completed_at", "stopped_at", "progress",
        ]
        list_serializer_class = CampaignListSerializer

    @extend_schema_field(WinnerSerializer(allow_null=True))
    def get_winner(self, obj) -> dict | None:
        """The A/B test of the winner: when it is picked, which won and why; null without one."""
        found = winner.summary(obj)
        return WinnerSerializer(found).data if found else None

    # .all() reads the list view's prefetch; values_list() would query once per campaign.
    def get_list_ids(self, obj) -> list[str]:
        return [str(lst.pk) for lst in obj.lists.all()]

    def get_line_ids(self, obj) -> list[int]:
        return [line.pk for line in obj.lines.all()]

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, obj) -> dict:
        page = self.context.get("progress")
        return page[obj.pk] if page and obj.pk in page else stats.progress(obj)


class NextSendSerializer(serializers.Serializer):
    at = serializers.DateTimeField(allow_null=True, help_text=(
        "When the campaign sends next (its earliest due message), in the account's time zone; "
        "null when nothing waits or it is paused."))
    reason = serializers.ChoiceField(choices=waiting.Reason.choices, allow_null=True, help_text=(
        "Why it waits until then; null while messages are leaving or nothing waits."))
    detail = serializers.CharField(help_text="The same in words.")


class VariantStatsSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="A, B, C...")
    percent = serializers.IntegerField()
    recipients = serializers.IntegerField(help_text="Recipients who got this variant so far.")
    sent = serializers.IntegerField()
    delivered = serializers.IntegerField()
    read = serializers.IntegerField()
    replied = serializers.IntegerField()
    opted_out = serializers.IntegerField()
    clicked = serializers.IntegerField()
    failed = serializers.IntegerField()


class CampaignDetailSerializer(CampaignSerializer):
    """One campaign: its list shape, ``next_send`` and the A/B variants' funnels (more
    queries, so not in lists)."""

    next_send = serializers.SerializerMethodField()
    variant_stats = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "next_send", "variant_stats"]
        list_serializer_class = serializers.ListSerializer

    @extend_schema_field(VariantStatsSerializer(many=True))
    def get_variant_stats(self, obj) -> list[dict]:
        return [{k: v for k, v in row.items() if k != "body"} for row in stats.variant_stats(obj)]

    @extend_schema_field(NextSendSerializer)
    def get_next_send(self, obj) -> dict:
        found = waiting.next_send(obj)
        zone = schedule.contact_zone("", obj.account.default_timezone)
        return {
            "at": found.at.astimezone(zone).isoformat() if found.at else None,
            "reason": found.reason,
            "detail": waiting.describe(found, zone),
        }


class CampaignWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    body = serializers.CharField(allow_blank=True, required=False,
                                 help_text="Template: `Hi {first_name|there}` (field or custom variable | fallback).")
    variants = serializers.ListField(child=serializers.DictField(), required=False, help_text=(
        "A/B test: 2-5 `{body, percent}` (whole percentages adding up to 100; the first's body becomes "
        "`body`); each recipient gets one, the same one for the same contact; [] removes them."))
    media_url = serializers.URLField(allow_blank=True, required=False, max_length=2000)
    send_style = serializers.CharField(allow_blank=True, required=False)
    list_ids = serializers.ListField(child=serializers.UUIDField(), required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    line_ids = serializers.ListField(child=serializers.IntegerField(), required=False,
                                     help_text="Lines to send from; empty: every active line.")
    priority = serializers.IntegerField(required=False, min_value=0, max_value=100)
    start_at = serializers.DateTimeField(required=False, allow_null=True)
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text="A message not sent by then is withdrawn (expired), never sent late; after start_at.")
    window_start = ClockField(required=False, help_text="Sending window start, contact's local time (09:00).")
    window_end = ClockField(required=False, help_text="Sending window end (20:00); 00:00-00:00: no quiet hours.")
    pace_per_minute = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=PACE_MAX)
    winner_test_percent = serializers.IntegerField(required=False, allow_null=True, help_text=(
        "With variants: send them to this share of the audience first (1-90 %), then the winner "
        "to the rest; null: every recipient gets a variant by the split."))
    winner_wait_minutes = serializers.IntegerField(required=False, allow_null=True, help_text=(
        "How long after the start the winner is picked (1 minute to 10,080)."))
    winner_metric = serializers.CharField(required=False, allow_blank=True, help_text=(
        "How the winner is picked: `reply_rate` (the default) or `click_rate` (replies or contacts who "
        "clicked a tracked link, per message sent)."))


class CloneSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, help_text='The draft\'s name (default "Copy of <name>").')


class TestSendSerializer(serializers.Serializer):
    contact_id = serializers.CharField(required=False, allow_blank=True,
                                       help_text="The contact the message is rendered for (one of yours).")
    to = serializers.CharField(required=False, allow_blank=True, help_text=(
        "Where the test goes: a number one of the account's people gave as their own (console "
        "Settings), or any number when the campaign's lines include a sandbox line."))


class TestSendResultSerializer(serializers.Serializer):
    message_id = serializers.UUIDField(source="handle")
    status = serializers.SerializerMethodField()
    to = serializers.CharField(source="to_number")
    from_number = serializers.CharField()
    content = serializers.CharField()

    @extend_schema_field(serializers.ChoiceField(choices=V1_STATUS_WORDS))
    def get_status(self, obj) -> str:
        return V1_STATUS[obj.status]


class ResendSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign_id = serializers.UUIDField()
    recipients = serializers.IntegerField(help_text="Recipients whose message had ended ERROR, to queue again.")
    requeued = serializers.IntegerField(help_text="How many are queued again so far.")
    requested_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True, help_text="When every one was queued again.")


class CampaignStatusSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=CampaignStatus.choices)


class RecipientSerializer(serializers.Serializer):
    contact_id = serializers.UUIDField(source="contact.pk")
    name = serializers.CharField(source="contact.full_name")
    phone = serializers.CharField(source="contact.e164_number")
    outcome = serializers.CharField()
    variant = serializers.SerializerMethodField()
    message_id = serializers.SerializerMethodField()
    message_status = serializers.SerializerMethodField()
    replied_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    clicked = serializers.BooleanField(default=False, help_text="Clicked one of its tracked links.")
    resends = serializers.IntegerField(source="resend_count", default=0,
                                       help_text="How many times \"resend to the failed\" queued it again.")

    def get_message_id(self, obj) -> str | None:
        return str(obj.message.handle) if obj.message_id else None

    def get_variant(self, obj) -> str | None:
        """The A/B variant it got (A, B...), null without variants."""
        return variants.label(obj.variant) or None

    @extend_schema_field(serializers.ChoiceField(choices=V1_STATUS_WORDS, allow_null=True))
    def get_message_status(self, obj) -> str | None:
        """The v1 messages API's word for the message's state (ERROR is "failed")."""
        return V1_STATUS[obj.message.status] if obj.message_id else None


class BulkCreateSerializer(serializers.Serializer):
    messages = serializers.ListField(child=serializers.DictField(), help_text="[{to, body}], at most 100,000.")


class BulkJobSerializer(serializers.Serializer):
    jobId = serializers.CharField(source="public_id")
    status = serializers.SerializerMethodField()
    totalRecipients = serializers.IntegerField(source="total_recipients")
    createdAt = serializers.DateTimeField(source="created_at")

    def to_representation(self, instance):
        # Before the fields: finding the job completed records completed_at on instance.
        self._status = bulkjobs.status_of(instance)
        return super().to_representation(instance)

    def get_status(self, obj) -> str:
        return self._status


class BulkCountsSerializer(serializers.Serializer):
    queued = serializers.IntegerField()
    processing = serializers.IntegerField()
    sent = serializers.IntegerField()
    delivered = serializers.IntegerField()
    read = serializers.IntegerField()
    failed = serializers.IntegerField()


class BulkJobDetailSerializer(BulkJobSerializer):
    processed = serializers.IntegerField(help_text="Recipients queued or refused so far.")
    counts = serializers.SerializerMethodField()
    completedAt = serializers.DateTimeField(source="completed_at", allow_null=True)

    @extend_schema_field(BulkCountsSerializer)
    def get_counts(self, obj) -> dict:
        return bulkjobs.counts(obj)


class BulkResultSerializer(serializers.ModelSerializer):
    messageId = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()

    class Meta:
        model = BulkResult
        fields = ["index", "to", "messageId", "status", "error"]

    def get_messageId(self, obj) -> str | None:
        return str(obj.message.handle) if obj.message_id else None

    def get_status(self, obj) -> str:
        return bulkjobs.result_status(obj)

    def get_error(self, obj) -> str | None:
        if obj.error:
            return obj.error
        if obj.message_id and obj.message.error_message:
            return obj.message.error_message
        return None


class AppointmentSerializer(serializers.ModelSerializer):
    contact_id = serializers.UUIDField()
    campaign_id = serializers.UUIDField(required=False, allow_null=True)

    class Meta:
        model = Appointment
        fields = ["id", "contact_id", "campaign_id", "scheduled_for", "notes", "created_at"]
        read_only_fields = ["id", "created_at"]


class CallLogSerializer(serializers.ModelSerializer):
    contact_id = serializers.UUIDField()
    campaign_id = serializers.UUIDField(required=False, allow_null=True)
    outcome = serializers.ChoiceField(choices=CallOutcome.choices)

    class Meta:
        model = CallLog
        fields = ["id", "contact_id", "campaign_id", "outcome", "duration_seconds", "notes", "created_at"]
        read_only_fields = ["id", "created_at"]
