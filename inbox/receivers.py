"""What the inbox does when messaging reports something (connected in ``apps.py``)."""
from __future__ import annotations

from . import services


def on_message_received(sender, message, **kwargs) -> None:
    """A customer's reply: reopen its conversation, assign it by the account's rule."""
    if message.conversation_id is not None:
        services.reply_received(message.account, message.conversation_id)


def on_person_deactivated(sender, account, membership, by=None, **kwargs) -> None:
    """A person was deactivated: nobody is left waiting on their conversations."""
    services.person_left(account, membership.user, by=by)
