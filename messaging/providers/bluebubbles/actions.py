"""What a BlueBubbles line does to a chat besides sending: tapbacks, group name and members,
read receipts. Each is one call of the server's Private API (its routes sit behind its
PrivateApiMiddleware), so an AppleScript line is told, without asking the Mac, to switch."""
from __future__ import annotations

from ...choices import MessageType, Service
from ..base import PermanentProviderError, UnsupportedByProvider, host
from .client import BlueBubblesAPIError, BlueBubblesClient
from .send import SendMethod, _as_provider_error, chat_guids, group_chat_guid


def needs_private_api(action: str) -> PermanentProviderError:
    return PermanentProviderError(
        f"{action} needs the BlueBubbles Private API; switch the line's send method to private-api "
        "(and enable the Private API on the Mac: BlueBubbles > Settings > Private API)."
    )


class NoChatOnMac(PermanentProviderError):
    """The group has no chat on the Mac yet: nothing was tried (answered 409)."""

    status_code = 409


class ChatActionsMixin:
    """Needs ``self.line``, ``self.settings``, ``self.method`` and ``self.client()``."""

    def react(self, message, kind: str, part_index: int = 0) -> None:
        """``POST /message/react`` on the chat the target message is in (the server's own
        answer for that guid: it knows under which GUID form the Mac filed the chat)."""
        if self.method != SendMethod.PRIVATE_API:
            raise needs_private_api("Sending a reaction (tapback)")
        if not message.provider_message_id:
            raise PermanentProviderError(
                "BlueBubbles has not reported this message's guid yet; react once it is sent."
            )
        with self._chat_client() as client:
            chat_guid = _filed_chat(client, message.provider_message_id) or self._conversation_chat(
                message.conversation)
            client.react({"chatGuid": chat_guid, "selectedMessageGuid": message.provider_message_id,
                          "reaction": kind, "partIndex": part_index})

    def rename_group(self, conversation, name: str) -> None:
        """``PUT /chat/{guid}`` with ``displayName``. The server cannot clear a name (it
        requires at least one character)."""
        if not name:
            raise UnsupportedByProvider("BlueBubbles cannot clear a group chat's name; give it a new one instead.")
        if self.method != SendMethod.PRIVATE_API:
            raise needs_private_api("Renaming a group chat")
        chat_guid = self._group_chat(conversation)
        with self._chat_client() as client:
            client.update_chat(chat_guid, {"displayName": name})

    def change_group(self, conversation, *, add: bool, address: str) -> None:
        """``POST /chat/{guid}/participant/add`` (or ``remove``) with ``address``."""
        if self.method != SendMethod.PRIVATE_API:
            raise needs_private_api("Adding or removing a group member")
        chat_guid = self._group_chat(conversation)
        with self._chat_client() as client:
            client.change_participant(chat_guid, "add" if add else "remove", address)

    def mark_read(self, conversation) -> bool:
        """``POST /chat/{guid}/read``: the customer sees "Read". Without the Private API (or
        before the Mac has the chat) there is nothing to mark, and staff opening a thread
        must not fail over it: it does nothing (False)."""
        if self.method != SendMethod.PRIVATE_API:
            return False
        latest = (conversation.messages.filter(is_outbound=False).exclude(provider_message_id="")
                  .order_by("-created_at").values_list("provider_message_id", flat=True).first())
        with self._chat_client() as client:
            # The chat the Mac filed the customer's last message under (any;-; on macOS 26).
            chat_guid = (_filed_chat(client, latest) if latest else "") or self._conversation_chat(conversation)
            if chat_guid:
                client.mark_read(chat_guid)
        return bool(chat_guid)

    # --- which chat -----------------------------------------------------------------------

    def _group_chat(self, conversation) -> str:
        chat_guid = group_chat_guid(self.settings, conversation)
        if not chat_guid:
            raise NoChatOnMac(
                "This group has no chat on the Mac yet (BlueBubbles starts it with the group's first "
                "message); send a message to the group first, then change it."
            )
        return chat_guid

    def _conversation_chat(self, conversation) -> str:
        if conversation is None:
            return ""
        if conversation.message_type == MessageType.GROUP:
            return group_chat_guid(self.settings, conversation)
        address = conversation.address
        return chat_guids(address, host().known_service(self.line, address) or Service.IMESSAGE)[0] if address else ""

    def _chat_client(self) -> _Calls:
        return _Calls(self.client())


def _filed_chat(client: BlueBubblesClient, guid: str) -> str:
    """The guid of the chat the server has message ``guid`` in, "" if it does not say."""
    chats = client.message(guid).get("chats") or []
    return chats[0].get("guid") or "" if chats else ""


class _Calls:
    """A client for one action: closed after it, its API errors as our provider errors."""

    def __init__(self, client: BlueBubblesClient):
        self.client = client

    def __enter__(self) -> BlueBubblesClient:
        return self.client

    def __exit__(self, kind, exc, tb) -> bool:
        self.client.close()
        if isinstance(exc, BlueBubblesAPIError):
            raise _as_provider_error(exc) from exc
        return False
