"""What happens after the sends: a STOP reply is "opted out", not "replied" (funnel, stats,
recipients, the engagement event), and a finished campaign's page keeps polling for a week so
late receipts and replies appear. The sandbox answers with the send (no delay) and the
fan-out and a dispatch chunk run inline."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from campaigns import engagement, fanout
from campaigns.models import Campaign
from contacts import keywords
from messaging.models import Line
from messaging.queue import dispatch
from messaging.services import simulate_inbound
from outreach.services import create_staff_user
from webhooks.models import Event

from . import factories as f

pytestmark = pytest.mark.django_db

STOP, THANKS, NO_READ = "+15125550305", "+15125550306", "+15125550304"


@pytest.fixture
def manager(account):
    client = Client()
    client.force_login(create_staff_user(account, "mia", "pw-for-tests-123", "manager"))
    return client


def run_campaign(api, account, numbers) -> str:
    f.lines(account, 1)
    lst = f.audience(account, numbers)
    body = {"name": "Spring", "body": "Hi", "list_ids": [str(lst.pk)], "window_start": "00:00", "window_end": "00:00"}
    cid = api.post("/api/v1/campaigns", body, format="json").json()["id"]
    api.post(f"/api/v1/campaigns/{cid}/start")
    fanout.run(cid)
    dispatch.run_chunk()
    return cid


def funnel(client, cid) -> dict[str, str]:
    page = client.get(f"/campaigns/{cid}/").content.decode()
    return dict(re.findall(r'data-testid="funnel-(\w+)">(\d+)<', page))


def test_a_stop_reply_is_opted_out_not_replied(api, account, manager):
    cid = run_campaign(api, account, [STOP, THANKS, NO_READ])
    progress = api.get(f"/api/v1/campaigns/{cid}").json()["progress"]
    assert (progress["replied"], progress["opted_out"]) == (1, 1)
    opted = api.get(f"/api/v1/campaigns/{cid}/recipients?outcome=opted_out").json()["items"]
    assert [r["phone"] for r in opted] == [STOP] and opted[0]["replied_at"] is None
    assert funnel(manager, cid)["opted_out"] == "1" and funnel(manager, cid)["replied"] == "1"
    events = {e.payload["contact"]["phone"]: e.payload for e in Event.objects.filter(type="campaign_engagement_completed")}
    assert events[STOP]["outcome"] == "opted_out" and events[STOP]["replied"] is False

    # Thanks first, STOP later: still counted as a reply, and now opted out too.
    simulate_inbound(account, Line.objects.get(account=account), THANKS, "stop")
    progress = api.get(f"/api/v1/campaigns/{cid}").json()["progress"]
    assert (progress["replied"], progress["opted_out"]) == (1, 2)
    # A plain reply after STOP changes nothing.
    simulate_inbound(account, Line.objects.get(account=account), STOP, "why?")
    assert api.get(f"/api/v1/campaigns/{cid}").json()["progress"]["replied"] == 1


def test_a_completed_campaign_keeps_updating_for_a_week(api, account, manager):
    cid = run_campaign(api, account, [NO_READ])
    assert engagement.check_completion(cid)
    page = manager.get(f"/campaigns/{cid}/").content.decode()
    assert 'data-status="COMPLETED"' in page and 'hx-trigger="every 10s"' in page
    version = re.search(r'"v": "(\w+)"', page).group(1)
    assert manager.get(f"/campaigns/{cid}/progress", {"v": version}).status_code == 204

    simulate_inbound(account, Line.objects.get(account=account), NO_READ, "Is it still on?")  # a late reply
    answer = manager.get(f"/campaigns/{cid}/progress", {"v": version})
    assert answer.status_code == 200
    assert 'data-testid="funnel-replied">1<' in answer.content.decode()
    assert api.get(f"/api/v1/campaigns/{cid}").json()["progress"]["replied"] == 1

    Campaign.objects.filter(pk=cid).update(completed_at=timezone.now() - dt.timedelta(days=8))
    page = manager.get(f"/campaigns/{cid}/").content.decode()
    assert "hx-trigger" not in page.split('id="live"')[1].split(">")[0]


def test_the_accounts_own_opt_out_word_makes_a_recipient_opted_out(api, account):
    """The opted-out outcome follows the account's keyword lists (``contacts.keywords``), the
    same lists the inbound path opts contacts out by; a word taken off them is a reply."""
    keywords.update(account, {"opt_out_keywords": ["STOP", "BASTA"]})
    cid = run_campaign(api, account, [THANKS, NO_READ])
    line = Line.objects.get(account=account)
    simulate_inbound(account, line, THANKS, "basta")
    simulate_inbound(account, line, NO_READ, "quit")  # a default word this account dropped
    # THANKS's sandbox number had replied already (a reply, then an opt-out); NO_READ's
    # "quit" is a plain reply here.
    progress = api.get(f"/api/v1/campaigns/{cid}").json()["progress"]
    assert (progress["replied"], progress["opted_out"]) == (2, 1)
    opted = api.get(f"/api/v1/campaigns/{cid}/recipients?outcome=opted_out").json()["items"]
    assert [r["phone"] for r in opted] == [THANKS]
