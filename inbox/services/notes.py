"""Internal notes: written by staff on a conversation, read by staff, never sent."""
from __future__ import annotations

from django.db import transaction

from outreach.choices import AuditAction
from outreach.exceptions import InvalidInput

from ..models import Note
from ..policy import Actor, check_work
from . import events
from .work import conversations, lock_work

MAX_NOTE = 5000


@transaction.atomic
def add_note(account, conversation_id: int, body: str, *, actor: Actor) -> Note:
    body = (body or "").strip()
    if not body:
        raise InvalidInput("Write the note: it is empty.", field="body")
    if len(body) > MAX_NOTE:
        raise InvalidInput(f"A note is at most {MAX_NOTE:,} characters; this one has {len(body):,}.", field="body")
    conv = conversations(account, [conversation_id], actor, single=True)[conversation_id]
    check_work(actor, lock_work(account, [conversation_id])[conversation_id].assignee_id)
    note = Note.objects.create(account=account, conversation_id=conversation_id, author=actor.user,
                               author_label=actor.label, body=body)
    out = events.Outcome(account, actor)
    out.log(AuditAction.NOTE_ADDED, conv, {"note_id": note.pk, "length": len(body)})
    out.flush()
    return note


def notes_of(account, conversation_id: int, *, actor: Actor):
    conversations(account, [conversation_id], actor, single=True)
    return Note.objects.filter(account=account, conversation_id=conversation_id).select_related("author")
