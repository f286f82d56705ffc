"""The callback BlueBubbles posts its events to (after anymail's ``webhooks/base.py``).

BlueBubbles does not sign webhooks, so each line has its own unguessable token in the URL,
compared in constant time. CSRF-exempt (a server posts here, not a browser), POST only, and
400 with what is wrong for a body that is not a BlueBubbles event. BlueBubbles delivers
once and never retries, so a failure here is recovered by the poll, not by a redelivery.
"""
from __future__ import annotations

import logging

from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from outreach.exceptions import InvalidInput

from ...choices import Provider
from ...models import Line
from ..base import ProviderError
from ..registry import provider_for
from .attachments import attachment_for
from .events import BadPayload
from .services import apply_events

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def bluebubbles_webhook(request, line_id: int, token: str):
    line = Line.objects.select_related("account").filter(pk=line_id, provider=Provider.BLUEBUBBLES).first()
    expected = (line.provider_settings or {}).get("webhook_token", "") if line else ""
    # Same answer for an unknown line and a wrong token: the URL reveals nothing.
    if not expected or not constant_time_compare(token, expected):
        return JsonResponse({"detail": "Unknown webhook URL."}, status=404)
    try:
        events = provider_for(line).parse_callback(request)
        applied = apply_events(line, events)
    except BadPayload as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    except InvalidInput as exc:
        # e.g. a sender address that is neither a phone number nor an email
        return JsonResponse({"detail": exc.message}, status=400)
    return JsonResponse({"received": len(events), "applied": applied})


@require_GET
def bluebubbles_attachment(request, token: str):
    """A received attachment, streamed from the Mac: the URL is signed, so it works as a
    ``media_url`` in callbacks and the API without exposing the server password."""
    found = attachment_for(token)
    if found is None:
        raise Http404("Unknown attachment.")
    line, guid = found
    client = provider_for(line).client()
    try:
        upstream = client.download_attachment(guid)
    except ProviderError as exc:
        client.close()
        status = 404 if getattr(exc, "status", None) == 404 else 502
        return JsonResponse({"detail": f"The attachment could not be fetched from the Mac: {exc.message}"}, status=status)

    def body():
        try:
            yield from upstream.iter_content(64 * 1024)
        finally:
            upstream.close()
            client.close()

    response = StreamingHttpResponse(body(), content_type=upstream.headers.get("Content-Type") or "application/octet-stream")
    for header in ("Content-Length", "Content-Disposition"):
        if upstream.headers.get(header):
            response[header] = upstream.headers[header]
    return response
