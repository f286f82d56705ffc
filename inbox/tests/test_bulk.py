"""Bulk actions from the conversation list over HTTP: what the person may change is
changed, the rest counted as refused, in the answer."""
from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inbox import services
from inbox.models import Work
from inbox.policy import SYSTEM
from messaging.models import Conversation
from messaging.tests import console_data as d
from outreach import panels
from outreach.models import Membership

from .helpers import client_for, conversations, person

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def bulk(client, ids, action: str, **extra):
    return client.post("/inbox/conversations/bulk", {"ids": [str(i) for i in ids], "action": action, **extra}, **HTMX)


def test_an_agent_closes_their_own_and_unassigned_and_is_told_the_rest_was_refused(account, other_account):
    ann, bob = person(account, "ann"), person(account, "bob")
    anns, free, bobs = conversations(account, 3)
    theirs = d.conversation(other_account, d.line(other_account, "+15125550998"), "+12135550100")
    services.assign(account, anns.pk, ann.pk, actor=SYSTEM)
    services.assign(account, bobs.pk, bob.pk, actor=SYSTEM)
    response = bulk(client_for(ann), [anns.pk, free.pk, bobs.pk, theirs.pk], "close")
    assert response.status_code == 200 and response["HX-Trigger"] == "inbox-bulk-done"
    assert "Changed 2 conversations; 2 refused" in response.content.decode()
    assert set(Work.objects.filter(state="closed").values_list("pk", flat=True)) == {anns.pk, free.pk}


def test_a_manager_assigns_and_labels_many_at_once_in_constant_queries(account):
    meg, ann = person(account, "meg", "manager"), person(account, "ann")
    vip = services.save_label(account, {"name": "VIP"}, actor=SYSTEM)
    manager = client_for(meg)
    costs = {}
    for size, first in ((5, 100), (60, 300)):
        convs = conversations(account, size, first=first)
        ids = [c.pk for c in convs]
        bulk(manager, ids, "label", label=str(vip.pk))  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = bulk(manager, ids, "assign", assignee=str(ann.pk))
        costs[size] = len(queries)
        assert f"Changed {size} conversations." in response.content.decode()
        assert Work.objects.filter(pk__in=ids, assignee=ann).count() == size
        assert vip.conversations.filter(conversation_id__in=ids).count() == size
    assert costs[5] == costs[60]


def test_mark_read_clears_unread_through_messaging(account):
    ann = person(account, "ann")
    convs = conversations(account, 3)
    Conversation.objects.filter(pk__in=[c.pk for c in convs]).update(unread_count=4)
    response = bulk(client_for(ann), [c.pk for c in convs[:2]], "read")
    assert "Changed 2 conversations." in response.content.decode()
    assert list(Conversation.objects.order_by("pk").values_list("unread_count", flat=True)) == [0, 0, 4]


def test_bad_requests_are_named_and_a_plain_post_redirects_with_the_message(account):
    ann = person(account, "ann")
    conv, = conversations(account, 1)
    agent = client_for(ann)
    assert "no bulk action" in bulk(agent, [conv.pk], "delete").content.decode()
    assert "Select 1 to" in bulk(agent, [], "close").content.decode()
    assert "Not conversations: x" in bulk(agent, ["x"], "close").content.decode()
    assert "to themselves only" in bulk(agent, [conv.pk], "assign", assignee=str(person(account, "bob").pk)).content.decode()
    response = agent.post("/inbox/conversations/bulk", {"ids": [conv.pk], "action": "close",
                                                        "next": "/messages/inbox/?view=all"})
    assert response.status_code == 302 and response["Location"] == "/messages/inbox/?view=all"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Changed 1 conversation."]
    assert client_for(person(account, "vic", "viewer")).post("/inbox/conversations/bulk").status_code == 403


def test_the_bulk_bar_slot_gives_actions_labels_and_people(account):
    person(account, "ann")
    services.save_label(account, {"name": "VIP"}, actor=SYSTEM)
    context = panels.context("inbox-bulk", account, Membership.objects.first())
    assert [a for a, _ in context["bulk_actions"]] == ["assign", "label", "close", "read"]
    assert [label.name for label in context["inbox_all_labels"]] == ["VIP"]
    assert [p.username for p in context["inbox_people"]] == ["ann"]
