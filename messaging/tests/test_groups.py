"""Groups: one thread per set of people, whichever line and however many sends race."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import IntegrityError, transaction

from messaging.choices import MessageType
from messaging.models import Conversation, participants_key
from messaging.services import add_line
from messaging.services.groups import _create_group
from outreach.testing import key_client

PEOPLE = ["+15552010020", "+15552010021"]


@pytest.fixture
def two_lines(account):
    return [add_line(account, "+15125550100"), add_line(account, "+15125550101")]


def group_send(sb, **body):
    return sb.post("/api/send-group-message", {"content": "Hi all", **body}, format="json")


@pytest.mark.django_db
def test_a_second_send_to_the_same_people_joins_their_group_on_whichever_line(account, two_lines):
    sb = key_client(account, ["messages"], form="sendblue")
    first = group_send(sb, numbers=PEOPLE)
    second = group_send(sb, numbers=list(reversed(PEOPLE)))
    assert first.status_code == second.status_code == 200, second.content
    assert second.json()["group_id"] == first.json()["group_id"]
    assert second.json()["from_number"] == first.json()["from_number"]
    # A group for other people still goes to the less busy line.
    other = group_send(sb, numbers=["+15552010022", "+15552010023"])
    assert other.json()["from_number"] != first.json()["from_number"]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_sends_to_the_same_people_make_one_group(account, two_lines, live_server):
    sb = key_client(account, ["messages"], form="sendblue")
    headers = {"sb-api-key-id": sb.key.key_id, "sb-api-secret-key": sb.secret}

    def post(i: int) -> requests.Response:
        return requests.post(
            f"{live_server.url}/api/send-group-message",
            json={"numbers": PEOPLE, "content": f"race {i}"}, headers=headers, timeout=30,
        )

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(post, range(20)))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers if a.status_code != 200]
    assert len({a.json()["group_id"] for a in answers}) == 1
    assert Conversation.objects.filter(account=account, message_type=MessageType.GROUP).count() == 1


@pytest.mark.django_db
def test_the_database_holds_one_group_per_line_and_people(account, two_lines):
    key = participants_key(PEOPLE)
    first = _create_group(account, two_lines[0], PEOPLE, key)
    assert _create_group(account, two_lines[0], PEOPLE, key) == first  # converges on the row
    with pytest.raises(IntegrityError), transaction.atomic():
        Conversation.objects.create(
            account=account, line=two_lines[0], message_type=MessageType.GROUP,
            group_id="another", participants=PEOPLE, participants_key=key,
        )
    # Another line may hold its own group of the same people (when from_number says so).
    assert _create_group(account, two_lines[1], PEOPLE, key) != first
