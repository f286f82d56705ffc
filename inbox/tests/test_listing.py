"""The views messaging's list asks the inbox for (``inbox/listing.py``, through
``outreach.panels``): which conversations each holds, for each role, their unread counts
in a constant number of queries, and plans that walk indexes."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inbox import services
from inbox.policy import SYSTEM
from messaging.models import Conversation
from messaging.tests import console_data as d
from outreach import panels
from outreach.models import Membership

from .helpers import conversations, person

pytestmark = pytest.mark.django_db


def seat(user) -> Membership:
    return Membership.objects.select_related("user").get(user=user)


def change(account, convs, **data) -> None:
    ids = [c.pk for c in convs]
    for start in range(0, len(ids), services.MAX_BULK):
        services.apply(account, ids[start:start + services.MAX_BULK], services.parse(account, data), actor=SYSTEM)


def shown(account, user, key: str) -> set[int]:
    condition = panels.answer("inbox-view", account, seat(user), key)
    return set(Conversation.objects.filter(account=account).filter(condition).values_list("pk", flat=True))


@pytest.fixture
def team(account):
    """ann's, bob's, nobody's (touched and untouched), snoozed, closed; a labelled one and
    one on a second line."""
    people = {name: person(account, name, role) for name, role in (("ann", "agent"), ("bob", "agent"),
                                                                     ("meg", "manager"))}
    ann, bob = people["ann"], people["bob"]
    c = dict(zip(["ann", "bob", "untouched", "released", "snoozed", "closed", "vip"], conversations(account, 7),
                 strict=True))
    c["other_line"] = d.conversation(account, d.line(account, "+15125559999"), "+12135550999")
    change(account, [c["ann"], c["snoozed"]], assignee=ann.pk)
    change(account, [c["bob"]], assignee=bob.pk)
    change(account, [c["released"]], assignee=None)
    change(account, [c["snoozed"]], snooze_until=timezone.now() + timezone.timedelta(hours=1))
    change(account, [c["closed"]], state="closed")
    vip = services.save_label(account, {"name": "VIP"}, actor=SYSTEM)
    change(account, [c["vip"], c["closed"]], add_labels=[vip.pk])
    return {"people": people, "label": vip, **{k: v.pk for k, v in c.items()}}


def test_each_view_holds_what_its_name_says_for_a_manager(account, team):
    meg, t = team["people"]["meg"], team
    line = Conversation.objects.get(pk=t["other_line"]).line_id
    opened = {t["ann"], t["bob"], t["untouched"], t["released"], t["vip"], t["other_line"]}
    assert shown(account, meg, "all") == opened
    assert shown(account, meg, "unassigned") == opened - {t["ann"], t["bob"]}
    assert shown(account, meg, "mine") == set()
    assert shown(account, t["people"]["ann"], "mine") == {t["ann"]}
    assert shown(account, meg, "snoozed") == {t["snoozed"]}
    assert shown(account, meg, "closed") == {t["closed"]}
    assert shown(account, meg, f"label:{t['label'].pk}") == {t["vip"], t["closed"]}
    assert shown(account, meg, f"line:{line}") == {t["other_line"]}


def test_an_agent_sees_no_other_agents_conversation_in_any_view(account, team):
    ann, t = team["people"]["ann"], team
    assert t["bob"] not in shown(account, ann, "all")
    assert shown(account, ann, "all") == {t["ann"], t["untouched"], t["released"], t["vip"], t["other_line"]}
    services.assign(account, t["vip"], t["people"]["bob"].pk, actor=SYSTEM)
    assert shown(account, ann, f"label:{t['label'].pk}") == {t["closed"]}
    assert shown(account, ann, "snoozed") == {t["snoozed"]}


@pytest.mark.parametrize("key", ["", "inbox", "label:", "label:x", "line:-1", "other:3", "MINE"])
def test_a_key_that_names_no_view_gets_none(account, key):
    assert panels.answer("inbox-view", account, seat(person(account, "ann")), key) is None


def test_a_label_of_another_account_shows_nothing(account, other_account, team):
    theirs = services.save_label(other_account, {"name": "VIP"}, actor=SYSTEM)
    assert shown(account, team["people"]["meg"], f"label:{theirs.pk}") == set()


def expected_unread(account, user, keys) -> dict[str, int]:
    unread = Conversation.objects.filter(account=account, unread_count__gt=0)
    return {key: unread.filter(panels.answer("inbox-view", account, seat(user), key)).count() for key in keys}


def test_unread_counts_match_each_view_for_each_role(account, team):
    Conversation.objects.filter(account=account).update(unread_count=2)
    Conversation.objects.filter(pk=team["released"]).update(unread_count=0)
    for who, user in team["people"].items():
        counts = panels.answer("inbox-unread", account, seat(user))
        assert counts == expected_unread(account, user, counts), who
    counts = panels.answer("inbox-unread", account, seat(team["people"]["ann"]))
    assert counts["all"] == 4 and counts["mine"] == 1 and counts[f"label:{team['label'].pk}"] == 2


def test_the_sidebar_costs_three_queries_at_any_size(account):
    meg, ann = person(account, "meg", "manager"), person(account, "ann")
    costs, line = {}, d.line(account)
    for size in (10, 1000):
        convs = d.bulk_conversations(account, line, size - Conversation.objects.filter(account=account).count(), 0)
        label = services.save_label(account, {"name": f"L{size}"}, actor=SYSTEM)
        change(account, convs[::3], assignee=ann.pk, add_labels=[label.pk])
        change(account, convs[1::7], state="closed")
        d.line(account, f"+1512444{size:04d}")
        for who in (meg, ann):
            request = RequestFactory().get("/messages/inbox/", {"view": "mine"})
            request.account, request.membership = account, seat(who)
            with CaptureQueriesContext(connection) as queries:
                context = panels.context("inbox-sidebar", account, request)
            views = context["inbox_views"]
            assert context["current_view"] == "mine" and context["counts_poll_ms"]
            costs[size, who.username] = len(queries)
            counts = {view.key: view.unread for view in views}
            assert counts == expected_unread(account, who, counts)
    assert set(costs.values()) == {3}, costs


def plan(query) -> str:
    """The plan of a queryset, or of the SQL a captured query ran."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE messaging_conversation; ANALYZE inbox_work; ANALYZE inbox_conversationlabel;")
        if not isinstance(query, str):
            return query.explain()
        cursor.execute(f"EXPLAIN {query}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_views_and_counts_walk_indexes(account, other_account):
    """Other accounts' work rows outnumber this one's and few conversations are unread, as
    in a real inbox: the list walks ``conv_recent``, the counts the account's indexes."""
    from messaging import inbox

    ann, meg = person(account, "ann"), person(account, "meg", "manager")
    theirs = d.bulk_conversations(other_account, d.line(other_account, "+15125550998"), 4000, 0)
    their_label = services.save_label(other_account, {"name": "VIP"}, actor=SYSTEM)
    change(other_account, theirs, state="closed", add_labels=[their_label.pk])
    convs = d.bulk_conversations(account, d.line(account), 3000, 0)
    Conversation.objects.filter(account=account).exclude(pk__in=[c.pk for c in convs[:60]]).update(unread_count=0)
    vip = services.save_label(account, {"name": "VIP"}, actor=SYSTEM)
    change(account, convs[:1000:2], assignee=ann.pk)
    change(account, convs[1:1000:2], state="closed", add_labels=[vip.pk])
    for who, key in ((ann, "mine"), (ann, "all"), (meg, "unassigned"), (meg, "closed"), (meg, f"label:{vip.pk}")):
        qs = inbox.conversations(account).filter(panels.answer("inbox-view", account, seat(who), key))
        listed = plan(qs[: inbox.LIST_SIZE + 1])
        # Mine may start from the person's few work rows; the others walk the list's index.
        assert "Seq Scan" not in listed, (key, listed)
        assert "conv_recent" in listed or (key == "mine" and "Index Scan using inbox_work_" in listed), (key, listed)
    for who in (ann, meg):
        membership = seat(who)
        with CaptureQueriesContext(connection) as queries:
            panels.answer("inbox-unread", account, membership)
        counted = plan(queries.captured_queries[-1]["sql"])
        assert "Seq Scan" not in counted and "inbox_work_" in counted and "on inbox_conversationlabel" in counted, counted
