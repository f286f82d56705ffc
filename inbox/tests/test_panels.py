"""The slots messaging's console pages read the inbox through (``outreach.panels``)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inbox import services
from messaging.models import Conversation
from messaging.tests import console_data as d
from outreach import panels

from .helpers import conversations, person

pytestmark = pytest.mark.django_db


def test_the_thread_slot_gives_work_labels_notes_and_rendered_canned_replies(account):
    meg = person(account, "meg", "manager")
    line = d.line(account)
    ada = d.contact(account, "+15125550199", "Ada")
    conv = d.conversation(account, line, "+15125550199", contact_row=ada)
    vip = services.save_label(account, {"name": "VIP"}, actor=meg.actor)
    services.save_canned(account, {"shortcut": "hi", "body": "Hi {first_name|there}"}, actor=meg.actor)
    services.apply(account, [conv.pk], services.parse(account, {"assignee": meg.pk, "add_labels": [vip.pk]}),
                   actor=meg.actor, single=True)
    services.add_note(account, conv.pk, "Prefers mornings", actor=meg.actor)
    context = panels.context("inbox-thread", account, Conversation.objects.select_related("contact").get(pk=conv.pk))
    assert context["inbox_work"]["assignee"] == meg and context["inbox_work"]["state"] == "open"
    assert [label.name for label in context["inbox_labels"]] == ["VIP"]
    assert [note.body for note in context["inbox_notes"]] == ["Prefers mornings"]
    assert context["inbox_canned"] == {"hi": "Hi Ada"}
    assert [label.name for label in context["inbox_all_labels"]] == ["VIP"]
    assert [p.username for p in context["inbox_people"]] == ["meg"]
    assert [value for value, _ in context["snooze_presets"]] == ["1h", "tomorrow", "until"]


def test_the_list_slot_costs_three_queries_for_any_page(account):
    meg = person(account, "meg", "manager")
    vip = services.save_label(account, {"name": "VIP"}, actor=meg.actor)
    costs = {}
    for count, first in ((10, 100), (100, 300)):
        page = conversations(account, count, first=first)
        services.apply(account, [c.pk for c in page[::2]], services.parse(account, {"add_labels": [vip.pk],
                                                                                 "state": "closed"}), actor=meg.actor)
        with CaptureQueriesContext(connection) as queries:
            rows = panels.context("inbox-list", account, page)["inbox_rows"]
        costs[count] = len(queries)
        assert rows[page[0].pk]["state"] == "closed" and [lb.name for lb in rows[page[0].pk]["labels"]] == ["VIP"]
        assert rows[page[1].pk] == {"state": "open", "assignee": None, "labels": []}
    assert costs == {10: 2, 100: 2}
