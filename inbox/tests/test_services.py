"""The inbox's services: assignment, states, labels, notes, the round-robin, snoozes."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inbox import services
from inbox.choices import Rule, State
from inbox.models import ConversationLabel, Note, Work
from inbox.policy import SYSTEM, Forbidden
from messaging.models import Message
from messaging.services import add_line
from messaging.tests import console_data as d
from outreach.exceptions import InvalidInput, NotFound
from outreach.models import AuditEntry
from webhooks.models import Event

from .helpers import conversations, person

pytestmark = pytest.mark.django_db


def work(conv) -> Work:
    return Work.objects.get(pk=conv.pk)


def test_assign_close_reopen_and_the_events_and_audit_they_leave(account):
    manager, ann = person(account, "meg", "manager"), person(account, "ann")
    conv, = conversations(account, 1)
    services.assign(account, conv.pk, ann.pk, actor=manager.actor)
    services.close(account, conv.pk, actor=manager.actor)
    assert (work(conv).assignee, work(conv).state) == (ann, State.CLOSED)
    services.reopen(account, conv.pk, actor=manager.actor)
    assert work(conv).state == State.OPEN
    types = list(Event.objects.order_by("id").values_list("type", flat=True))
    assert types == ["conversation.assigned", "conversation.closed", "conversation.reopened"]
    assigned = Event.objects.get(type="conversation.assigned").payload
    assert assigned["assignee"] == {"id": ann.pk, "username": "ann"} and assigned["conversation_id"] == conv.pk
    assert assigned["by"] == "meg" and assigned["number"] == conv.address
    actions = list(AuditEntry.objects.filter(target_type="conversation").order_by("id").values_list("action", "actor_label"))
    assert actions == [("conversation.assigned", "meg"), ("conversation.closed", "meg"), ("conversation.reopened", "meg")]


def test_a_change_that_changes_nothing_emits_nothing(account):
    manager = person(account, "meg", "manager")
    conv, = conversations(account, 1)
    services.reopen(account, conv.pk, actor=manager.actor)  # already open
    services.assign(account, conv.pk, None, actor=manager.actor)  # already nobody's
    assert not Event.objects.exists() and not AuditEntry.objects.filter(target_type="conversation").exists()


def test_an_agent_works_their_own_and_unassigned_conversations_only(account):
    ann, bob = person(account, "ann"), person(account, "bob")
    viewer = person(account, "vic", "viewer")
    mine, theirs = conversations(account, 2)
    services.assign(account, mine.pk, ann.pk, actor=ann.actor)  # takes an unassigned one
    services.assign(account, theirs.pk, bob.pk, actor=bob.actor)
    with pytest.raises(Forbidden):
        services.assign(account, mine.pk, bob.pk, actor=ann.actor)  # gives it to another
    with pytest.raises(NotFound):  # bob's conversation is not hers to see
        services.close(account, theirs.pk, actor=ann.actor)
    with pytest.raises(Forbidden):
        services.close(account, mine.pk, actor=viewer.actor)
    services.close(account, mine.pk, actor=ann.actor)
    services.assign(account, mine.pk, None, actor=ann.actor)  # gives it back
    assert (work(mine).state, work(mine).assignee, work(theirs).state) == (State.CLOSED, None, State.OPEN)


def test_every_bad_field_is_named_at_once(account, other_account):
    outsider = person(other_account, "otto")
    past = timezone.now() - timedelta(minutes=1)
    with pytest.raises(InvalidInput) as caught:
        services.parse(account, {"assignee": outsider.pk, "state": "snoozed", "snooze_until": past,
                                 "labels": [999999], "add_labels": ["x"]})
    assert set(caught.value.field_errors) == {"assignee", "snooze_until", "labels", "add_labels"}
    with pytest.raises(InvalidInput) as caught:
        services.parse(account, {"state": "snoozed"})
    assert "snooze_until" in caught.value.field_errors
    with pytest.raises(InvalidInput) as caught:
        services.parse(account, {"state": "done"})
    assert "state" in caught.value.field_errors
    with pytest.raises(InvalidInput) as caught:  # a viewer works no conversation
        services.parse(account, {"assignee": person(account, "vic", "viewer").pk})
    assert set(caught.value.field_errors) == {"assignee"}


def test_labels_add_remove_and_replace(account):
    manager = person(account, "meg", "manager")
    conv, = conversations(account, 1)
    vip = services.save_label(account, {"name": "VIP", "colour": "#ff0000"}, actor=manager.actor)
    late = services.save_label(account, {"name": "Late"}, actor=manager.actor)
    services.label(account, conv.pk, [vip.pk, late.pk], actor=manager.actor)
    services.unlabel(account, conv.pk, [late.pk], actor=manager.actor)
    assert list(ConversationLabel.objects.values_list("label__name", flat=True)) == ["VIP"]
    services.apply(account, [conv.pk], services.parse(account, {"labels": [late.pk]}), actor=manager.actor, single=True)
    assert list(ConversationLabel.objects.values_list("label__name", flat=True)) == ["Late"]
    details = [e.detail for e in AuditEntry.objects.filter(action="conversation.labelled").order_by("id")]
    assert details == [{"added": ["Late", "VIP"], "removed": []}, {"added": [], "removed": ["Late"]},
                       {"added": ["Late"], "removed": ["VIP"]}]
    with pytest.raises(InvalidInput) as caught:
        services.save_label(account, {"name": "vip", "colour": "red"}, actor=manager.actor)
    assert set(caught.value.field_errors) == {"name", "colour"}
    with pytest.raises(Forbidden):
        services.save_label(account, {"name": "Mine"}, actor=person(account, "ann").actor)


def test_notes_are_kept_never_sent_and_audited(account):
    ann = person(account, "ann")
    conv, = conversations(account, 1)
    note = services.add_note(account, conv.pk, "  Called them, call back Monday ", actor=ann.actor)
    assert (note.body, note.author, note.author_label) == ("Called them, call back Monday", ann, "ann")
    assert not conv.messages.exists() and not Event.objects.exists()
    assert AuditEntry.objects.get(action="conversation.note_added").detail["note_id"] == note.pk
    with pytest.raises(InvalidInput):
        services.add_note(account, conv.pk, "   ", actor=ann.actor)
    assert Note.objects.count() == 1


def test_canned_replies_render_with_the_campaign_template_language(account):
    manager = person(account, "meg", "manager")
    canned = services.save_canned(account, {"shortcut": "/thanks", "body": "Thanks {first_name|there}!"},
                                  actor=manager.actor)
    assert canned.shortcut == "thanks"
    assert services.render(canned, None) == "Thanks there!"
    ada = d.contact(account, "+15125550199", "Ada")
    assert services.render(canned, ada) == "Thanks Ada!"
    with pytest.raises(InvalidInput) as caught:
        services.save_canned(account, {"shortcut": "thanks", "body": "Hi {{first_name}}"}, actor=manager.actor)
    assert set(caught.value.field_errors) == {"shortcut", "body"}


def test_round_robin_goes_around_the_available_people_fairly(account):
    ann, bob, cat = (person(account, n, available=True) for n in ("ann", "bob", "cat"))
    person(account, "dan", available=False)
    person(account, "vic", "viewer", available=True)  # a viewer works no conversation
    services.set_rule(account, Rule.ROUND_ROBIN, actor=SYSTEM)
    picks = [services.next_assignee(account) for _ in range(9)]
    assert Counter(p.username for p in picks) == {"ann": 3, "bob": 3, "cat": 3}
    assert [p.username for p in picks[:3]] == ["ann", "bob", "cat"]
    assert {ann, bob, cat} == set(picks)


def test_concurrent_replies_go_to_different_people(account, transactional_db):
    person(account, "ann", available=True)
    person(account, "bob", available=True)
    services.set_rule(account, Rule.ROUND_ROBIN, actor=SYSTEM)
    convs = conversations(account, 2)
    barrier = threading.Barrier(2)

    def reply(conv):
        barrier.wait()
        services.reply_received(account, conv.pk)
        connection.close()

    threads = [threading.Thread(target=reply, args=(c,)) for c in convs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(work(c).assignee.username for c in convs) == ["ann", "bob"]


def inbound(api, text: str, sender: str = "+12135550101") -> int:
    """The customer writes (the sandbox's inbound path, over HTTP); -> the conversation id."""
    response = api.post("/api/v1/sandbox/inbound", {"from": sender, "body": text}, format="json")
    assert response.status_code == 201, response.content
    return Message.objects.get(handle=response.json()["id"]).conversation_id


def test_a_reply_reopens_a_closed_conversation_keeping_its_assignee(account, api):
    manager, ann = person(account, "meg", "manager"), person(account, "ann", available=True)
    person(account, "bob", available=True)
    services.set_rule(account, Rule.ROUND_ROBIN, actor=manager.actor)
    add_line(account, "+15125550100")
    conv_id = inbound(api, "Hi")
    assert Work.objects.get(pk=conv_id).assignee == ann  # the round-robin's first pick
    services.close(account, conv_id, actor=manager.actor)
    assert inbound(api, "One more thing") == conv_id
    assert (Work.objects.get(pk=conv_id).state, Work.objects.get(pk=conv_id).assignee) == (State.OPEN, ann)
    reopened = Event.objects.get(type="conversation.reopened").payload
    assert reopened["previous_state"] == "closed" and reopened["by"] == "system"


def test_a_reply_leaves_an_unassigned_conversation_alone_under_the_manual_rule(account, api):
    person(account, "ann", available=True)
    add_line(account, "+15125550100")
    conv_id = inbound(api, "Hi")
    assert not Work.objects.filter(pk=conv_id).exclude(assignee=None).exists()
    assert not Event.objects.filter(type__startswith="conversation.").exists()


def test_snoozed_conversations_wake_when_their_time_comes(account):
    manager = person(account, "meg", "manager")
    now = timezone.now()
    soon, later = conversations(account, 2)
    services.snooze(account, soon.pk, now + timedelta(hours=1), actor=manager.actor, now=now)
    services.snooze(account, later.pk, now + timedelta(hours=3), actor=manager.actor, now=now)
    assert services.wake_snoozed(now=now + timedelta(minutes=59)) == 0
    assert services.wake_snoozed(now=now + timedelta(hours=2)) == 1
    assert (work(soon).state, work(soon).snooze_until, work(later).state) == (State.OPEN, None, State.SNOOZED)
    assert Event.objects.filter(type="conversation.reopened").count() == 1
    assert AuditEntry.objects.filter(action="conversation.snoozed").count() == 2


def test_waking_goes_in_bounded_batches(account):
    manager = person(account, "meg", "manager")
    now = timezone.now()
    convs = conversations(account, 7)
    services.apply(account, [c.pk for c in convs], services.parse(account, {"snooze_until": now + timedelta(minutes=5)}, now=now),
                   actor=manager.actor)
    assert services.wake_snoozed(now=now + timedelta(hours=1), batch=3, batches=2) == 6
    assert Work.objects.filter(state=State.SNOOZED).count() == 1
    assert services.wake_snoozed(now=now + timedelta(hours=1), batch=3) == 1


def test_a_bulk_action_costs_the_same_queries_for_10_or_100(account):
    manager, ann = person(account, "meg", "manager"), person(account, "ann")
    vip = services.save_label(account, {"name": "VIP"}, actor=manager.actor)
    costs = {}
    for count, first in ((10, 100), (100, 200)):
        ids = [c.pk for c in conversations(account, count, first=first)]
        change = services.parse(account, {"assignee": ann.pk, "state": "closed", "add_labels": [vip.pk]})
        with CaptureQueriesContext(connection) as queries:
            services.apply(account, ids, change, actor=manager.actor)
        costs[count] = len(queries)
    assert costs[10] == costs[100], costs
    assert Work.objects.filter(assignee=ann, state=State.CLOSED).count() == 110
    assert ConversationLabel.objects.filter(label=vip).count() == 110
    assert Event.objects.filter(type="conversation.assigned").count() == 110
    assert AuditEntry.objects.filter(action="conversation.closed").count() == 110
