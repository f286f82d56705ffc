"""A conversation's work from its thread page, over HTTP as each role: assign, close,
reopen, snooze, labels and notes (``inbox/views_work.py``)."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from inbox import services
from inbox.models import Note, Work
from inbox.policy import SYSTEM
from messaging.tests import console_data as d
from outreach.models import AuditEntry, Membership

from .helpers import client_for, conversations, person

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def work(conv) -> Work:
    return Work.objects.select_related("assignee").get(pk=conv.pk)


def url(conv, verb: str) -> str:
    return f"/inbox/conversations/{conv.pk}/{verb}"


def test_an_agent_takes_an_unassigned_conversation_and_gets_the_controls_back(account):
    ann = person(account, "ann")
    conv, = conversations(account, 1)
    response = client_for(ann).post(url(conv, "assign"), {"assignee": "me"}, **HTMX)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="work-controls"' in page and "Assigned to ann" in page and "<html" not in page
    assert work(conv).assignee == ann
    entry = AuditEntry.objects.get(action="conversation.assigned")
    assert entry.actor == ann


def test_an_agent_cannot_reach_another_agents_conversation_nor_give_one_away(account):
    ann, bob = person(account, "ann"), person(account, "bob")
    bobs, free = conversations(account, 2)
    services.assign(account, bobs.pk, bob.pk, actor=SYSTEM)
    agent = client_for(ann)
    for verb in ("assign", "close", "reopen", "snooze", "labels", "notes"):
        assert agent.post(url(bobs, verb), {"assignee": "me", "preset": "1h", "body": "x"}).status_code == 404, verb
    response = agent.post(url(free, "assign"), {"assignee": str(bob.pk)}, **HTMX)
    assert response.status_code == 200 and 'data-testid="work-error"' in response.content.decode()
    assert "to themselves only" in response.content.decode()
    assert work(bobs).assignee == bob and not Work.objects.filter(pk=free.pk, assignee__isnull=False).exists()


def test_a_manager_assigns_to_a_person_and_a_plain_post_goes_back_to_a_local_next(account):
    meg, ann = person(account, "meg", "manager"), person(account, "ann")
    conv, = conversations(account, 1)
    manager = client_for(meg)
    response = manager.post(url(conv, "assign"), {"assignee": str(ann.pk), "next": "/messages/inbox/?view=mine"})
    assert response.status_code == 302 and response["Location"] == "/messages/inbox/?view=mine"
    assert work(conv).assignee == ann
    for unsafe in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = manager.post(url(conv, "assign"), {"assignee": "none", "next": unsafe})
        assert response["Location"] == f"/messages/inbox/{conv.pk}/", unsafe
    assert work(conv).assignee is None
    response = manager.post(url(conv, "assign"), {"assignee": "someone"}, **HTMX)
    assert "is nobody" in response.content.decode()


def test_close_then_reopen(account):
    ann = person(account, "ann")
    conv, = conversations(account, 1)
    agent = client_for(ann)
    page = agent.post(url(conv, "close"), **HTMX).content.decode()
    assert work(conv).state == "closed" and 'data-testid="reopen"' in page
    page = agent.post(url(conv, "reopen"), **HTMX).content.decode()
    assert work(conv).state == "open" and 'data-testid="close"' in page
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["conversation.closed", "conversation.reopened"]


def test_snooze_presets_read_the_viewers_zone(account):
    ann = person(account, "ann")
    Membership.objects.filter(user=ann).update(time_zone="Asia/Tokyo")
    tokyo = ZoneInfo("Asia/Tokyo")
    conv, = conversations(account, 1)
    agent = client_for(ann)
    before = timezone.now()
    page = agent.post(url(conv, "snooze"), {"preset": "tomorrow"}, **HTMX).content.decode()
    until = work(conv).snooze_until
    assert work(conv).state == "snoozed" and until.astimezone(tokyo).time() == time(9, 0)
    assert until.astimezone(tokyo).date() == timezone.localtime(before, tokyo).date() + timedelta(days=1)
    assert "09:00" in page  # shown in the viewer's zone
    agent.post(url(conv, "snooze"), {"preset": "1h"})
    assert timedelta(minutes=59) < work(conv).snooze_until - before < timedelta(minutes=61)
    later = timezone.localtime(before, tokyo).date() + timedelta(days=3)
    agent.post(url(conv, "snooze"), {"preset": "until", "until": f"{later}T14:30"})
    assert work(conv).snooze_until == datetime.combine(later, time(14, 30), tzinfo=tokyo)
    for bad in ({"preset": "until", "until": "soon"}, {"preset": "forever"},
                {"preset": "until", "until": "2001-01-01T00:00"}):
        page = agent.post(url(conv, "snooze"), bad, **HTMX).content.decode()
        assert 'data-testid="work-error"' in page, bad
    assert work(conv).snooze_until == datetime.combine(later, time(14, 30), tzinfo=tokyo)


def test_labels_are_set_as_a_whole(account):
    meg = person(account, "meg", "manager")
    vip, billing = (services.save_label(account, {"name": n}, actor=SYSTEM) for n in ("VIP", "Billing"))
    conv, = conversations(account, 1)
    manager = client_for(meg)
    page = manager.post(url(conv, "labels"), {"labels": [vip.pk, billing.pk]}, **HTMX).content.decode()
    assert page.count('data-testid="work-label"') == 2
    manager.post(url(conv, "labels"), {"labels": [billing.pk]})
    assert list(conv.inbox_labels.values_list("label__name", flat=True)) == ["Billing"]
    page = manager.post(url(conv, "labels"), {"labels": ["x", "999999"]}, **HTMX).content.decode()
    assert "Not labels: x" in page
    manager.post(url(conv, "labels"), {})
    assert not conv.inbox_labels.exists()


def test_a_note_comes_back_in_the_notes_partial_and_an_empty_one_is_refused(account):
    ann = person(account, "ann")
    conv, = conversations(account, 1)
    agent = client_for(ann)
    page = agent.post(url(conv, "notes"), {"body": "Prefers mornings"}, **HTMX).content.decode()
    assert 'data-testid="notes"' in page and "Prefers mornings" in page and "never sent" in page
    assert Note.objects.get().author == ann
    page = agent.post(url(conv, "notes"), {"body": "  "}, **HTMX).content.decode()
    assert 'data-testid="note-error"' in page and Note.objects.count() == 1


def test_a_viewer_is_refused_and_another_accounts_conversation_is_a_404(account, other_account):
    vic, meg = person(account, "vic", "viewer"), person(account, "meg", "manager")
    theirs = d.conversation(other_account, d.line(other_account, "+15125550998"), "+12135550100")
    conv, = conversations(account, 1)
    assert client_for(vic).post(url(conv, "close")).status_code == 403
    assert client_for(meg).post(url(theirs, "close")).status_code == 404
    assert not Work.objects.exists()
