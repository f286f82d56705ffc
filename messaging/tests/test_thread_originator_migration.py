"""Migration 0016 gives existing replies their thread: the root of each reply_to chain."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from messaging.models import Message

BEFORE, AFTER = [("messaging", "0015_chat_actions")], [("messaging", "0016_thread_originator")]


@pytest.mark.django_db(transaction=True)
def test_existing_replies_get_the_root_of_their_chain(account):
    MigrationExecutor(connection).migrate(BEFORE)
    try:
        apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        line = apps.get_model("messaging", "Line").objects.create(account_id=account.pk, number="+15125550160")
        conversation = apps.get_model("messaging", "Conversation").objects.create(
            account_id=account.pk, line=line, address="+15125550161")
        old = apps.get_model("messaging", "Message")

        def message(reply_to=None):
            return old.objects.create(account_id=account.pk, line=line, conversation=conversation, reply_to=reply_to)

        root = message()
        first = message(reply_to=root)
        second = message(reply_to=first)
        other = message()
        MigrationExecutor(connection).migrate(AFTER)
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    originators = dict(Message.objects.values_list("pk", "thread_originator"))
    assert originators == {root.pk: None, first.pk: root.handle, second.pk: root.handle, other.pk: None}
