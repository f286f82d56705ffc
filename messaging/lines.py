"""Which line carries a message: the account's lines (cached), the one picker and the one
sticky-conversation lookup.

- ``account_lines``: an account's lines from the Django cache (Redis in production),
  cleared whenever a line is saved or deleted; only what choosing a line needs is loaded
  (provider settings, which hold credentials, stay out of the cache).
- ``LinePicker``: the least-loaded line of a pool (load = conversations on the line; ties:
  lowest number). A fan-out chunk counts its pool once and picks from a heap; a single
  send picks from per-account loads cached for ``LOADS_SECONDS`` (each pick adds one), so
  a send to a new contact does not count the account's conversations (70 ms at 100,000).
- Sticky: once an address talked to a line, its direct conversation keeps it there.
  ``direct_conversations`` finds those of many addresses at once; ``lookup_recipient`` is
  the single send's version, which reads the contact in the same query.
"""
from __future__ import annotations

import heapq
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Subquery
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

import webhooks
from contacts.models import Contact
from outreach.db import any_of
from outreach.exceptions import InvalidInput, OutreachError
from outreach.models import Account
from outreach.phones import to_e164
from webhooks.choices import EventType

from .choices import MessageType, Provider
from .models import Conversation, Line
from .providers import registry

LINES_CACHE_SECONDS = 300
LINE_FIELDS = ("id", "account_id", "number", "name", "provider", "active", "healthy")
#: How old the counted line loads may get before a send counts them again.
LOADS_SECONDS = 30


class BadLine(OutreachError):
    """``from_number`` is not an active line of the caller's account."""

    status_code = 400


def add_line(
    account: Account,
    number: str,
    provider: str = Provider.SANDBOX,
    *,
    name: str = "",
    provider_settings: dict | None = None,
) -> Line:
    number = to_e164(number, field="number")
    if provider not in registry.PROVIDERS:
        raise InvalidInput(
            f"Unknown provider {provider!r}; use one of {', '.join(registry.PROVIDERS)}.",
            field="provider",
        )
    if Line.objects.filter(number=number).exists():
        raise InvalidInput(f"The line {number} already exists.", field="number")
    with transaction.atomic():
        line = Line.objects.create(
            account=account, number=number, provider=provider, name=name,
            provider_settings=provider_settings or {}, state_changed_at=timezone.now(),
        )
        webhooks.emit(account, EventType.LINE_ASSIGNED, {
            "sendblue_number": line.number, "name": line.name, "provider": line.provider,
            "assigned_at": line.created_at.isoformat().replace("+00:00", "Z"),
        })
    return line


# --- the account's lines -------------------------------------------------------------------------

def _lines_key(account_id) -> str:
    return f"messaging:lines:{account_id}"


def account_lines(account: Account) -> list[Line]:
    """The account's lines (active or not), from the cache when it has them (deferred
    instances: only ``LINE_FIELDS`` are loaded)."""
    key = _lines_key(account.pk)
    lines = cache.get(key)
    if lines is None:
        lines = list(Line.objects.filter(account=account).only(*LINE_FIELDS).order_by("number"))
        cache.set(key, lines, LINES_CACHE_SECONDS)
    return lines


@receiver([post_save, post_delete], sender=Line, dispatch_uid="messaging-lines-cache")
def _forget_lines(sender, instance: Line, **kwargs) -> None:
    forget_lines(instance.account_id)


def forget_lines(account_id) -> None:
    """Drop the account's cached lines (a line saved, deleted, or its health changed)."""
    # After commit too: a concurrent reader may re-cache the old rows before we commit.
    cache.delete(_lines_key(account_id))
    transaction.on_commit(lambda: cache.delete(_lines_key(account_id)))


def resolve_from_line(account: Account, from_number: str, lines: Iterable[Line] | None = None) -> Line:
    """The active line of ``account`` numbered ``from_number``; ``lines`` (the account's
    lines, e.g. from ``account_lines``) spares the query."""
    try:
        number = to_e164(from_number, field="from_number")
    except InvalidInput as exc:
        raise BadLine(exc.message, field="from_number") from None
    if lines is None:
        line = Line.objects.filter(account=account, number=number, active=True).first()
    else:
        line = next((ln for ln in lines if ln.number == number and ln.active), None)
    if line is None:
        raise BadLine(
            f"from_number {number} is not an active line of your account; "
            "GET /api/v1/lines lists them.",
            field="from_number",
        )
    return line


def no_line() -> BadLine:
    return BadLine("Your account has no active line to send from; add one first.", field="from_number")


# --- the picker ------------------------------------------------------------------------------

def pool_lines(account: Account, line_ids: Sequence[int] = ()) -> list[Line]:
    """The active lines to spread new conversations over (all active lines if none named):
    the healthy ones, or all of them when none is (their messages then wait)."""
    qs = Line.objects.filter(account=account, active=True)
    if line_ids:
        qs = qs.filter(pk__in=line_ids)
    return usable(list(qs.order_by("number")))


def usable(lines: list[Line]) -> list[Line]:
    """The healthy lines of ``lines`` (new contacts go there), or all when none is."""
    return [line for line in lines if line.healthy] or lines


def line_loads(line_ids: list[int]) -> dict[int, int]:
    """Direct and group conversations per line (lines with none are left out)."""
    return dict(Conversation.objects.filter(line_id__in=line_ids).values_list("line_id").annotate(n=Count("pk")))


class LinePicker:
    """The least-loaded line of ``lines`` for each new conversation (ties: lowest number).
    ``loads`` (line id -> conversations) are counted when not given."""

    def __init__(self, lines: Sequence[Line], loads: dict[int, int] | None = None):
        if loads is None:
            loads = line_loads([line.pk for line in lines])
        self.lines = {line.pk: line for line in lines}
        self.loads = {pk: loads.get(pk, 0) for pk in self.lines}
        self.heap = [(self.loads[pk], line.number, pk) for pk, line in self.lines.items()]
        heapq.heapify(self.heap)

    def pick(self, *, claim: bool = True) -> Line:
        """The least-loaded line; ``claim`` counts the new conversation on it."""
        load, number, pk = self.heap[0]
        if claim:
            heapq.heapreplace(self.heap, (load + 1, number, pk))
            self.loads[pk] += 1
        return self.lines[pk]


def least_busy_line_id(account: Account, lines=None, *, claim: bool = True) -> int | None:
    """The active line with the fewest conversations (healthy lines first, see ``usable``),
    from the account's cached loads.

    The loads are counted at most every ``LOADS_SECONDS`` per account and each pick adds
    one to its line there (``claim=False``: a look that opens no conversation), so a burst
    of new contacts still spreads over the lines. Two sends picking at the same moment may
    both miss the other's increment: the balance is approximate, as the recount corrects.
    """
    active = usable([line for line in (lines if lines is not None else account_lines(account)) if line.active])
    if not active:
        return None
    key = f"messaging:line-loads:{account.pk}"
    now = time.time()
    cached = cache.get(key)
    if cached is None or now - cached["at"] > LOADS_SECONDS or set(cached["loads"]) != {ln.pk for ln in active}:
        cached = {"at": now, "loads": line_loads([line.pk for line in active])}
    picker = LinePicker(active, cached["loads"])
    pick = picker.pick(claim=claim)
    cached["loads"] = picker.loads
    cache.set(key, cached, LOADS_SECONDS * 2)
    return pick.pk


# --- sticky conversations ------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    contact_id: object | None
    opted_out: bool
    conversation_id: int | None
    conversation_line_id: int | None


def direct_conversations(account_id, addresses: list[str]) -> dict[str, tuple[int, int, bool]]:
    """address -> (conversation id, line id, line active) of the direct conversations that
    exist for these addresses."""
    return {
        address: (pk, line_id, active)
        for address, pk, line_id, active in Conversation.objects.filter(
            account_id=account_id, message_type=MessageType.MESSAGE
        ).filter(any_of("address", addresses)).values_list("address", "pk", "line_id", "line__active")
    }


def lookup_recipient(account: Account, address: str) -> Recipient:
    """Contact, opt-out and direct conversation of ``address`` in one query."""
    contact = Contact.objects.filter(account=account, e164_number=address)
    conversation = Conversation.objects.filter(account=account, address=address, message_type=MessageType.MESSAGE)
    fields = ["contact_id", "opted_out_at", "conversation_id", "conversation_line_id"]
    query = Account.objects.filter(pk=account.pk).annotate(
        contact_id=Subquery(contact.values("pk")[:1]),
        opted_out_at=Subquery(contact.values("opted_out_at")[:1]),
        conversation_id=Subquery(conversation.values("pk")[:1]),
        conversation_line_id=Subquery(conversation.values("line_id")[:1]),
    )
    row = query.values(*fields).first() or {}
    return Recipient(
        contact_id=row.get("contact_id"),
        opted_out=row.get("opted_out_at") is not None,
        conversation_id=row.get("conversation_id"),
        conversation_line_id=row.get("conversation_line_id"),
    )


def line_for(account: Account, address: str, from_number: str | None = None) -> Line:
    """The line that talks to ``address`` (loaded whole): ``from_number``'s, else the
    address's sticky line, else the least busy one (a look: no conversation is counted)."""
    if from_number:
        return resolve_from_line(account, from_number)
    lines = {line.pk: line for line in account_lines(account)}
    sticky = lines.get(lookup_recipient(account, address).conversation_line_id)
    line_id = sticky.pk if sticky is not None and sticky.active else least_busy_line_id(
        account, lines.values(), claim=False
    )
    if line_id is None:
        raise no_line()
    return Line.objects.get(pk=line_id)
