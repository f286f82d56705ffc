"""Tracked links: URLs rewritten per recipient at fan-out, ``/l/<code>`` redirecting (302)
to the target fixed then, a click counted once per recipient, preview fetchers and HEAD
ignored, ``link.clicked`` emitted; no statement per recipient for the rewrite."""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from campaigns import fanout
from campaigns.models import TrackedLink
from messaging.models import Message
from outreach.models import Account, AuditEntry
from outreach.services import create_staff_user
from webhooks.models import Event

from . import factories as f
from .test_variants import big_list

pytestmark = pytest.mark.django_db

BODY = "Hi {first_name|there}: https://shop.example.com/spring?x=1&y=2 or https://example.org."
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
IMESSAGE_PREVIEW = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0"


def campaign(api, account, lst, body=BODY):
    data = {"name": "Links", "body": body, "list_ids": [str(lst.pk)], "window_start": "00:00", "window_end": "00:00"}
    cid = api.post("/api/v1/campaigns", data, format="json").json()["id"]
    api.post(f"/api/v1/campaigns/{cid}/start")
    fanout.run(cid)
    return cid


@pytest.fixture
def tracked(account):
    Account.objects.filter(pk=account.pk).update(track_links=True, link_domain="https://go.example.com")
    account.refresh_from_db()
    f.lines(account, 1)
    return account


def test_links_are_rewritten_per_recipient_and_a_click_counts_once(api, tracked):
    cid = campaign(api, tracked, f.audience(tracked, ["+15125550711", "+15125550712"]))
    messages = list(Message.objects.filter(campaign_recipient__campaign_id=cid))
    for message in messages:
        assert "shop.example.com" not in message.content and "example.org" not in message.content
        assert len(re.findall(r"https://go\.example\.com/l/[\w-]{12}(?![\w-])", message.content)) == 2
        assert message.content.endswith(".")  # the sentence's full stop is no part of the link
    assert sorted(set(TrackedLink.objects.values_list("url", flat=True))) == [
        "https://example.org", "https://shop.example.com/spring?x=1&y=2"]
    assert TrackedLink.objects.count() == 4

    ann = TrackedLink.objects.get(contact__e164_number="+15125550711", url__contains="shop")
    browser = Client(HTTP_USER_AGENT=PHONE)
    response = browser.get(f"/l/{ann.code}?next=https://evil.example")
    assert response.status_code == 302 and response["Location"] == "https://shop.example.com/spring?x=1&y=2"
    assert browser.get(f"/l/{ann.code}").status_code == 302
    other = TrackedLink.objects.get(contact__e164_number="+15125550711", url="https://example.org")
    browser.get(f"/l/{other.code}")
    ann.refresh_from_db()
    assert ann.clicks == 2 and ann.clicked_at is not None
    events = Event.objects.filter(type="link.clicked")
    assert events.count() == 2 and {e.payload["url"] for e in events} == {ann.url, other.url}
    detail = api.get(f"/api/v1/campaigns/{cid}").json()
    assert detail["progress"]["clicked"] == 1  # once per recipient, however many clicks
    clicked = {r["phone"]: r["clicked"] for r in api.get(f"/api/v1/campaigns/{cid}/recipients").json()["items"]}
    assert clicked == {"+15125550711": True, "+15125550712": False}


def test_codes_are_unguessable(api, tracked):
    """72 random bits per code (12 url-safe characters): with millions of links out, a
    guess still hits one about once in 10^15 tries."""
    campaign(api, tracked, f.audience(tracked, ["+15125550715"]))
    codes = list(TrackedLink.objects.values_list("code", flat=True))
    assert codes and all(len(code) == 12 and re.fullmatch(r"[\w-]+", code) for code in codes)


def test_previews_and_head_do_not_count_and_unknown_codes_are_404(api, tracked):
    cid = campaign(api, tracked, f.audience(tracked, ["+15125550713"]))
    link = TrackedLink.objects.filter(campaign_id=cid).first()
    assert Client(HTTP_USER_AGENT=IMESSAGE_PREVIEW).get(f"/l/{link.code}").status_code == 302
    assert Client(HTTP_USER_AGENT=PHONE).head(f"/l/{link.code}").status_code == 302
    link.refresh_from_db()
    assert (link.clicks, link.clicked_at) == (0, None) and not Event.objects.filter(type="link.clicked").exists()
    assert api.get(f"/api/v1/campaigns/{cid}").json()["progress"]["clicked"] == 0
    assert Client().get("/l/nosuchcode").status_code == 404
    assert Client().post(f"/l/{link.code}").status_code == 405


def test_without_the_switch_links_stay_as_written(api, account):
    f.lines(account, 1)
    cid = campaign(api, account, f.audience(account, ["+15125550714"]))
    assert "https://shop.example.com/spring?x=1&y=2" in Message.objects.get(campaign_recipient__campaign_id=cid).content
    assert not TrackedLink.objects.exists()


def test_the_rewrite_costs_no_statement_per_recipient(api, tracked, settings):
    settings.FANOUT_CHUNK = 10_000

    def cost(n: int) -> int:
        lst = big_list(tracked, n, name=f"List {n}", first=8000000 + 1000 * n)
        data = {"name": "Links", "body": BODY, "list_ids": [str(lst.pk)], "window_start": "00:00", "window_end": "00:00"}
        cid = api.post("/api/v1/campaigns", data, format="json").json()["id"]
        api.post(f"/api/v1/campaigns/{cid}/start")
        with CaptureQueriesContext(connection) as queries:
            fanout.run(cid)
        assert TrackedLink.objects.filter(campaign_id=cid).count() == 2 * n
        return len(queries.captured_queries)

    assert cost(20) == cost(200)


def test_owners_switch_tracking_in_the_console(account):
    owner, manager = Client(), Client()
    owner.force_login(create_staff_user(account, "olive", "pw-for-tests-123", "owner"))
    manager.force_login(create_staff_user(account, "mia", "pw-for-tests-123", "manager"))
    assert manager.get("/settings/links/").status_code == 403
    bad = owner.post("/settings/links/", {"track_links": "on", "link_domain": "https://go.example.com/path"})
    assert bad.status_code == 422 and "link_domain" in bad.context["form"].errors
    assert owner.post("/settings/links/", {"track_links": "on", "link_domain": "https://go.example.com/"}).status_code == 302
    account.refresh_from_db()
    assert account.track_links and account.link_domain == "https://go.example.com"
    assert AuditEntry.objects.get(action="account.link_tracking_changed").detail["track_links"] is True
