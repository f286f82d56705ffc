"""Inbox bench: the console's conversation list, a thread and the dashboard with 1,000,000
messages in 100,000 conversations, against the same pages of an account with 60
conversations.

Sets up its own database ``outreach_bench_inbox`` (created and migrated), fills it with
``INSERT ... SELECT generate_series`` (seconds, not minutes), counts them into the
dashboard's rollups (``rollups.rebuild``, the migration's backfill: timed), then requests the pages
through Django's test client as a logged-in staff member. Prints the query count of each
page at both sizes (they must be equal), the median time of each, the EXPLAIN ANALYZE of
the list and thread queries, and ends with
``RESULT ratio=<big list+thread time / small list+thread time> target=2``.

    .venv/bin/python bench/inbox.py [--conversations 100000] [--per-conversation 10]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "outreach_bench_inbox"
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/12",
    "DJANGO_SETTINGS_MODULE": "outreach.settings",
    "LOG_LEVEL": "WARNING",
    "ALLOWED_HOSTS": "testserver,localhost",
    "SECURE_COOKIES": "false",
}
RUNS = 25
#: The small account: enough for two pages of the list, nothing more.
SMALL = 60


def setup_django() -> None:
    _setup.setup_django(ENV, DB_NAME)


def column_defaults(model, given: dict[str, str]) -> tuple[list[str], list[str]]:
    """Columns and SQL expressions for an INSERT ... SELECT: ``given`` for the columns the
    bench chooses, a neutral value for every other column (so new fields need no edit)."""
    from django.db import models

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField):
            continue
        columns.append(field.column)
        if field.column in given:
            values.append(given[field.column])
        elif isinstance(field, models.UUIDField):
            values.append("gen_random_uuid()")
        elif field.null:
            values.append("NULL")
        elif isinstance(field, models.JSONField):
            values.append("'[]'::jsonb" if field.default is list else "'{}'::jsonb")
        elif isinstance(field, models.BooleanField):
            values.append("true" if field.default is True else "false")
        elif isinstance(field, (models.IntegerField, models.SmallIntegerField, models.PositiveIntegerField)):
            values.append(str(field.default if isinstance(field.default, int) else 0))
        elif isinstance(field, models.DateTimeField):
            values.append("now()")
        else:
            values.append("''")
    return columns, values


def insert_select(table: str, model, given: dict[str, str], source: str) -> None:
    from django.db import connection

    columns, values = column_defaults(model, given)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}")


def fill(account, line, conversations: int, per: int, prefix: int) -> None:
    """``conversations`` threads of ``per`` messages; thread i last active i seconds ago."""
    from django.db import connection

    from messaging.models import Conversation, Message

    base = Conversation.objects.filter(account=account).count()
    insert_select("messaging_conversation", Conversation, {
        "account_id": f"'{account.pk}'", "line_id": str(line.pk), "message_type": "'message'",
        "address": f"'+1{prefix:03d}' || lpad((g + {base})::text, 7, '0')",
        "last_message_at": "now() - make_interval(secs => g)", "unread_count": "g % 3",
        "created_at": "now() - make_interval(days => 30)",
    }, f"generate_series(1, {conversations}) AS g")
    insert_select("messaging_message", Message, {
        "account_id": f"'{account.pk}'", "line_id": str(line.pk), "conversation_id": "c.id",
        "is_outbound": "(m % 2 = 0)", "number": "c.address", "from_number": f"'{line.number}'",
        "to_number": "c.address", "content": "'message ' || m || ' in thread ' || c.id",
        "status": "CASE WHEN m % 2 = 0 THEN 'READ' ELSE 'RECEIVED' END", "service": "'iMessage'",
        "message_type": "'message'",
        "created_at": f"c.last_message_at - make_interval(mins => {per} - m)",
        "updated_at": f"c.last_message_at - make_interval(mins => {per} - m)",
    }, f"messaging_conversation c CROSS JOIN generate_series(1, {per}) AS m WHERE c.account_id = '{account.pk}'")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE messaging_conversation")
        cur.execute("VACUUM ANALYZE messaging_message")


def measure(client, url: str) -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    count = len(ctx.captured_queries)  # read now: the next request_started resets the log
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return count, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--per-conversation", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="keep the data of the last run if it is there")
    args = parser.parse_args()
    setup_django()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from messaging import inbox
    from messaging.models import Conversation, Line, Message
    from messaging.services import rollups
    from outreach.models import Account
    from outreach.services import create_staff_user

    big = Account.objects.filter(name="Big").first()
    sizes = [Conversation.objects.filter(account__name=n).count() for n in ("Big", "Small")]
    if not (args.reuse and sizes == [args.conversations, SMALL]):
        with connection.cursor() as cur:
            cur.execute("TRUNCATE outreach_account, auth_user CASCADE")
        big = Account.objects.create(name="Big", email="big@example.com")
        small = Account.objects.create(name="Small", email="small@example.com")
        big_line = Line.objects.create(account=big, number="+15125550100")
        small_line = Line.objects.create(account=small, number="+15125550200")
        start = time.perf_counter()
        fill(big, big_line, args.conversations, args.per_conversation, prefix=201)
        fill(small, small_line, SMALL, args.per_conversation, prefix=202)
        print(f"filled in {time.perf_counter() - start:.1f}s")
        start = time.perf_counter()
        rollups.rebuild()
        print(f"rollups rebuilt (the backfill) in {time.perf_counter() - start:.1f}s")
    small = Account.objects.get(name="Small")
    print(f"{Message.objects.count():,} messages in {Conversation.objects.count():,} conversations")

    results = {}
    for account in (small, big):
        username = f"staff-{account.name.lower()}"
        user = (get_user_model().objects.filter(username=username).first()
                or create_staff_user(account, username, "pw-bench-12345", "owner"))
        client = Client()
        client.force_login(user)
        newest = Conversation.objects.filter(account=account).order_by("-last_message_at").first()
        middle = Conversation.objects.filter(account=account).order_by("id")[
            Conversation.objects.filter(account=account).count() // 2]
        pages = {
            "list": "/messages/inbox/",
            "list page 2": "/messages/inbox/?offset=25",
            "search": "/messages/inbox/?q=Nobody",
            "thread": f"/messages/inbox/{middle.pk}/",
            "thread poll": f"/messages/inbox/{newest.pk}/messages",
            "dashboard": "/",
        }
        results[account.name] = {name: measure(client, url) for name, url in pages.items()}
        for name, (queries, seconds) in results[account.name].items():
            print(f"{account.name:5} {name:12} queries={queries:3} median={seconds * 1000:7.2f} ms")

    for name in results["Big"]:
        assert results["Big"][name][0] == results["Small"][name][0], f"{name}: query count grows with data"

    middle = Conversation.objects.filter(account=big).order_by("id")[args.conversations // 2]
    print("\nEXPLAIN ANALYZE conversation list:")
    print(inbox.conversations(big)[: inbox.LIST_SIZE + 1].explain(analyze=True))
    print("\nEXPLAIN ANALYZE thread:")
    print(inbox.thread_queryset(middle)[: inbox.THREAD_SIZE + 1].explain(analyze=True))

    core = ("list", "thread")
    big_t = sum(results["Big"][n][1] for n in core)
    small_t = sum(results["Small"][n][1] for n in core)
    print(f"\nRESULT ratio={big_t / small_t:.2f} target=2")


if __name__ == "__main__":
    main()
