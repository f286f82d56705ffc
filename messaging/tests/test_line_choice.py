"""Which line a new contact gets: the least busy active one, from loads counted at most
every 30 s per account (messaging/lines.py), so a send never scans the account's
conversations."""
from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging import lines
from messaging.models import Message
from messaging.services import add_line, send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_loads(account):
    from django.core.cache import cache

    cache.delete(f"messaging:line-loads:{account.pk}")


def lines_of(messages) -> Counter:
    return Counter(Message.objects.filter(pk__in=[m.pk for m in messages]).values_list("from_number", flat=True))


def test_a_burst_of_new_contacts_spreads_evenly_over_the_lines(account):
    add_line(account, "+15125550100")
    add_line(account, "+15125550101")
    sent = [send(account, to=f"+1512555{3000 + i}", content="hi") for i in range(10)]
    assert lines_of(sent) == {"+15125550100": 5, "+15125550101": 5}


def test_the_busier_line_gets_new_contacts_only_once_the_other_caught_up(account):
    busy = add_line(account, "+15125550100")
    first = [send(account, to=f"+1512555{3000 + i}", content="hi", from_number=busy.number) for i in range(3)]
    assert lines_of(first) == {"+15125550100": 3}
    add_line(account, "+15125550101")  # a new line: the loads are counted again
    sent = [send(account, to=f"+1512555{4000 + i}", content="hi") for i in range(5)]
    assert lines_of(sent) == {"+15125550101": 4, "+15125550100": 1}


def test_the_loads_are_counted_once_then_kept_in_the_cache(account):
    add_line(account, "+15125550100")
    add_line(account, "+15125550101")
    lines.least_busy_line_id(account)
    with CaptureQueriesContext(connection) as ctx:
        lines.least_busy_line_id(account)
    assert not [q for q in ctx.captured_queries if "messaging_conversation" in q["sql"]]


def test_a_look_that_opens_no_conversation_adds_nothing(account):
    one = add_line(account, "+15125550100")
    add_line(account, "+15125550101")
    assert lines.least_busy_line_id(account, claim=False) == one.pk
    assert lines.least_busy_line_id(account, claim=False) == one.pk
