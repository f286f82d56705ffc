"""A/B variants: 2 to 5 bodies with split percentages. Each recipient gets one, chosen by a
hash of (campaign id, contact id): the same contact always gets the same variant of a
campaign (a repeated fan-out, a test send, a resend agree), with no state and no query per
recipient; over many contacts the shares match the percentages (a uniform hash)."""
from __future__ import annotations

import hashlib
import string
from uuid import UUID

from outreach.exceptions import InvalidInput, OutreachError

from . import templating

MIN, MAX = 2, 5
LABELS = string.ascii_uppercase[:MAX]
#: Buckets per 100 %: a hash lands in one of 10,000.
SCALE = 10_000


def label(index: int | None) -> str:
    return LABELS[index] if index is not None else ""


def bucket(campaign_id: UUID, contact_id: UUID, salt: bytes = b"") -> int:
    """The contact's bucket in the campaign (0 to SCALE - 1); another ``salt`` (the A/B
    test's share) gives a draw independent of the variant's."""
    contact_id = contact_id if isinstance(contact_id, UUID) else UUID(str(contact_id))
    digest = hashlib.blake2b(campaign_id.bytes + contact_id.bytes, digest_size=8, person=salt).digest()
    return int.from_bytes(digest, "big") % SCALE


def picker(variants: list[dict], campaign_id: UUID):
    """``pick(contact_id) -> variant index`` for a campaign's variants (None without any)."""
    if not variants:
        return lambda contact_id: None
    edges, total = [], 0
    for v in variants:
        total += v["percent"] * SCALE // 100
        edges.append(total)

    def pick(contact_id) -> int:
        b = bucket(campaign_id, contact_id)
        return next((i for i, edge in enumerate(edges) if b < edge), len(edges) - 1)

    return pick


def split(chosen: list[dict]) -> list[int]:
    """The percentages alone: what a started campaign's recipients were assigned by."""
    return [v["percent"] for v in chosen]


def clean(raw, known: set[str]) -> list[dict]:
    """``[{body, percent}]`` as a client sent it -> the list to store; every problem at once,
    named ``variants`` or ``variants.<i>.body`` / ``variants.<i>.percent``."""
    if raw in (None, []):
        return []
    if not isinstance(raw, list) or not MIN <= len(raw) <= MAX:
        raise InvalidInput(f"variants: give {MIN} to {MAX} variants ({{body, percent}}), or none.", field="variants")
    errors: dict[str, str] = {}
    out = []
    for i, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        body, percent = item.get("body"), item.get("percent")
        if not isinstance(body, str) or not body.strip():
            errors[f"variants.{i}.body"] = f"Variant {label(i)}: write its message."
        else:
            try:
                templating.check(body, known=known)
            except OutreachError as exc:
                errors[f"variants.{i}.body"] = f"Variant {label(i)}: {exc.message}"
        if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 99:
            errors[f"variants.{i}.percent"] = f"Variant {label(i)}: percent must be a whole number from 1 to 99."
        out.append({"body": body if isinstance(body, str) else "", "percent": percent})
    if not any(k.endswith("percent") for k in errors) and sum(v["percent"] for v in out) != 100:
        errors["variants"] = f"The variants' percentages add up to {sum(v['percent'] for v in out)}; make them 100."
    if errors:
        raise InvalidInput.of_fields(errors)
    return out
