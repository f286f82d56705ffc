"""``POST /api/send-carousel``: one message of 2 to 20 images, shown as a swipeable
carousel on iMessage (each image is an Attachment; the first is the message's ``media_url``)."""
from __future__ import annotations

from outreach.exceptions import InvalidInput
from outreach.models import Account

from .. import validation
from ..models import Attachment, Message
from .sending import send

CAROUSEL_MIN, CAROUSEL_MAX = 2, 20
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".heic", ".heif", ".webp")


def carousel_problems(media_urls) -> dict[str, str]:
    """Every bad part of ``media_urls`` at once (field -> why)."""
    if not isinstance(media_urls, list) or not (CAROUSEL_MIN <= len(media_urls) <= CAROUSEL_MAX):
        return {"media_urls": f"media_urls must be a list of {CAROUSEL_MIN} to {CAROUSEL_MAX} image URLs."}
    problems: dict[str, str] = {}
    for i, url in enumerate(media_urls):
        field = f"media_urls.{i}"
        if not isinstance(url, str) or not url:
            problems[field] = f"{field} must be an http(s) image URL."
            continue
        try:
            validation.validate_media_url(url, field=field)
        except InvalidInput as exc:
            problems[field] = exc.message
            continue
        if not url.split("?", 1)[0].lower().endswith(IMAGE_EXTENSIONS):
            problems[field] = f"{field} must be an image ({', '.join(IMAGE_EXTENSIONS)})."
    return problems


def send_carousel(account: Account, *, number: str, media_urls: list[str], from_number: str, **body) -> Message:
    """Queue the carousel to ``number`` from the line ``from_number`` (``body``: send_style,
    status_callback, reply_to, source, dialect, as ``send``)."""
    problems = carousel_problems(media_urls)
    if problems:
        raise InvalidInput.of_fields(problems)
    message = send(account, to=number, from_number=from_number, media_url=media_urls[0], **body)
    Attachment.objects.bulk_create([Attachment(message=message, url=url) for url in media_urls])
    return message
