"""The inbox's one writer. Every function takes the account and an ``inbox.policy.Actor``
(who acts, with their role) and refuses what the role does not allow."""
from .bulk import ACTIONS, Result, bulk
from .catalog import (
    canned_errors,
    delete_canned,
    delete_label,
    get_canned,
    get_label,
    label_errors,
    render,
    save_canned,
    save_label,
)
from .changes import UNSET, Change, parse
from .config import is_available, set_available, set_rule
from .notes import add_note, notes_of
from .routing import available_ids, next_assignee, person_left, reply_received, settings_of, wake_snoozed
from .verbs import assign, close, label, reopen, snooze, unlabel
from .work import MAX_BULK, apply

__all__ = [
    "ACTIONS", "MAX_BULK", "UNSET", "Change", "Result", "add_note", "apply", "assign", "bulk", "available_ids", "canned_errors", "close", "delete_canned",
    "delete_label", "get_canned", "get_label", "is_available", "label", "label_errors", "next_assignee", "notes_of", "parse",
    "person_left", "render", "reopen", "reply_received", "save_canned", "save_label", "set_available", "set_rule",
    "settings_of", "snooze", "unlabel", "wake_snoozed",
]
