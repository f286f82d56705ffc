"""Context hooks: how a console page shows another app's data without importing that app,
reading its reverse relations or reversing its URL names.

A page names a slot and merges whatever the installed apps registered for it:
``context(slot, account, obj)``. The app that owns the data registers a hook for the slot
(a dotted path, imported when first used) in its ``AppConfig.ready``, so the dependency
points the right way: campaigns fills the inbox's contact panel, messaging fills the
contact page and the home dashboard. A slot nobody filled gives an empty context.

Slots: ``home`` (account), ``contact`` (account, contact: the contact page),
``inbox-contact`` (account, contact: the inbox's side panel), ``api-contact-lines``
(account, a page of contacts: contact id -> line number, for the Sendblue contacts API),
``inbox-thread`` (account, conversation: its work state, labels, notes and canned replies)
``inbox-list`` (account, a page of conversations: id -> state, assignee, labels),
``inbox-bulk`` (account, membership: the list's bulk bar) and ``inbox-sidebar`` (account, request: the inbox's views with their unread counts), all
filled by the ``inbox`` app.

A page that needs a value rather than context (a filter to apply, a number) asks for it with
``answer(slot, *args)``: one app ``provide``s each such slot, and an unprovided slot answers
``default``. Slots: ``inbox-view`` (account, membership, view key -> a ``Q`` over
messaging's ``Conversation``, or None) and ``inbox-unread`` (account, membership -> unread
conversations by view key) and ``inbox-visible`` (account, membership -> a ``Q`` of the
conversations the person may read at all), all provided by ``inbox`` (contract:
``inbox/listing.py``).
"""
from __future__ import annotations

from collections import defaultdict

from django.utils.module_loading import import_string

_HOOKS: dict[str, list[str]] = defaultdict(list)
_PROVIDERS: dict[str, str] = {}


def register(slot: str, hook: str) -> None:
    """Add ``hook`` (dotted path of a function ``(account, obj=None) -> dict``) to ``slot``."""
    if hook not in _HOOKS[slot]:
        _HOOKS[slot].append(hook)


def context(slot: str, account, obj=None) -> dict:
    """The merged context of every hook registered for ``slot``."""
    merged: dict = {}
    for hook in _HOOKS[slot]:
        merged.update(import_string(hook)(account, obj) or {})
    return merged


def provide(slot: str, hook: str) -> None:
    """Make ``hook`` (a dotted path) the one answer of ``slot``."""
    _PROVIDERS[slot] = hook


def answer(slot: str, *args, default=None):
    """What the app that provides ``slot`` answers for ``args``; ``default`` if none does."""
    hook = _PROVIDERS.get(slot)
    return import_string(hook)(*args) if hook else default
