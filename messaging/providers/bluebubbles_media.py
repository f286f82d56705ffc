"""Outbound media for BlueBubbles: fetched from the message's URLs, at most 5 MB each, before
any part of the message is sent (BlueBubbles takes the file itself, multipart)."""
from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

import requests

from .base import PermanentProviderError, TransientProviderError

MAX_MEDIA_BYTES = 5 * 1024 * 1024


def media_urls(message) -> list[str]:
    """Every attachment of an outbound message (the first one is also ``media_url``)."""
    urls = [a.url for a in message.attachments.all()] if message.pk else []
    return urls or ([message.media_url] if message.media_url else [])


def fetch_media(url: str) -> tuple[str, bytes, str]:
    """(filename, bytes, content type) of ``media_url``, refusing anything over 5 MB."""
    try:
        with requests.get(url, stream=True, timeout=(5, 30)) as response:
            if response.status_code >= 500:
                raise TransientProviderError(f"media_url answered HTTP {response.status_code}; will retry.")
            if response.status_code >= 400:
                raise PermanentProviderError(
                    f"media_url answered HTTP {response.status_code}; the file must be publicly readable."
                )
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > MAX_MEDIA_BYTES:
                raise _too_large(declared)
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > MAX_MEDIA_BYTES:
                    raise _too_large(size)
                chunks.append(chunk)
            content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip()
    except requests.RequestException as exc:
        raise TransientProviderError(f"Could not fetch media_url {url}: {exc.__class__.__name__}") from exc
    filename = posixpath.basename(urlsplit(url).path) or "attachment"
    return filename, b"".join(chunks), content_type


def _too_large(size: int) -> PermanentProviderError:
    error = PermanentProviderError(
        f"The media is {size / 1024 / 1024:.1f} MB or more; iMessage attachments are limited to 5 MB here."
    )
    error.error_key = "MEDIA_TOO_LARGE"
    return error
