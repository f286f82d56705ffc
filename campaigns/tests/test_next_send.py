"""When a campaign sends next and why it waits: ``next_send`` of ``GET /api/v1/campaigns/{id}``
and the console page's line, for each cause (the fan-out and a dispatch chunk run inline)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from campaigns import fanout
from messaging.models import Line
from messaging.queue import dispatch
from outreach.services import create_staff_user
from outreach.testing import assert_matches_schema

from . import factories as f

pytestmark = pytest.mark.django_db


def etc_zone(local_hour: int) -> str:
    """An Etc/GMT zone whose local hour is ``local_hour`` right now."""
    offset = (local_hour - timezone.now().astimezone(dt.UTC).hour) % 24
    if offset > 14:
        offset -= 24
    return f"Etc/GMT{-offset:+d}"


def started(api, lst, **extra) -> str:
    body = {"name": "Spring", "body": "Hi {first_name|there}", "list_ids": [str(lst.pk)],
            "window_start": "00:00", "window_end": "00:00", **extra}
    cid = api.post("/api/v1/campaigns", body, format="json").json()["id"]
    assert api.post(f"/api/v1/campaigns/{cid}/start").status_code == 200
    return cid


def next_send(api, cid) -> dict:
    response = api.get(f"/api/v1/campaigns/{cid}")
    assert_matches_schema(response, "/api/v1/campaigns/{id}")
    return response.json()["next_send"]


def test_a_campaign_started_at_night_says_it_sends_when_the_window_opens(api, account):
    f.lines(account, 1)
    lst = f.audience(account, [])
    night = etc_zone(23)
    f.contact(account, "+15125550500", lists=[lst], timezone=night)
    cid = started(api, lst, window_start="09:00", window_end="20:00")
    fanout.run(cid)

    found = next_send(api, cid)
    assert found["reason"] == "quiet_hours"
    at = dt.datetime.fromisoformat(found["at"])
    local = at.astimezone(ZoneInfo(night))
    assert (local.hour, local.minute) == (9, 0) and at > timezone.now()
    # In the account's zone (America/New_York): its offset, not UTC's.
    assert at.utcoffset() == timezone.now().astimezone(ZoneInfo("America/New_York")).utcoffset()
    assert "quiet hours" in found["detail"]


def test_a_scheduled_start_is_the_next_send_before_and_after_the_fan_out(api, account):
    f.lines(account, 1)
    lst = f.audience(account, ["+15125550501"])
    start_at = (timezone.now() + dt.timedelta(hours=3)).replace(microsecond=0)
    cid = started(api, lst, start_at=start_at.isoformat())
    before = next_send(api, cid)
    assert before["reason"] == "scheduled_start" and dt.datetime.fromisoformat(before["at"]) == start_at
    fanout.run(cid)
    after = next_send(api, cid)
    assert after["reason"] == "scheduled_start" and dt.datetime.fromisoformat(after["at"]) == start_at


def test_pace_and_sending_now(api, account):
    f.lines(account, 1)
    lst = f.audience(account, ["+15125550510", "+15125550511"])
    cid = started(api, lst, pace_per_minute=1)
    assert next_send(api, cid)["detail"].startswith("Sending now")  # started, not fanned out yet
    fanout.run(cid)
    now = next_send(api, cid)
    assert now["reason"] is None and now["at"] and now["detail"].startswith("Sending now")
    dispatch.run_chunk()  # the first leaves; the second has its slot a minute later
    paced = next_send(api, cid)
    assert paced["reason"] == "pace"
    assert dt.datetime.fromisoformat(paced["at"]) > timezone.now() + dt.timedelta(seconds=30)


def test_a_line_limit_holds_the_rest(api, account):
    f.lines(account, 1)
    Line.objects.filter(account=account).update(new_contacts_per_hour=1)
    lst = f.audience(account, ["+15125550512", "+15125550513"])
    cid = started(api, lst)
    fanout.run(cid)
    dispatch.run_chunk()
    held = next_send(api, cid)
    assert held["reason"] == "line_limits" and dt.datetime.fromisoformat(held["at"]) > timezone.now()


def test_paused_draft_and_the_console_line(api, account):
    f.lines(account, 1)
    lst = f.audience(account, [])
    f.contact(account, "+15125550506", lists=[lst], timezone=etc_zone(23))
    draft = api.post("/api/v1/campaigns", {"name": "D", "body": "Hi", "list_ids": [str(lst.pk)]},
                     format="json").json()
    assert draft["next_send"] == {"at": None, "reason": None, "detail": "Nothing is waiting to be sent."}
    cid = started(api, lst, window_start="09:00", window_end="20:00")
    fanout.run(cid)

    user = create_staff_user(account, "mia", "pw-for-tests-123", "manager")
    client = Client()
    client.force_login(user)
    page = client.get(f"/campaigns/{cid}/").content.decode()
    assert 'data-reason="quiet_hours"' in page and "waiting for quiet hours" in page

    assert api.post(f"/api/v1/campaigns/{cid}/pause").json()["next_send"]["reason"] == "paused"
    page = client.get(f"/campaigns/{cid}/").content.decode()
    assert "Paused: nothing is sent until you resume it." in page
