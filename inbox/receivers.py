"""What the inbox does when messaging reports something (connected in ``apps.py``)."""
from __future__ import annotations

from . import services
from .services.changes import WORKERS


def on_message_received(sender, message, **kwargs) -> None:
    """A customer's reply: reopen its conversation, assign it by the account's rule."""
    if message.conversation_id is not None:
        services.reply_received(message.account, message.conversation_id)


def on_person_deactivated(sender, account, membership, by=None, **kwargs) -> None:
    """A person was deactivated: nobody is left waiting on their conversations."""
    services.person_left(account, membership.user, by=by)


def on_role_changed(sender, account, membership, before, by=None, **kwargs) -> None:
    """A person's role dropped below agent: they work no conversation now, so theirs are
    handed on as when they leave."""
    if before in WORKERS and membership.role not in WORKERS:
        services.person_left(account, membership.user, by=by, reason="role_changed")
