"""Fixtures for the BlueBubbles tests: a fake server and a line connected to it.

Imported by the test modules (``from .bluebubbles_fixtures import *``)."""
from __future__ import annotations

import uuid

import pytest

from messaging import services
from messaging.choices import MessageType, Provider, Status
from messaging.models import Conversation, Message
from messaging.providers.bluebubbles import services as bb

from .bluebubbles_fake import FakeBlueBubbles

LINE = "+15125550100"
ALICE = "+15125550111"
BOB = "+15125550122"

__all__ = ["fake", "bb_line", "LINE", "ALICE", "BOB", "queue_text", "group_message", "mark_sent"]


@pytest.fixture
def fake(httpserver):
    server = FakeBlueBubbles(httpserver)
    yield server
    server.flush()
    if not httpserver.is_running():  # a test that took the server down must not leak it
        httpserver.start()


@pytest.fixture
def bb_line(account, fake):
    line = services.add_line(account, LINE, Provider.BLUEBUBBLES)
    bb.configure_line(account, line, url=fake.url, method="apple-script", password="hunter2")
    line.refresh_from_db()
    return line


def queue_text(account, line, to: str = ALICE, content: str = "Hello from Outreach", **kwargs) -> Message:
    return services.send(account, to=to, content=content, from_number=line.number, **kwargs)


def group_message(account, line, participants: list[str], content: str = "Hi all", conversation=None) -> Message:
    """A queued message to a group conversation (as the group send service writes it)."""
    conversation = conversation or Conversation.objects.create(
        account=account, line=line, message_type=MessageType.GROUP,
        group_id=str(uuid.uuid4()), participants=participants,
    )
    message = Message.objects.create(
        account=account, line=line, conversation=conversation, is_outbound=True,
        from_number=line.number, content=content, message_type=MessageType.GROUP, status=Status.REGISTERED,
    )
    services.record_transition(message, Status.QUEUED, source="api")
    return message


def mark_sent(message: Message, guid: str = "") -> Message:
    """What the dispatcher records around a send: ACCEPTED (attempt 1), then SENT."""
    message.refresh_from_db()
    services.record_transition(message, Status.ACCEPTED, source="dispatcher", attempts=message.attempts + 1)
    services.record_transition(message, Status.SENT, source="dispatcher", provider_message_id=guid)
    return message
