"""The Sendblue dialect (seeds 000-002): paths, field names and error shape of Sendblue,
so its official SDK works against this server unchanged.

Arnio (seed 000) is the same API with its own status words: a key's ``dialect`` picks the
words of its responses and its messages' callbacks, and Arnio's own paths (``/send-message``,
``/send-group-message``, the ``Arnio*`` views below) are Arnio whatever the key says.
"""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging import media, services
from messaging.choices import EventSource
from messaging.filters import MessageFilter
from messaging.models import Message
from messaging.services import handles
from outreach.api.base import AccountScoped
from outreach.api.filters import QueryFilterBackend
from outreach.api.pagination import BadQuery, SendbluePagination
from outreach.api.parsers import JSONParser
from outreach.choices import Dialect, Family
from outreach.exceptions import InvalidInput

from .serializers import (
    ArnioSendResponse,
    EvaluateServiceResponse,
    SendblueError,
    SendblueMessage,
    SendblueRetrieveResponse,
    SendblueSendResponse,
    SendGroupMessageRequest,
    SendMessageRequest,
    TypingIndicatorRequest,
    TypingIndicatorResponse,
    UploadMediaRequest,
    UploadMediaResponse,
    UploadMediaUrlRequest,
)
from .views import ForegroundSend, get_message, send_schema

TAGS = ["messages (Sendblue)"]
ERRORS = {
    code: OpenApiResponse(SendblueError, description=text)
    for code, text in {
        400: "Validation (error_code 4000), blacklisted number (4002) or a bad Idempotency-Key.",
        404: "No such message in your account.",
        409: "A request with this Idempotency-Key is still running.",
        422: "This Idempotency-Key was used for a different request.",
    }.items()
}


def errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


def message_queryset():
    return Message.objects.select_related("account", "line", "conversation", "reply_to")


class SpeaksDialect:
    """Which wire dialect's words a response gets (``dialect`` is the error shape)."""

    #: Set on Arnio's own paths: a request there is Arnio whatever its key says.
    path_dialect: str | None = None

    @property
    def wire_dialect(self) -> str:
        return self.path_dialect or getattr(self.request.auth, "dialect", Dialect.SENDBLUE)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "dialect": self.wire_dialect}


class SendblueView(SpeaksDialect, APIView):
    scope_family = Family.MESSAGES
    dialect = "sendblue"

    @property
    def account(self):
        return self.request.auth.account

    def get_serializer_context(self) -> dict:
        return {"request": self.request, "view": self, "dialect": self.wire_dialect}


@send_schema(
    "send_message", TAGS, SendMessageRequest, {200: SendblueSendResponse, **errors(400, 409, 422)},
    "Queue one message to one number (nothing is sent inside the request).",
)
class SendMessage(ForegroundSend, SendblueView):
    send_request = SendMessageRequest

    def send(self, data: dict) -> Response:
        message = services.send(
            self.account, to=data["number"], content=data["content"], media_url=data["media_url"],
            send_style=data["send_style"], from_number=data["from_number"] or None,
            status_callback=data["status_callback"], source=EventSource.API, dialect=self.wire_dialect,
            send_at=data["send_at"], expires_at=data["expires_at"], reply_to=data["reply_to"],
        )
        return Response(SendblueSendResponse(message, context=self.get_serializer_context()).data)


@send_schema(
    "send_group_message", TAGS, SendGroupMessageRequest, {200: SendblueSendResponse, **errors(400, 409, 422)},
    "Queue one message to a group: ``numbers`` starts (or reuses) a group, ``group_id``\n"
    "names one; the response carries ``group_id`` for later sends.",
)
class SendGroupMessage(ForegroundSend, SendblueView):
    send_request = SendGroupMessageRequest

    def send(self, data: dict) -> Response:
        message = services.send_group(
            self.account, numbers=data.get("numbers") or [], group_id=data["group_id"],
            content=data["content"], media_url=data["media_url"], send_style=data["send_style"],
            from_number=data["from_number"] or None, status_callback=data["status_callback"],
            source=EventSource.API, dialect=self.wire_dialect, send_at=data["send_at"],
            expires_at=data["expires_at"], reply_to=data["reply_to"],
        )
        return Response(SendblueSendResponse(message, context=self.get_serializer_context()).data)


class MessageStatus(SendblueView):
    @extend_schema(
        operation_id="message_status", tags=TAGS,
        parameters=[OpenApiParameter("handle", str, required=True, description="The message_handle.")],
        responses={200: SendblueSendResponse, **errors(400, 404)},
    )
    def get(self, request):
        """The message's current body (as the status callbacks send it, with the SDK's
        ``account_email`` and ``date_created``, as a send answers)."""
        handle = request.query_params.get("handle", "").strip()
        if not handle:
            raise BadQuery("handle is required: the message_handle a send returned.")
        message = get_message(self.account, handle, message_queryset())
        return Response(SendblueSendResponse(message, context=self.get_serializer_context()).data)


class MessageList(SpeaksDialect, AccountScoped, generics.ListAPIView):
    """Messages in and out, newest first, with the filters of Sendblue's message list."""

    scope_family = Family.MESSAGES
    dialect = "sendblue"
    serializer_class = SendblueMessage
    pagination_class = SendbluePagination
    filter_backends = [QueryFilterBackend]
    filterset_class = MessageFilter
    queryset = Message.objects.none()  # for the schema; get_queryset scopes it

    def get_queryset(self):
        return message_queryset().filter(account=self.account)

    @extend_schema(operation_id="list_messages", tags=TAGS, responses={200: SendblueMessage(many=True), **errors(400)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MessageDetail(SendblueView):
    @extend_schema(operation_id="retrieve_message", tags=TAGS, responses={200: SendblueRetrieveResponse, **errors(404)})
    def get(self, request, message_id: str):
        message = get_message(self.account, message_id, message_queryset())
        return Response({"status": "OK", "data": SendblueMessage(message, context=self.get_serializer_context()).data})


class EvaluateService(SendblueView):
    @extend_schema(
        operation_id="evaluate_service", tags=TAGS,
        parameters=[OpenApiParameter("number", str, required=True, description="E.164 number or Apple ID email.")],
        responses={200: EvaluateServiceResponse, **errors(400)},
    )
    def get(self, request):
        """Whether a number or email receives iMessage (else SMS); remembered for a week."""
        raw = request.query_params.get("number", "").strip()
        if not raw:
            raise BadQuery("number is required: an E.164 phone number or an Apple ID email.")
        handle = handles.evaluate_service(self.account, raw)
        return Response({"number": handle.address, "service": handle.service})


class SendTypingIndicator(SendblueView):
    @extend_schema(
        operation_id="send_typing_indicator", tags=TAGS, request=TypingIndicatorRequest,
        responses={200: TypingIndicatorResponse, **errors(400)},
    )
    def post(self, request):
        """Show the typing dots to a contact (1:1 only)."""
        serializer = TypingIndicatorRequest(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        address = handles.send_typing(self.account, data["number"], data["from_number"] or None)
        return Response({"number": address, "status": "SENT", "error_message": None})


class UploadMediaObject(SendblueView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="upload_media_object", tags=TAGS,
        request={"multipart/form-data": UploadMediaRequest, "application/json": UploadMediaUrlRequest},
        responses={200: UploadMediaResponse, **errors(400)},
    )
    def post(self, request):
        """Upload a file (multipart ``file``) or copy one from ``media_url`` (JSON, as the
        Sendblue SDK sends it); send the returned ``media_url``."""
        if "file" in request.FILES:
            serializer = UploadMediaRequest(data=request.data)
            serializer.is_valid(raise_exception=True)
            stored = media.store_upload(self.account, serializer.validated_data["file"])
        elif request.data.get("media_url"):
            serializer = UploadMediaUrlRequest(data=request.data)
            serializer.is_valid(raise_exception=True)
            stored = media.fetch_upload(self.account, serializer.validated_data["media_url"])
        else:
            raise InvalidInput(
                "Send the file as the multipart field 'file', or a JSON media_url to copy it from.",
                field="file",
            )
        return Response({
            "status": "OK",
            "message": "Media object uploaded.",
            "mediaObjectId": str(stored.token),
            "media_url": media.public_url(stored),
        })


# --- Arnio's own paths (seed 000): the send views above, Arnio whatever the key says -----

ARNIO_TAGS = ["messages (Arnio)"]


@extend_schema_view(post=extend_schema(
    operation_id="arnio_send_message", tags=ARNIO_TAGS, responses={200: ArnioSendResponse, **errors(400, 409, 422)},
    description="Arnio's path of `POST /api/send-message`: the same request, auth, scopes and "
    "idempotency; the answer and the status callbacks use Arnio's words whatever the key's dialect.",
))
class ArnioSendMessage(SendMessage):
    path_dialect = Dialect.ARNIO


@extend_schema_view(post=extend_schema(
    operation_id="arnio_send_group_message", tags=ARNIO_TAGS,
    responses={200: ArnioSendResponse, **errors(400, 409, 422)},
    description="Arnio's path of `POST /api/send-group-message`, in Arnio's words whatever the key's dialect.",
))
class ArnioSendGroupMessage(SendGroupMessage):
    path_dialect = Dialect.ARNIO
