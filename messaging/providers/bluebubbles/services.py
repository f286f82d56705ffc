"""The verbs of the BlueBubbles provider: connect a line, keep its health, apply what the
server reports (webhook or poll). The only code that writes BlueBubbles state, which lives in
``Line.provider_settings`` (see messaging/providers/bluebubbles.py for the keys)."""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from outreach.exceptions import InvalidInput
from outreach.models import Account

from ... import services
from ...choices import EventSource, Provider, Status
from ...models import Line, Message
from ...services import reports
from ..base import ProviderConfigurationError, ProviderError, ProviderEvent
from ..registry import provider_for
from .attachments import attachment_for, attachment_url  # noqa: F401 - the console and tests use them here
from .client import REFUSED, UNREACHABLE, BlueBubblesAPIError
from .events import WebhookEvent
from .secret import seal
from .send import SendMethod
from .state import record_health, remember_group, update_settings  # noqa: F401 - the console and tests use them here

logger = logging.getLogger(__name__)

#: The poll re-reads this much before its high-water mark: the Mac's clock and its database
#: writes are not strictly ordered, and re-reading is harmless (events are idempotent).
POLL_OVERLAP_MS = 60_000
#: Sent messages whose delivered/read report may still come, re-checked by the poll.
REFRESH_WINDOW = timedelta(days=2)
REFRESH_LIMIT = 50
#: Dead letters that failed because of the line (server down past all retries, wrong
#: password) are sent again once the line works, if they died this recently: a Mac asleep
#: overnight or a password changed on the Mac must not lose messages.
REVIVE_WINDOW = timedelta(hours=24)
LINE_FAILURES = (UNREACHABLE, REFUSED)


# --- connecting a line ---------------------------------------------------------------------

def webhook_url(line: Line) -> str:
    token = (line.provider_settings or {}).get("webhook_token", "")
    path = reverse("messaging:provider-callback", args=["bluebubbles", line.pk, token])
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def clean_server_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(
            "Enter the server URL BlueBubbles shows under Settings > Connection, e.g. "
            "https://abc.ngrok.app or http://192.168.1.20:1234.",
            field="url",
        )
    return url


@transaction.atomic
def configure_line(account: Account, line: Line, *, url: str, method: str, password: str = "") -> Line:
    """Store the connection settings (the password only when one is given: the form never
    shows it back, so an empty field means "keep the current one")."""
    if line.account_id != account.pk:
        raise InvalidInput("That line is not one of your account's lines.", field="line")
    if method not in SendMethod.values:
        raise InvalidInput(f"Choose a send method: {', '.join(SendMethod.values)}.", field="method")
    current = line.provider_settings or {}
    if not password and not current.get("password"):
        raise InvalidInput("Enter the BlueBubbles server password.", field="password")
    changes = {
        "url": clean_server_url(url),
        "method": method,
        "webhook_token": current.get("webhook_token") or secrets.token_urlsafe(32),
        # Start the poll now: a newly connected Mac's history is not ours to import.
        "last_poll_ms": current.get("last_poll_ms") or int(timezone.now().timestamp() * 1000),
    }
    if password:
        changes["password"] = seal(password)
    if line.provider != Provider.BLUEBUBBLES:
        Line.objects.filter(pk=line.pk).update(provider=Provider.BLUEBUBBLES)
        line.provider = Provider.BLUEBUBBLES
    return update_settings(line, **changes)


def test_connection(line: Line) -> dict | None:
    """Ask the server (``check``); record the line's health. The server info, or None."""
    try:
        info = provider_for(line).check()
    except ProviderConfigurationError as exc:
        record_health(line, exc.message)
        return None
    record_health(line)
    update_settings(line, private_api=bool(info.get("private_api")), server_version=info.get("server_version", ""))
    return info


def register_webhook(line: Line) -> str:
    """Make sure the server posts our events to this line's URL (and to no stale URL of
    ours); returns the URL. Raises ProviderError when the server cannot be reached."""
    provider = provider_for(line)
    url = webhook_url(line)
    prefix = url.rsplit("/", 2)[0] + "/"  # .../bluebubbles/<line id>/ : this line's URLs
    client = provider.client()
    try:
        hooks = client.webhooks()
        ours = [h for h in hooks if h.get("url") == url]
        for hook in hooks:
            if hook.get("url", "").startswith(prefix) and hook.get("url") != url:
                client.delete_webhook(hook["id"])  # an old token of this line
        hook = ours[0] if ours else client.add_webhook(url, list(WebhookEvent.values))
    finally:
        client.close()
    update_settings(line, webhook_id=hook.get("id"))
    return url


def connect(account: Account, line: Line, *, url: str, method: str, password: str = "") -> Line:
    """Configure, test, and register the webhook; the line's health says how it went."""
    configure_line(account, line, url=url, method=method, password=password)
    if test_connection(line) is None:
        return line
    try:
        register_webhook(line)
    except BlueBubblesAPIError as exc:
        record_health(line, f"Connected, but the webhook could not be registered: {exc.message}")
    except ProviderError as exc:
        record_health(line, exc.message)
    else:
        revive_line_failures(line)
    return line


# --- applying what the server reports ------------------------------------------------------

def apply_events(line: Line, events: list[ProviderEvent]) -> int:
    """Apply events in order (messaging's reports, with this provider's policy); returns
    how many changed something."""
    return reports.apply_events(line, events, provider_for(line))


def apply_event(line: Line, event: ProviderEvent) -> bool:
    return reports.apply_event(line, event, provider_for(line))


# --- the poll --------------------------------------------------------------------------------

def poll_line(line: Line) -> int:
    """Recover what missed webhooks lost: new messages since the high-water mark, and the
    delivered/read state of recent sends still waiting for it. Returns events applied."""
    provider = provider_for(line)
    since = int((line.provider_settings or {}).get("last_poll_ms") or 0)
    try:
        events = provider.poll(max(since - POLL_OVERLAP_MS, 0))
        applied = apply_events(line, events)
        applied += _refresh_pending(line, provider)
    except ProviderConfigurationError as exc:
        record_health(line, exc.message)
        return 0
    except ProviderError as exc:
        record_health(line, f"Polling the BlueBubbles server failed: {exc.message}")
        return 0
    newest = max([since] + [int(e.raw.get("dateCreated") or 0) for e in events])
    update_settings(line, last_poll_ms=newest, last_poll_at=timezone.now().isoformat())
    # The server answering is not the line working: ask it (and iMessage) every cycle.
    problem = health_problem(provider)
    record_health(line, problem)
    if problem:
        return applied
    return applied + revive_line_failures(line)


def health_problem(provider) -> str:
    """Why the line cannot send now ("" if it can): the server's info (reachable, password,
    Private API, Messages signed in to iMessage) and, with the Private API, whether iMessage
    still answers for the Mac's own address."""
    try:
        provider.check()
    except ProviderConfigurationError as exc:
        return exc.message
    return ""


def revive_line_failures(line: Line) -> int:
    """Send again this line's recent dead letters that died of the line, not of themselves
    (called once the server answers with the right password again)."""
    failed_by_line = Q()
    for marker in LINE_FAILURES:
        failed_by_line |= Q(last_error__startswith=marker)
    dead = Message.objects.filter(
        failed_by_line, line=line, status=Status.ERROR, discarded_at__isnull=True,
        updated_at__gte=timezone.now() - REVIVE_WINDOW,
    )
    revived = 0
    for message in dead:
        services.retry_dead_letter(line.account, message, source=EventSource.SYSTEM)
        revived += 1
    return revived


def _refresh_pending(line: Line, provider) -> int:
    pending = (
        Message.objects.filter(
            line=line, is_outbound=True, status__in=[Status.SENT, Status.DELIVERED],
            sent_at__gte=timezone.now() - REFRESH_WINDOW,
        )
        .exclude(provider_message_id="")
        .order_by("-sent_at")
        .values_list("provider_message_id", flat=True)[:REFRESH_LIMIT]
    )
    applied = 0
    for guid in pending:
        event = provider.refresh(guid)
        if event is not None and apply_event(line, event):
            applied += 1
    return applied


def bluebubbles_lines():
    return Line.objects.filter(provider=Provider.BLUEBUBBLES, active=True).exclude(provider_settings={})
