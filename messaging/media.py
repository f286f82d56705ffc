"""Uploaded media (``/api/upload-media-object``): stored as MediaObject, served at an
unguessable URL that can be used as ``media_url`` (signed URLs are refused there)."""
from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.urls import reverse
from django.utils.text import get_valid_filename

from outreach.exceptions import InvalidInput
from outreach.models import Account

from .models import MediaObject
from .validation import MAX_MEDIA_BYTES, MEDIA_EXTENSIONS


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
    return MediaObject.objects.create(
        account=account, file=upload, filename=name,
        content_type=getattr(upload, "content_type", "") or "", size=upload.size,
    )


def public_url(media: MediaObject) -> str:
    path = reverse("api-media-object", kwargs={"token": media.token, "filename": media.filename})
    return settings.PUBLIC_BASE_URL.rstrip("/") + path
