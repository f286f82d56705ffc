"""Attachments received on a BlueBubbles line, streamed from the Mac to whoever holds
their signed URL. (BlueBubbles' webhook arrives on messaging's generic provider route,
``messaging/views_callbacks.py``; it delivers once and never retries, so a failure there
is recovered by the poll.)"""
from __future__ import annotations

from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from ..base import ProviderError
from ..registry import provider_for
from .attachments import attachment_for


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
