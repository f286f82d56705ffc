"""What the console polls: the sidebar's unread counts per view (``inbox:counts``) and new
replies to my conversations for a browser notification (``inbox:notify``)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inbox import services
from inbox.policy import SYSTEM
from messaging.models import Conversation
from messaging.tests import console_data as d

from .helpers import client_for, conversations, person

pytestmark = pytest.mark.django_db


def test_the_counts_partial_links_each_view_and_shows_its_unread(account):
    ann = person(account, "ann")
    vip = services.save_label(account, {"name": "VIP"}, actor=SYSTEM)
    mine, free, closed = conversations(account, 3)
    services.assign(account, mine.pk, ann.pk, actor=SYSTEM)
    services.label(account, closed.pk, [vip.pk], actor=SYSTEM)
    services.close(account, closed.pk, actor=SYSTEM)
    Conversation.objects.filter(pk__in=[mine.pk, closed.pk]).update(unread_count=3)
    response = client_for(ann).get("/inbox/counts?view=mine")
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert 'href="/messages/inbox/?view=mine"' in page and 'aria-current="page"' in page
    assert f'href="/messages/inbox/?view=label%3A{vip.pk}"' in page
    badges = {key: page.split(f'data-testid="view-{key}"')[1].split("</a>")[0].count('data-testid="unread"')
              for key in ("mine", "unassigned", "all", "closed", f"label:{vip.pk}")}
    assert badges == {"mine": 1, "unassigned": 0, "all": 1, "closed": 1, f"label:{vip.pk}": 1}


def test_the_poll_gets_204_while_nothing_changed_and_costs_the_same_at_any_size(account):
    ann, line = person(account, "ann"), d.line(account)
    agent = client_for(ann)
    costs = {}
    for size in (10, 300):
        d.bulk_conversations(account, line, size, 0)
        services.save_label(account, {"name": f"L{size}"}, actor=SYSTEM)
        agent.get("/inbox/counts")
        with CaptureQueriesContext(connection) as queries:
            response = agent.get("/inbox/counts")
        costs[size] = len(queries)
        version = response.content.decode().split('"v": "')[1].split('"')[0]
        assert agent.get("/inbox/counts", {"v": version}).status_code == 204
    assert costs[10] == costs[300]
    Conversation.objects.filter(account=account).update(unread_count=0)
    assert agent.get("/inbox/counts", {"v": version}).status_code == 200


def test_notify_gives_new_replies_to_my_conversations_after_the_cursor(account, other_account):
    ann, bob = person(account, "ann"), person(account, "bob")
    ada = d.contact(account, "+12135550100", "Ada", "Lovelace")
    mine, free, bobs = conversations(account, 3)
    Conversation.objects.filter(pk=mine.pk).update(contact=ada)
    services.assign(account, mine.pk, ann.pk, actor=SYSTEM)
    services.assign(account, bobs.pk, bob.pk, actor=SYSTEM)
    d.message(mine, "old news", outbound=False)
    agent = client_for(ann)
    first = agent.get("/inbox/notify").json()
    assert first["replies"] == [] and first["cursor"].isdigit()
    d.message(mine, "Is it still available?", outbound=False)
    d.message(mine, "our answer", outbound=True)
    d.message(free, "nobody's", outbound=False)
    d.message(bobs, "bob's", outbound=False)
    theirs = d.conversation(other_account, d.line(other_account, "+15125550998"), "+12135550100")
    d.message(theirs, "another account", outbound=False)
    answer = agent.get("/inbox/notify", {"after": first["cursor"]}).json()
    assert [(r["from"], r["text"], r["url"]) for r in answer["replies"]] == [
        ("Ada Lovelace", "Is it still available?", f"/messages/inbox/{mine.pk}/")]
    assert agent.get("/inbox/notify", {"after": answer["cursor"]}).json() == {"cursor": answer["cursor"], "replies": []}
    assert agent.get("/inbox/notify", {"after": "x"}).status_code == 400


def test_notify_costs_the_same_for_one_reply_or_many(account):
    ann = person(account, "ann")
    convs = conversations(account, 12)
    services.apply(account, [c.pk for c in convs], services.parse(account, {"assignee": ann.pk}), actor=SYSTEM)
    agent = client_for(ann)
    costs = {}
    for count in (1, 12):
        cursor = agent.get("/inbox/notify").json()["cursor"]
        for conv in convs[:count]:
            d.message(conv, "hi", outbound=False)
        with CaptureQueriesContext(connection) as queries:
            replies = agent.get("/inbox/notify", {"after": cursor}).json()["replies"]
        assert len(replies) == count
        costs[count] = len(queries)
    assert costs[1] == costs[12]
