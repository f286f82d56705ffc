"""The sending half of the BlueBubbles provider: which chat a message goes to, its text,
effect and attachments, new chats, and the checks that make a retry send nothing twice."""
from __future__ import annotations

import logging

from django.db import models

from ...choices import SendStyle, Service
from ..base import PermanentProviderError, SendResult, TransientProviderError, host
from .client import BlueBubblesAPIError, BlueBubblesClient, NoSuchChat
from .events import NOT_ON_IMESSAGE, SEND_ERRORS, chat_service
from .media import fetch_media, media_urls
from .state import remember_group

logger = logging.getLogger(__name__)

#: How far back a retry looks for a copy of the message that did go out.
ALREADY_SENT_WINDOW_MS = 15 * 60 * 1000


class SendMethod(models.TextChoices):
    APPLE_SCRIPT = "apple-script", "AppleScript (works everywhere; no effects, no typing)"
    PRIVATE_API = "private-api", "Private API (effects, typing, iMessage lookup; needs the helper)"


#: Our send_style -> Apple's expressive send id (BlueBubbles ``effectId``).
EFFECT_IDS: dict[str, str] = {
    SendStyle.SLAM: "com.apple.MobileSMS.expressivesend.impact",
    SendStyle.LOUD: "com.apple.MobileSMS.expressivesend.loud",
    SendStyle.GENTLE: "com.apple.MobileSMS.expressivesend.gentle",
    SendStyle.INVISIBLE: "com.apple.MobileSMS.expressivesend.invisibleink",
    SendStyle.ECHO: "com.apple.messages.effect.CKEchoEffect",
    SendStyle.SPOTLIGHT: "com.apple.messages.effect.CKSpotlightEffect",
    SendStyle.BALLOONS: "com.apple.messages.effect.CKHappyBirthdayEffect",
    SendStyle.CONFETTI: "com.apple.messages.effect.CKConfettiEffect",
    SendStyle.LOVE: "com.apple.messages.effect.CKHeartEffect",
    SendStyle.LASERS: "com.apple.messages.effect.CKLasersEffect",
    SendStyle.FIREWORKS: "com.apple.messages.effect.CKFireworksEffect",
    SendStyle.SHOOTING_STAR: "com.apple.messages.effect.CKShootingStarEffect",
    SendStyle.CELEBRATION: "com.apple.messages.effect.CKSparklesEffect",
}


class SendingMixin:
    """Needs ``self.line``, ``self.settings`` and ``self.method`` (the provider has them).

    The rule that makes a retry safe: BlueBubbles refuses our tempGuid only while that send
    is in flight; once it has finished, the same tempGuid sends again. So a message whose
    answer was lost (attempts > 1 or a last_error) is looked up on the server before any part
    of it is posted again, and if the server cannot say, nothing is posted (the dispatcher
    retries later).
    """

    def _send_direct(self, client: BlueBubblesClient, message, address: str, service: str,
                     *, downgraded: bool = False) -> SendResult:
        forms = chat_guids(address, service)
        # The SMS after Messages.app said "not on iMessage" (now, or by a later webhook).
        downgraded = downgraded or (service == Service.SMS and message.service == Service.IMESSAGE)
        try:
            try:
                guid = self._send_parts(client, message, forms, look=downgraded or _retrying(message))
            except NoChatYet:
                if not downgraded:
                    # A retry: our first attempt may still be in flight (the Mac writes the
                    # chat when it is done), and only message/text's tempGuid check knows.
                    guid = self._send_parts(client, message, forms, look=False)
                else:
                    # The first SMS to this number: no chat under any form, nothing of ours
                    # in flight (the iMessage attempt ended in error 22). BlueBubbles starts
                    # a chat with chat/new, which sends the text with it.
                    guid = self._start_chat(client, message, [address], service)
        except BlueBubblesAPIError as exc:
            if _error_code(exc) == NOT_ON_IMESSAGE and service != Service.SMS:
                # Not on iMessage: remember it, and go out as SMS through the paired iPhone.
                host().remember_service(self.line, address, Service.SMS)
                return self._send_direct(client, message, address, Service.SMS, downgraded=True)
            if _chat_missing(exc):
                guid = self._start_chat(client, message, [address], service)
            else:
                raise _as_provider_error(exc) from exc
        return SendResult(provider_message_id=guid, service=service, was_downgraded=service == Service.SMS)

    def _send_group(self, client: BlueBubblesClient, message, conversation) -> SendResult:
        chat_guid = group_chat_guid(self.settings, conversation)
        try:
            retrying = _retrying(message)
            if not chat_guid and retrying:
                # chat/new may have worked before our answer was lost: find that chat first.
                chat_guid = self._find_group(client, conversation)
            if chat_guid:
                try:
                    guid = self._send_parts(client, message, [chat_guid], look=retrying)
                except NoChatYet:  # nothing can have gone to a chat that does not exist
                    guid = self._send_parts(client, message, [chat_guid], look=False)
            else:
                others = [p for p in conversation.participants if p != self.line.number]
                guid = self._start_chat(client, message, others, Service.IMESSAGE, group=conversation.group_id)
        except BlueBubblesAPIError as exc:
            if _no_group_with_applescript(exc):
                raise PermanentProviderError(NO_GROUP_WITH_APPLESCRIPT) from exc
            raise _as_provider_error(exc) from exc
        return SendResult(provider_message_id=guid, service=chat_service(chat_guid or "iMessage"))

    def _find_group(self, client: BlueBubblesClient, conversation) -> str:
        """The server's group chat with exactly this conversation's participants, or ""."""
        wanted = {p for p in conversation.participants if p != self.line.number}
        for chat in client.query_chats({"with": ["participants"], "sort": "lastmessage", "limit": 100}):
            members = {p.get("address") for p in chat.get("participants") or []}
            if ";+;" in (chat.get("guid") or "") and members == wanted:
                remember_group(self.line, conversation.group_id, chat["guid"])
                return chat["guid"]
        return ""

    def _send_parts(self, client: BlueBubblesClient, message, forms: list[str], *, look: bool) -> str:
        """Text then media to ``forms[0]``. With ``look`` (a retry, or the SMS after a failed
        iMessage) the chat's recent messages are read first, under every GUID form the Mac
        may file it under, and a part found there is not posted again; NoChatYet when the
        Mac has no such chat. The media is fetched first, so a file we cannot send fails the
        message before any part goes."""
        handle = str(message.handle)
        chat_guid = forms[0]
        files = [fetch_media(url) for url in media_urls(message)]
        sent = self._sent_rows(client, forms, message) if look else []
        guid = ""
        if message.content:
            guid = _find_text(sent, message.content) or self._post_text(client, chat_guid, message, handle)
        for i, file in enumerate(files):
            temp = handle if (i == 0 and not message.content) else f"{handle}-media{i}"
            guid = _find_file(sent, file[0]) or self._post_media(client, chat_guid, file, temp) or guid
        return guid

    def _post_text(self, client: BlueBubblesClient, chat_guid: str, message, temp_guid: str) -> str:
        payload = {"chatGuid": chat_guid, "tempGuid": temp_guid, "message": message.content, "method": self.method}
        if message.send_style and self.method == SendMethod.PRIVATE_API:
            payload["effectId"] = EFFECT_IDS[message.send_style]
        elif message.send_style:
            logger.info("send_style %s needs the Private API; sent without effect", message.send_style)
        payload.update(self._reply_fields(message))
        try:
            data = client.send_text(payload)
        except BlueBubblesAPIError as exc:
            if _already_queued(exc):
                return ""  # our earlier attempt is still in flight: it is sent, the webhook brings its guid
            raise
        return data.get("guid", "")

    def _reply_fields(self, message) -> dict:
        """An inline reply (``reply_to``) quotes the message it answers by its guid, first
        part; only the Private API can (AppleScript sends it as a plain message)."""
        answered = message.reply_to if message.reply_to_id else None
        if answered is None:
            return {}
        if self.method != SendMethod.PRIVATE_API or not answered.provider_message_id:
            logger.info("reply to %s sent as a plain message (needs the Private API and the answered "
                        "message's guid)", answered.handle)
            return {}
        return {"selectedMessageGuid": answered.provider_message_id, "partIndex": 0}

    def _post_media(self, client: BlueBubblesClient, chat_guid: str, file: tuple[str, bytes, str], temp_guid: str) -> str:
        filename, content, content_type = file
        fields = {"chatGuid": chat_guid, "tempGuid": temp_guid, "name": filename, "method": self.method}
        try:
            data = client.send_attachment(fields, filename, content, content_type)
        except BlueBubblesAPIError as exc:
            if _already_queued(exc):
                return ""
            raise
        return data.get("guid", "")

    def _start_chat(self, client: BlueBubblesClient, message, addresses: list[str], service: str, group: str = "") -> str:
        """``POST /chat/new`` with the text, then any media; the guid of what it sent."""
        files = [fetch_media(url) for url in media_urls(message)]
        payload = {
            "addresses": addresses,
            "message": message.content,
            "method": self.method,
            "service": "SMS" if service == Service.SMS else "iMessage",
            "tempGuid": str(message.handle),
        }
        if message.send_style and self.method == SendMethod.PRIVATE_API:
            payload["effectId"] = EFFECT_IDS[message.send_style]
        chat = client.new_chat(payload)
        if group and chat.get("guid"):
            remember_group(self.line, group, chat["guid"])
        sent = chat.get("messages") or []
        guid = sent[0].get("guid", "") if sent else ""
        for i, file in enumerate(files if chat.get("guid") else []):
            guid = self._post_media(client, chat["guid"], file, f"{message.handle}-media{i}") or guid
        return guid

    def _sent_rows(self, client: BlueBubblesClient, forms: list[str], message) -> list[dict]:
        """Our messages on this chat since shortly before ``message`` was created (any GUID
        form of it); NoChatYet when the Mac has the chat under none of them. Any other
        failure is raised: without an answer we cannot know the message did not go out."""
        since = max(int(message.created_at.timestamp() * 1000) - ALREADY_SENT_WINDOW_MS, 0)
        rows, found = [], False
        for chat_guid in forms:
            try:
                rows += client.query_messages(
                    {"chatGuid": chat_guid, "after": since, "sort": "DESC", "limit": 50, "with": ["attachments"]}
                )
            except NoSuchChat:
                continue
            except BlueBubblesAPIError as exc:
                raise TransientProviderError(
                    f"Could not check whether an earlier attempt was sent ({exc.message}); "
                    "not sending again until the BlueBubbles server can say."
                ) from exc
            found = True
        if not found:
            raise NoChatYet(forms[0])
        return [r for r in rows if r.get("isFromMe") and not r.get("error")]


# --- helpers ------------------------------------------------------------------------------

class NoChatYet(Exception):
    """The Mac has no chat under any GUID form we asked: nothing can have been sent to it."""


#: Why a group cannot be started on an AppleScript line, and what to change.
NO_GROUP_WITH_APPLESCRIPT = (
    "BlueBubbles cannot start a group chat with AppleScript on macOS 11 (Big Sur) or newer "
    "(\"Cannot create group chats on macOS Big Sur or newer\"). Switch the line's send method to "
    "the Private API (enable it on the Mac: BlueBubbles > Settings > Private API), or start the "
    "group in Messages on the Mac first."
)


def group_chat_guid(settings: dict, conversation) -> str:
    """The server's chat guid of a group conversation: the one chat/new gave us (kept in
    the line's ``groups``), or the group id itself for a group that started on the Mac;
    "" while the Mac has no chat for it yet (its first message starts one)."""
    return (settings.get("groups") or {}).get(conversation.group_id) or (
        conversation.group_id if ";+;" in conversation.group_id else ""
    )


def chat_guids(address: str, service: str) -> list[str]:
    """The GUIDs a 1:1 chat may have, the one we send to first: ``iMessage;-;`` or ``SMS;-;``,
    then ``any;-;`` (macOS 26 files every chat under it)."""
    return [f"{'SMS' if service == Service.SMS else 'iMessage'};-;{address}", f"any;-;{address}"]


def _retrying(message) -> bool:
    return bool(message.attempts > 1 or message.last_error)


def _find_text(rows: list[dict], text: str) -> str:
    return next((r.get("guid", "") for r in rows if (r.get("text") or "") == text), "")


def _find_file(rows: list[dict], filename: str) -> str:
    return next((r.get("guid", "") for r in rows
                 if any(a.get("transferName") == filename for a in r.get("attachments") or [])), "")


def _no_group_with_applescript(exc: BlueBubblesAPIError) -> bool:
    return "cannot create group chats" in exc.message.lower()


def _error_code(exc: BlueBubblesAPIError) -> int:
    data = exc.data if isinstance(exc.data, dict) else {}
    try:
        return int(data.get("error") or 0)
    except (TypeError, ValueError):
        return 0


def _already_queued(exc: BlueBubblesAPIError) -> bool:
    return exc.status == 400 and "already queued" in exc.message.lower()


def _chat_missing(exc: BlueBubblesAPIError) -> bool:
    text = exc.message.lower()
    return exc.status == 404 or "chat does not exist" in text or "chat not found" in text


def _as_provider_error(exc: BlueBubblesAPIError) -> Exception:
    code = _error_code(exc)
    text = SEND_ERRORS.get(code, exc.message) if code else exc.message
    if exc.retryable and code != NOT_ON_IMESSAGE:
        return TransientProviderError(text)
    return PermanentProviderError(text)
