"""Read-side queries of the console inbox: the conversation list and a thread.

Both issue a constant number of queries whatever the data size, and both walk an index:
the list ``conv_recent`` (account, -last_message_at), a thread ``msg_thread``
(conversation, -created_at). Pages are fetched as ``limit + 1`` rows instead of being
counted, because a COUNT over 100,000 conversations costs more than the page itself.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery

from outreach.models import Account

from .inbox_team import work_version
from .models import Conversation, Message

LIST_SIZE = 25
#: Message text is searched from three characters: a trigram index has nothing shorter to use.
TEXT_SEARCH_MIN = 3
THREAD_SIZE = 50


@dataclass
class Window:
    """One page of rows fetched without a COUNT: ``has_more`` says whether a next exists."""

    rows: list
    offset: int
    limit: int
    has_more: bool
    query: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def next_offset(self) -> int:
        return self.offset + self.limit

    @property
    def end(self) -> int:
        return self.offset + len(self.rows)

    @property
    def prev_offset(self) -> int | None:
        return max(self.offset - self.limit, 0) if self.offset else None


def window(qs: QuerySet, offset: int, limit: int, query: str = "") -> Window:
    rows = list(qs[offset : offset + limit + 1])
    return Window(rows=rows[:limit], offset=offset, limit=limit, has_more=len(rows) > limit, query=query)


def parse_offset(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def conversations(account: Account, *, q: str = "", line=None, unread: bool = False,
                  opted_out: bool = False, where: Q | None = None) -> QuerySet[Conversation]:
    """The account's conversations, newest first, narrowed by the filters and ``where`` (the
    inbox's view and what the person may see: ``inbox_scope``)."""
    qs = (
        Conversation.objects.filter(account=account)
        .filter(where if where is not None else Q())
        .select_related("line", "contact")
        # The newest message's id rides along (one index probe per row of the page), so
        # the previews cost one more query for the whole page, not one per row.
        .annotate(
            last_message_id=Subquery(
                Message.objects.filter(conversation=OuterRef("pk"))
                .order_by("-created_at")
                .values("id")[:1]
            )
        )
        .order_by("-last_message_at", "-id")
    )
    if line is not None:
        qs = qs.filter(line=line)
    if unread:
        qs = qs.filter(unread_count__gt=0)
    if opted_out:
        qs = qs.filter(contact__opted_out_at__isnull=False)
    q = q.strip()
    if q:
        match = Q(contact__first_name__icontains=q) | Q(contact__last_name__icontains=q)
        match |= Q(group_display_name__icontains=q) | Q(address__icontains=q)
        parts = q.split(None, 1)
        if len(parts) == 2:  # "Ada Lovelace"
            match |= Q(contact__first_name__icontains=parts[0], contact__last_name__icontains=parts[1])
        digits = re.sub(r"\D", "", q)
        if len(digits) >= 3:  # "(512) 555-01" finds +1512555010x
            match |= Q(address__contains=digits)
        if len(q) >= TEXT_SEARCH_MIN:
            match |= Q(pk__in=said(account, q))
        qs = qs.filter(match)
    return qs


def said(account: Account, text: str) -> QuerySet:
    """The ids of the account's conversations with a message containing ``text`` (any
    case): one semi-join the list hashes once, read through the trigram index
    ``msg_content_trgm`` (messaging/migrations/0020), never a scan of the messages."""
    return Message.objects.filter(account=account, content__icontains=text).values("conversation_id")


def attach_previews(rows: list[Conversation]) -> None:
    """Set ``conversation.preview`` (its newest Message or None) with one query."""
    ids = [c.last_message_id for c in rows if c.last_message_id]
    by_id = {m.id: m for m in Message.objects.filter(id__in=ids)} if ids else {}
    for conversation in rows:
        conversation.preview = by_id.get(conversation.last_message_id)


def thread_queryset(conversation: Conversation) -> QuerySet[Message]:
    return (
        Message.objects.filter(conversation=conversation).select_related("reply_to").prefetch_related("reactions")
        .order_by("-created_at", "-id")
    )


def thread(conversation: Conversation, *, before: int | None = None,
           limit: int = THREAD_SIZE) -> tuple[list[Message], bool]:
    """The newest ``limit`` messages (older than message ``before`` if given), oldest first,
    and whether older ones exist."""
    qs = thread_queryset(conversation)
    if before is not None:
        pivot = Message.objects.filter(conversation=conversation, pk=before).values("created_at").first()
        if pivot is not None:
            qs = qs.filter(Q(created_at__lt=pivot["created_at"]) | Q(created_at=pivot["created_at"], id__lt=before))
    rows = list(qs[: limit + 1])
    has_older = len(rows) > limit
    rows = rows[:limit]
    rows.reverse()
    return rows, has_older


def thread_version(conversation: Conversation, messages: list[Message]) -> str:
    """A fingerprint of what a thread shows: the poll answers 204 while it is unchanged."""
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{conversation.unread_count}".encode())
    for m in messages:
        h.update(f"{m.id}:{m.status}:{m.updated_at.timestamp()}".encode())
        h.update("".join(f",{r.pk}{r.kind}" for r in m.reactions.all()).encode() + b"|")  # prefetched
    return h.hexdigest()


def list_version(rows: list[Conversation]) -> str:
    h = hashlib.blake2b(digest_size=8)
    for c in rows:
        preview = getattr(c, "preview", None)
        work = work_version(c)
        h.update(f"{c.id}:{c.unread_count}:{c.last_message_at}:{preview.status if preview else ''}:{work}|".encode())
    return h.hexdigest()
