"""Rows for the messaging tests (the console's above all): lines, contacts, conversations and messages in known states.

Fixture data is written with the ORM (bulk, with chosen timestamps) because the tests need
histories the services would take real time to produce; the behaviour under test always
goes through the views and services.
"""
from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from contacts.models import Contact
from messaging.choices import EventSource, MessageType, Service, Status
from messaging.models import Conversation, Line, Message, MessageEvent
from outreach.services import create_staff_user
from outreach.testing import assert_matches_schema

#: The number of the line most tests send from (the ``line`` fixture).
LINE = "+15125550100"

_counter = iter(range(10_000_000))


def staff_client(account, username: str = "alice", role: str = "owner") -> Client:
    create_staff_user(account, username, "pw-console-123", role)
    client = Client()
    client.login(username=username, password="pw-console-123")
    return client


def listed(client, path: str, **params) -> dict:
    """The body of ``GET path?params`` over the API, checked: 200 and in the OpenAPI shape."""
    response = client.get(path, params)
    assert response.status_code == 200
    assert_matches_schema(response, path, "GET")
    return response.json()


def line(account, number: str = LINE, **fields) -> Line:
    return Line.objects.create(account=account, number=number, **fields)


def contact(account, number: str, first: str = "", last: str = "", **fields) -> Contact:
    return Contact.objects.create(
        account=account, phone_number=number, e164_number=number, first_name=first, last_name=last, **fields
    )


def conversation(account, on_line: Line, address: str, *, contact_row: Contact | None = None,
                 unread: int = 0, at=None, **fields) -> Conversation:
    return Conversation.objects.create(
        account=account, line=on_line, address=address, contact=contact_row, unread_count=unread,
        last_message_at=at or timezone.now(), **fields,
    )


def message(conv: Conversation, content: str = "hello", *, outbound: bool = True,
            status: str | None = None, at=None, events: bool = False, **fields) -> Message:
    status = status or (Status.DELIVERED if outbound else Status.RECEIVED)
    m = Message.objects.create(
        account=conv.account, line=conv.line, conversation=conv, is_outbound=outbound,
        number=conv.address,
        from_number=conv.line.number if outbound else conv.address,
        to_number=conv.address if outbound else conv.line.number,
        content=content, status=status, service=fields.pop("service", Service.IMESSAGE), **fields,
    )
    if at is not None:  # auto_now_add ignores a value given to create()
        Message.objects.filter(pk=m.pk).update(created_at=at)
        m.created_at = at
    if events:
        MessageEvent.objects.create(message=m, status=status, source=EventSource.DISPATCHER)
    return m


def bulk_conversations(account, on_line: Line, count: int, per_conversation: int = 3) -> list[Conversation]:
    """``count`` conversations of ``per_conversation`` messages each, in two bulk inserts."""
    now = timezone.now()
    convs = Conversation.objects.bulk_create([
        Conversation(
            account=account, line=on_line, address=f"+1999{next(_counter):07d}",
            message_type=MessageType.MESSAGE, last_message_at=now - timedelta(minutes=i),
            unread_count=i % 3,
        )
        for i in range(count)
    ])
    Message.objects.bulk_create([
        Message(
            account=account, line=on_line, conversation=c, is_outbound=bool(j % 2), number=c.address,
            from_number=on_line.number, to_number=c.address, content=f"message {j}",
            status=Status.DELIVERED if j % 2 else Status.RECEIVED,
        )
        for c in convs for j in range(per_conversation)
    ])
    return convs
