"""A fake BlueBubbles server on pytest-httpserver, following the documented REST API v1.

Every answer is the server's envelope ``{status, message, data}`` (errors add
``error: {type, message}``); the password is the ``password`` query parameter (``guid`` and
``token`` are accepted too, as the server does). Messages are serialized as the server's
MessageSerializer does (guid, text, handle{address, service}, isFromMe, dateCreated,
dateDelivered, dateRead, error, chats[{guid, style, chatIdentifier, participants}]).

Webhooks are posted as ``{"type": ..., "data": ...}`` to every registered URL whose events
match. Posts caused by a request (a send's ``new-message``) go from a background thread, as
the real server does not await them; posts caused by the test (``deliver``, ``read``,
``receive``) are made before the call returns, so tests need no waiting.

Where the real server (packages/server/src/server/api/http/api/v1/ in bluebubbles-server)
answers in a way a client could get wrong, the fake answers the same way:

- ``POST message/query`` naming a chat that does not exist returns without a body, so Koa
  answers **404 with the plain-text body "Not Found"**, not the JSON envelope;
- the ``tempGuid`` of a send is refused ("already queued") only while that send is in flight
  (the server's send cache); once it has finished, a second POST with it sends again;
- ``chat/new`` with AppleScript and more than one address is refused on macOS 11 (Big Sur) or
  newer, with the server's 500 "Cannot create group chats on macOS Big Sur or newer!";
- with ``macos26=True`` the Mac files every chat under an ``any;-;<address>`` (``any;+;...``
  for groups) GUID, whatever service the send named; sends to ``any;`` GUIDs are accepted on
  every version.
"""
from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable

import requests
from werkzeug import Request, Response

AUTH = "Authentication Error"
VALIDATION = "Validation Error"
IMESSAGE = "iMessage Error"
SERVER = "Server Error"
DATABASE = "Database Error"


#: (method, path pattern under /api/v1/, handler) of every endpoint the fake serves.
ROUTES: list[tuple[str, re.Pattern, Callable]] = []


def route(method: str, pattern: str):
    """Serve the decorated method at ``method`` + ``pattern`` (a regex of the path under
    /api/v1/; its named groups become keyword arguments)."""
    def register(view: Callable) -> Callable:
        ROUTES.append((method, re.compile(pattern), view))
        return view
    return register


#: MessageInterface.possibleReactions: a tapback, or with "-" the removal of one.
TAPBACKS = ("love", "like", "dislike", "laugh", "emphasize", "question")
REACTIONS = [*TAPBACKS, *(f"-{k}" for k in TAPBACKS)]


def _whole(value) -> bool:
    """The validator's ``numeric|min:0``."""
    try:
        return float(value) >= 0
    except (TypeError, ValueError):
        return False


def now_ms() -> int:
    return int(time.time() * 1000)


class FakeBlueBubbles:
    def __init__(self, httpserver, *, password: str = "hunter2", private_api: bool = False,
                 macos26: bool = False):
        self.httpserver = httpserver
        #: macOS 26 (Tahoe): chats are filed under ``any;-;`` / ``any;+;`` GUIDs.
        self.macos26 = macos26
        self.password = password
        self.private_api = private_api
        #: The Private API helper inside Messages.app (it drops when Messages.app restarts).
        self.helper_connected = private_api
        self.messages: dict[str, dict] = {}
        self.chats: dict[str, dict] = {}
        self.webhooks: list[dict] = []
        self.calls: list[tuple[str, str, dict]] = []  # (method, path, body or form)
        self.uploads: list[dict] = []
        self.typing: list[str] = []
        #: Bodies of the tapbacks sent (message/react) and the chats marked read.
        self.reactions: list[dict] = []
        self.read_chats: list[str] = []
        self.files: dict[str, tuple[str, bytes, str]] = {}  # attachment guid -> (name, bytes, mime)
        #: Addresses Apple says are not on iMessage (send answers error 22).
        self.not_imessage: set[str] = set()
        #: While true, sends are taken but not finished: Messages.app is still busy, our
        #: client's proxy gives up (504) and the tempGuid stays queued on the server.
        self.hold_sends = False
        self.held: list[dict] = []
        #: The server's send cache: the tempGuids of the sends still in flight.
        self.in_flight: set[str] = set()
        #: How many of the next chat/new answers are lost after the work is done (504).
        self.lose_answers = 0
        #: While true, the tunnel in front of the Mac answers 502 (the Mac is off).
        self.gateway_down = False
        #: While true, the server answers 500 with an error quoting the request's URL
        #: (password included), as an internal error's message may.
        self.crashing = False
        #: While true, webhooks are lost (BlueBubbles never retries them).
        self.drop_webhooks = False
        #: Webhook posts that found nobody listening (our web down): (url, type), not retried.
        self.undelivered: list[tuple[str, str]] = []
        #: While true, Messages.app is signed out of iMessage: the server detects no account
        #: and Apple answers no address as available.
        self.signed_out = False
        #: While true, message/query fails with the server's 500 (its database is busy).
        self.broken_queries = False
        self._ids = itertools.count(1)
        self._threads: list[threading.Thread] = []
        httpserver.expect_request(re.compile(r"^/api/v1/.*")).respond_with_handler(self.handle)

    @property
    def url(self) -> str:
        return self.httpserver.url_for("").rstrip("/")

    # --- HTTP ----------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if self.gateway_down:
            self.calls.append((request.method, request.path, {"gateway": "down"}))
            return Response("502 Bad Gateway", status=502, content_type="text/html")
        if self.crashing:
            self.calls.append((request.method, request.path, {"crashing": True}))
            return self._error(500, "Internal Server Error", DATABASE, f"Cannot handle {request.url}")
        token = request.args.get("guid") or request.args.get("password") or request.args.get("token")
        if not token:
            return self._error(401, "You are not authorized to access this resource", AUTH, "Missing server password!")
        if token.strip() != self.password:
            return self._error(401, "You are not authorized to access this resource", AUTH, "You are not authorized!")
        path = request.path[len("/api/v1/"):]
        body = request.get_json(silent=True) or {}
        self.calls.append((request.method, path, body or dict(request.form)))
        for method, pattern, view in ROUTES:
            match = pattern.fullmatch(path)
            if match and request.method == method:
                return view(self, request, body, **match.groupdict())
        return self._error(404, "The requested resource was not found", DATABASE, "Route not found")

    def _ok(self, data=None, message: str = "Success", **extra) -> Response:
        body = {"status": 200, "message": message, **extra}
        if data is not None:
            body["data"] = data
        return Response(json.dumps(body), status=200, content_type="application/json")

    def _error(self, status: int, message: str, kind: str, error: str, data=None) -> Response:
        body = {"status": status, "message": message, "error": {"type": kind, "message": error}}
        if data is not None:
            body["data"] = data
        return Response(json.dumps(body), status=status, content_type="application/json")

    @route("GET", r"server/info")
    def server_info(self, request, body):
        return self._ok({
            "computer_id": "FAKE-MAC", "os_version": "14.5", "server_version": "1.9.9",
            "private_api": self.private_api, "helper_connected": self.helper_connected,
            "proxy_service": "Cloudflare", "detected_icloud": "line@icloud.com",
            "detected_imessage": "" if self.signed_out else "line@icloud.com",
        })

    def _validate_send(self, fields: dict, *, text: bool) -> Response | None:
        temp, method = fields.get("tempGuid"), fields.get("method") or "apple-script"
        if not fields.get("chatGuid"):
            return self._error(400, "You've made a bad request!", VALIDATION, "The chatGuid field is required.")
        if method not in ("apple-script", "private-api"):
            return self._error(400, "You've made a bad request!", VALIDATION, "The selected method is invalid.")
        if fields.get("effectId") or fields.get("subject") or fields.get("selectedMessageGuid"):
            method = "private-api"  # the server's validator implies it for these fields
        if fields.get("partIndex") is not None and not _whole(fields["partIndex"]):
            return self._error(400, "You've made a bad request!", VALIDATION, "The partIndex must be at least 0.")
        if method == "apple-script" and not temp:
            return self._error(400, "You've made a bad request!", VALIDATION,
                               "A 'tempGuid' is required when sending via AppleScript")
        if text and method == "apple-script" and not fields.get("message"):
            return self._error(400, "You've made a bad request!", VALIDATION,
                               "A 'message' is required when sending via AppleScript")
        if temp in self.in_flight:
            return self._error(400, "You've made a bad request!", VALIDATION,
                               f"Message is already queued to be sent! (Temp GUID: {temp})")
        if method == "private-api" and not self.private_api:
            return self._error(500, "Message Send Error", IMESSAGE, "iMessage Private API is not enabled!")
        return None

    @route("POST", r"message/text")
    def send_text(self, request, body):
        refused = self._validate_send(body, text=True)
        if refused:
            return refused
        return self._deliver_send(body, text=body.get("message") or "")

    @route("POST", r"message/attachment")
    def send_attachment(self, request, body):
        fields = dict(request.form)
        refused = self._validate_send(fields, text=False)
        if refused:
            return refused
        upload = request.files.get("attachment")
        if not fields.get("name"):
            return self._error(400, "You've made a bad request!", VALIDATION, "The name field is required.")
        content = upload.read() if upload else b""
        if not content:
            return self._error(400, "You've made a bad request!", VALIDATION, "Attachment not provided or was empty!")
        self.uploads.append({"name": fields["name"], "bytes": content, "mimeType": upload.mimetype,
                             "chatGuid": fields["chatGuid"], "tempGuid": fields.get("tempGuid")})
        attachment = {"guid": f"ATT-{uuid.uuid4()}", "transferName": fields["name"],
                      "totalBytes": len(content), "mimeType": upload.mimetype}
        return self._deliver_send(fields, text="", attachments=[attachment])

    def _deliver_send(self, fields: dict, *, text: str, attachments=()) -> Response:
        chat_guid = fields["chatGuid"]
        address = chat_guid.split(";-;", 1)[1] if ";-;" in chat_guid else ""
        if not chat_guid.startswith("SMS;") and address in self.not_imessage:
            failed = self._message(chat_guid, text, from_me=True, error=22)
            return self._error(500, "Message Send Error", IMESSAGE,
                               "Failed to send message! See attached message error code.", data=failed)
        if self.hold_sends:  # the send stays in the send cache until finish_held
            self.in_flight.add(fields.get("tempGuid"))
            self.held.append({"chat": chat_guid, "text": text, "tempGuid": fields.get("tempGuid"),
                              "attachments": list(attachments)})
            return Response("upstream timed out", status=504, content_type="text/plain")
        message = self._message(chat_guid, text, from_me=True, attachments=attachments,
                                reply_to=fields.get("selectedMessageGuid") or "")
        self._post_async("new-message", message)
        return self._ok({**message, "tempGuid": fields.get("tempGuid")}, "Message sent!")

    @route("POST", r"message/query")
    def query(self, request, body):
        if self.broken_queries:
            return self._error(500, "Database Error", DATABASE, "SQLITE_BUSY: database is locked")
        if body.get("chatGuid") and body["chatGuid"] not in self.chats:
            # The server returns a Success it never sends: Koa's bare 404.
            return Response("Not Found", status=404, content_type="text/plain; charset=utf-8")
        rows = [m for m in self.messages.values() if m["dateCreated"] >= int(body.get("after") or 0)]
        if body.get("chatGuid"):
            rows = [m for m in rows if any(c["guid"] == body["chatGuid"] for c in m["chats"])]
        rows.sort(key=lambda m: m["dateCreated"], reverse=body.get("sort") == "DESC")
        limit = int(body.get("limit") or 100)
        return self._ok(rows[:limit], "Successfully fetched messages!",
                        metadata={"offset": 0, "limit": limit, "total": len(rows), "count": len(rows[:limit])})

    @route("GET", r"message/(?P<guid>[^/]+)")
    def find_message(self, request, body, guid):
        if guid not in self.messages:
            return self._error(404, "The requested resource was not found", DATABASE, "Message does not exist!")
        return self._ok(self.messages[guid])

    @route("POST", r"chat/new")
    def new_chat(self, request, body):
        addresses = body.get("addresses")
        if not isinstance(addresses, list) or not addresses:
            return self._error(400, "You've made a bad request!", VALIDATION, "The addresses field is required.")
        service = body.get("service") or "iMessage"
        method = body.get("method") or "apple-script"
        if method == "apple-script" and len(addresses) > 1:
            return self._error(500, "An unhandled error has occurred!", SERVER,
                               "Cannot create group chats on macOS Big Sur or newer!")
        if not body.get("message"):
            return self._error(500, "An unhandled error has occurred!", SERVER,
                               "A message is required when creating chats on macOS Big Sur or newer!")
        if method == "private-api" and not self.private_api:
            return self._error(500, "iMessage Private API is not enabled!", IMESSAGE, "Private API is not enabled")
        if len(addresses) == 1 and service != "SMS" and addresses[0] in self.not_imessage:
            failed = self._message(f"{service};-;{addresses[0]}", body["message"], from_me=True, error=22)
            return self._error(500, "Message Send Error", IMESSAGE,
                               "Failed to send message! See attached message error code.", data=failed)
        guid = self._filed(f"{service};+;chat{next(self._ids)}" if len(addresses) > 1 else f"{service};-;{addresses[0]}")
        self.chats[guid] = {"guid": guid, "style": 43 if len(addresses) > 1 else 45, "chatIdentifier": guid.split(";")[-1],
                            "participants": [{"address": a, "service": service} for a in addresses]}
        sent = []
        if body.get("message"):
            message = self._message(guid, body["message"], from_me=True, service=service)
            self._post_async("new-message", message)
            sent.append({**message, "tempGuid": body.get("tempGuid")})
        if self.lose_answers:
            self.lose_answers -= 1
            return Response("upstream timed out", status=504, content_type="text/plain")
        return self._ok({**self.chats[guid], "messages": sent}, "Successfully created chat!")

    @route("POST", r"chat/query")
    def query_chats(self, request, body):
        with_participants = "participants" in (body.get("with") or [])
        chats = [{k: v for k, v in c.items() if with_participants or k != "participants"} for c in self.chats.values()]
        limit = int(body.get("limit") or 1000)
        return self._ok(chats[:limit], metadata={"count": len(chats[:limit]), "total": len(chats),
                                                  "offset": 0, "limit": limit})

    @route("POST", r"chat/(?P<guid>[^/]+)/typing")
    def start_typing(self, request, body, guid):
        if not self.private_api:
            return self._error(500, "iMessage Private API is not enabled!", IMESSAGE, "Private API is not enabled")
        self.typing.append(guid)
        return self._ok(message="Successfully started typing!")

    def _private_api_refused(self) -> Response | None:
        """The server's PrivateApiMiddleware, in front of react, chat update, participants,
        read and typing."""
        if not self.private_api:
            return self._error(500, "iMessage Private API is not enabled!", IMESSAGE, "Private API is not enabled")
        return None

    @route("POST", r"message/react")
    def react(self, request, body):
        refused = self._private_api_refused()
        if refused:
            return refused
        problems = [f"The {name} field is required." for name in ("chatGuid", "selectedMessageGuid", "reaction")
                    if not isinstance(body.get(name), str) or not body.get(name)]
        if not problems and body["reaction"] not in REACTIONS:
            problems.append("The selected reaction is invalid.")
        if body.get("partIndex") is not None and not _whole(body["partIndex"]):
            problems.append("The partIndex must be at least 0.")
        if problems:
            return self._error(400, "You've made a bad request!", VALIDATION, " ".join(problems))
        if self._filed(body["chatGuid"]) not in self.chats:
            return self._error(404, "The requested resource was not found", DATABASE, "Chat does not exist!")
        target = self.messages.get(body["selectedMessageGuid"])
        if target is None:
            return self._error(400, "You've made a bad request!", VALIDATION, "Selected message does not exist!")
        tapback = self._tapback(body["chatGuid"], target, body["reaction"], int(body.get("partIndex") or 0),
                                from_me=True)
        self.reactions.append(body)
        self._post_async("new-message", tapback)
        return self._ok(tapback, "Reaction sent!")

    @route("PUT", r"chat/(?P<guid>[^/]+)")
    def update_chat(self, request, body, guid):
        refused = self._private_api_refused()
        if refused:
            return refused
        name = body.get("displayName")
        if name is not None and (not isinstance(name, str) or not name):
            return self._error(400, "You've made a bad request!", VALIDATION,
                               "The displayName must be at least 1 characters.")
        chat = self.chats.get(guid)
        if chat is None:
            return self._error(404, "The requested resource was not found", DATABASE, "Chat does not exist!")
        if not name:
            return self._ok(chat, "Chat not updated! No update information provided!")
        if len(chat["participants"]) <= 1:
            return self._error(500, "Cannot rename a non-group chat!", IMESSAGE, "Chat is not a group")
        chat["displayName"] = name
        return self._ok(chat, "Successfully updated the following fields: displayName")

    @route("POST", r"chat/(?P<guid>[^/]+)/participant/(?P<action>add|remove)")
    def toggle_participant(self, request, body, guid, action):
        refused = self._private_api_refused()
        if refused:
            return refused
        if not isinstance(body.get("address"), str) or not body["address"]:
            return self._error(400, "You've made a bad request!", VALIDATION, "The address field is required.")
        chat = self.chats.get(guid)
        if chat is None:
            return self._error(404, "The requested resource was not found", DATABASE, "Chat does not exist!")
        others = [p for p in chat["participants"] if p["address"] != body["address"]]
        chat["participants"] = others + [{"address": body["address"]}] if action == "add" else others
        return self._ok(chat)

    @route("POST", r"chat/(?P<guid>[^/]+)/read")
    def mark_read(self, request, body, guid):
        refused = self._private_api_refused()
        if refused:
            return refused
        self.read_chats.append(guid)
        return self._ok(message="Successfully marked chat as read!")

    @route("GET", r"handle/availability/imessage")
    def availability(self, request, body):
        if not self.private_api:
            return self._error(500, "iMessage Private API is not enabled!", IMESSAGE, "Private API is not enabled")
        address = request.args.get("address")
        return self._ok({"available": not self.signed_out and address not in self.not_imessage})

    @route("GET", r"attachment/(?P<guid>[^/]+)/download")
    def download(self, request, body, guid):
        if guid not in self.files:
            return self._error(404, "The requested resource was not found", DATABASE, "Attachment does not exist!")
        name, content, mime = self.files[guid]
        return Response(content, status=200, content_type=mime,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @route("GET", r"webhook")
    def list_webhooks(self, request, body):
        return self._ok(self.webhooks, "Successfully fetched webhooks!")

    @route("POST", r"webhook")
    def add_webhook(self, request, body):
        url, events = body.get("url") or "", body.get("events")
        if not url.startswith("http") or not isinstance(events, list):
            return self._error(400, "You've made a bad request!", VALIDATION, "Webhook URL must include an HTTP scheme!")
        hook = {"id": next(self._ids), "url": url, "events": events}
        self.webhooks.append(hook)
        return self._ok(hook, "Successfully created webhook!")

    @route("DELETE", r"webhook/(?P<id>\d+)")
    def delete_webhook(self, request, body, id):
        self.webhooks = [h for h in self.webhooks if h["id"] != int(id)]
        return self._ok(message="Successfully deleted webhook!")

    # --- the Mac's side: what tests make happen ------------------------------------------

    def _filed(self, chat_guid: str) -> str:
        """The GUID the Mac files a chat under: on macOS 26 ``any;-;...``, else as named."""
        if not self.macos26 or chat_guid.startswith("any;"):
            return chat_guid
        return "any;" + chat_guid.split(";", 1)[1]

    def _chat(self, chat_guid: str) -> dict:
        chat_guid = self._filed(chat_guid)
        if chat_guid not in self.chats:
            address = chat_guid.split(";", 2)[-1]
            self.chats[chat_guid] = {"guid": chat_guid, "style": 43 if ";+;" in chat_guid else 45,
                                     "chatIdentifier": address, "participants": [{"address": address}]}
        return self.chats[chat_guid]

    def _message(self, chat_guid: str, text: str, *, from_me: bool, sender: str = "", error: int = 0,
                 attachments=(), service: str = "", reply_to: str = "") -> dict:
        chat = self._chat(chat_guid)
        address = sender or (chat_guid.split(";-;", 1)[1] if ";-;" in chat_guid else "")
        service = service or chat_guid.split(";", 1)[0]
        message = {
            "originalROWID": next(self._ids), "guid": str(uuid.uuid4()).upper(), "text": text,
            "handle": {"address": address, "service": "iMessage" if service == "any" else service} if address else None,
            "isFromMe": from_me, "error": error, "dateCreated": now_ms(), "dateDelivered": None, "dateRead": None,
            "itemType": 0, "associatedMessageGuid": None, "associatedMessageType": None,
            "threadOriginatorGuid": reply_to or None, "threadOriginatorPart": "0:0:0" if reply_to else None,
            "attachments": list(attachments),
            "chats": [{k: chat[k] for k in ("guid", "style", "chatIdentifier", "participants")}],
        }
        if not error:
            self.messages[message["guid"]] = message
        return message

    def finish_held(self) -> list[dict]:
        """Messages.app finishes what it was sending: the messages exist, webhooks go out."""
        done = []
        for held in self.held:
            message = self._message(held["chat"], held["text"], from_me=True, attachments=held["attachments"])
            self.in_flight.discard(held["tempGuid"])
            self.post("new-message", message)
            done.append(message)
        self.held = []
        return done

    def deliver(self, guid: str) -> dict:
        self.messages[guid]["dateDelivered"] = now_ms()
        self.post("updated-message", self.messages[guid])
        return self.messages[guid]

    def read(self, guid: str) -> dict:
        message = self.messages[guid]
        message["dateDelivered"] = message["dateDelivered"] or now_ms()
        message["dateRead"] = now_ms()
        self.post("updated-message", message)
        return message

    def receive(self, sender: str, text: str, *, service: str = "iMessage", chat_guid: str = "",
                files: tuple[tuple[str, bytes, str], ...] = (), reply_to: str = "") -> dict:
        """A message from ``sender`` arrives on the Mac; ``files`` are (name, bytes, mime)."""
        attachments = []
        for name, content, mime in files:
            guid = f"ATT-{uuid.uuid4()}"
            self.files[guid] = (name, content, mime)
            attachments.append({"guid": guid, "transferName": name, "mimeType": mime, "totalBytes": len(content)})
        message = self._message(chat_guid or f"{service};-;{sender}", text, from_me=False, sender=sender,
                                attachments=attachments, reply_to=reply_to)
        message["handle"] = {"address": sender, "service": service}
        self.post("new-message", message)
        return message

    def _tapback(self, chat_guid: str, target: dict, reaction: str, part_index: int, *, from_me: bool,
                 sender: str = "") -> dict:
        message = self._message(chat_guid, f"{reaction.lstrip('-').capitalize()}d “{target['text']}”",
                                from_me=from_me, sender=sender)
        message.update(associatedMessageGuid=f"p:{part_index}/{target['guid']}", associatedMessageType=reaction)
        return message

    def react_from(self, sender: str, guid: str, reaction: str = "love", *, part_index: int = 0) -> dict:
        """``sender`` taps back on message ``guid`` (``-love`` takes a love back)."""
        target = self.messages[guid]
        tapback = self._tapback(target["chats"][0]["guid"], target, reaction, part_index, from_me=False, sender=sender)
        tapback["handle"] = {"address": sender, "service": "iMessage"}
        self.post("new-message", tapback)
        return tapback

    def fail(self, guid: str, code: int = 4) -> dict:
        message = self.messages[guid]
        message["error"] = code
        self.post("message-send-error", message)
        return message

    def sent_texts(self) -> list[dict]:
        return [body for method, path, body in self.calls if (method, path) == ("POST", "message/text")]

    # --- webhooks ------------------------------------------------------------------------

    def post(self, event_type: str, data: dict) -> None:
        if self.drop_webhooks:
            return
        for hook in self.webhooks:
            if "*" in hook["events"] or event_type in hook["events"]:
                try:
                    requests.post(hook["url"], json={"type": event_type, "data": data}, timeout=15)
                except requests.ConnectionError:  # logged by the server, never retried
                    self.undelivered.append((hook["url"], event_type))

    def _post_async(self, event_type: str, data: dict) -> None:
        thread = threading.Thread(target=self.post, args=(event_type, dict(data)), daemon=True)
        self._threads.append(thread)
        thread.start()

    def flush(self) -> None:
        for thread in self._threads:
            thread.join(15)
        self._threads = []
