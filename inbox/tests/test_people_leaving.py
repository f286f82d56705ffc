"""A person deactivated in the console leaves nobody waiting on their conversations."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from inbox import services
from inbox.choices import Rule, State
from inbox.models import Work
from inbox.policy import SYSTEM
from outreach.models import AuditEntry, Membership
from webhooks.models import Event

from .helpers import conversations, person

pytestmark = pytest.mark.django_db


def deactivate(account, owner, user) -> None:
    client = Client()
    client.force_login(owner)
    seat = Membership.objects.get(account=account, user=user)
    assert client.post(f"/people/{seat.pk}/deactivate").status_code == 302
    seat.refresh_from_db()
    assert seat.deactivated_at is not None


def holder(conv):
    work = Work.objects.select_related("assignee").get(pk=conv.pk)
    return (work.assignee.username if work.assignee else None), work.state


def test_their_open_and_snoozed_conversations_become_unassigned(account):
    olive, ann, bob = person(account, "olive", "owner"), person(account, "ann"), person(account, "bob")
    opened, snoozed, closed, bobs = conversations(account, 4)
    for conv, who in ((opened, ann), (snoozed, ann), (closed, ann), (bobs, bob)):
        services.assign(account, conv.pk, who.pk, actor=SYSTEM)
    services.snooze(account, snoozed.pk, timezone.now() + timedelta(days=1), actor=SYSTEM)
    services.close(account, closed.pk, actor=SYSTEM)
    Event.objects.all().delete()
    AuditEntry.objects.all().delete()

    deactivate(account, olive, ann)

    assert holder(opened) == (None, State.OPEN) and holder(snoozed) == (None, State.SNOOZED)
    assert holder(closed) == ("ann", State.CLOSED) and holder(bobs) == ("bob", State.OPEN)
    events = Event.objects.filter(type="conversation.assigned").order_by("id")
    assert [(e.payload["conversation_id"], e.payload["assignee"], e.payload["previous_assignee_id"], e.payload["by"])
            for e in events] == [(opened.pk, None, ann.pk, "olive"), (snoozed.pk, None, ann.pk, "olive")]
    audit = AuditEntry.objects.filter(account=account).order_by("id")
    assert [(e.action, e.actor_label, e.target_id, e.detail) for e in audit] == [
        ("person.deactivated", "olive", str(Membership.objects.get(user=ann).pk), {}),
        *[("conversation.assigned", "olive", str(c.pk), {"from": ann.pk, "to": None, "reason": "person_deactivated"})
          for c in (opened, snoozed)],
    ]


def test_under_the_round_robin_they_go_to_the_available_people(account):
    olive = person(account, "olive", "owner")
    ann = person(account, "ann", available=True)
    person(account, "bob", available=True)
    person(account, "cat", available=True)
    person(account, "dan", available=False)
    services.set_rule(account, Rule.ROUND_ROBIN, actor=SYSTEM)
    convs = conversations(account, 4)
    for conv in convs:
        services.assign(account, conv.pk, ann.pk, actor=SYSTEM)

    deactivate(account, olive, ann)

    assert [holder(conv) for conv in convs] == [("bob", State.OPEN), ("cat", State.OPEN)] * 2
    rules = {e.payload["rule"] for e in Event.objects.filter(type="conversation.assigned", payload__by="olive")}
    assert rules == {"round_robin"}
    assert services.next_assignee(account).username == "bob"  # the round-robin goes on from where it stopped


def test_nothing_is_written_for_a_person_holding_no_open_conversation(account):
    olive, vic = person(account, "olive", "owner"), person(account, "vic", "viewer")
    deactivate(account, olive, vic)
    assert not Event.objects.exists()
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["person.deactivated"]


def change_role(account, owner, user, role: str) -> None:
    client = Client()
    client.force_login(owner)
    seat = Membership.objects.get(account=account, user=user)
    assert client.post(f"/people/{seat.pk}/role", {"role": role}).status_code == 302
    seat.refresh_from_db()
    assert seat.role == role


def test_an_agent_demoted_to_viewer_leaves_their_open_conversations_to_nobody(account):
    olive, ann = person(account, "olive", "owner"), person(account, "ann")
    opened, snoozed, closed = conversations(account, 3)
    for conv in (opened, snoozed, closed):
        services.assign(account, conv.pk, ann.pk, actor=SYSTEM)
    services.snooze(account, snoozed.pk, timezone.now() + timedelta(days=1), actor=SYSTEM)
    services.close(account, closed.pk, actor=SYSTEM)
    AuditEntry.objects.all().delete()

    change_role(account, olive, ann, "viewer")

    assert holder(opened) == (None, State.OPEN) and holder(snoozed) == (None, State.SNOOZED)
    assert holder(closed) == ("ann", State.CLOSED)
    audit = AuditEntry.objects.filter(account=account).order_by("id")
    assert [(e.action, e.actor_label, e.detail.get("reason")) for e in audit] == [
        ("person.role_changed", "olive", None),
        ("conversation.assigned", "olive", "role_changed"), ("conversation.assigned", "olive", "role_changed"),
    ]


def test_a_role_change_among_those_who_work_the_inbox_keeps_their_conversations(account):
    olive, ann = person(account, "olive", "owner"), person(account, "ann")
    conv, = conversations(account, 1)
    services.assign(account, conv.pk, ann.pk, actor=SYSTEM)
    change_role(account, olive, ann, "manager")
    change_role(account, olive, ann, "agent")
    assert holder(conv) == ("ann", State.OPEN)
    assert not Event.objects.filter(type="conversation.assigned", payload__by="olive").exists()
