"""Outbound media for BlueBubbles: fetched from the message's URLs, at most 5 MB each, before
any part of the message is sent (BlueBubbles takes the file itself, multipart)."""
from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

import requests

from messaging.choices import ErrorKey
from outreach import net

from ..base import PermanentProviderError, TransientProviderError

MAX_MEDIA_BYTES = 5 * 1024 * 1024


def media_urls(message) -> list[str]:
    """Every attachment of an outbound message (the first one is also ``media_url``)."""
    urls = [a.url for a in message.attachments.all()] if message.pk else []
    return urls or ([message.media_url] if message.media_url else [])


def fetch_media(url: str) -> tuple[str, bytes, str]:
    """(filename, bytes, content type) of ``media_url``, refusing anything over 5 MB.

    Through the outbound guard (outreach/net.py): the URL is the client's, and what it
    answers goes to a recipient of the client's choosing, so an internal address or a
    redirect is refused for good (no redirects are followed)."""
    try:
        response = net.request("GET", url, field="media_url", max_bytes=MAX_MEDIA_BYTES, timeout=(5, 30))
    except net.OutboundRefused as exc:
        error = PermanentProviderError(f"media_url {exc.what}")
        error.error_key = ErrorKey.MEDIA_REFUSED
        raise error from None
    except net.ResponseTooLarge:
        raise _too_large(MAX_MEDIA_BYTES) from None
    except requests.RequestException as exc:
        raise TransientProviderError(f"Could not fetch media_url {url}: {exc.__class__.__name__}") from exc
    if response.status_code >= 500:
        raise TransientProviderError(f"media_url answered HTTP {response.status_code}; will retry.")
    if response.status_code != 200:
        raise PermanentProviderError(
            f"media_url answered HTTP {response.status_code}; the file must be publicly readable"
            + (" at that URL (redirects are not followed)." if response.is_redirect else ".")
        )
    content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip()
    filename = posixpath.basename(urlsplit(url).path) or "attachment"
    return filename, response.content, content_type


def _too_large(size: int) -> PermanentProviderError:
    error = PermanentProviderError(
        f"The media is {size / 1024 / 1024:.1f} MB or more; iMessage attachments are limited to 5 MB here."
    )
    error.error_key = ErrorKey.MEDIA_TOO_LARGE
    return error
