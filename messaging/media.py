"""Uploaded media (``/api/upload-media-object``): stored as MediaObject, served at an
unguessable URL that can be used as ``media_url`` (signed URLs are refused there).

The stored type is read from the content (media_types.py), never taken from the client or
the remote server, and every media response is locked down (``serve``): it is on the
console's origin."""
from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import requests
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.urls import reverse
from django.utils.text import get_valid_filename

from outreach import net
from outreach.exceptions import InvalidInput
from outreach.models import Account

from . import media_types
from .models import MediaObject
from .validation import MAX_MEDIA_BYTES, MEDIA_EXTENSIONS

#: Seconds a media_url may take to answer.
FETCH_TIMEOUT = 10
#: Bytes read to tell a file's type.
HEAD_BYTES = 8192
#: The media response is a file, never a page: no script, no plugin, no sniffing.
MEDIA_CSP = "default-src 'none'; sandbox"


def store_upload(account: Account, upload) -> MediaObject:
    """Keep an uploaded file (at most 5 MB, a media extension) for this account."""
    name = get_valid_filename(PurePosixPath(upload.name or "").name) or ""
    extension = PurePosixPath(name).suffix.lower()
    if extension not in MEDIA_EXTENSIONS:
        raise InvalidInput(
            f"file must have a media extension ({', '.join(sorted(MEDIA_EXTENSIONS))}); got {name!r}.",
            field="file",
        )
    if upload.size > MAX_MEDIA_BYTES:
        raise InvalidInput(
            f"file is {upload.size} bytes; the limit is {MAX_MEDIA_BYTES} (5 MB).", field="file"
        )
    upload.seek(0)
    content_type = media_types.checked_type(upload.read(HEAD_BYTES), extension, "file")
    upload.seek(0)
    return MediaObject.objects.create(
        account=account, file=upload, filename=name, content_type=content_type, size=upload.size,
    )


def public_url(media: MediaObject) -> str:
    path = reverse("api-media-object", kwargs={"token": media.token, "filename": media.filename})
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def fetch_upload(account: Account, media_url: str, *, field: str = "media_url") -> MediaObject:
    """Copy the file at ``media_url`` (a signed URL is fine here: that is the point of the
    media object pattern) into a MediaObject, through the outbound guard (outreach/net.py):
    no redirects, no private addresses (unless OUTBOUND_ALLOW_PRIVATE_TARGETS), at most 5 MB."""
    net.check_url(media_url, field=field, resolve_host=False)
    try:
        name = get_valid_filename(PurePosixPath(unquote(urlsplit(media_url).path)).name)
    except SuspiciousFileOperation:  # no usable file name at all
        name = ""
    extension = PurePosixPath(name).suffix.lower()
    if extension not in MEDIA_EXTENSIONS:
        raise InvalidInput(
            f"{field} must end with a media extension ({', '.join(sorted(MEDIA_EXTENSIONS))}).",
            field=field,
        )
    try:
        response = net.request(
            "GET", media_url, field=field, max_bytes=MAX_MEDIA_BYTES, timeout=FETCH_TIMEOUT
        )
    except net.ResponseTooLarge:
        raise InvalidInput(f"The file at {field} is over {MAX_MEDIA_BYTES} bytes (5 MB).", field=field) from None
    except requests.RequestException as exc:
        raise InvalidInput(f"{field} could not be fetched ({exc.__class__.__name__}).", field=field) from None
    if response.status_code != 200:
        raise InvalidInput(
            f"{field} answered HTTP {response.status_code}; it must answer 200 with the file"
            + (" (redirects are not followed)." if response.is_redirect else "."),
            field=field,
        )
    data = response.content
    content_type = media_types.checked_type(data[:HEAD_BYTES], extension, field)
    return MediaObject.objects.create(
        account=account, file=ContentFile(data, name=name), filename=name,
        content_type=content_type, size=len(data),
    )


def serve(media: MediaObject) -> FileResponse:
    """The file, as the type stored for it (a row from before types were checked that
    holds anything else goes out as a download of bytes)."""
    content_type = media.content_type if media.content_type in media_types.SERVED else "application/octet-stream"
    response = FileResponse(
        media.file.open("rb"), content_type=content_type, filename=media.filename,
        as_attachment=not media_types.is_inline(content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    return response
