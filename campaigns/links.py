"""Tracked links: with the account's ``track_links`` on, every http(s) URL in a campaign
message is rewritten at fan-out to ``<link base>/l/<code>``, one code per recipient and URL.
The target is stored with the code when the message is made, so ``/l/<code>`` redirects
(302) only there: no query string or path can make it an open redirect.

A click is a GET by someone who is not a link-preview fetcher: iMessage and the other chat
apps fetch a link to draw its preview card (Apple's Messages presents itself as
``facebookexternalhit``/``Twitterbot``), so those user agents (``PREVIEW_AGENTS``) and HEAD
requests are redirected without counting. The first counted click of a link sets its
``clicked_at`` and emits ``link.clicked``; later ones only add to ``clicks``. A recipient
"clicked" once any of their links has a counted click.
"""
from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

import webhooks
from outreach.db import insert_columns
from webhooks.choices import EventType

from .models import Campaign, TrackedLink

URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}]")
#: User-agent fragments of link-preview fetchers (case-insensitive): never a click.
PREVIEW_AGENTS = (
    "facebookexternalhit", "facebot", "twitterbot", "slackbot", "slack-imgproxy", "whatsapp", "telegrambot",
    "discordbot", "linkedinbot", "skypeuripreview", "applebot", "googlebot", "bingbot", "redditbot",
    "pinterest", "embedly", "vkshare", "iframely", "mastodon", "microsoftpreview", "snapchat", "viber",
)
#: 72 random bits (12 url-safe characters) per code: with millions of links out, a guess
#: still finds one about once in 10^15 tries, so codes cannot be walked.
CODE_BYTES = 9


def base_url(account) -> str:
    return (account.link_domain or settings.PUBLIC_BASE_URL).rstrip("/")


def is_preview(user_agent: str) -> bool:
    agent = (user_agent or "").lower()
    return any(name in agent for name in PREVIEW_AGENTS)


class Rewriter:
    """Rewrites one chunk's messages; ``save`` writes their links in one statement."""

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        self.base = base_url(campaign.account)
        self.rows: dict[str, list] = {"code": [], "contact_id": [], "url": []}

    def __call__(self, text: str, contact_id) -> str:
        def swap(match: re.Match) -> str:
            code = secrets.token_urlsafe(CODE_BYTES)
            self.rows["code"].append(code)
            self.rows["contact_id"].append(contact_id)
            self.rows["url"].append(match.group(0))
            return f"{self.base}/l/{code}"

        return URL.sub(swap, text)

    def save(self) -> None:
        insert_columns(TrackedLink, self.rows, {"campaign_id": self.campaign.pk, "created_at": timezone.now(),
                                                 "clicks": 0})


def rewriter_for(campaign: Campaign, bodies: list[str]) -> Rewriter | None:
    """A rewriter when the account tracks links and a body has one, else None."""
    if not campaign.account.track_links or not any(URL.search(body or "") for body in bodies):
        return None
    return Rewriter(campaign)


def follow(code: str, *, user_agent: str, method: str) -> TrackedLink | None:
    """The link of ``code`` (None if unknown), its click counted unless a preview fetched it."""
    link = TrackedLink.objects.select_related("campaign__account", "contact").filter(code=code).first()
    if link is None or method != "GET" or is_preview(user_agent):
        return link
    with transaction.atomic():
        now = timezone.now()
        first = TrackedLink.objects.filter(pk=link.pk, clicked_at__isnull=True).update(clicked_at=now,
                                                                                   clicks=F("clicks") + 1)
        if not first:
            TrackedLink.objects.filter(pk=link.pk).update(clicks=F("clicks") + 1)
            return link
        link.clicked_at = now
        webhooks.emit(link.campaign.account, EventType.LINK_CLICKED, {
            "campaign": {"id": str(link.campaign_id), "name": link.campaign.name},
            "contact": {"id": str(link.contact_id), "phone": link.contact.e164_number},
            "url": link.url, "code": link.code, "clicked_at": now.isoformat().replace("+00:00", "Z"),
        })
    return link


