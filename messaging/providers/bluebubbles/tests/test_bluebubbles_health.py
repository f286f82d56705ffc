"""A BlueBubbles line's health, asked every poll cycle: the relay unreachable, the password
refused, or the Mac's iMessage signed out make it unhealthy with the reason and since when;
``GET /api/v1/lines`` shows it; ``line.unhealthy`` / ``line.healthy`` are emitted once per
change."""
from __future__ import annotations

import pytest

from messaging.models import Line
from messaging.providers.bluebubbles import services as bb
from messaging.providers.bluebubbles.tasks import poll_bluebubbles_line
from outreach.testing import assert_matches_schema
from webhooks.models import Event

from .bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers

pytestmark = pytest.mark.django_db


def events(kind: str) -> list[dict]:
    return list(Event.objects.filter(type=kind).order_by("created_at", "pk").values_list("payload", flat=True))


def test_a_mac_signed_out_of_imessage_makes_the_line_unhealthy_within_one_cycle(api, account, bb_line, fake):
    fake.signed_out = True
    poll_bluebubbles_line(bb_line.pk)

    line = Line.objects.get(pk=bb_line.pk)
    assert not line.healthy and "not signed in to iMessage" in line.health_error
    since = line.unhealthy_since
    assert since is not None
    [event] = events("line.unhealthy")
    assert event["number"] == line.number and event["health_error"] == line.health_error
    assert event["unhealthy_since"] is not None

    poll_bluebubbles_line(bb_line.pk)  # still signed out: same state, same since, no new event
    assert Line.objects.get(pk=bb_line.pk).unhealthy_since == since
    assert len(events("line.unhealthy")) == 1

    response = api.get("/api/v1/lines")
    assert_matches_schema(response, "/api/v1/lines")
    [shown] = [x for x in response.json()["items"] if x["number"] == line.number]
    assert (shown["healthy"], shown["health_error"]) == (False, line.health_error)
    assert shown["unhealthy_since"] is not None

    fake.signed_out = False
    poll_bluebubbles_line(bb_line.pk)
    line.refresh_from_db()
    assert (line.healthy, line.health_error, line.unhealthy_since) == (True, "", None)
    [back] = events("line.healthy")
    assert back["healthy"] is True and back["was_unhealthy_since"] == event["unhealthy_since"]


def test_with_the_private_api_imessage_must_answer_for_the_macs_own_address(account, bb_line, fake):
    fake.private_api = fake.helper_connected = True
    bb.configure_line(account, bb_line, url=fake.url, method="private-api")
    fake.not_imessage.add("line@icloud.com")  # the account looks signed in; Apple disagrees
    poll_bluebubbles_line(bb_line.pk)
    line = Line.objects.get(pk=bb_line.pk)
    assert not line.healthy and "iMessage does not answer for line@icloud.com" in line.health_error


@pytest.mark.parametrize("breakage,says", [
    ("down", "unreachable"),
    ("password", "refused the password"),
])
def test_an_unreachable_relay_or_a_refused_password_is_an_unhealthy_line(account, bb_line, fake, breakage, says):
    if breakage == "down":
        fake.gateway_down = True
    else:
        bb.configure_line(account, bb_line, url=fake.url, method="apple-script", password="not-it")
    poll_bluebubbles_line(bb_line.pk)
    line = Line.objects.get(pk=bb_line.pk)
    assert not line.healthy and says in line.health_error and line.unhealthy_since
    assert [e["health_error"] for e in events("line.unhealthy")] == [line.health_error]
    assert "hunter2" not in line.health_error


def test_while_a_line_is_unhealthy_new_contacts_go_to_a_healthy_line_and_its_own_wait(account, bb_line, fake):
    from messaging import services
    from messaging.choices import Status
    from messaging.queue import dispatch

    from .bluebubbles_fixtures import ALICE, BOB, queue_text

    other = services.add_line(account, "+15125550133", "sandbox")
    for number in ("+15125550144", "+15125550145"):  # the healthy line is the busier one
        services.send(account, to=number, content="hi", from_number=other.number)
    stuck = queue_text(account, bb_line, to=ALICE, content="before the outage")  # ALICE sticks to bb_line
    fake.signed_out = True
    poll_bluebubbles_line(bb_line.pk)
    assert not Line.objects.get(pk=bb_line.pk).healthy

    new_contact = services.send(account, to=BOB, content="hello Bob")
    again = services.send(account, to=ALICE, content="still there?")
    assert new_contact.line_id == other.pk  # the new contact goes to the healthy line
    assert again.line_id == bb_line.pk  # a contact stuck to the unhealthy line waits for it

    dispatch.run_chunk()
    stuck.refresh_from_db()
    again.refresh_from_db()
    assert (stuck.status, stuck.attempts, again.status, again.attempts) == (Status.QUEUED, 0, Status.QUEUED, 0)
    assert fake.sent_texts() == []

    fake.signed_out = False
    poll_bluebubbles_line(bb_line.pk)  # healthy again: the held messages go out, once
    dispatch.run_chunk()
    dispatch.run_chunk()
    assert sorted(t["message"] for t in fake.sent_texts()) == ["before the outage", "still there?"]
    stuck.refresh_from_db()
    again.refresh_from_db()
    assert stuck.status == again.status == Status.SENT


def test_the_lines_page_and_the_thread_header_say_why_and_since_when(account, bb_line, fake):
    from messaging.tests.console_data import staff_client

    from .bluebubbles_fixtures import ALICE, queue_text

    message = queue_text(account, bb_line, to=ALICE)
    fake.signed_out = True
    poll_bluebubbles_line(bb_line.pk)
    line = Line.objects.get(pk=bb_line.pk)
    admin = staff_client(account)

    lines_page = admin.get("/messages/lines/").content.decode()
    assert "Unhealthy since" in lines_page and "not signed in to iMessage" in lines_page
    thread = admin.get(f"/messages/inbox/{message.conversation_id}/").content.decode()
    assert 'data-testid="line-unhealthy"' in thread and "not signed in to iMessage" in thread
    assert f"Line {line.number} is unhealthy since" in thread

    fake.signed_out = False
    poll_bluebubbles_line(bb_line.pk)
    assert 'data-testid="line-unhealthy"' not in admin.get(f"/messages/inbox/{message.conversation_id}/").content.decode()


def test_after_the_accounts_delay_waiting_contacts_move_to_a_healthy_line_with_an_event(account, bb_line, fake):
    from datetime import timedelta

    from messaging import services
    from messaging.choices import Status
    from messaging.models import Conversation
    from messaging.queue import dispatch
    from messaging.services.failover import move_stuck_contacts

    from .bluebubbles_fixtures import ALICE, queue_text

    account.failover_after_minutes = 30
    account.save(update_fields=["failover_after_minutes"])
    other = services.add_line(account, "+15125550133", "sandbox")
    waiting = queue_text(account, bb_line, to=ALICE, content="are you coming?")
    fake.signed_out = True
    poll_bluebubbles_line(bb_line.pk)  # unhealthy now; the delay has not passed: it waits
    line = Line.objects.get(pk=bb_line.pk)
    assert Conversation.objects.get(pk=waiting.conversation_id).line_id == bb_line.pk

    assert move_stuck_contacts(line, now=line.unhealthy_since + timedelta(minutes=29)) == 0
    assert move_stuck_contacts(line, now=line.unhealthy_since + timedelta(minutes=31)) == 1

    waiting.refresh_from_db()
    assert (waiting.line_id, waiting.from_number, waiting.status) == (other.pk, other.number, Status.QUEUED)
    assert Conversation.objects.get(pk=waiting.conversation_id).line_id == other.pk  # ALICE sticks to it now
    moved = waiting.events.last()
    assert f"Moved from line {bb_line.number} to {other.number}" in moved.detail and "30 minutes" in moved.detail
    dispatch.run_chunk()
    waiting.refresh_from_db()
    assert waiting.status != Status.QUEUED and fake.sent_texts() == []  # it went out on the healthy line
    assert services.send(account, to=ALICE, content="next").line_id == other.pk


def test_without_a_delay_set_contacts_wait_for_their_line(account, bb_line, fake):
    from datetime import timedelta

    from messaging import services
    from messaging.services.failover import move_stuck_contacts

    from .bluebubbles_fixtures import queue_text

    services.add_line(account, "+15125550133", "sandbox")
    queue_text(account, bb_line)
    fake.signed_out = True
    poll_bluebubbles_line(bb_line.pk)
    line = Line.objects.get(pk=bb_line.pk)
    assert account.failover_after_minutes is None
    assert move_stuck_contacts(line, now=line.unhealthy_since + timedelta(days=7)) == 0
