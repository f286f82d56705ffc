"""The provider interface (after anymail's backends/base.py).

A provider turns one of our messages into a send on its network and turns what the
network reports back into ``ProviderEvent``s. The dispatcher owns the status machine,
retries and limits, and ``messaging/services/reports.py`` applies the events; a provider
only talks to its network, and says its policy through the hooks below (which callback
to trust, which of our messages a report is about, which reported failure to retry).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

from celery.exceptions import SoftTimeLimitExceeded
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from outreach.exceptions import OutreachError

from ..choices import ErrorCode, ErrorKey, Service, Status

# --- secrets out of error texts (messaging/redact.py applies them to every line) -----------

MASK = "[redacted]"
#: ``name=value`` of a query (or a form) whose name says it holds a secret; BlueBubbles
#: accepts the password as ``password``, ``guid`` or ``token``.
_SECRET_PARAM = re.compile(
    r"(?i)(?<![A-Za-z0-9_])(password|passwd|guid|token|secret|api[_-]?key|access_token)=([^&#\s'\"<>)\]]+)"
)
#: ``scheme://user:password@host``.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"]+@")
#: Shorter strings are not replaced where they stand (they would mangle ordinary words);
#: the query-parameter rule still catches them.
_MIN_SECRET = 4


def redact(text: str, secrets=()) -> str:
    """``text`` with secret query values, URL credentials and every one of ``secrets``
    replaced by ``[redacted]``."""
    if not text:
        return text
    text = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET:
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, MASK)
    return text


@dataclass
class SendResult:
    """What the network said when it took the message."""

    #: The network's id for the message (BlueBubbles guid), to match later reports.
    provider_message_id: str = ""
    service: str = Service.IMESSAGE
    was_downgraded: bool = False
    #: SENT normally; a provider that knows more at once may say DELIVERED.
    status: str = Status.SENT
    #: Reports the network already has about this send (delivered, read, a reply), applied
    #: right after the send is recorded, as if they came through ``parse_callback``.
    reports: list[ProviderEvent] = field(default_factory=list)


@dataclass
class ProviderEvent:
    """One normalised report from the network, the raw payload kept."""

    #: "status" (about one of our messages) or "inbound" (a message to one of our lines).
    kind: str
    status: str = ""
    #: Ours (message_handle) or the network's id; either identifies the message.
    message_handle: str = ""
    provider_message_id: str = ""
    #: Inbound: who wrote, to which line, what.
    from_address: str = ""
    to_number: str = ""
    content: str = ""
    media_urls: list[str] = field(default_factory=list)
    service: str = ""
    group_id: str = ""
    participants: list[str] = field(default_factory=list)
    #: A reaction (kind "reaction", to the message named above): its kind, the part of
    #: the message, and whether it was taken back.
    reaction: str = ""
    part_index: int = 0
    removed: bool = False
    #: Inbound: the message it answers inline, by our handle or the network's id.
    reply_to_handle: str = ""
    reply_to_provider_id: str = ""
    error_code: int | None = None
    error_message: str = ""
    raw: dict = field(default_factory=dict)


@dataclass
class Retry:
    """A reported failure worth another attempt (``BaseProvider.retry_for``)."""

    detail: str
    #: Send it again as SMS (iMessage said the recipient is not on it): at once, and
    #: whatever attempts are left.
    as_sms: bool = False


class BadCallback(ValueError):
    """A callback body that is not what the network posts (answered 400, saying why)."""


class ProviderError(OutreachError):
    """The network refused or failed. ``retryable`` says whether trying again may help."""

    retryable = True
    error_code = ErrorCode.SEND_FAILED
    #: The message's ``error_key`` when this error makes it a dead letter.
    error_key = ErrorKey.SEND_FAILED
    status_code = 502


class TransientProviderError(ProviderError):
    retryable = True


class PermanentProviderError(ProviderError):
    retryable = False


class UnsupportedByProvider(PermanentProviderError):
    """The line's network has no such action: nothing was tried (answered 409)."""

    status_code = 409


class ProviderConfigurationError(PermanentProviderError):
    """The line's settings are wrong (bad password, unknown server): the line is unhealthy."""


class BaseProvider:
    """Subclasses implement ``send``; the others have safe defaults."""

    name = "base"

    def __init__(self, line):
        self.line = line
        self.settings = line.provider_settings or {}

    def send(self, message) -> SendResult:
        raise NotImplementedError

    def send_many(self, messages) -> dict:
        """Send a chunk: message pk -> SendResult or the ProviderError it raised.

        Providers whose network takes a batch override it; the default sends one by one.
        Any other exception counts as a transient failure of that message.
        """
        results: dict = {}
        messages = list(messages)
        for i, message in enumerate(messages):
            try:
                results[message.pk] = self.send(message)
            except SoftTimeLimitExceeded:
                # A slow network ate the task's time: what was not tried goes back to the
                # queue now, rather than sitting claimed until the worker is killed.
                for rest in messages[i:]:
                    results[rest.pk] = TransientProviderError("not sent: the worker ran out of time; retried")
                break
            except ProviderError as exc:
                results[message.pk] = exc
            except Exception as exc:  # noqa: BLE001 - a network library's own error
                results[message.pk] = TransientProviderError(redact(f"{type(exc).__name__}: {exc}"))
        return results

    # --- secrets -------------------------------------------------------------------------

    def secrets(self) -> list[str]:
        """The secrets the line's settings hold, readable, so no error text stored or shown
        quotes them (messaging/redact.py). Default: the callback token."""
        token = self.settings.get(self.callback_token_key) or ""
        return [token] if token else []

    def redact(self, text: str) -> str:
        """``text`` as it may be stored or shown for this line."""
        return redact(text, self.secrets())

    # --- callbacks (the generic route /messages/providers/<name>/<line id>/<token>/) -------

    #: The key of ``provider_settings`` holding the line's callback token.
    callback_token_key = "callback_token"

    def accepts_callback(self, token: str) -> bool:
        """Whether a callback carrying ``token`` comes from this line's network: the line's
        unguessable token, compared in constant time (no token stored: none accepted)."""
        expected = self.settings.get(self.callback_token_key) or ""
        return bool(expected) and constant_time_compare(token, expected)

    def parse_callback(self, request) -> list[ProviderEvent]:
        """Events from a webhook the network posted to us (BadCallback: not its shape)."""
        return []

    def match_message(self, outbound, event: ProviderEvent):
        """Which of ``outbound`` (this line's sent messages, a queryset) a status report
        is about: by our handle, else by the network's id."""
        for name, value in (("handle", event.message_handle), ("provider_message_id", event.provider_message_id)):
            found = outbound.filter(**{name: value}).first() if value else None
            if found is not None:
                return found
        return None

    def retry_for(self, message, event: ProviderEvent) -> Retry | None:
        """A reported failure (``event``, now applied to ``message``) worth sending again."""
        return None

    def poll(self, since) -> list[ProviderEvent]:
        """Events the network has since ``since`` (to recover missed webhooks)."""
        return []

    def lookup(self, address: str) -> str:
        """The service ``address`` can receive: Service.IMESSAGE or Service.SMS."""
        return Service.IMESSAGE

    def typing(self, address: str) -> None:
        """Show a typing indicator to ``address`` where the network supports it."""

    def check(self) -> None:
        """Raise ProviderConfigurationError if the line cannot work (used for health)."""

    def mark_read(self, conversation) -> bool:
        """Tell the other side its messages in ``conversation`` were read, where the
        network can (a read receipt); True when it was told. By default there is nothing
        to tell."""
        return False

    # --- groups (the conversation row is the core's to write; these change the network's) -

    def react(self, message, kind: str, part_index: int = 0) -> None:
        """Send a tapback (``Tapback``) on ``message`` (a message of this line)."""
        raise UnsupportedByProvider(f"{self.name} lines cannot send reactions.")

    def rename_group(self, conversation, name: str) -> None:
        """Give the group chat ``name`` ("" clears it) on the network."""
        raise UnsupportedByProvider(f"{self.name} lines cannot rename group chats.")

    def change_group(self, conversation, *, add: bool, address: str) -> None:
        """Add ``address`` to the group chat (``add``) or remove it, on the network."""
        raise UnsupportedByProvider(f"{self.name} lines cannot change a group's participants.")

    def set_group_photo(self, conversation, media) -> None:
        """Give the group chat the photo ``media`` (a MediaObject; None clears it) on the network."""
        raise UnsupportedByProvider(f"{self.name} lines cannot set a group chat's photo.")


# --- what the core lends a provider -------------------------------------------------------

class Host:
    """The messaging core's services a provider may use, without importing the core: the
    core reads and writes its own rows (lines, handles) when a provider asks. Messaging's
    ``AppConfig.ready`` attaches the one implementation (``messaging/provider_host.py``);
    a provider calls ``host()``."""

    def known_service(self, line, address: str) -> str:
        """The service (iMessage/SMS) ``line``'s provider taught its account about
        ``address`` while still fresh; "" when none."""
        raise NotImplementedError

    def remember_service(self, line, address: str, service: str) -> None:
        raise NotImplementedError

    def change_line_settings(self, line, changes: dict) -> dict:
        """Merge ``changes`` into the line's ``provider_settings`` under its row lock (None
        removes a key); -> the settings now stored."""
        raise NotImplementedError

    def set_line_health(self, line, error: str) -> None:
        """Healthy when ``error`` is "", else unhealthy with that (already redacted) reason."""
        raise NotImplementedError

    def find_line(self, pk, provider: str):
        """The line ``pk`` if it is one of ``provider``'s, else None."""
        raise NotImplementedError


_host: Host | str | None = None


def attach_host(implementation: Host | str) -> None:
    """Attach the core's ``Host`` (or its dotted path, imported at first use)."""
    global _host
    _host = implementation


def host() -> Host:
    global _host
    if _host is None:
        raise RuntimeError("No provider host attached: messaging's AppConfig.ready attaches it.")
    if isinstance(_host, str):
        _host = import_string(_host)()
    return _host
