"""The inbox stays fast as data grows: a constant number of queries at two data sizes,
and the plans walk the indexes (bench/inbox.py measures the same at 1,000,000 messages)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import DurationField, ExpressionWrapper, F
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Contact, ContactList
from messaging import inbox

from . import console_data as d

pytestmark = pytest.mark.django_db


def queries(admin, url: str) -> int:
    admin.get(url)  # warm the session and per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = admin.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def grow_thread(account, conv, n: int) -> None:
    now = timezone.now()
    for i in range(n):
        d.message(conv, f"m{i}", outbound=bool(i % 2), at=now - timedelta(seconds=n - i))


def test_the_conversation_list_costs_the_same_at_any_size(admin, account):
    line = d.line(account)
    d.bulk_conversations(account, line, 3)
    small = queries(admin, "/messages/inbox/")
    d.bulk_conversations(account, line, 80, per_conversation=4)
    big = queries(admin, "/messages/inbox/")
    assert small == big
    # and the filtered list as well
    assert queries(admin, "/messages/inbox/?q=999&unread=on") == small


def test_a_thread_costs_the_same_at_any_size(admin, account):
    line = d.line(account)
    ada = d.contact(account, "+15125550111", "Ada", "Lovelace", tags=["a"])
    ada.lists.add(ContactList.objects.create(account=account, name="L1"))
    conv = d.conversation(account, line, "+15125550111", contact_row=ada)
    d.bulk_conversations(account, line, 3)
    grow_thread(account, conv, 3)
    url = f"/messages/inbox/{conv.pk}/"
    small, small_poll = queries(admin, url), queries(admin, url + "messages")
    grow_thread(account, conv, 120)
    d.bulk_conversations(account, line, 60)
    assert queries(admin, url) == small
    assert queries(admin, url + "messages") == small_poll


def plan(qs) -> str:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE messaging_conversation; ANALYZE messaging_message;")
    return qs.explain()


def test_the_list_and_a_thread_answer_through_indexes(account, other_account):
    # Enough rows (and other accounts' rows) that a sequential scan is not the cheap plan.
    line = d.line(account)
    other_line = d.line(other_account, "+15125550999")
    d.bulk_conversations(other_account, other_line, 3000, per_conversation=2)
    convs = d.bulk_conversations(account, line, 3000, per_conversation=3)

    list_plan = plan(inbox.conversations(account)[: inbox.LIST_SIZE + 1])
    assert "conv_recent" in list_plan, list_plan
    assert "msg_thread" in list_plan, list_plan  # the preview subquery
    assert "Seq Scan" not in list_plan, list_plan

    from messaging.models import Message

    long = convs[10]
    Message.objects.bulk_create([
        Message(account=account, line=line, conversation=long, number=long.address, content=f"x{i}")
        for i in range(400)
    ])
    thread_plan = plan(inbox.thread_queryset(long)[: inbox.THREAD_SIZE + 1])
    assert "msg_thread" in thread_plan, thread_plan
    assert "Seq Scan" not in thread_plan, thread_plan


@pytest.mark.parametrize("url", ["/", "/messages/log/", "/messages/dead-letters/", "/messages/lines/"])
def test_the_other_pages_cost_the_same_at_any_size(admin, account, url):
    from messaging.choices import Status
    from messaging.models import Message

    def grow(lines: int, conversations: int) -> None:
        for i in range(lines):
            line = d.line(account, f"+1512556{Message.objects.count() + i:04d}")
            convs = d.bulk_conversations(account, line, conversations)
            Message.objects.filter(conversation__in=convs[: conversations // 2]).update(status=Status.ERROR)

    grow(1, 4)
    small = queries(admin, url)
    grow(3, 60)
    assert queries(admin, url) == small


def test_the_filtered_log_walks_the_account_index(account, other_account):
    from django.http import QueryDict

    from messaging.views_log import log_queryset

    line = d.line(account)
    d.bulk_conversations(other_account, d.line(other_account, "+15125550999"), 3000, per_conversation=3)
    d.bulk_conversations(account, line, 3000, per_conversation=3)
    for query in ("", "status=DELIVERED", "is_outbound=false"):
        _, qs = log_queryset(account, QueryDict(query))
        log_plan = plan(qs[:51])
        assert "msg_account_recent" in log_plan and "Seq Scan on messaging_message" not in log_plan, (query, log_plan)


def test_the_dead_letters_page_walks_its_partial_index(account, other_account):
    from django.test import RequestFactory

    from messaging.choices import Status
    from messaging.models import Message
    from messaging.views import _dead_letters

    line = d.line(account)
    d.bulk_conversations(other_account, d.line(other_account, "+15125550999"), 3000, per_conversation=3)
    convs = d.bulk_conversations(account, line, 3000, per_conversation=3)
    Message.objects.filter(conversation__in=convs[:40]).update(status=Status.ERROR)
    request = RequestFactory().get("/messages/dead-letters/")
    request.account = account
    dead_plan = plan(_dead_letters(request)[:51])
    assert "msg_dead_letters" in dead_plan and "Seq Scan on messaging_message" not in dead_plan, dead_plan


def spread_over(account, days: int) -> None:
    """The account's messages born over the last ``days`` days, with the stamps of their
    statuses; counted into the rollups (the backfill)."""
    from messaging.models import Message
    from messaging.services import rollups

    mine = Message.objects.filter(account=account)
    mine.update(created_at=Now() - ExpressionWrapper(F("id") * 7919 % (days * 1440) * timedelta(minutes=1),
                                                     output_field=DurationField()))
    mine.filter(is_outbound=True).update(sent_at=F("created_at"), delivered_at=F("created_at"))
    rollups.rebuild()


#: What the dashboard may read of the messages: the live queue and the dead letters (partial
#: indexes), and today's sends per line; never the history (msg_account_recent).
LIVE_INDEXES = ("msg_account_queue", "msg_dead_letters", "msg_line_sent")
#: The tables that grow with use (a one-row table, the watermark, is read whole).
GROWING_SEQ_SCAN = re.compile(
    r"Seq Scan on (messaging_message|messaging_messagerollup|messaging_conversation|contacts_contact)\b"
)


def test_the_dashboard_costs_the_same_at_10_and_10000_messages_and_reads_no_history(admin, account, other_account):
    from messaging import dashboard

    line = d.line(account)
    d.bulk_conversations(account, line, 5, per_conversation=2)
    spread_over(account, 14)
    small = queries(admin, "/")
    d.bulk_conversations(other_account, d.line(other_account, "+15125550999"), 3000, per_conversation=3)
    d.bulk_conversations(account, line, 3330, per_conversation=3)
    # Months of history, theirs and ours, of which the dashboard reads two weeks.
    spread_over(account, 60)
    spread_over(other_account, 90)
    # Opt-outs over about two and a half years, of which a week is a sliver (as in use): a
    # week holding a quarter of the table would rightly be read whole by the planner.
    Contact.objects.bulk_create([
        Contact(account=account, e164_number=f"+1777{i:07d}", opted_out_at=timezone.now() - timedelta(hours=7 * i))
        for i in range(3000)
    ])
    assert queries(admin, "/") == small
    assert dashboard.windows(account)[1].sent > 300  # the figures are there

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as ctx:
        dashboard.context(account)
    assert len(ctx.captured_queries) <= 8
    for query in ctx.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + query["sql"])
            explained = "\n".join(row[0] for row in cursor.fetchall())
        assert not GROWING_SEQ_SCAN.search(explained) and "msg_account_recent" not in explained, explained
        if re.search(r"\bmessaging_message\b", explained):
            assert any(index in explained for index in LIVE_INDEXES), explained


def test_the_inbox_views_cost_the_same_at_any_size(account):
    """Each view (and an agent's, whose views also hide other agents' conversations) reads
    as many queries at 3 conversations as at a thousand more, assigned, labelled, closed."""
    from inbox import services
    from inbox.models import Label
    from inbox.policy import SYSTEM

    def change(convs, **data) -> None:
        ids = [c.pk for c in convs]
        for start in range(0, len(ids), services.MAX_BULK):
            services.apply(account, ids[start:start + services.MAX_BULK], services.parse(account, data), actor=SYSTEM)

    line = d.line(account)
    agent, manager = d.staff_client(account, "ann", "agent"), d.staff_client(account, "max", "manager")
    other = d.staff_client(account, "bob", "agent")
    ann, bob = (c.session["_auth_user_id"] for c in (agent, other))
    label = Label.objects.create(account=account, name="VIP", colour="#c00")

    def grow(count: int) -> None:
        convs = d.bulk_conversations(account, line, count, per_conversation=1)
        quarter = max(count // 4, 1)
        change(convs[:quarter], assignee=int(ann))
        change(convs[quarter:2 * quarter], assignee=int(bob))
        change(convs[2 * quarter:3 * quarter], state="closed")
        change(convs[::3], add_labels=[label.pk])

    views = ["", "?view=mine", "?view=unassigned", "?view=all", "?view=snoozed", "?view=closed",
             f"?view=label:{label.pk}", f"?view=line:{line.pk}", "?view=unassigned&q=999"]
    grow(4)
    small = {(who, v): queries(client, "/messages/inbox/" + v) for who, client in (("agent", agent), ("manager", manager))
             for v in views}
    grow(1000)
    big = {(who, v): queries(client, "/messages/inbox/" + v) for who, client in (("agent", agent), ("manager", manager))
           for v in views}
    assert big == small


def test_search_by_message_text_reads_the_trigram_index_at_a_million_messages(admin, account, other_account):
    """A million messages (inserted by one INSERT ... SELECT over generate_series), a few
    hundred conversations: searching the list for words of a message reads
    ``msg_content_trgm``, never scans the messages, and finds the conversation."""
    from messaging.models import Message

    line = d.line(account)
    convs = d.bulk_conversations(account, line, 400, per_conversation=1)
    d.bulk_conversations(other_account, d.line(other_account, "+15125550999"), 10, per_conversation=1)
    needle = convs[123]
    d.message(needle, "Could you bring the BLUE umbrella on Friday?", outbound=False)
    columns = [f.column for f in Message._meta.concrete_fields if f.column != "id"]
    made = {"handle": "gen_random_uuid()", "content": "'status update number ' || g",
            "conversation_id": "ids[1 + g %% 400]", "created_at": "now() - g * interval '1 second'"}
    with connection.cursor() as cursor:
        cursor.execute(  # one statement: every column copied from a template row but these
            f"""WITH template AS (SELECT * FROM messaging_message WHERE conversation_id = %s LIMIT 1),
                     convs AS (SELECT array_agg(id) AS ids FROM messaging_conversation WHERE account_id = %s)
                INSERT INTO messaging_message ({", ".join(columns)})
                SELECT {", ".join(made.get(c, f"template.{c}") for c in columns)}
                FROM generate_series(1, 1000000) AS g, template, convs""",
            [convs[0].pk, account.pk],
        )
        cursor.execute("ANALYZE messaging_message; ANALYZE messaging_conversation;")
    assert Message.objects.count() > 1_000_000
    text_plan = inbox.conversations(account, q="blue umbrella")[: inbox.LIST_SIZE + 1].explain()
    assert "msg_content_trgm" in text_plan, text_plan
    assert "Seq Scan on messaging_message" not in text_plan, text_plan
    found = admin.get("/messages/inbox/", {"q": "blue umbrella"})
    assert [c.pk for c in found.context["window"].rows] == [needle.pk]


def test_the_inbox_list_views_and_a_thread_cost_the_same_at_1k_and_100k_conversations(account):
    """The issue's sizes: every view, as an agent and as a manager, and a thread, read as
    many queries at 1,000 conversations as at 100,000 (work rows written straight in: the
    services' path to them is the test above)."""
    from inbox.choices import State
    from inbox.models import ConversationLabel, Label, Work

    line = d.line(account)
    agent, manager = d.staff_client(account, "ann", "agent"), d.staff_client(account, "max", "manager")
    ann = int(agent.session["_auth_user_id"])
    label = Label.objects.create(account=account, name="VIP", colour="#c00")

    def grow(count: int) -> None:
        convs = d.bulk_conversations(account, line, count, per_conversation=1)
        Work.objects.bulk_create([
            Work(conversation=c, account=account, assignee_id=ann if i % 4 == 0 else None,
                 state=State.CLOSED if i % 4 == 2 else State.OPEN)
            for i, c in enumerate(convs) if i % 4 != 3
        ], batch_size=5000)
        ConversationLabel.objects.bulk_create(
            [ConversationLabel(conversation=c, label=label) for c in convs[::3]], batch_size=5000)

    views = ["", "?view=mine", "?view=unassigned", "?view=all", "?view=closed", f"?view=label:{label.pk}",
             f"?view=line:{line.pk}", "?view=all&q=999"]

    def measure() -> dict:
        mine = Work.objects.filter(account=account, assignee_id=ann).values_list("pk", flat=True).first()
        counts = {(who, v): queries(client, "/messages/inbox/" + v)
                  for who, client in (("agent", agent), ("manager", manager)) for v in views}
        counts["thread"] = queries(agent, f"/messages/inbox/{mine}/")
        return counts

    grow(1_000)
    thousand = measure()
    grow(99_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert measure() == thousand
