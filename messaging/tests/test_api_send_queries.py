"""The send endpoint issues a bounded, constant number of SQL statements (at most 5).

Counted over HTTP with ``CaptureQueriesContext`` after one warm-up request (the API key
and the account's lines are then in the cache, and the key's once-a-minute ``last_used``
write is done). Transaction control (BEGIN, COMMIT, SAVEPOINT, RELEASE) is not counted:
it carries no data and its number depends on how callers nest ``atomic`` blocks.
"""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.services import contact_for_address, opt_out
from messaging.models import Message
from messaging.services import add_line
from outreach.testing import key_client

pytestmark = pytest.mark.django_db(transaction=True)

LINE = "+15125550100"
BUDGET = 5
#: The Idempotency-Key adds its claim (lock + lookup) and its record.
IDEMPOTENCY_STATEMENTS = 2
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


@pytest.fixture
def sb(account):
    add_line(account, LINE)
    add_line(account, "+15125550101")
    client = key_client(account, ["messages"], form="sendblue")
    assert client.post("/api/send-message", {"number": "+15552010500", "content": "warm-up"},
                       format="json").status_code == 200
    return client


def statements(client, body, path="/api/send-message", **headers) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(path, body, format="json", **headers)
    assert response.status_code == 200, response.content
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith(CONTROL)]


@pytest.mark.parametrize("body", [
    {"number": "+15552010501", "content": "a new contact, the line chosen for it"},
    {"number": "+15552010500", "content": "a contact with a conversation (sticky line)"},
    {"number": "+15552010502", "content": "from a named line", "from_number": LINE},
    {"number": "+15552010503", "content": "with a callback", "status_callback": "https://example.com/cb"},
    {"number": "+15552010504", "media_url": "https://cdn.example.com/a.png", "send_style": "slam"},
], ids=["new-contact", "sticky", "from-number", "callback", "media"])
def test_a_send_costs_at_most_five_statements(sb, body):
    sql = statements(sb, body)
    assert len(sql) <= BUDGET, "\n".join(sql)
    assert sum(s.lstrip().upper().startswith(("INSERT", "WITH")) for s in sql) >= 1


def test_an_opted_out_recipient_costs_the_same(sb, account):
    opt_out(account, contact_for_address(account, "+15552010505", create=True), source="test")
    sql = statements(sb, {"number": "+15552010505", "content": "declined"})
    assert len(sql) <= BUDGET, "\n".join(sql)
    assert Message.objects.get(number="+15552010505").status == "DECLINED"


@pytest.mark.parametrize("path", ["/api/send-message", "/send-message"])
def test_an_arnio_send_with_a_callback_costs_the_same(sb, account, path):
    """The message's dialect is a column of the one insert; its QUEUED callback is the
    canonical body (the words agree), so no second outbox event either."""
    arnio = key_client(account, ["messages"], form="sendblue", dialect="arnio")
    arnio.post(path, {"number": "+15552010509", "content": "warm-up"}, format="json")
    body = {"number": "+15552010510", "content": "x", "status_callback": "https://example.com/cb"}
    sql = statements(arnio, body, path=path)
    assert len(sql) <= BUDGET, "\n".join(sql)
    assert Message.objects.get(number="+15552010510").dialect == "arnio"


def test_the_count_does_not_grow_with_the_account(sb, account):
    before = len(statements(sb, {"number": "+15552010506", "content": "x"}))
    for i in range(30):
        sb.post("/api/send-message", {"number": f"+1555202{i:04d}", "content": "fill"}, format="json")
    for i in range(5):
        contact_for_address(account, f"+155520107{i:02d}", create=True)
    after = len(statements(sb, {"number": "+15552010507", "content": "x"}))
    assert after == before


def test_with_an_idempotency_key_two_more(sb):
    sql = statements(sb, {"number": "+15552010508", "content": "x"}, HTTP_IDEMPOTENCY_KEY="q-1")
    assert len(sql) <= BUDGET + IDEMPOTENCY_STATEMENTS, "\n".join(sql)
    replay = statements(sb, {"number": "+15552010508", "content": "x"}, HTTP_IDEMPOTENCY_KEY="q-1")
    assert len(replay) == 1  # the claim answers it
