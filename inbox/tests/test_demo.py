"""``seed_demo`` gives the demo account the inbox's labels and canned replies, once."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from inbox import services
from inbox.models import CannedReply, Label
from outreach import demo as demo_seeders
from outreach.models import Account

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def test_the_demo_has_labels_and_canned_replies_and_a_second_run_adds_none(settings, tmp_path):
    settings.DEMO_LOGIN_FILE = tmp_path / "login.txt"
    seed()
    demo = Account.objects.get(name="Demo")
    labels = list(Label.objects.filter(account=demo).order_by("name").values_list("name", "colour"))
    assert [name for name, _ in labels] == ["Billing", "Lead", "Support"]
    canned = {c.shortcut: c for c in CannedReply.objects.filter(account=demo)}
    assert set(canned) == {"hours", "thanks"}
    assert services.render(canned["thanks"], None).startswith("Thanks there!")
    assert services.render(canned["hours"], None).startswith("Hi there, we're open")

    seed()
    demo_seeders.seed(demo)  # each seeder skips what the account has, whoever runs it
    assert list(Label.objects.filter(account=demo).order_by("name").values_list("name", "colour")) == labels
    assert CannedReply.objects.filter(account=demo).count() == 2
    assert not Label.objects.exclude(account=demo).exists() and not CannedReply.objects.exclude(account=demo).exists()


def test_the_demo_agent_sees_them_in_the_console(settings, tmp_path):
    settings.DEMO_LOGIN_FILE = tmp_path / "login.txt"
    seed()
    agent = Client()
    agent.force_login(Account.objects.get(name="Demo").memberships.get(user__username="agent").user)
    page = agent.get("/inbox/canned/").content.decode()
    assert "/thanks" in page and "/hours" in page
    assert all(name in agent.get("/inbox/labels/").content.decode() for name in ("Lead", "Support", "Billing"))
