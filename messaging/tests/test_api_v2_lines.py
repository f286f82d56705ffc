"""Lines in the Sendblue dialect, driven through the official ``sendblue`` SDK (its ``lines``
resource, unchanged but for ``base_url``) against the live server: state, new-contact usage
against the limits the dispatcher enforces, and whether a contact is known to a line."""
from __future__ import annotations

import pytest
import sendblue_api
from sendblue_api import SendblueAPI

from messaging import services
from messaging.queue import dispatch
from messaging.services import health
from outreach.services import create_api_key
from outreach.testing import key_client
from outreach.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lines(account):
    first = services.add_line(account, "+15125550170", name="First")
    first.new_contacts_per_hour, first.new_contacts_per_day = 2, 5
    first.save()
    second = services.add_line(account, "+15125550171", name="Second")
    return first, second


@pytest.fixture
def sdk(live_server, account, lines):
    key, secret = create_api_key(account, "sdk", ["read_only"])
    return SendblueAPI(api_key=key.key_id, api_secret=secret, base_url=live_server.url, max_retries=0)


def drain() -> None:
    while dispatch.run_chunk().claimed:
        pass


def test_state_reports_each_line_online_degraded_or_offline(sdk, lines, other_account):
    first, second = lines
    second.healthy, second.health_error = False, "relay unreachable"
    second.save()
    services.add_line(other_account, "+15125550179")
    state = sdk.lines.get_state()
    assert state.status == "OK" and state.snapshot_at is not None
    by_number = {line.sendblue_number: line for line in state.data}
    assert set(by_number) == {first.number, second.number}, "only this account's lines"
    assert by_number[first.number].status == "ONLINE"
    assert by_number[second.number].status == "DEGRADED"
    assert by_number[first.number].assignment == "assigned" and by_number[first.number].worker_id

    first.active = False
    first.save()
    assert {line.sendblue_number: line.status for line in sdk.lines.get_state().data}[first.number] == "OFFLINE"


def test_usage_counts_new_contacts_as_the_limiter_does(sdk, account, lines):
    first, second = lines
    for n in range(3):  # three new contacts on a line that may open two an hour
        services.send(account, to=f"+1214555{7100 + n}", content="hi", from_number=first.number)
    drain()
    usage = sdk.lines.get_usage()
    assert usage.status == "OK" and usage.enabled is True
    by_phone = {line.phone: line for line in usage.lines}
    limited = by_phone[first.number]
    assert (limited.hourly.limit, limited.hourly.used, limited.hourly.remaining) == (2, 2, 0)
    assert (limited.daily.limit, limited.daily.used, limited.daily.remaining) == (5, 2, 3)
    assert limited.state == "limited"
    assert limited.hourly.next_slot_at is not None and limited.available_at == limited.hourly.next_slot_at
    assert limited.new_contact_lookback_days == 30 and limited.sampled_at is not None
    assert limited.model_extra["sentToday"] == 2, "the third waits for the next hour"

    idle = by_phone[second.number]
    assert idle.state == "available" and idle.hourly.used == 0 and idle.hourly.next_slot_at is None
    assert idle.available_at is None


def test_contact_status_says_known_to_a_line_or_new(sdk, account, lines):
    first, second = lines
    services.send(account, to="+12145557200", content="hi", from_number=first.number)
    drain()
    known = sdk.lines.get_contact_status(number="+1 (214) 555-7200", sendblue_number=first.number)
    assert (known.status, known.number, known.sendblue_number) == ("OK", "+12145557200", first.number)
    assert known.classification == "known" and known.known_contact is True
    assert known.new_contact_lookback_days == 30 and known.sampled_at is not None
    assert known.model_extra["assigned_sendblue_number"] == first.number

    elsewhere = sdk.lines.get_contact_status(number="+12145557200", sendblue_number=second.number)
    assert elsewhere.classification == "new" and elsewhere.known_contact is False
    assert elsewhere.model_extra["assigned_sendblue_number"] == first.number, "the line its conversation is on"

    stranger = sdk.lines.get_contact_status(number="+12145557201", sendblue_number=first.number)
    assert stranger.classification == "new" and stranger.model_extra["assigned_sendblue_number"] is None


def test_contact_status_reports_every_bad_parameter_and_hides_other_accounts_lines(sdk, account, lines):
    client = key_client(account, ["read_only"])
    both = client.get("/api/v2/lines/contact-status", {"number": "nope", "sendblue_number": "x@y.com"})
    assert both.status_code == 400
    body = both.json()
    assert body["status"] == "ERROR" and "number" in body["error_message"] and "sendblue_number" in body["error_message"]
    missing = client.get("/api/v2/lines/contact-status")
    assert missing.status_code == 400 and "required" in missing.json()["error_message"]

    theirs = services.add_line(AccountFactory(), "+15125550178")
    with pytest.raises(sendblue_api.NotFoundError):
        sdk.lines.get_contact_status(number="+12145557200", sendblue_number=theirs.number)


def test_status_changed_at_is_when_the_line_last_changed_state(sdk, lines):
    first, _ = lines
    added = {line.sendblue_number: line.status_changed_at for line in sdk.lines.get_state().data}[first.number]
    first.refresh_from_db()
    assert added is not None and added == first.state_changed_at, "a new line changed state when it was added"

    health.record(first, "relay unreachable")
    degraded = {line.sendblue_number: line for line in sdk.lines.get_state().data}[first.number]
    first.refresh_from_db()
    assert degraded.status == "DEGRADED" and degraded.status_changed_at == first.unhealthy_since
    assert degraded.degraded_since == first.unhealthy_since and degraded.status_changed_at > added

    health.record(first, "relay unreachable again")  # still unhealthy: no change of state
    assert {line.sendblue_number: line.status_changed_at for line in sdk.lines.get_state().data}[first.number] \
        == degraded.status_changed_at
    health.record(first, "")
    online = {line.sendblue_number: line for line in sdk.lines.get_state().data}[first.number]
    assert online.status == "ONLINE" and online.status_changed_at > degraded.status_changed_at
