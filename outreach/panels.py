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
and ``inbox-list`` (account, a page of conversations: id -> state, assignee, labels), both
filled by the ``inbox`` app.
"""
from __future__ import annotations

from collections import defaultdict

from django.utils.module_loading import import_string

_HOOKS: dict[str, list[str]] = defaultdict(list)


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
