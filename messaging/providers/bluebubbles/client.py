"""The HTTP side of the BlueBubbles provider (after anymail's ``backends/base_requests.py``).

One ``requests.Session`` per client, a timeout on every call, the password as the ``password``
query parameter (BlueBubbles' documented authentication), and every failure translated into
one of our provider errors, so the provider above never sees a ``requests`` exception:

- unreachable server, timeout, 5xx without an iMessage error code -> ``TransientProviderError``
  (the dispatcher retries later: a Mac asleep or restarting must not lose messages);
- 401 -> ``ProviderConfigurationError`` (the line is unhealthy until the password is fixed);
- other 4xx -> ``PermanentProviderError`` with BlueBubbles' own explanation.

Every answer is BlueBubbles' envelope ``{status, message, data, error?}``; ``call`` returns
``data``.

No error text leaves this module with the password in it (``requests`` quotes the URL it
asked, password included): every text is passed through ``redact`` with the password, and
the ``requests`` exception is not chained (a logged traceback would print it).
"""
from __future__ import annotations

import logging
import re
from typing import Any

import requests

from ..base import PermanentProviderError, ProviderConfigurationError, TransientProviderError, redact

logger = logging.getLogger(__name__)

#: (connect, read) seconds. Sending waits for Messages.app to write the message, which on a
#: busy Mac takes a few seconds; the server itself gives up after a minute.
DEFAULT_TIMEOUT = (5.0, 60.0)


class ServerUnreachable(TransientProviderError):
    """No answer from the BlueBubbles server (Mac asleep, server stopped, tunnel down).

    Its text starts with ``UNREACHABLE`` so that messages which ran out of retries for this
    reason can be found (and sent again) once the server answers (see services.py).
    """

    def __init__(self, detail: str, *, line_down: bool = True):
        super().__init__(f"{UNREACHABLE} {detail}")
        #: False when the Mac did get the request but answered late (a read timeout, the
        #: proxy's 504 while Messages.app is busy): a slow send, not a broken line.
        self.line_down = line_down


#: How every "server unreachable" error text begins.
UNREACHABLE = "BlueBubbles server unreachable:"
#: How the "wrong password" error text begins.
REFUSED = "The BlueBubbles server refused the password:"


class BlueBubblesAPIError(PermanentProviderError):
    """BlueBubbles answered with an error envelope; ``status``/``data`` keep its details."""

    def __init__(self, message: str, *, status: int, data: Any = None, retryable: bool = False):
        super().__init__(message)
        self.status = status
        self.data = data
        self.retryable = retryable


class NoSuchChat(BlueBubblesAPIError):
    """``message/query`` named a chat the Mac does not have. The server answers that with
    Koa's bare 404 (plain text "Not Found", no envelope): a fact about the chat, not an
    outage, so it must not read as "server unreachable"."""


#: Koa's body for a request its handler answered with nothing.
BARE_NOT_FOUND = "Not Found"


class BlueBubblesClient:
    """A thin, typed wrapper over the BlueBubbles REST API v1."""

    def __init__(self, url: str, password: str, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT):
        if not url:
            raise ProviderConfigurationError(
                "This line has no BlueBubbles server URL; connect it on its BlueBubbles page."
            )
        if not password:
            raise ProviderConfigurationError(
                "This line has no BlueBubbles password; enter it on the line's BlueBubbles page."
            )
        self.base_url = url.rstrip("/")
        self.password = password
        self.timeout = timeout
        self.session = requests.Session()

    def _clean(self, text: str) -> str:
        return redact(text, [self.password])

    def _unreachable(self, exc: requests.RequestException) -> ServerUnreachable:
        if isinstance(exc, requests.Timeout):
            return ServerUnreachable(self._clean(f"{self.base_url} did not answer in time ({exc.__class__.__name__})."),
                                     line_down=isinstance(exc, requests.ConnectTimeout))
        return ServerUnreachable(self._clean(f"{self.base_url}: {_short(exc)}"))

    def close(self) -> None:
        self.session.close()

    # --- plumbing -------------------------------------------------------------------------

    def call(self, method: str, path: str, *, params: dict | None = None, **kwargs) -> Any:
        """``data`` of a successful answer; raises one of our provider errors otherwise."""
        return self._data(self._request(method, path, params=params, **kwargs))

    def _request(self, method: str, path: str, *, params: dict | None = None, **kwargs) -> requests.Response:
        url = f"{self.base_url}/api/v1/{path.lstrip('/')}"
        query = {"password": self.password, **(params or {})}
        try:
            return self.session.request(method, url, params=query, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise self._unreachable(exc) from None

    def _data(self, response: requests.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if response.status_code >= 500 or response.status_code in (404, 408, 429):
                # A proxy (ngrok, Cloudflare) in front of a Mac that is off answers like this.
                raise ServerUnreachable(self._clean(
                    f"{self.base_url} answered HTTP {response.status_code} without a BlueBubbles body; "
                    "is the server running?"
                ), line_down=response.status_code != 504)
            raise PermanentProviderError(self._clean(
                f"{self.base_url} answered HTTP {response.status_code} without a BlueBubbles body; "
                "check that the URL points at the BlueBubbles server."
            ))
        if 200 <= response.status_code < 300:
            return body.get("data")
        error = body.get("error") or {}
        detail = error.get("message") if isinstance(error, dict) else str(error)
        text = "; ".join(t for t in (body.get("message"), detail) if t) or f"HTTP {response.status_code}"
        if response.status_code == 401:
            raise ProviderConfigurationError(self._clean(
                f"{REFUSED} {self.base_url} answered 401 ({detail or body.get('message') or 'unauthorized'}). "
                "Enter the server password again on the line's BlueBubbles page."
            ))
        raise BlueBubblesAPIError(
            self._clean(f"BlueBubbles: {text}"),
            status=response.status_code,
            data=body.get("data"),
            retryable=response.status_code >= 500 or response.status_code in (408, 429),
        )

    # --- the calls we use -----------------------------------------------------------------

    def server_info(self) -> dict:
        return self.call("GET", "server/info") or {}

    def send_text(self, payload: dict) -> dict:
        return self.call("POST", "message/text", json=payload) or {}

    def send_attachment(self, fields: dict, filename: str, content: bytes, content_type: str) -> dict:
        files = {"attachment": (filename, content, content_type or "application/octet-stream")}
        return self.call("POST", "message/attachment", data=fields, files=files) or {}

    def new_chat(self, payload: dict) -> dict:
        return self.call("POST", "chat/new", json=payload) or {}

    def query_chats(self, payload: dict) -> list[dict]:
        return self.call("POST", "chat/query", json=payload) or []

    def query_messages(self, payload: dict) -> list[dict]:
        """Messages matching ``payload``; NoSuchChat when it names a chat the Mac lacks."""
        response = self._request("POST", "message/query", json=payload)
        if payload.get("chatGuid") and _bare_not_found(response):
            raise NoSuchChat(f"BlueBubbles has no chat {payload['chatGuid']}.", status=404)
        return self._data(response) or []

    def message(self, guid: str) -> dict:
        return self.call("GET", f"message/{requests.utils.quote(guid, safe='')}", params={"with": "chats"}) or {}

    def imessage_available(self, address: str) -> bool:
        data = self.call("GET", "handle/availability/imessage", params={"address": address}) or {}
        return bool(data.get("available"))

    def download_attachment(self, guid: str) -> requests.Response:
        """The attachment's bytes as a streamed response (the caller closes it)."""
        url = f"{self.base_url}/api/v1/attachment/{requests.utils.quote(guid, safe='')}/download"
        try:
            response = self.session.get(url, params={"password": self.password}, stream=True, timeout=self.timeout)
        except requests.RequestException as exc:
            raise self._unreachable(exc) from None
        if response.status_code != 200:
            try:
                self._data(response)
            finally:
                response.close()
        return response

    def start_typing(self, chat_guid: str) -> None:
        self.call("POST", f"chat/{requests.utils.quote(chat_guid, safe='')}/typing")

    def react(self, payload: dict) -> dict:
        return self.call("POST", "message/react", json=payload) or {}

    def update_chat(self, chat_guid: str, payload: dict) -> dict:
        return self.call("PUT", f"chat/{requests.utils.quote(chat_guid, safe='')}", json=payload) or {}

    def change_participant(self, chat_guid: str, action: str, address: str) -> dict:
        path = f"chat/{requests.utils.quote(chat_guid, safe='')}/participant/{action}"
        return self.call("POST", path, json={"address": address}) or {}

    def mark_read(self, chat_guid: str) -> None:
        self.call("POST", f"chat/{requests.utils.quote(chat_guid, safe='')}/read")

    def webhooks(self) -> list[dict]:
        return self.call("GET", "webhook") or []

    def add_webhook(self, url: str, events: list[str]) -> dict:
        return self.call("POST", "webhook", json={"url": url, "events": events}) or {}

    def delete_webhook(self, webhook_id: int) -> None:
        self.call("DELETE", f"webhook/{webhook_id}")


def _bare_not_found(response: requests.Response) -> bool:
    """Koa's own 404 (the BlueBubbles server's "no such chat" on a query), not a proxy's
    page (ngrok and Cloudflare answer a Mac that is off with HTML)."""
    return (
        response.status_code == 404
        and response.headers.get("Content-Type", "").startswith("text/plain")
        and response.text.strip() == BARE_NOT_FOUND
    )


#: The innermost cause in urllib3's "Max retries exceeded with url: ... (Caused by
#: X("HTTPConnection(host=..., port=...): reason"))"; urllib3 2 quotes it with double
#: quotes, 1.x with single ones.
_CAUSE = re.compile(r"\(Caused by \w+\((['\"])(?P<inner>.*)\1\)\)\s*$", re.S)
_CONNECT = "Failed to establish a new connection: "
_QUOTED = re.compile(r"'([^']{8,})'")


def _short(exc: Exception) -> str:
    """The useful tail of a requests/urllib3 error (they nest three deep), without the
    quotes and brackets of the reprs it is made of."""
    text = str(exc)
    match = _CAUSE.search(text)
    if match:
        text = match.group("inner")
        if "): " in text:  # "HTTPConnection(host='h', port=1): reason"
            text = text.split("): ", 1)[1]
        text = text.removeprefix(_CONNECT)
    elif "(Caused by " in text or text.startswith("("):
        # Deeper nesting (TLS errors), or a tuple ("('Connection aborted.', RemoteDisconnected
        # ('Remote end closed connection without response'))"): the last quoted reason.
        quoted = _QUOTED.findall(text.split("(Caused by ", 1)[-1])
        text = quoted[-1] if quoted else text
    text = text.strip().strip("'\"").strip()
    return text[:300] or exc.__class__.__name__
