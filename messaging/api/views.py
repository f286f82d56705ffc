"""Lines, and what the message views of both dialects share."""
from __future__ import annotations

import uuid

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response

from messaging.media import serve as serve_media
from messaging.models import Line, MediaObject, Message
from messaging.queue.foreground import raise_flag
from outreach.api.base import AccountScoped
from outreach.choices import Family
from outreach.idempotency import HEADER as IDEMPOTENCY_HEADER
from outreach.idempotency import idempotent

from .serializers import LineSerializer

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER, {"type": "string", "minLength": 1, "maxLength": 255}, OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID). The same key and body answer the first response "
    "and send once; another body with the key is 422; while the first is running, 409. Kept 24 h.",
)


class ForegroundSend:
    """Send views, whatever the dialect: a POST validates the body with ``send_request``
    and hands its data to ``send`` (which returns the response), at most once per
    Idempotency-Key (outreach/idempotency.py). Once the key is authenticated and within its
    rate, the POST raises the foreground flag (messaging/queue/foreground.py) before the
    body is even parsed, so bulk workers finish their step and hold back while this send
    is still being validated."""

    #: The serializer of the request body; ``send(validated_data)`` does the rest.
    send_request: type[serializers.Serializer]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "POST":
            raise_flag()

    def post(self, request, *args, **kwargs):
        return idempotent(request, self.account, self._validated_send)

    def _validated_send(self) -> Response:
        serializer = self.send_request(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return self.send(serializer.validated_data)


def send_schema(operation_id: str, tags: list[str], request, responses: dict, description: str):
    """The OpenAPI operation of a ``ForegroundSend`` view's POST (every send takes an Idempotency-Key)."""
    return extend_schema_view(post=extend_schema(
        operation_id=operation_id, tags=tags, request=request, parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses, description=description,
    ))


def get_message(account, message_id: str, queryset=None) -> Message:
    """The caller's message by its handle; anything else (another account's, not a UUID) is 404."""
    try:
        handle = uuid.UUID(str(message_id))
    except ValueError:
        raise Http404 from None
    queryset = queryset if queryset is not None else Message.objects.all()
    message = queryset.filter(account=account, handle=handle).first()
    if message is None:
        raise Http404
    return message


@extend_schema(tags=["lines"])
class LineList(AccountScoped, generics.ListAPIView):
    """The account's sending lines (use a line's ``number`` as ``from_number``)."""

    scope_family = Family.MESSAGES
    queryset = Line.objects.all()
    serializer_class = LineSerializer


def media_object(request, token, filename: str):
    """An uploaded file, public by its unguessable token (recipients' phones fetch it)."""
    media = MediaObject.objects.filter(token=token, filename=filename).first()
    if media is None:
        raise Http404
    return serve_media(media)
