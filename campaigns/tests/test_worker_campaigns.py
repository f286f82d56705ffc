"""Campaigns end to end: started over HTTP, fanned out and sent by a real Celery worker
(with the pipeline's dispatcher and the sandbox carrier, whose outcome is chosen by the
number's last two digits: 00 read, 02 permanent failure, 06 reply, 07 sent without receipt)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from campaigns import tasks, variants
from campaigns.models import Campaign, CampaignRecipient, FanoutSlice
from contacts.models import Contact
from messaging.choices import Status
from messaging.models import Line, Message
from outreach.testing import assert_matches_schema, running_worker, wait_for
from webhooks.models import Event

from . import factories as f

pytestmark = pytest.mark.django_db(transaction=True)
ALWAYS = {"window_start": "00:00", "window_end": "00:00"}  # no quiet hours: tests run at any hour


def create(api, lst, **extra):
    body = {"name": "Launch", "body": "Hi {first_name|there}, {offer|10% off}", "list_ids": [str(lst.pk)],
            **ALWAYS, **extra}
    response = api.post("/api/v1/campaigns", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def progress(api, cid):
    response = api.get(f"/api/v1/campaigns/{cid}")
    assert response.status_code == 200
    return response.json()


def test_a_campaign_runs_to_completion_and_reports_engagement(api, account, worker):
    f.lines(account, 2)
    lst = f.audience(account, ["+15125550300", "+15125550302", "+15125550306", "+15125550307"])
    Contact.objects.filter(e164_number="+15125550300").update(first_name="Ann", custom_variables={"offer": "a gift"})
    f.contact(account, "+15125550310", lists=[lst], opted_out_at=timezone.now())
    cid = create(api, lst)

    assert api.post(f"/api/v1/campaigns/{cid}/start").json()["status"] == "ACTIVE"
    done = wait_for(lambda: (p := progress(api, cid))["status"] == "COMPLETED" and p, timeout=60,
                    message="the campaign did not complete")
    assert_matches_schema(api.get(f"/api/v1/campaigns/{cid}"), "/api/v1/campaigns/{id}")
    numbers = done["progress"]
    assert numbers["audience"] == 4 and numbers["materialised"] == 4 and numbers["queued"] == 0
    assert (numbers["sent"], numbers["read"], numbers["failed"], numbers["replied"]) == (3, 1, 1, 1)

    texts = dict(Message.objects.filter(campaign_recipient__campaign_id=cid).values_list("to_number", "content"))
    assert texts["+15125550300"] == "Hi Ann, a gift"
    assert texts["+15125550302"] == "Hi there, 10% off"  # no first name, no offer: fallbacks
    assert "+15125550310" not in texts  # opted out: never a recipient

    events = wait_for(lambda: (e := list(Event.objects.filter(type="campaign_engagement_completed"))) and len(e) == 4 and e)
    outcomes = {e.payload["contact"]["phone"]: e.payload["outcome"] for e in events}
    assert outcomes == {"+15125550300": "read", "+15125550302": "failed", "+15125550306": "replied",
                        "+15125550307": "sent"}
    assert all(e.payload["campaign"]["id"] == cid for e in events)

    recipients = api.get(f"/api/v1/campaigns/{cid}/recipients?outcome=replied")
    assert_matches_schema(recipients, "/api/v1/campaigns/{id}/recipients")
    assert [r["phone"] for r in recipients.json()["items"]] == ["+15125550306"]

    # A repeated fan-out (a redelivered task, the cursor lost) adds nothing.
    Campaign.objects.filter(pk=cid).update(status="ACTIVE", fanout_done_at=None)
    FanoutSlice.objects.filter(campaign_id=cid).update(cursor=None, count=0, done_at=None)
    tasks.fanout_campaign.delay(cid)
    wait_for(lambda: Campaign.objects.get(pk=cid).fanout_done_at is not None)
    assert Message.objects.filter(campaign_recipient__campaign_id=cid).count() == 4
    assert CampaignRecipient.objects.filter(campaign_id=cid).count() == 4


def test_stop_withdraws_what_no_worker_claimed(api, account, worker):
    f.lines(account, 1)
    lst = f.audience(account, [f"+151255504{i:02d}" for i in range(10, 15)])
    # Scheduled for tomorrow: fanned out now, due then, so nothing is claimed meanwhile.
    cid = create(api, lst, start_at=(timezone.now() + dt.timedelta(days=1)).isoformat())
    assert api.post(f"/api/v1/campaigns/{cid}/start").json()["status"] == "SCHEDULED"
    wait_for(lambda: progress(api, cid)["progress"]["materialised"] == 5, message="fan-out did not finish")
    # One message is in a worker's hands (claimed, being sent) when the stop comes.
    claimed = Message.objects.filter(campaign_recipient__campaign_id=cid).order_by("pk").first()
    Message.objects.filter(pk=claimed.pk).update(status=Status.ACCEPTED, claimed_at=timezone.now())

    response = api.post(f"/api/v1/campaigns/{cid}/stop")
    assert response.status_code == 200 and response.json()["status"] == "STOPPED"
    numbers = wait_for(lambda: (p := progress(api, cid)["progress"])["withdrawn"] == 4 and p)
    assert numbers["queued"] == 1  # the claimed one finishes; it was not withdrawn
    withdrawn = Message.objects.filter(campaign_recipient__campaign_id=cid, status=Status.DECLINED)
    assert {m.error_key for m in withdrawn} == {"WITHDRAWN"}
    assert not Event.objects.filter(type="campaign_engagement_completed").exists()
    assert api.post(f"/api/v1/campaigns/{cid}/start").status_code == 409


def etc_zone(local_hour: int) -> str:
    """An Etc/GMT zone whose local hour is ``local_hour`` right now."""
    offset = (local_hour - timezone.now().astimezone(dt.UTC).hour) % 24
    if offset > 14:
        offset -= 24
    return f"Etc/GMT{-offset:+d}"  # POSIX sign: Etc/GMT-5 is UTC+5


def test_quiet_hours_hold_a_contact_at_23_until_9_while_others_send(api, account, worker):
    f.lines(account, 1)
    lst = f.audience(account, [])
    night, day = etc_zone(23), etc_zone(12)
    f.contact(account, "+15125550500", lists=[lst], timezone=night)
    f.contact(account, "+15125550507", lists=[lst], timezone=day)
    cid = create(api, lst, window_start="09:00", window_end="20:00")
    api.post(f"/api/v1/campaigns/{cid}/start")

    sent = wait_for(lambda: Message.objects.filter(to_number="+15125550507", status=Status.SENT).first())
    held = Message.objects.get(to_number="+15125550500")
    assert held.status == Status.QUEUED and held.sent_at is None
    from zoneinfo import ZoneInfo

    local = held.next_attempt_at.astimezone(ZoneInfo(night))
    assert (local.hour, local.minute) == (9, 0)
    assert local.date() == (timezone.now().astimezone(ZoneInfo(night)) + dt.timedelta(hours=10)).date()
    assert sent.sent_at is not None
    assert progress(api, cid)["status"] == "ACTIVE"  # not complete while one waits for morning


def test_pace_spaces_the_sends(api, account, worker):
    f.lines(account, 1)
    lst = f.audience(account, ["+15125550600", "+15125550610", "+15125550620"])
    cid = create(api, lst, pace_per_minute=60)
    api.post(f"/api/v1/campaigns/{cid}/start")
    wait_for(lambda: progress(api, cid)["status"] == "COMPLETED", timeout=60)
    started = Campaign.objects.get(pk=cid).started_at
    for recipient in CampaignRecipient.objects.filter(campaign_id=cid).select_related("message"):
        slot = started + dt.timedelta(seconds=recipient.seq)  # one a second
        assert recipient.message.claimed_at >= slot, recipient.seq


def test_a_worker_fans_the_slices_of_a_large_audience_out_side_by_side(api, account):
    """Two pool processes, three slices of small chunks: every contact queued once."""
    f.lines(account, 2)
    lst = f.audience(account, [f"+151255506{i:02d}" for i in range(60)])
    # Tomorrow: fanned out now, due then, so the fan-out is all the worker does.
    cid = create(api, lst, start_at=(timezone.now() + dt.timedelta(days=1)).isoformat())
    with running_worker(concurrency=2, FANOUT_SLICES=3, FANOUT_SLICE_MIN=10,
                        FANOUT_CHUNK=7):
        assert api.post(f"/api/v1/campaigns/{cid}/start").status_code == 200
        wait_for(lambda: Campaign.objects.get(pk=cid).fanout_done_at is not None, message="fan-out never finished")
    campaign = Campaign.objects.get(pk=cid)
    assert campaign.fanout_count == 60
    assert FanoutSlice.objects.filter(campaign=campaign).count() == 3
    assert Message.objects.filter(campaign_recipient__campaign=campaign).count() == 60
    assert len(set(CampaignRecipient.objects.filter(campaign=campaign).values_list("seq", flat=True))) == 60
    assert api.get(f"/api/v1/campaigns/{cid}").json()["progress"]["queued"] == 60


def test_an_ab_test_sends_the_winner_to_the_rest_once_through_the_worker(api, account, worker):
    """The worker fans out the test's share, sends it, then (the decision asked twice, as a
    lost ETA task's sweep and the task itself would) picks the winner and sends it to the
    rest once; the campaign completes with every contact messaged exactly once."""
    f.lines(account, 1)
    Line.objects.filter(account=account).update(burst_per_second=1000, new_contacts_per_hour=1000,
                                                new_contacts_per_day=1000)
    lst = f.audience(account, [f"+151255{i:03d}00" for i in range(100, 140)])
    ab = [{"body": "A: Hi", "percent": 50}, {"body": "B: Hello", "percent": 50}]
    cid = create(api, lst, variants=ab, winner_test_percent=50, winner_wait_minutes=1)
    in_test = {c for c in lst.contacts.values_list("pk", flat=True)
               if variants.bucket(Campaign.objects.get(pk=cid).pk, c, salt=b"test") < 5000}
    assert 0 < len(in_test) < 40
    api.post(f"/api/v1/campaigns/{cid}/start")
    wait_for(lambda: progress(api, cid)["next_send"]["reason"] == "winner", timeout=60,
             message="the test's share was not sent")
    assert set(CampaignRecipient.objects.filter(campaign_id=cid).values_list("contact_id", flat=True)) == in_test

    Campaign.objects.filter(pk=cid).update(started_at=timezone.now() - dt.timedelta(minutes=2))
    tasks.pick_winner.delay(cid)
    tasks.pick_winner.delay(cid)
    done = wait_for(lambda: (p := progress(api, cid))["status"] == "COMPLETED" and p, timeout=60,
                    message="the rest was not sent")
    assert done["winner"]["variant"] in ("A", "B") and done["winner"]["reason"]
    assert Message.objects.filter(campaign_recipient__campaign_id=cid).count() == 40
    winner_index = "AB".index(done["winner"]["variant"])
    rest = CampaignRecipient.objects.filter(campaign_id=cid).exclude(contact_id__in=in_test)
    assert rest.count() == 40 - len(in_test) and set(rest.values_list("variant", flat=True)) == {winner_index}
