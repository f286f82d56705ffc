"""The dashboard, message log, dead letters and lines pages with the Django test client."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from messaging import dashboard
from messaging.choices import EventSource, Status
from messaging.models import Message, MessageEvent, RollupWatermark
from messaging.services import rollups
from outreach.models import Membership

from . import console_data as d

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/messages/log/", "/messages/dead-letters/", "/messages/lines/"])
def test_pages_need_a_login_and_greet_a_new_account_with_next_steps(db, account, url):
    assert Client().get(url).status_code == 302
    response = d.staff_client(account).get(url)
    assert response.status_code == 200
    if url != "/":
        assert b'data-testid="empty"' in response.content
    else:
        assert b'data-testid="get-started"' in response.content and b"add_line" in response.content


def sent_message(conv, *, at, delivered=False, read=False, **fields):
    m = d.message(conv, "out", status=Status.READ if read else Status.DELIVERED if delivered else Status.SENT,
                  at=at, **fields)
    Message.objects.filter(pk=m.pk).update(
        sent_at=at, delivered_at=at if (delivered or read) else None, read_at=at if read else None
    )
    return m


def history(account, line):
    """Today: 4 sent (3 delivered, 1 read) in 3 conversations, 1 ERROR + 1 DECLINED,
    2 replies in 1 conversation, 1 opt-out. Three days ago: 2 sent and delivered, 1 reply,
    1 opt-out. Ten days ago (outside both windows): 5 sent."""
    now = timezone.now()
    start = dashboard.day_start(now, dashboard.zone_of(account))
    today = start + (now - start) / 2
    days_ago_3 = now - timedelta(days=3)
    a = d.conversation(account, line, "+15125550101")
    b = d.conversation(account, line, "+15125550102")
    c = d.conversation(account, line, "+15125550103")
    sent_message(a, at=today, delivered=True)
    sent_message(a, at=today, read=True)
    sent_message(b, at=today, delivered=True)
    sent_message(c, at=today)
    d.message(c, "boom", status=Status.ERROR, at=today, error_message="failed")
    d.message(c, "nope", status=Status.DECLINED, at=today)
    d.message(a, "r1", outbound=False, at=today)
    d.message(a, "r2", outbound=False, at=today)
    d.contact(account, "+15125550190", opted_out_at=today)
    sent_message(b, at=days_ago_3, delivered=True)
    sent_message(b, at=days_ago_3, delivered=True)
    d.message(b, "r3", outbound=False, at=days_ago_3)
    d.contact(account, "+15125550191", opted_out_at=days_ago_3)
    for _ in range(5):
        sent_message(c, at=now - timedelta(days=10), delivered=True)


def test_the_dashboard_counts_today_and_the_last_7_days(admin, account, other_account, line):
    history(account, line)
    history(other_account, d.line(other_account, "+15125550900"))  # never counted for us
    rollups.rebuild()  # rows written without events: counted by the backfill
    response = admin.get("/")
    today, week = response.context["today"], response.context["week"]
    assert (today.sent, today.delivered, today.read, today.failed, today.replies, today.opted_out) == (4, 3, 1, 2, 2, 1)
    assert (today.delivery_rate, today.replied, today.messaged, today.reply_rate) == (75, 1, 3, 33)
    assert (week.sent, week.delivered, week.read, week.failed, week.replies, week.opted_out) == (6, 5, 1, 2, 3, 2)
    assert (week.delivery_rate, week.replied, week.messaged, week.reply_rate) == (83, 2, 3, 67)
    html = response.content.decode()
    assert 'data-testid="today-sent">4<' in html and 'data-testid="week-replies">3<' in html
    assert "75% delivery rate" in html
    chart = response.context["chart"]
    assert len(chart["labels"]) == 14 and chart["series"]["sent"][-1] == 4 and sum(chart["series"]["sent"]) == 11  # 14 days: all of them
    assert b"chart.umd.min.js" in response.content and b'id="chart-data"' in response.content
    # The chart's text alternative: the same 14 days as table rows (day, sent, delivered, read, replies, failed).
    rows = response.context["chart_rows"]
    assert len(rows) == 14 and rows[-1][0] == chart["labels"][-1] and rows[-1][1:] == (4, 3, 1, 2, 2)
    assert f'<th scope="row">{chart["labels"][-1]}</th><td>4</td><td>3</td><td>1</td><td>2</td><td>2</td>' in html


def test_today_is_the_accounts_day_whatever_zone_the_viewer_reads_in(account, line):
    account.default_timezone = "Pacific/Kiritimati"  # UTC+14
    account.save()
    viewer = d.staff_client(account)
    Membership.objects.filter(account=account).update(time_zone="Pacific/Pago_Pago")  # UTC-11
    now = timezone.now()
    start = dashboard.day_start(now, dashboard.zone_of(account))
    assert start.utcoffset() == timedelta(hours=14)
    conv = d.conversation(account, line, "+15125550101")
    sent_message(conv, at=start + (now - start) / 2)
    sent_message(conv, at=start - timedelta(minutes=1))  # yesterday, for the account
    rollups.rebuild()
    response = viewer.get("/")
    assert response.context["today"].sent == 1 and response.context["week"].sent == 2
    chart = response.context["chart"]
    assert chart["labels"][-1] == start.date().isoformat() and chart["series"]["sent"][-2:] == [1, 1]


def test_the_dashboard_shows_the_queue(admin, account, line):
    conv = d.conversation(account, line, "+15125550101")
    d.message(conv, status=Status.QUEUED)
    d.message(conv, status=Status.QUEUED)
    d.message(conv, status=Status.QUEUED, attempts=2)
    d.message(conv, status=Status.ACCEPTED, attempts=1)
    d.message(conv, status=Status.ERROR)
    d.message(conv, status=Status.ERROR, discarded_at=timezone.now())
    assert admin.get("/").context["queue"] == {"pending": 2, "processing": 1, "failed": 1, "dead_letter": 1}


def test_the_lines_page_shows_usage_against_limits(admin, account, line):
    """Usage as the dispatcher counts it: sends made by the real dispatcher (sandbox)."""
    from messaging import services
    from messaging.queue import dispatch

    d.line(account, "+15125550200", active=False)
    d.line(account, "+15125550300", healthy=False, health_error="BlueBubbles server unreachable")
    for to in ("+15125550111", "+15125550111", "+15125550122"):  # two new contacts, three sends
        services.send(account, to=to, content="hi", from_number=line.number)
    dispatch.run_chunk()
    response = admin.get("/messages/lines/")
    main = {ln.number: ln for ln in response.context["lines"]}[line.number]
    assert (main.sent_today, main.new_hour, main.new_day, main.conversation_count, main.in_flight) == (3, 2, 2, 2, 0)
    html = response.content.decode()
    assert 'data-testid="new-day">2 / 50<' in html and 'data-testid="new-hour">2 / 15<' in html
    assert "inactive" in html and "BlueBubbles server unreachable" in html


def test_the_log_filters_like_the_api_and_hides_other_accounts(admin, account, other_account, line):
    a = d.conversation(account, line, "+15125550101")
    b = d.conversation(account, line, "+15125550102")
    d.message(a, "to a", status=Status.DELIVERED)
    d.message(a, "from a", outbound=False)
    d.message(b, "failed to b", status=Status.ERROR)
    theirs = d.conversation(other_account, d.line(other_account, "+15125550900"), "+15125550101")
    d.message(theirs, "their secret")

    def contents(**params):
        return sorted(m.content for m in admin.get("/messages/log/", params).context["window"].rows)

    assert contents() == ["failed to b", "from a", "to a"]
    assert contents(number="(512) 555-0101") == ["from a", "to a"]
    assert contents(is_outbound="false") == ["from a"]
    assert contents(status="ERROR") == ["failed to b"]
    assert contents(status="SUCCESS") == ["to a"]
    response = admin.get("/messages/log/", {"status": "READ"})
    assert b"No message matches these filters" in response.content


def test_a_message_shows_its_event_history_and_another_accounts_is_a_404(admin, account, other_account, line):
    conv = d.conversation(account, line, "+15125550101")
    m = d.message(conv, "hello", status=Status.READ)
    for status, source in ((Status.QUEUED, EventSource.CONSOLE), (Status.ACCEPTED, EventSource.DISPATCHER),
                           (Status.SENT, EventSource.DISPATCHER), (Status.READ, EventSource.PROVIDER)):
        MessageEvent.objects.create(message=m, status=status, source=source)
    response = admin.get(f"/messages/log/{m.handle}/")
    assert [e.status for e in response.context["events"]] == ["QUEUED", "ACCEPTED", "SENT", "READ"]
    assert b"by Console" in response.content and b"by Provider" in response.content
    theirs = d.message(d.conversation(other_account, d.line(other_account, "+15125550900"), "+15125550101"))
    assert admin.get(f"/messages/log/{theirs.handle}/").status_code == 404


def dead(conv, content="x"):
    return d.message(conv, content, status=Status.ERROR, attempts=5, error_code=10001, error_message="carrier said no")


def test_dead_letters_are_listed_and_retried_one_by_one(admin, account, line):
    conv = d.conversation(account, line, "+15125550101")
    first, second = dead(conv, "first"), dead(conv, "second")
    page = admin.get("/messages/dead-letters/")
    assert {m.pk for m in page.context["window"].rows} == {first.pk, second.pk}
    assert b"carrier said no" in page.content
    response = admin.post("/messages/dead-letters/action", {"row": f"retry:{first.pk}"}, follow=True)
    assert b"Queued again: 1 message." in response.content
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts, first.error_message) == (Status.QUEUED, 0, "")
    assert second.status == Status.ERROR
    assert first.events.filter(status=Status.QUEUED, source=EventSource.CONSOLE).exists()
    assert [m.pk for m in response.context["window"].rows] == [second.pk]


def test_dead_letters_are_discarded_in_bulk_and_leave_the_queue(admin, account, line):
    conv = d.conversation(account, line, "+15125550101")
    rows = [dead(conv, f"m{i}") for i in range(3)]
    response = admin.post("/messages/dead-letters/action",
                           {"action": "discard", "ids": [rows[0].pk, rows[1].pk]}, follow=True)
    assert b"Discarded: 2 messages." in response.content
    assert [m.pk for m in response.context["window"].rows] == [rows[2].pk]
    assert Message.objects.filter(pk=rows[0].pk, status=Status.ERROR, discarded_at__isnull=False).exists()
    response = admin.post("/messages/dead-letters/action", {"action": "retry", "ids": [rows[2].pk]}, follow=True)
    assert b"No dead letters" in response.content


def test_dead_letter_actions_ignore_other_accounts_and_need_a_selection(admin, account, other_account, line):
    theirs = dead(d.conversation(other_account, d.line(other_account, "+15125550900"), "+15125550101"))
    response = admin.post("/messages/dead-letters/action", {"action": "retry", "ids": [theirs.pk]}, follow=True)
    assert b"no longer dead letters" in response.content
    theirs.refresh_from_db()
    assert theirs.status == Status.ERROR
    response = admin.post("/messages/dead-letters/action", {"action": "retry"}, follow=True)
    assert b"Select at least one message." in response.content


def test_the_log_orders_newest_first_or_as_asked(admin, account, line):
    conv = d.conversation(account, line, "+15125550101")
    now = timezone.now()
    for i in range(3):
        d.message(conv, f"m{i}", at=now - timedelta(minutes=10 - i))

    def contents(**params):
        return [m.content for m in admin.get("/messages/log/", params).context["window"].rows]

    assert contents() == ["m2", "m1", "m0"]
    assert contents(order_direction="asc") == ["m0", "m1", "m2"]
    assert contents(status="DELIVERED", order_direction="asc") == ["m0", "m1", "m2"]


def test_the_dashboard_shows_the_figures_of_the_last_rollup_run(admin, account, line):
    conv = d.conversation(account, line, "+15125550101")
    d.message(conv, status=Status.RECEIVED, outbound=False, events=True)
    RollupWatermark.objects.all().delete()
    now = timezone.now()
    assert b"Figures are being counted" in admin.get("/").content  # the task never ran
    rollups.refresh(now=now + rollups.SETTLE)
    response = admin.get("/")
    assert response.context["today"].replies == 1 and response.context["as_of"] == now
    d.message(conv, status=Status.RECEIVED, outbound=False, events=True)
    assert admin.get("/").context["today"].replies == 1  # counted at the next run
    rollups.refresh(now=timezone.now() + rollups.SETTLE)
    assert admin.get("/").context["today"].replies == 2


def test_a_dead_letter_is_retried_from_its_own_page(admin, account, line):
    m = dead(d.conversation(account, line, "+15125550101"))
    page = admin.get(f"/messages/log/{m.handle}/")
    assert f'value="retry:{m.pk}"'.encode() in page.content
    admin.post("/messages/dead-letters/action", {"row": f"retry:{m.pk}"})
    m.refresh_from_db()
    assert m.status == Status.QUEUED
    assert b'value="retry:' not in admin.get(f"/messages/log/{m.handle}/").content
