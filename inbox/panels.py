"""Hooks messaging's console pages call through ``outreach.panels`` (registered in
``apps.py``), so the inbox shows its data there without messaging importing the inbox.

- ``inbox-thread`` (account, conversation): ``inbox_work`` (state, assignee, snooze_until),
  ``inbox_labels``, ``inbox_notes``, ``inbox_canned`` (shortcut -> body rendered for the
  conversation's contact), and for the controls (``inbox/_work_controls.html``,
  ``inbox/_notes.html``) ``inbox_all_labels``, ``inbox_people`` (who may be assigned) and
  ``snooze_presets``:
  a constant number of queries.
- ``inbox-list`` (account, a page of conversations): ``inbox_rows``, conversation id ->
  {state, assignee, labels}: two queries for the page.
- ``inbox-bulk`` (account, membership): the list's bulk bar (``inbox/_bulk_actions.html``):
  ``bulk_actions``, ``inbox_all_labels``, ``inbox_people``: two queries.
"""
from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model

from .choices import State
from .models import CannedReply, ConversationLabel, Label, Note, Work
from .services import ACTIONS, render
from .services.changes import WORKERS
from .snooze import PRESETS


def thread(account, conversation) -> dict:
    work = Work.objects.filter(pk=conversation.pk).select_related("assignee").first()
    labels = [cl.label for cl in ConversationLabel.objects.filter(conversation=conversation).select_related("label")]
    canned = CannedReply.objects.filter(account=account)
    return {
        "inbox_work": {
            "state": work.state if work else State.OPEN, "assignee": work.assignee if work else None,
            "snooze_until": work.snooze_until if work else None,
        },
        "inbox_labels": sorted(labels, key=lambda label: label.name),
        "inbox_notes": list(Note.objects.filter(conversation=conversation).select_related("author")),
        "inbox_canned": {c.shortcut: render(c, conversation.contact) for c in canned},
        "inbox_all_labels": list(Label.objects.filter(account=account)),
        "inbox_people": people(account),
        "snooze_presets": PRESETS,
    }


def people(account) -> list:
    """Who a conversation may be assigned to: the account's active owners, managers, agents."""
    return list(get_user_model().objects.filter(
        is_active=True, memberships__account=account, memberships__deactivated_at__isnull=True,
        memberships__role__in=WORKERS).order_by("username"))


def bulk_bar(account, membership=None) -> dict:
    """The ``inbox-bulk`` slot: what ``inbox/_bulk_actions.html`` needs (two queries)."""
    return {"bulk_actions": ACTIONS, "inbox_all_labels": list(Label.objects.filter(account=account)),
            "inbox_people": people(account)}


def conversation_list(account, conversations) -> dict:
    ids = [c.pk for c in conversations]
    works = {w.pk: w for w in Work.objects.filter(pk__in=ids).select_related("assignee")}
    labels = defaultdict(list)
    for cl in ConversationLabel.objects.filter(conversation_id__in=ids).select_related("label"):
        labels[cl.conversation_id].append(cl.label)
    return {"inbox_rows": {
        pk: {"state": works[pk].state if pk in works else State.OPEN,
             "assignee": works[pk].assignee if pk in works else None,
             "labels": sorted(labels[pk], key=lambda label: label.name)}
        for pk in ids
    }}
