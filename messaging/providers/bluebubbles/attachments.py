"""Public, unguessable URLs of ours for attachments received on a BlueBubbles line: the
Mac's copy is fetched through them, so the server password never appears in a media URL."""
from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from ...choices import Provider
from ..base import host

ATTACHMENT_SALT = "messaging.bluebubbles.attachment"


def attachment_url(line, guid: str) -> str:
    """A public, unguessable URL of ours for an attachment received on ``line``."""
    token = signing.dumps([line.pk, guid], salt=ATTACHMENT_SALT, compress=True)
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("messaging:bluebubbles-attachment", args=[token])


def attachment_for(token: str) -> tuple | None:
    """(line, attachment guid) of a URL made by ``attachment_url``, or None if forged."""
    try:
        line_id, guid = signing.loads(token, salt=ATTACHMENT_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    line = host().find_line(line_id, Provider.BLUEBUBBLES)
    return (line, guid) if line else None
