"""The v1 messages dialect (seed 004): camelCase, ``id``, lowercase status words,
``{"detail"}`` errors, 422 for a body that fails validation."""
from __future__ import annotations

import re

from django.db.models import Count, Q
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging import services
from messaging.choices import EventSource, Status
from messaging.filters import V1MessageFilter
from messaging.models import Message
from outreach.api.base import AccountScoped
from outreach.api.filters import QueryFilterBackend
from outreach.api.pagination import LimitPagePagination
from outreach.choices import Family
from outreach.exceptions import OutreachError
from outreach.idempotency import idempotent

from .serializers import (
    QueueStatsResponse,
    V1AttachmentsResponse,
    V1Error,
    V1Message,
    V1SendRequest,
    V1SendResponse,
    V1StatusResponse,
)
from .views import IDEMPOTENCY_PARAMETER, ForegroundSend, get_message, send_schema

TAGS = ["messages"]
#: Service field names -> this dialect's, so an error points at the field the client sent.
FIELD_NAMES = {
    "content": "body", "number": "to", "group_id": "to", "media_url": "attachments", "from_number": "fromNumber",
    "send_at": "sendAt", "expires_at": "expiresAt",
}
V1_WORDS = re.compile(r"\b(?:content|media_url|from_number|send_at|expires_at)\b")
ERRORS = {
    400: OpenApiResponse(V1Error, description="Bad query parameter, or from a line not yours."),
    404: OpenApiResponse(V1Error, description="No such message in your account."),
    409: OpenApiResponse(V1Error, description="Wrong state, or the Idempotency-Key is in flight."),
    422: OpenApiResponse(V1Error, description="The body fails validation; errors says where."),
}


def errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


class V1View(APIView):
    scope_family = Family.MESSAGES

    @property
    def account(self):
        return self.request.auth.account


@send_schema(
    "v1_send_message", TAGS, V1SendRequest, {201: V1SendResponse, **errors(400, 409, 422)},
    "Queue a message to a number, an Apple ID or a group (nothing is sent in the request).",
)
class MessageListCreate(ForegroundSend, AccountScoped, generics.ListAPIView):
    scope_family = Family.MESSAGES
    serializer_class = V1Message
    pagination_class = LimitPagePagination
    filter_backends = [QueryFilterBackend]
    filterset_class = V1MessageFilter
    queryset = Message.objects.none()  # for the schema; get_queryset scopes it
    send_request = V1SendRequest

    def get_queryset(self):
        return (
            Message.objects.filter(account=self.account)
            .select_related("conversation").prefetch_related("attachments")
            .order_by("-created_at", "-id")
        )

    @extend_schema(operation_id="v1_list_messages", tags=TAGS, responses={200: V1Message(many=True), **errors(400)})
    def get(self, request, *args, **kwargs):
        """Messages sent and received, newest first."""
        return super().get(request, *args, **kwargs)

    def send(self, data: dict) -> Response:
        try:
            message = services.send_to(
                self.account, to=data["to"], content=data["body"], media_urls=data["attachments"],
                from_number=data["fromNumber"] or None, priority=data["priority"], source=EventSource.API,
                send_at=data["sendAt"], expires_at=data["expiresAt"],
            )
        except OutreachError as exc:
            if exc.field:
                head, _, rest = exc.field.partition(".")
                exc.field = FIELD_NAMES.get(head, head) + (f".{rest}" if rest else "")
                exc.message = V1_WORDS.sub(lambda m: FIELD_NAMES[m.group(0)], exc.message)
            raise
        return Response(V1SendResponse(message).data, status=status.HTTP_201_CREATED)


class MessageDetailV1(V1View):
    @extend_schema(operation_id="v1_retrieve_message", tags=TAGS, responses={200: V1Message, **errors(404)})
    def get(self, request, message_id: str):
        """One message."""
        queryset = Message.objects.select_related("conversation").prefetch_related("attachments")
        return Response(V1Message(get_message(self.account, message_id, queryset)).data)

    @extend_schema(operation_id="v1_cancel_message", tags=TAGS, responses={200: V1Message, **errors(404, 409)})
    def delete(self, request, message_id: str):
        """A scheduled message is cancelled before its time (then ``declined``, lastError
        says cancelled); a sent or received one is redacted: body and attachments blanked,
        ``redactedAt`` set, status and timestamps kept. One still on its way out is a 409."""
        message = services.delete_message(self.account, get_message(self.account, message_id))
        return Response(V1Message(message).data)


class MessageStatusV1(V1View):
    @extend_schema(operation_id="v1_message_status", tags=TAGS, responses={200: V1StatusResponse, **errors(404)})
    def get(self, request, message_id: str):
        """Where the message is: status, attempts, last error and its timestamps."""
        return Response(V1StatusResponse(get_message(self.account, message_id)).data)


class MessageAttachments(V1View):
    @extend_schema(operation_id="v1_message_attachments", tags=TAGS, responses={200: V1AttachmentsResponse, **errors(404)})
    def get(self, request, message_id: str):
        """The message's files, with their download URLs."""
        message = get_message(self.account, message_id, Message.objects.prefetch_related("attachments"))
        items = [
            {"url": a.url, "contentType": a.content_type, "size": a.size, "filename": a.filename}
            for a in message.attachments.all()
        ]
        if not items and message.media_url:
            items = [{"url": message.media_url, "contentType": "", "size": None, "filename": ""}]
        return Response({"id": str(message.handle), "items": items})


class QueueStats(V1View):
    @extend_schema(operation_id="v1_queue_stats", tags=TAGS, responses={200: QueueStatsResponse})
    def get(self, request):
        """The account's queue by state, counted in one query."""
        retrying = Q(status=Status.QUEUED, attempts__gt=0)
        counts = Message.objects.filter(account=self.account, is_outbound=True).aggregate(
            pending=Count("id", filter=Q(status__in=[Status.REGISTERED, Status.PENDING, Status.QUEUED]) & ~retrying),
            processing=Count("id", filter=Q(status=Status.ACCEPTED)),
            failed=Count("id", filter=retrying),
            deadLetter=Count("id", filter=Q(status=Status.ERROR, discarded_at__isnull=True)),
        )
        return Response(counts)


class RetryMessage(V1View):
    @extend_schema(
        operation_id="v1_retry_message", tags=TAGS, request=None, parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: V1StatusResponse, **errors(400, 404, 409)},
    )
    def post(self, request, message_id: str):
        """Send a dead letter (status failed) again: it goes back to the queue."""
        return idempotent(request, self.account, lambda: self._retry(message_id))

    def _retry(self, message_id: str) -> Response:
        message = get_message(self.account, message_id)
        message = services.retry_dead_letter(self.account, message)
        return Response(V1StatusResponse(message).data)
