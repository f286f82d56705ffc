"""``GET /api/v2/events``: the account's events as Server-Sent Events (webhooks/stream.py)."""
from __future__ import annotations

import json
import weakref

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from outreach.api.permissions import can_read
from outreach.choices import Family
from outreach.exceptions import InvalidInput

from .. import stream


class StreamsBusy(exceptions.APIException):
    status_code = 503
    default_detail = "This server is serving its maximum of event streams; retry shortly."
    wait = 5  # Retry-After


class EventStreamRenderer(BaseRenderer):
    """Lets a client ask for ``text/event-stream`` (the stream is not rendered: errors are
    JSON, see ``EventStream.finalize_response``)."""

    media_type = "text/event-stream"
    format = "sse"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode()


def last_event_id(request) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.query_params.get("last_event_id")
    if raw in (None, ""):
        return None
    if not raw.isdigit():
        raise InvalidInput("Last-Event-ID must be the id of an event this stream sent.", field="Last-Event-ID")
    return int(raw)


class EventStream(APIView):
    scope_family = Family.ACCOUNT  # any key opens it; it carries the families the key reads
    dialect = "sendblue"
    renderer_classes = [JSONRenderer, EventStreamRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response):  # an error: JSON whatever the client accepts
            response.accepted_renderer, response.accepted_media_type = JSONRenderer(), "application/json"
        return response

    @extend_schema(
        operation_id="v2_events_stream", tags=["events"],
        parameters=[
            OpenApiParameter("types", str, description="Comma-separated event types to receive (default: all)."),
            OpenApiParameter("Last-Event-ID", str, OpenApiParameter.HEADER,
                             description="Resume after this id: the events missed since are sent first."),
        ],
        responses={200: OpenApiResponse(OpenApiTypes.STR, description="text/event-stream"),
                   503: OpenApiResponse(description="This process serves its maximum of streams; retry.")},
    )
    def get(self, request):
        """The account's events, live, as Server-Sent Events: each `{id, type, occurred_at,
        data, version}`; a heartbeat comment every 15 s; the stream ends after at most 15
        minutes (reconnect with Last-Event-ID: nothing is lost within the retention)."""
        resume = last_event_id(request)
        wanted = {t.strip() for t in request.query_params.get("types", "").split(",") if t.strip()} or None
        types = stream.types_for(lambda family: can_read(request.auth.scopes, family), wanted)
        if not stream.slots.take():
            raise StreamsBusy()
        response = StreamingHttpResponse(
            stream.events(request.auth.account_id, types, resume), content_type="text/event-stream"
        )
        # The slot goes back once, when the server closes the response or lets it go,
        # however the stream ended (client gone, rotation, never read).
        release = weakref.finalize(response, stream.slots.give_back)
        response._resource_closers.append(release)
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
        return response
