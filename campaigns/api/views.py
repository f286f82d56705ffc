"""v1 campaigns (seed 003), bulk message jobs (seed 004), appointments and calls.
Views check shapes and call the services; every query is the caller's account's."""
from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns import bulkjobs, cleaning, operations, services
from campaigns.choices import CampaignStatus, Outcome
from campaigns.models import (
    Appointment,
    BulkJob,
    BulkResult,
    CallLog,
    Campaign,
    CampaignRecipient,
    TrackedLink,
)
from outreach.api import parsers
from outreach.api.base import AccountScoped
from outreach.api.errors import PayloadTooLarge, too_large_message
from outreach.api.pagination import BadQuery
from outreach.choices import Family
from outreach.exceptions import InvalidInput, OutreachError

from .serializers import (
    AppointmentSerializer,
    BulkCreateSerializer,
    BulkJobDetailSerializer,
    BulkJobSerializer,
    BulkResultSerializer,
    CallLogSerializer,
    CampaignDetailSerializer,
    CampaignSerializer,
    CampaignsErrorSerializer,
    CampaignWriteSerializer,
    CloneSerializer,
    RecipientSerializer,
    ResendSerializer,
    TestSendResultSerializer,
    TestSendSerializer,
)

ERROR = OpenApiResponse(CampaignsErrorSerializer)
NOT_FOUND = OpenApiResponse(CampaignsErrorSerializer, description="Not found (or another account's).")
INVALID = OpenApiResponse(CampaignsErrorSerializer, description="Validation failed; `errors` says where.")
CONFLICT = OpenApiResponse(CampaignsErrorSerializer, description="Not allowed in the campaign's state; `detail` says why.")


def choice_param(request, name: str, choices) -> str | None:
    value = request.query_params.get(name)
    if value and value not in choices:
        raise BadQuery(f"{name} must be one of {', '.join(choices)}, got {value!r}.")
    return value or None


def _write(request, account, campaign=None) -> tuple[dict, list | None, list | None]:
    """The request's fields, shape-checked; a bad shape is a 422 that also names what the
    service would refuse in the well-shaped fields (every bad field at once)."""
    serializer = CampaignWriteSerializer(data=request.data, partial=campaign is not None)
    if not serializer.is_valid():
        raise ValidationError({**_service_errors(serializer, account, campaign), **serializer.errors})
    data = dict(serializer.validated_data)
    return data, data.pop("list_ids", None), data.pop("line_ids", None)


def _service_errors(serializer, account, campaign) -> dict[str, list[str]]:
    fine = {}
    for name, raw in serializer.initial_data.items():
        if name in cleaning.FIELDS and name in serializer.fields and name not in serializer.errors:
            try:
                fine[name] = serializer.fields[name].run_validation(raw)
            except ValidationError:
                continue
    try:
        cleaning.clean_fields(account, fine, campaign)
    except InvalidInput as exc:
        return exc.field_errors
    except OutreachError:
        pass  # a state conflict: the shape errors come first
    return {}


# --- campaigns --------------------------------------------------------------------------

class CampaignsView(AccountScoped, generics.ListAPIView):
    scope_family = Family.CAMPAIGNS
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer

    def get_queryset(self):
        qs = super().get_queryset().prefetch_related("lists", "lines")
        wanted = choice_param(self.request, "status", CampaignStatus.values)
        return qs.filter(status=wanted) if wanted else qs

    @extend_schema(tags=["campaigns"], parameters=[
        OpenApiParameter("status", str, enum=CampaignStatus.values, description="Only campaigns in this state."),
    ])
    def get(self, request, *args, **kwargs):
        """Campaigns, newest first, each with its progress counts."""
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["campaigns"], request=CampaignWriteSerializer,
                   responses={201: CampaignDetailSerializer, 422: INVALID})
    def post(self, request):
        """Create a DRAFT campaign: name, template, audience (lists and/or tags), lines,
        priority, start time, sending window, pace."""
        data, list_ids, line_ids = _write(request, self.account)
        campaign = services.create_campaign(self.account, data, list_ids=list_ids, line_ids=line_ids)
        return Response(CampaignDetailSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignView(AccountScoped, generics.RetrieveAPIView):
    scope_family = Family.CAMPAIGNS
    queryset = Campaign.objects.all()
    serializer_class = CampaignDetailSerializer

    @extend_schema(tags=["campaigns"], responses={200: CampaignDetailSerializer, 404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        """One campaign with its progress (audience, queued, sent, delivered, read,
        replied, failed, declined, withdrawn) and `next_send`: when it sends next (in the
        account's time zone) and why it waits until then."""
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["campaigns"], request=CampaignWriteSerializer,
                   responses={200: CampaignDetailSerializer, 404: NOT_FOUND, 409: CONFLICT, 422: INVALID})
    def patch(self, request, pk):
        """Edit a draft, scheduled or paused campaign (the audience only while a draft)."""
        campaign = self.get_object()
        data, list_ids, line_ids = _write(request, self.account, campaign)
        campaign = services.update_campaign(self.account, campaign.pk, data, list_ids=list_ids, line_ids=line_ids)
        return Response(CampaignDetailSerializer(campaign).data)


class CampaignActionView(AccountScoped, APIView):
    """POST-only state changes; a wrong state is 409 with why."""

    scope_family = Family.CAMPAIGNS
    action = ""

    def post(self, request, pk):
        campaign = get_object_or_404(Campaign, account=self.account, pk=pk)
        campaign = getattr(services, self.action)(self.account, campaign.pk)
        return Response(CampaignDetailSerializer(campaign).data)


def _action(name: str, doc: str):
    def post(self, request, pk):
        return CampaignActionView.post(self, request, pk)

    post = extend_schema(
        tags=["campaigns"], request=None, description=doc, operation_id=f"campaign_{name}",
        responses={200: CampaignDetailSerializer, 404: NOT_FOUND, 409: CONFLICT},
    )(post)
    return type(f"Campaign{name.title()}View", (CampaignActionView,), {"action": name, "post": post})


StartView = _action("start", "Start a DRAFT campaign: ACTIVE, or SCHEDULED until its start_at. "
                             "The fan-out runs in the background.")
PauseView = _action("pause", "Pause an active or scheduled campaign: messages not yet claimed are held.")
ResumeView = _action("resume", "Resume a paused campaign: held messages get new due times (pace, quiet hours).")
StopView = _action("stop", "Stop a campaign: messages not yet claimed by a worker are withdrawn and never "
                           "sent; those already claimed finish.")


class CloneView(AccountScoped, APIView):
    scope_family = Family.CAMPAIGNS

    @extend_schema(tags=["campaigns"], request=CloneSerializer, operation_id="campaign_clone",
                   responses={201: CampaignDetailSerializer, 404: NOT_FOUND, 422: INVALID})
    def post(self, request, pk):
        """Clone a campaign (any state) into a new DRAFT: its message, audience (lists and
        tags) and settings (lines, priority, window, pace, a start time still ahead)."""
        campaign = get_object_or_404(Campaign, account=self.account, pk=pk)
        serializer = CloneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        copy = services.clone(self.account, campaign.pk, name=serializer.validated_data.get("name"))
        return Response(CampaignDetailSerializer(copy).data, status=status.HTTP_201_CREATED)


class TestSendView(AccountScoped, APIView):
    scope_family = Family.CAMPAIGNS

    @extend_schema(tags=["campaigns"], request=TestSendSerializer, operation_id="campaign_test_send",
                   responses={201: TestSendResultSerializer, 404: NOT_FOUND, 409: CONFLICT, 422: INVALID})
    def post(self, request, pk):
        """Send the campaign's message, rendered for `contact_id`, to `to` (a number one of
        the account's people gave as their own, or any number through a sandbox line), as
        a normal single send; the campaign does not change. Both fields are judged at once."""
        campaign = get_object_or_404(Campaign, account=self.account, pk=pk)
        serializer = TestSendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        message = operations.test_send(self.account, campaign.pk, contact_id=data.get("contact_id") or None,
                                       to=data.get("to", ""))
        return Response(TestSendResultSerializer(message).data, status=status.HTTP_201_CREATED)


class ResendView(AccountScoped, APIView):
    scope_family = Family.CAMPAIGNS

    @extend_schema(tags=["campaigns"], request=None, operation_id="campaign_resend",
                   responses={202: ResendSerializer, 404: NOT_FOUND, 409: CONFLICT})
    def post(self, request, pk):
        """Queue again exactly the recipients whose message ended ERROR (not declined, opted
        out or withdrawn), each attempt recorded; a completed campaign is active again until
        they settle. 409 when none failed or the campaign is not active or completed."""
        campaign = get_object_or_404(Campaign, account=self.account, pk=pk)
        resend = operations.resend_failed(self.account, campaign.pk, requested_by=f"API key {request.auth.name}")
        return Response(ResendSerializer(resend).data, status=status.HTTP_202_ACCEPTED)


class RecipientsView(generics.ListAPIView):
    scope_family = Family.CAMPAIGNS
    serializer_class = RecipientSerializer

    queryset = CampaignRecipient.objects.none()  # for the schema; the real one is scoped below

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        campaign = get_object_or_404(Campaign, account=self.request.auth.account, pk=self.kwargs["pk"])
        qs = (CampaignRecipient.objects.filter(campaign=campaign).select_related("contact", "message")
              .annotate(resend_count=Count("resend_attempts"), clicked=Exists(TrackedLink.objects.filter(
                  campaign_id=OuterRef("campaign_id"), contact_id=OuterRef("contact_id"), clicked_at__isnull=False))))
        wanted = choice_param(self.request, "outcome", Outcome.values)
        return qs.filter(outcome=wanted) if wanted else qs

    @extend_schema(tags=["campaigns"], responses={200: RecipientSerializer(many=True), 404: NOT_FOUND},
                   parameters=[OpenApiParameter("outcome", str, enum=Outcome.values)])
    def get(self, request, *args, **kwargs):
        """The campaign's recipients in fan-out order, each with its outcome."""
        return super().get(request, *args, **kwargs)


# --- appointments and calls -----------------------------------------------------------------

class OutcomeListView(AccountScoped, generics.ListAPIView):
    scope_family = Family.CAMPAIGNS

    def get_queryset(self):
        qs = super().get_queryset().select_related("contact", "campaign")
        for name in ("contact_id", "campaign_id"):
            value = self.request.query_params.get(name)
            if value:
                try:
                    qs = qs.filter(**{name: value})
                    qs.exists()
                except Exception:  # noqa: BLE001 - a malformed id is the client's error
                    raise BadQuery(f"{name} must be a UUID, got {value!r}.") from None
        return qs


class AppointmentsView(OutcomeListView):
    queryset = Appointment.objects.all()
    serializer_class = AppointmentSerializer

    @extend_schema(tags=["campaigns"], parameters=[OpenApiParameter("contact_id", str), OpenApiParameter("campaign_id", str)])
    def get(self, request, *args, **kwargs):
        """Appointments recorded for contacts, newest time first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["campaigns"], request=AppointmentSerializer, responses={201: AppointmentSerializer, 422: INVALID})
    def post(self, request):
        """Record an appointment; emits `appointment_scheduled` (contact name, phone, time)."""
        serializer = AppointmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.record_appointment(self.account, **serializer.validated_data)
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class CallsView(OutcomeListView):
    queryset = CallLog.objects.all()
    serializer_class = CallLogSerializer

    @extend_schema(tags=["campaigns"], parameters=[OpenApiParameter("contact_id", str), OpenApiParameter("campaign_id", str)])
    def get(self, request, *args, **kwargs):
        """Calls logged for contacts, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["campaigns"], request=CallLogSerializer, responses={201: CallLogSerializer, 422: INVALID})
    def post(self, request):
        """Log a call's outcome (connected, missed, failed); emits `call_completed`."""
        serializer = CallLogSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call = services.record_call(self.account, **serializer.validated_data)
        return Response(CallLogSerializer(call).data, status=status.HTTP_201_CREATED)


# --- bulk jobs ----------------------------------------------------------------------------

def bulk_body(request) -> dict:
    """The body of a bulk job, read here rather than by the parser: it may be larger than
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (up to ``API_BULK_MAX_BYTES``, which
    ``ApiBodyLimitMiddleware`` enforces from Content-Length before this runs)."""
    raw_request = request._request
    if hasattr(raw_request, "_body"):  # already read by someone (a small body)
        raw = raw_request._body
    else:
        raw = raw_request.read(settings.API_BULK_MAX_BYTES + 1)
        if len(raw) > settings.API_BULK_MAX_BYTES:
            raise PayloadTooLarge(too_large_message(settings.API_BULK_MAX_BYTES))
    body = parsers.loads(raw or b"{}")
    return body if isinstance(body, dict) else {}


class BulkJobsView(AccountScoped, generics.ListAPIView):
    scope_family = Family.MESSAGES
    max_body_setting = "API_BULK_MAX_BYTES"
    queryset = BulkJob.objects.all()
    serializer_class = BulkJobSerializer

    @extend_schema(tags=["messages"], operation_id="bulk_jobs_list")
    def get(self, request, *args, **kwargs):
        """Bulk jobs, newest first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["messages"], request=BulkCreateSerializer, operation_id="bulk_jobs_create",
                   responses={201: BulkJobSerializer, 409: ERROR, 422: INVALID})
    def post(self, request):
        """Queue up to 100,000 `{to, body}` messages in the background. A malformed request
        is refused whole (422, `errors` names each `messages.<index>.<field>`); a recipient
        that cannot be messaged (invalid, opted out) is a failed row in the results."""
        body = bulk_body(request)
        try:
            job = bulkjobs.create_job(self.account, body.get("messages"), priority=body.get("priority", 0))
        except bulkjobs.BadMessages as exc:
            return Response({"detail": exc.message, "errors": exc.errors}, status=422)
        return Response(BulkJobSerializer(job).data, status=status.HTTP_201_CREATED)


class BulkJobView(AccountScoped, APIView):
    scope_family = Family.MESSAGES

    @extend_schema(tags=["messages"], operation_id="bulk_job_detail",
                   responses={200: BulkJobDetailSerializer, 404: NOT_FOUND})
    def get(self, request, job_id: str):
        """A job's progress: how many were queued or refused, and results by status."""
        return Response(BulkJobDetailSerializer(bulkjobs.get(self.account, job_id)).data)


class BulkResultsView(generics.ListAPIView):
    scope_family = Family.MESSAGES
    serializer_class = BulkResultSerializer

    queryset = BulkResult.objects.none()  # for the schema; the real one is scoped below

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        job = bulkjobs.get(self.request.auth.account, self.kwargs["job_id"])
        return job.results.select_related("message").order_by("index")

    @extend_schema(tags=["messages"], operation_id="bulk_job_results", responses={200: BulkResultSerializer(many=True), 404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        """Per-recipient results in request order: the message id and status, or why none was sent."""
        return super().get(request, *args, **kwargs)
