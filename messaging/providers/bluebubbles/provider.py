"""BlueBubbles: real iMessage through a Mac running the BlueBubbles server.

A line's ``provider_settings`` hold ``url``, ``password`` (sealed, see bluebubbles_secret),
``method`` (``apple-script`` or ``private-api``), ``webhook_token``/``webhook_id`` (our
callback registered on the server), ``last_poll_ms`` and ``groups`` (our group id -> the
server's chat guid). ``state.py`` and ``services.py`` write them; this module only reads.

Idempotency: our message handle is BlueBubbles' ``tempGuid``. The server refuses a tempGuid
only while that send is still in flight ("already queued"), which is the case of a retry
after our HTTP call timed out while Messages.app was still sending: we take that refusal as
"sent" and let the webhook or the poll bring the guid. Once a send has finished the same
tempGuid sends again, so a retry first reads the chat's recent messages (under every GUID
form of the chat, see send.py) and posts only what is not there; when the server cannot say,
it posts nothing and the dispatcher retries later.

SMS fallback: Messages.app's error 22 (not on iMessage), on the send or later as a
``message-send-error`` webhook, remembers the number as SMS and sends again to
``SMS;-;<number>``. The first SMS to a number has no chat yet (the server's query answers a
bare 404 "Not Found" for it, see client.py): it is started with ``chat/new`` (service SMS),
which sends the text, exactly once; the result says ``service`` SMS, ``was_downgraded``.
"""
from __future__ import annotations

import json
import logging

from ...choices import ErrorCode, MessageType, Service, Status
from ..base import (
    BaseProvider,
    PermanentProviderError,
    ProviderConfigurationError,
    ProviderError,
    ProviderEvent,
    Retry,
    SendResult,
    TransientProviderError,
    host,
)
from .actions import ChatActionsMixin
from .attachments import attachment_url
from .client import BlueBubblesAPIError, BlueBubblesClient, ServerUnreachable
from .events import (  # noqa: F401 - re-exported: callers import them from here
    NOT_ON_IMESSAGE,
    RETRYABLE_SEND_ERRORS,
    SEND_ERRORS,
    BadPayload,
    WebhookEvent,
    chat_service,
    event_from_message,
)
from .secret import SealError, secrets_of, unseal
from .send import (  # noqa: F401 - SendMethod/EFFECT_IDS are imported from here too
    EFFECT_IDS,
    SendingMixin,
    SendMethod,
    _as_provider_error,
)
from .state import record_health

logger = logging.getLogger(__name__)

#: The line error while Messages.app has no iMessage account.
SIGNED_OUT = "Messages.app on the Mac is not signed in to iMessage (signed out or not detected); sign in, then test again."


class BlueBubblesProvider(SendingMixin, ChatActionsMixin, BaseProvider):
    name = "bluebubbles"
    callback_token_key = "webhook_token"
    #: One client (HTTP session, kept-alive connection) for a whole chunk in send_many.
    _shared: BlueBubblesClient | None = None

    # --- settings -------------------------------------------------------------------------

    def secrets(self) -> list[str]:
        return secrets_of(self.settings)

    @property
    def method(self) -> str:
        return self.settings.get("method") or SendMethod.APPLE_SCRIPT

    def client(self) -> BlueBubblesClient:
        sealed = self.settings.get("password") or ""
        try:
            password = unseal(sealed) if sealed else ""
        except SealError:
            raise ProviderConfigurationError(
                "The stored BlueBubbles password cannot be read (SECRET_KEY changed?); "
                "enter it again on the line's BlueBubbles page."
            ) from None
        return BlueBubblesClient(self.settings.get("url", ""), password)

    # --- sending --------------------------------------------------------------------------

    def send(self, message) -> SendResult:
        """Send one message; the line's health follows what the server answered, so the
        console shows "wrong password" or "server unreachable" while messages wait."""
        try:
            result = self._send(message)
        except ProviderConfigurationError as exc:
            self._record_health(exc.message)
            raise
        except ServerUnreachable as exc:
            if exc.line_down:  # a late answer (504, read timeout) is a slow send, not a broken line
                self._record_health(exc.message)
            raise
        if not self.line.healthy:
            self._record_health("")
        return result

    def _record_health(self, error: str) -> None:
        record_health(self.line, error)

    def send_many(self, messages) -> dict:
        """Send a chunk over one connection. Once the server is unreachable (or refuses the
        password) the rest of the chunk gets the same answer without asking again: a Mac
        that is asleep costs one connect timeout per chunk, not one per message."""
        results: dict = {}
        try:
            self._shared = self.client()
        except ProviderConfigurationError as exc:
            self._record_health(exc.message)
            return {m.pk: exc for m in messages}
        stop: ProviderError | None = None
        try:
            for message in messages:
                if stop is not None:
                    results[message.pk] = stop
                    continue
                try:
                    results[message.pk] = self.send(message)
                except ServerUnreachable as exc:
                    results[message.pk] = exc
                    stop = exc if exc.line_down else None
                except ProviderConfigurationError as exc:
                    results[message.pk] = stop = exc
                except ProviderError as exc:
                    results[message.pk] = exc
                except Exception as exc:  # noqa: BLE001 - one message's surprise must not stop the chunk
                    logger.exception("unexpected error sending %s through BlueBubbles", message.handle)
                    results[message.pk] = TransientProviderError(self.redact(f"{type(exc).__name__}: {exc}"))
        finally:
            self._shared.close()
            self._shared = None
        return results

    def _send(self, message) -> SendResult:
        client = self._shared or self.client()
        try:
            conversation = message.conversation
            if conversation is not None and conversation.message_type == MessageType.GROUP:
                return self._send_group(client, message, conversation)
            address = message.to_number or message.number
            service = self._service_for(client, address)
            return self._send_direct(client, message, address, service)
        finally:
            if client is not self._shared:
                client.close()

    def _service_for(self, client: BlueBubblesClient, address: str) -> str:
        known = host().known_service(self.line, address)
        if known in (Service.IMESSAGE, Service.SMS):
            return known
        if self.method != SendMethod.PRIVATE_API:
            return Service.IMESSAGE  # AppleScript cannot ask; error 22 downgrades to SMS
        try:
            return self._lookup(client, address)
        except BlueBubblesAPIError:  # the helper cannot tell now: send, error 22 still downgrades
            return known or Service.IMESSAGE

    # --- the rest of the interface --------------------------------------------------------

    def lookup(self, address: str) -> str:
        if self.method != SendMethod.PRIVATE_API:
            # Only the Private API can ask Apple; report what sending has taught us.
            return host().known_service(self.line, address) or Service.IMESSAGE
        client = self.client()
        try:
            return self._lookup(client, address)
        except BlueBubblesAPIError as exc:
            raise _as_provider_error(exc) from exc
        finally:
            client.close()

    def _lookup(self, client: BlueBubblesClient, address: str) -> str:
        service = Service.IMESSAGE if client.imessage_available(address) else Service.SMS
        host().remember_service(self.line, address, service)
        return service

    def typing(self, address: str) -> None:
        if self.method != SendMethod.PRIVATE_API:
            raise PermanentProviderError(
                "Typing indicators need the BlueBubbles Private API; switch the line's send method "
                "to private-api (and enable the Private API on the Mac)."
            )
        client = self.client()
        try:
            client.start_typing(f"iMessage;-;{address}")
        except BlueBubblesAPIError as exc:
            raise _as_provider_error(exc) from exc
        finally:
            client.close()

    def check(self) -> dict:
        """The server's info if the line can send; ProviderConfigurationError saying what to
        fix otherwise (wrong password, server down, Private API off, Messages signed out)."""
        client = self.client()
        try:
            info = client.server_info()
        except TransientProviderError as exc:
            raise ProviderConfigurationError(exc.message) from exc
        except BlueBubblesAPIError as exc:
            raise ProviderConfigurationError(exc.message) from exc
        finally:
            client.close()
        if self.method == SendMethod.PRIVATE_API and not info.get("private_api"):
            raise ProviderConfigurationError(
                "The line sends with the Private API but the BlueBubbles server has it off; enable it "
                "in BlueBubbles (Settings > Private API) or switch the line to AppleScript."
            )
        if self.method == SendMethod.PRIVATE_API and info.get("helper_connected") is False:
            raise ProviderConfigurationError(
                "The BlueBubbles Private API helper is not connected; restart Messages.app from "
                "BlueBubbles (Settings > Private API), then test again."
            )
        if "detected_imessage" in info and not info.get("detected_imessage"):
            raise ProviderConfigurationError(SIGNED_OUT)
        probe = self.settings.get("probe_address") or info.get("detected_imessage") or ""
        if self.method == SendMethod.PRIVATE_API and probe:
            # The account can look signed in while Apple no longer answers for it.
            client = self.client()
            try:
                available = client.imessage_available(probe)
            except (TransientProviderError, BlueBubblesAPIError) as exc:
                raise ProviderConfigurationError(f"The iMessage availability check failed: {exc.message}") from exc
            finally:
                client.close()
            if not available:
                raise ProviderConfigurationError(
                    f"iMessage does not answer for {probe} (a known iMessage address): Messages.app "
                    "on the Mac is signed out of iMessage or not registered; sign in again."
                )
        return info

    def parse_callback(self, request) -> list[ProviderEvent]:
        try:
            body = json.loads(request.body or b"")
        except ValueError:
            raise BadPayload("The body is not JSON; BlueBubbles posts {\"type\": ..., \"data\": {...}}.") from None
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            raise BadPayload("Expected a BlueBubbles event: {\"type\": \"new-message\", \"data\": {...}}.")
        if body["type"] not in WebhookEvent.values:
            return []  # typing indicators, group renames, server updates: not ours to track
        event = event_from_message(body.get("data"), self.line.number)
        if event is None:
            return []
        self._link_media(event)
        if body["type"] == WebhookEvent.SEND_ERROR and event.kind == "status" and event.status != Status.ERROR:
            event.status = Status.ERROR
            event.error_code = ErrorCode.SEND_FAILED
            event.error_message = event.error_message or "BlueBubbles reported the message failed to send."
        return [event]

    def poll(self, since) -> list[ProviderEvent]:
        """Messages created after ``since`` (ms since the epoch, BlueBubbles' clock), oldest first."""
        client = self.client()
        try:
            rows = client.query_messages(
                {"after": int(since or 0), "sort": "ASC", "limit": 500, "with": ["chat", "chat.participants"]}
            )
        except BlueBubblesAPIError as exc:
            raise _as_provider_error(exc) from exc
        finally:
            client.close()
        events = []
        for row in rows:
            try:
                event = event_from_message(row, self.line.number)
            except BadPayload:
                logger.warning("skipping a malformed BlueBubbles message in a poll: %s", row)
                continue
            if event is not None:
                events.append(self._link_media(event))
        return events

    def _link_media(self, event: ProviderEvent) -> ProviderEvent:
        """Received attachments stay on the Mac; we hand out signed URLs of ours that fetch
        them (the server password must never appear in a media URL)."""
        if event.kind == "inbound":
            attachments = (event.raw or {}).get("attachments") or []
            event.media_urls = [attachment_url(self.line, a["guid"]) for a in attachments if a.get("guid")]
        return event

    def refresh(self, guid: str) -> ProviderEvent | None:
        """The current state of one message we sent (a missed updated-message)."""
        client = self.client()
        try:
            row = client.message(guid)
        except BlueBubblesAPIError as exc:
            if exc.status == 404:
                return None
            raise _as_provider_error(exc) from exc
        finally:
            client.close()
        return event_from_message(row, self.line.number) if row else None

    # --- policy: which message a report is about, which failure to retry -------------------

    def match_message(self, outbound, event: ProviderEvent):
        """By handle or guid; else, for a send the server refused as "already queued" (no
        guid came back), the same text on the same chat among our unconfirmed messages."""
        found = super().match_message(outbound, event)
        if event.kind != "status":
            return found  # a tapback names its message by guid; never guess it from text
        raw = event.raw or {}
        address = ((raw.get("handle") or {}).get("address")) or _chat_address(raw)
        if found is not None or not address or raw.get("text") is None:
            return found
        return (
            outbound.filter(provider_message_id="", content=raw.get("text") or "", to_number=address)
            .filter(status__in=[Status.ACCEPTED, Status.SENT])
            .order_by("created_at")
            .first()
        )

    def retry_for(self, message, event: ProviderEvent) -> Retry | None:
        """Messages.app's error 22 (not on iMessage): again as SMS; its transient errors:
        again after the usual backoff."""
        code = int((event.raw or {}).get("error") or 0) if event.status == Status.ERROR else 0
        if code == NOT_ON_IMESSAGE:
            return Retry("not registered with iMessage; retrying as SMS", as_sms=True)
        if code in RETRYABLE_SEND_ERRORS:
            return Retry(f"Messages.app error {code}; retrying")
        return None


def _chat_address(raw: dict) -> str:
    chats = raw.get("chats") or []
    guid = chats[0].get("guid", "") if chats else ""
    return guid.split(";-;", 1)[1] if ";-;" in guid else ""
