"""What the team inbox (the ``inbox`` app) adds to messaging's list and thread, asked
through ``outreach.panels`` so messaging imports none of it (contract: ``inbox/panels.py``):

- each row of the list carries ``inbox_row`` (state, assignee, labels) from the ``inbox-list``
  slot: two queries for the page, whatever its size;
- a thread carries the ``inbox-thread`` slot's context (work, labels, notes, canned replies,
  the controls' choices), and its internal notes join its messages in one timeline, in time
  order, each marked ``is_note`` (the template draws them apart; they are never sent).

Without the inbox app the rows carry no work and the thread no notes.
"""
from __future__ import annotations

import hashlib

from outreach import panels

from .models import Conversation, Message


def attach_work(account, rows: list[Conversation]) -> None:
    """Set ``conversation.inbox_row`` ({state, assignee, labels} or None) on a page of rows."""
    found = panels.context("inbox-list", account, rows).get("inbox_rows", {}) if rows else {}
    for conversation in rows:
        conversation.inbox_row = found.get(conversation.pk)


def work_version(conversation: Conversation) -> str:
    """What a row shows of its work, for the poll's fingerprints."""
    work = getattr(conversation, "inbox_row", None)
    if not work:
        return ""
    assignee = work["assignee"]
    labels = ",".join(str(label.pk) for label in work["labels"])
    return f"{work['state']}/{assignee.pk if assignee else ''}/{labels}"


def thread_extras(account, conversation: Conversation) -> dict:
    """The ``inbox-thread`` slot's context for this conversation (a constant number of queries)."""
    return panels.context("inbox-thread", account, conversation)


def timeline(messages: list[Message], notes: list, *, has_older: bool) -> list:
    """The messages and the notes written since the oldest message shown (all of them when
    the thread starts there), in time order."""
    if has_older and messages:
        notes = [n for n in notes if n.created_at >= messages[0].created_at]
    for note in notes:
        note.is_note = True
    return sorted([*messages, *notes], key=lambda item: item.created_at)


def notes_version(notes: list) -> str:
    h = hashlib.blake2b(digest_size=6)
    h.update(",".join(str(n.pk) for n in notes).encode())
    return h.hexdigest()
