"""Outbound webhooks. Everyone calls ``webhooks.emit``; this app imports no other app."""
from __future__ import annotations


def emit(account, event_type: str, payload: dict, extra_urls=()):
    """Record an event in the caller's transaction; it is delivered after commit.

    ``extra_urls`` are one-off targets (a message's ``status_callback``) signed with the
    account's default secret.
    """
    from .services import emit as _emit

    return _emit(account, event_type, payload, extra_urls)


def emit_many(items, *, returning: bool = True, to_endpoints: bool = True):
    """``emit`` for many events, each (account, event_type, payload, extra_urls), in the
    caller's transaction (the message dispatcher's chunks). ``returning=False``: the caller
    needs no Event rows back, which lets a batch with nothing to deliver go by COPY.
    ``to_endpoints=False``: the events go to their extra URLs only (a status_callback
    whose body is not the one the account's endpoints get)."""
    from .services import emit_many as _emit_many

    return _emit_many(items, returning=returning, to_endpoints=to_endpoints)
