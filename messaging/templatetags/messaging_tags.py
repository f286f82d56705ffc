"""Template helpers of the messaging console: how a status, a medium and a name look."""
from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import urlparse

from django import template
from django.utils import timezone

from ..choices import Status
from ..inbox_team import work_version
from ..providers import registry

register = template.Library()

IMAGE = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".heic", ".bmp", ".svg"}
VIDEO = {".mp4", ".mov", ".m4v", ".webm"}
AUDIO = {".mp3", ".m4a", ".caf", ".wav", ".ogg", ".aac"}

#: status -> (tick shown under an outbound bubble, words for screen readers and tooltips, css)
TICKS = {
    Status.REGISTERED: ("…", "Queued", "pending"),
    Status.PENDING: ("…", "Queued", "pending"),
    Status.QUEUED: ("…", "Queued", "pending"),
    Status.ACCEPTED: ("…", "Sending", "pending"),
    Status.SENT: ("✓", "Sent", "sent"),
    Status.DELIVERED: ("✓✓", "Delivered", "delivered"),
    Status.READ: ("✓✓", "Read", "read"),
    Status.ERROR: ("!", "Failed", "failed"),
    Status.DECLINED: ("⊘", "Not sent", "failed"),
}

#: status -> badge colour in tables
BADGES = {
    Status.SENT: "ok", Status.DELIVERED: "ok", Status.READ: "ok", Status.RECEIVED: "ok",
    Status.ERROR: "bad", Status.DECLINED: "bad",
    Status.QUEUED: "warn", Status.ACCEPTED: "warn", Status.PENDING: "warn", Status.REGISTERED: "warn",
}


@register.filter
def media_kind(url: str) -> str:
    """image, video, audio or file, from the URL's extension."""
    suffix = PurePosixPath(urlparse(url or "").path).suffix.lower()
    if suffix in IMAGE:
        return "image"
    if suffix in VIDEO:
        return "video"
    if suffix in AUDIO:
        return "audio"
    return "file"


@register.filter
def media_name(url: str) -> str:
    return PurePosixPath(urlparse(url or "").path).name or url


@register.simple_tag
def tick(message) -> dict:
    symbol, words, css = TICKS.get(message.status, ("", message.status.title(), ""))
    return {"symbol": symbol, "words": words, "css": css}


@register.filter
def status_badge(status: str) -> str:
    return BADGES.get(status, "")


@register.filter
def conversation_title(conversation) -> str:
    contact = conversation.contact
    if contact is not None and contact.full_name:
        return contact.full_name
    if conversation.group_display_name:
        return conversation.group_display_name
    if conversation.participants:
        return ", ".join(conversation.participants[:3]) + ("…" if len(conversation.participants) > 3 else "")
    return conversation.address or conversation.group_id


@register.filter
def initials(conversation) -> str:
    title = conversation_title(conversation)
    words = [w for w in title.replace(",", " ").split() if w[:1].isalpha()]
    if words:
        return "".join(w[0] for w in words[:2]).upper()
    return "#"


@register.filter
def short_time(value) -> str:
    """"14:05" today, "Mon" this week, "3 Nov" before: how chat lists show times."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    now = timezone.localtime()
    if local.date() == now.date():
        return local.strftime("%H:%M")
    if (now.date() - local.date()).days < 7:
        return local.strftime("%a")
    return f"{local.day} {local.strftime('%b')}"


@register.filter
def provider_line_actions(line) -> str:
    """The template of the links ``line``'s provider adds to its row of the lines page ("")."""
    entry = registry.PROVIDERS.get(line.provider)
    return entry.line_actions if entry else ""


@register.filter(name="work_version")
def work_version_filter(conversation) -> str:
    """A list row's work (state, assignee, labels) in its ``data-v``, so the poll redraws it."""
    return work_version(conversation)
