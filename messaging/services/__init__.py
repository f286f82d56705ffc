"""The verbs of messaging: the only code that writes messages, conversations and their
events. One module per family, each named for what it does:

- ``sending``: ``send`` (one 1:1 message, the single insert helper); ``groups``:
  ``send_group`` and ``send_to`` (a number, an Apple ID or a group, with attachments);
  ``enqueue``: ``enqueue_many`` (a fan-out chunk) and the claim's ``attach_conversations``;
- ``transitions``: every status change (``apply_steps``; ``record_transition`` is one step);
- ``reports``: what the network reports (``apply_report``, ``receive_inbound``);
- ``deadletters``: retry and discard dead letters; ``reading``: read receipts (a thread
  opened in the inbox, ``POST /api/mark-read``) and the account's setting for them;
- ``handles``: which service an address can receive, typing indicators;
- ``scheduled``: cancel a scheduled send, and the opt-out check at its send time;
- ``retention``: redact or delete messages (data retention, ``DELETE`` of one message);
- ``line_settings``: a line's name, limits and whether it is active (the console);
- ``health``: a line's health and its events; ``failover``: moving contacts off a line that
  stayed unhealthy past the account's delay.

The names below are the ones other apps and the views call.
"""
from ..lines import BadLine, add_line, resolve_from_line
from ..queue.wake import wake_dispatcher
from ..status import is_scheduled
from .deadletters import discard_dead_letter, retry_dead_letter
from .groups import find_group, modify_group, rename_group, send_group, send_to, set_group_photo
from .line_settings import set_line_active, update_line
from .reactions import send_reaction
from .reading import mark_read, mark_read_on_open, send_read_receipt, set_mark_read_on_open
from .reports import apply_report, receive_inbound, simulate_inbound
from .retention import delete_message
from .scheduled import cancel_scheduled
from .sending import direct_conversation, is_opted_out, send
from .transitions import record_transition

__all__ = [
    "BadLine", "add_line", "apply_report", "cancel_scheduled", "delete_message", "direct_conversation", "discard_dead_letter",
    "find_group", "is_opted_out", "is_scheduled", "mark_read", "modify_group", "receive_inbound",
    "record_transition", "rename_group", "resolve_from_line", "retry_dead_letter", "send", "send_group",
    "send_reaction", "send_read_receipt", "send_to", "set_group_photo", "set_mark_read_on_open",
    "mark_read_on_open", "set_line_active", "simulate_inbound", "update_line", "wake_dispatcher",
]
