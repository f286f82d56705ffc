"""Send the winner to the rest: an A/B campaign's variants go to a test share of the
audience; after the wait (an injected clock here) the best variant by reply or click rate
is picked, with its reason, and sent to everyone else exactly once, however often the
decision runs. Through the API, the sandbox lines and the console; task bodies run inline."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client

from campaigns import engagement, fanout, sweeps, tasks, variants, winner
from campaigns.models import Campaign, CampaignRecipient, TrackedLink
from contacts.models import Contact, ContactList
from messaging.models import Line, Message
from messaging.queue import dispatch
from messaging.services import simulate_inbound
from outreach.services import create_staff_user
from outreach.testing import assert_matches_schema

from . import factories as f

pytestmark = pytest.mark.django_db

AB = [{"body": "A: Hi {first_name|there}", "percent": 50}, {"body": "B: Hello {first_name|there}!", "percent": 50}]
TEST = {"winner_test_percent": 20, "winner_wait_minutes": 60, "winner_metric": "reply_rate"}
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def create(api, lst, variants_=AB, **extra) -> dict:
    body = {"name": "AB", "variants": variants_, "list_ids": [str(lst.pk)], "window_start": "00:00",
            "window_end": "00:00", **TEST, **extra}
    response = api.post("/api/v1/campaigns", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def quiet_list(account, n: int) -> ContactList:
    """``n`` contacts whose numbers end in 00: the sandbox delivers and reads, never replies."""
    lst = ContactList.objects.create(account=account, name="Quiet")
    contacts = Contact.objects.bulk_create([
        Contact(account=account, phone_number=f"+1512{70000 + i:05d}00", e164_number=f"+1512{70000 + i:05d}00")
        for i in range(n)])
    Contact.lists.through.objects.bulk_create(
        [Contact.lists.through(contact_id=c.pk, contactlist_id=lst.pk) for c in contacts])
    return lst


def started(api, account, n: int = 200, **extra) -> tuple[str, Campaign]:
    f.lines(account, 1)
    # Limits out of the way: the test's share all leaves in one dispatcher chunk.
    Line.objects.filter(account=account).update(burst_per_second=1000, new_contacts_per_hour=1000,
                                                new_contacts_per_day=1000)
    cid = create(api, quiet_list(account, n), **extra)["id"]
    assert api.post(f"/api/v1/campaigns/{cid}/start").status_code == 200
    fanout.run(cid)
    return cid, Campaign.objects.get(pk=cid)


def test_the_test_share_first_then_the_winner_by_replies_to_the_rest_once(api, account):
    cid, campaign = started(api, account)
    in_test = {c for c in account.contacts.values_list("pk", flat=True)
               if variants.bucket(uuid.UUID(cid), c, salt=b"test") < 2000}
    tested = dict(CampaignRecipient.objects.filter(campaign_id=cid).values_list("contact_id", "variant"))
    assert set(tested) == in_test and 20 <= len(tested) <= 60  # about 20 % of 200
    assert set(tested.values()) == {0, 1}  # the test holds both variants
    assert campaign.fanout_done_at is not None and winner.testing(campaign)

    start = campaign.started_at
    dispatch.run_chunk()  # the sandbox sends the test
    assert not Message.objects.filter(campaign_recipient__campaign_id=cid, status="QUEUED").exists()
    waits = api.get(f"/api/v1/campaigns/{cid}").json()["next_send"]
    assert waits["reason"] == "winner" and "winner" in waits["detail"]
    assert not engagement.check_completion(cid)  # not complete while the rest waits for the winner
    line = Line.objects.get(account=account)
    reached = CampaignRecipient.objects.filter(campaign_id=cid, outcome__in=["sent", "delivered", "read"])
    b_phones = list(reached.filter(variant=1).values_list("contact__e164_number", flat=True)[:3])
    a_phones = list(reached.filter(variant=0).values_list("contact__e164_number", flat=True)[:1])
    assert len(b_phones) == 3 and len(a_phones) == 1
    for phone in [*b_phones, *a_phones]:
        simulate_inbound(account, line, phone, "Sounds good")

    assert not winner.decide(cid, now=start + dt.timedelta(minutes=59))  # not due yet
    assert winner.decide(cid, now=start + dt.timedelta(minutes=61))
    campaign.refresh_from_db()
    assert campaign.winner_variant == 1 and campaign.winner_decided_at is not None
    assert campaign.winner_reason.startswith("B had the best reply rate.")
    assert "B: 3 of" in campaign.winner_reason and "A: 1 of" in campaign.winner_reason

    fanout.run(cid)  # the rest, with B
    rest = CampaignRecipient.objects.filter(campaign_id=cid).exclude(contact_id__in=in_test)
    assert CampaignRecipient.objects.filter(campaign_id=cid).count() == 200
    assert set(rest.values_list("variant", flat=True)) == {1}
    assert all(m.startswith("B: Hello") for m in Message.objects.filter(
        campaign_recipient__in=rest).values_list("content", flat=True))

    # A test send for one of the rest whom the split would have given A shows the winner.
    split_a = next(r.contact_id for r in rest if variants.picker(AB, uuid.UUID(cid))(r.contact_id) == 0)
    tried = api.post(f"/api/v1/campaigns/{cid}/test", {"contact_id": str(split_a), "to": "+15125550999"},
                     format="json")
    assert tried.status_code == 201, tried.content
    assert tried.json()["content"].startswith("B: Hello")

    # Twice more, by the task and the sweep's path: nothing is sent again.
    assert not tasks.pick_winner(cid) and not winner.decide(cid, now=start + dt.timedelta(days=1))
    fanout.run(cid)
    assert CampaignRecipient.objects.filter(campaign_id=cid).count() == 200
    assert Message.objects.filter(campaign_recipient__campaign_id=cid).count() == 200

    detail = api.get(f"/api/v1/campaigns/{cid}")
    assert_matches_schema(detail, "/api/v1/campaigns/{id}")
    found = detail.json()["winner"]
    assert (found["variant"], found["test_percent"], found["metric"]) == ("B", 20, "reply_rate")
    assert found["reason"] == campaign.winner_reason
    client = Client()
    client.force_login(create_staff_user(account, "mia", "pw-for-tests-123", "manager"))
    page = client.get(f"/campaigns/{cid}/").content.decode()
    assert "<strong>Winner: B</strong>" in page and "B had the best reply rate." in page


def test_the_winner_by_clicks_and_the_sweep_decides_a_test_past_due(api, account, monkeypatch):
    account.track_links = True
    account.save(update_fields=["track_links"])
    linked = [{**v, "body": v["body"] + " https://shop.example.com/x"} for v in AB]
    cid, campaign = started(api, account, 100, variants_=linked, winner_metric="click_rate", winner_test_percent=40)
    dispatch.run_chunk()
    clicker = TrackedLink.objects.filter(campaign_id=cid, contact__campaign_recipients__variant=0).first()
    assert Client(HTTP_USER_AGENT=PHONE).get(f"/l/{clicker.code}").status_code == 302

    decided = []
    monkeypatch.setattr(tasks.pick_winner, "delay", lambda pk: decided.append(winner.decide(pk, now=later)))
    later = campaign.started_at + dt.timedelta(minutes=30)
    sweeps.sweep()
    assert decided == []  # not due: the sweep leaves it
    Campaign.objects.filter(pk=cid).update(started_at=campaign.started_at - dt.timedelta(hours=2))
    later = campaign.started_at + dt.timedelta(hours=1)
    sweeps.sweep()
    assert decided == [True]
    campaign.refresh_from_db()
    assert campaign.winner_variant == 0 and campaign.winner_reason.startswith("A had the best click rate.")


def test_without_replies_the_first_wins_and_a_paused_test_waits(api, account):
    cid, campaign = started(api, account, 50)
    late = campaign.started_at + dt.timedelta(hours=2)
    api.post(f"/api/v1/campaigns/{cid}/pause")
    assert not winner.decide(cid, now=late)  # decided once resumed
    api.post(f"/api/v1/campaigns/{cid}/resume")
    assert winner.decide(cid, now=late)
    campaign.refresh_from_db()
    assert campaign.winner_variant == 0 and "the first" in campaign.winner_reason  # nothing was sent yet


def test_bad_winner_settings_are_one_422_naming_each(api, account):
    lst = f.audience(account, ["+15125550801"])
    response = api.post("/api/v1/campaigns", {
        "name": "AB", "body": "Hi", "list_ids": [str(lst.pk)], "winner_test_percent": 95,
        "winner_wait_minutes": 0, "winner_metric": "opens",
    }, format="json")
    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == {"winner_test_percent", "winner_wait_minutes", "winner_metric"}
    no_variants = api.post("/api/v1/campaigns", {"name": "AB", "body": "Hi", "list_ids": [str(lst.pk)], **TEST},
                           format="json")
    assert no_variants.status_code == 422 and "variants" in no_variants.json()["errors"]["winner_test_percent"][0]
    clicks = api.post("/api/v1/campaigns", {"name": "AB", "variants": AB, **TEST, "winner_metric": "click_rate"},
                      format="json")
    assert clicks.status_code == 422 and set(clicks.json()["errors"]) == {"winner_metric"}
    assert not Campaign.objects.exists()


def test_the_console_form_sets_a_test_and_the_page_says_when_it_is_picked(account):
    lst = f.audience(account, ["+15125550802", "+15125550803"])
    client = Client()
    client.force_login(create_staff_user(account, "mia", "pw-for-tests-123", "manager"))
    form = {"name": "AB", "body": "Hi A", "variant_b": "Hi B", "split": "50, 50", "lists": [str(lst.pk)],
            "priority": 0, "window_start": "09:00", "window_end": "20:00", "winner_test_percent": "25"}
    bad = client.post("/campaigns/new", form)
    assert bad.status_code == 422 and "winner_wait_minutes" in bad.context["form"].errors
    assert client.post("/campaigns/new", {**form, "winner_wait_minutes": "90"}).status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.winner_test_percent, campaign.winner_wait_minutes, campaign.winner_metric) == (25, 90, "reply_rate")
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "the variants go to 25% of the audience first" in page and "90 minutes after the start" in page
    assert client.post(f"/campaigns/{campaign.pk}/clone").status_code == 302
    copy = Campaign.objects.exclude(pk=campaign.pk).get()
    assert (copy.winner_test_percent, copy.winner_wait_minutes, copy.winner_metric) == (25, 90, "reply_rate")


def test_a_paced_rest_starts_at_the_decision_not_after_the_tests_slots(api, account):
    """At 6 a minute, a test of ~25 recipients took ~4 minutes of slots: the rest's first
    message is due at the decision, then one every 10 s."""
    cid, campaign = started(api, account, 100, winner_test_percent=25, pace_per_minute=6)
    tested = CampaignRecipient.objects.filter(campaign_id=cid).count()
    assert tested >= 10
    decided_at = campaign.started_at + dt.timedelta(hours=1)
    assert winner.decide(cid, now=decided_at)
    fanout.run(cid)
    rest = Message.objects.filter(campaign_recipient__campaign_id=cid, campaign_recipient__variant=0,
                                  campaign_recipient__seq__gte=tested)
    first, second = sorted(rest.values_list("next_attempt_at", flat=True))[:2]
    assert abs((first - decided_at).total_seconds()) <= 10 and (second - first).total_seconds() == pytest.approx(10, abs=1)
