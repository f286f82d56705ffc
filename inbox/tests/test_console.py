"""The inbox's console pages over HTTP, as each role."""
from __future__ import annotations

import pytest
from django.test import Client

from inbox import services
from inbox.choices import Rule
from inbox.models import CannedReply, Label
from outreach.models import AuditEntry
from outreach.services import create_staff_user

from .helpers import client_for, person

pytestmark = pytest.mark.django_db


def test_a_manager_adds_edits_and_deletes_labels_an_agent_reads_them(account):
    meg, ann = client_for(person(account, "meg", "manager")), client_for(person(account, "ann"))
    response = meg.post("/inbox/labels/", {"name": "VIP", "colour": "#2563eb"})
    assert response.status_code == 302
    label = Label.objects.get(account=account)
    response = meg.post("/inbox/labels/", {"name": "vip", "colour": "blue"})
    assert response.status_code == 422
    assert b"already has a label" in response.content and b"#rrggbb" in response.content
    meg.post(f"/inbox/labels/{label.pk}/", {"name": "Gold", "colour": "#aa0000"})
    label.refresh_from_db()
    assert (label.name, label.colour) == ("Gold", "#aa0000")
    page = ann.get("/inbox/labels/").content.decode()
    assert "Gold" in page and 'data-testid="label-form"' not in page and ">Delete</button>" not in page
    assert 'fill="#aa0000"' in page, "the colour is an SVG fill: the CSP refuses style attributes"
    assert ann.post("/inbox/labels/", {"name": "Mine"}).status_code == 403
    meg.post(f"/inbox/labels/{label.pk}/delete")
    assert not Label.objects.exists()
    verbs = [e.detail["verb"] for e in AuditEntry.objects.filter(action="inbox.label_changed").order_by("id")]
    assert verbs == ["created", "changed", "deleted"]


def test_canned_replies_show_a_preview_and_refuse_a_bad_template(account):
    meg = client_for(person(account, "meg", "manager"))
    assert meg.post("/inbox/canned/", {"shortcut": "thanks", "body": "Thanks {first_name|there}!"}).status_code == 302
    page = meg.get("/inbox/canned/").content.decode()
    assert "/thanks" in page and "Thanks Alex!" in page
    response = meg.post("/inbox/canned/", {"shortcut": "Thanks Again", "body": "Hi {{first_name}}"})
    assert response.status_code == 422
    assert b"lower-case" in response.content and b"would send braces" in response.content
    canned = CannedReply.objects.get()
    meg.post(f"/inbox/canned/{canned.pk}/", {"shortcut": "thanks", "body": "Cheers {first_name|friend}"})
    canned.refresh_from_db()
    assert canned.body == "Cheers {first_name|friend}"
    assert client_for(person(account, "vic", "viewer")).get("/inbox/canned/").status_code == 200


def test_the_rule_and_availability(account):
    ann = person(account, "ann")
    meg = client_for(person(account, "meg", "manager"))
    assert meg.post("/inbox/assignment/", {"rule": "round_robin"}).status_code == 302
    assert services.settings_of(account).rule == Rule.ROUND_ROBIN
    assert meg.post("/inbox/assignment/", {"rule": "lottery"}).status_code == 422
    agent = client_for(ann)
    assert agent.get("/inbox/assignment/").status_code == 403
    response = agent.post("/inbox/availability/", {"available": "on", "next": "/inbox/canned/"})
    assert response.status_code == 302 and response["Location"] == "/inbox/canned/"
    assert services.available_ids(account) == [ann.pk]
    assert "Available" in agent.get("/inbox/canned/").content.decode()
    page = meg.get("/inbox/assignment/").content.decode()
    assert "ann" in page and "available" in page
    agent.post("/inbox/availability/", {"next": "//evil.example.com/"})
    assert services.available_ids(account) == []
    assert services.next_assignee(account) is None


@pytest.mark.django_db
def test_settings_links_the_team_inbox_pages_by_role(account):
    pages = {}
    for role in ("agent", "manager"):
        client = Client()
        client.force_login(create_staff_user(account, f"u-{role}", "pw-for-tests-123", role))
        pages[role] = client.get("/settings/").content.decode()
    for role, page in pages.items():
        assert '/inbox/labels/' in page and '/inbox/canned/' in page, role
    assert '/inbox/assignment/' in pages["manager"] and '/inbox/assignment/' not in pages["agent"]
