"""Dispatch bench: 100,000 queued messages drained by 2 ``celery worker`` processes with the
sandbox carrier at zero delay, against the bare SQL that makes the same state changes.

Sets up its own world: database ``outreach_bench_dispatch`` (created and migrated), Redis
db 13, one account with 10 sandbox lines (limits raised: the bench measures the pipeline,
not the carrier's pacing) and 100,000 contacts, each with a direct conversation and one
QUEUED message to a number the sandbox delivers and reads.

Both runs write the same rows: per message QUEUED -> ACCEPTED -> SENT -> DELIVERED -> READ
(a claim UPDATE and a final UPDATE), four MessageEvents, four webhook outbox events
carrying the Sendblue body, one sandbox ledger row.

- **bare SQL**: 2 processes, each looping over chunks of 500: ``UPDATE ... FROM (SELECT
  ... FOR UPDATE SKIP LOCKED)`` to claim (the columns the real claim writes, lease and
  new_contact included, and the lines' new-contact counts), COPY of the ACCEPTED events, COPY of the ledger,
  one UPDATE to READ, COPY of the other events. JSON bodies built with ``json.dumps``.
- **pipeline**: 2 worker processes (concurrency 1) woken once; the clock runs from the
  wake-up until no message is QUEUED or ACCEPTED.

Then the peer: django-post-office draining as many messages with as many processes
(``bench/peer_post_office.py``). Prints the three rates, then
``RESULT ratio=<pipeline s / bare SQL s> target=4`` and
``PEER ratio=<our rate / post-office rate> target=1``.

    .venv/bin/python bench/dispatch.py [--messages 100000] [--workers 2]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from multiprocessing import Process
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "outreach_bench_dispatch"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
ENV = {
    "DATABASE_URL": DB_URL,
    "REDIS_URL": "redis://127.0.0.1:6379/13",
    "CELERY_QUEUE": "bench_dispatch",
    "DJANGO_SETTINGS_MODULE": "outreach.settings",
    "LOG_LEVEL": "WARNING",
    "DEBUG": "false",
    "SECRET_KEY": "bench-not-secret",
    "SANDBOX_DELAY_SECONDS": "0",
    "DISPATCH_BATCH_SIZE": "500",
}
CHUNK = 500
#: The claim's lease, the same on both sides (DISPATCH_CLAIM_LEASE_SECONDS, messaging/queue/lease.py).
LEASE_SECONDS = 6.0
ENV["DISPATCH_CLAIM_LEASE_SECONDS"] = str(LEASE_SECONDS)
LINES = 10


def setup_django() -> None:
    _setup.setup_django(ENV, DB_NAME, flush_redis=True)


def copy_model(model, rows: list[dict]) -> None:
    """COPY rows of ``model``, every column given (defaults filled in as Django would)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.get_default() is None)]
    now = datetime.now(UTC)
    cols = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({cols}) FROM STDIN') as copy:
        for row in rows:
            out = []
            for f in fields:
                if f.attname in row:
                    value = row[f.attname]
                elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    value = now
                else:
                    value = f.get_default()
                if isinstance(value, dict | list):
                    value = json.dumps(value)
                out.append(value)
            copy.write_row(out)


def seed(n: int):
    """A fresh account, lines, contacts, conversations and n QUEUED messages."""
    from django.db import connection

    from contacts.models import Contact
    from messaging.choices import Status
    from messaging.models import Conversation, Line, Message
    from outreach.models import Account

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE messaging_messageevent, messaging_sandboxsend, messaging_sandboxreport, messaging_lineusage, "
            "webhooks_delivery, webhooks_event, messaging_attachment, messaging_message, "
            "messaging_conversation, contacts_contact CASCADE"
        )
    Account.objects.filter(name="Bench dispatch").delete()
    account = Account.objects.create(name="Bench dispatch", email="bench@example.com")
    lines = [
        Line.objects.create(
            account=account, number=f"+1512555{n:04d}", burst_per_second=1_000_000,
            new_contacts_per_hour=1_000_000, new_contacts_per_day=1_000_000,
        )
        for n in range(100, 100 + LINES)
    ]
    numbers = [f"+1{2000000000 + i * 100 + 10 + i % 90}" for i in range(n)]  # never ends in 01-07
    copy_model(Contact, [
        {"id": uuid.uuid4(), "account_id": account.pk, "phone_number": num, "e164_number": num} for num in numbers
    ])
    copy_model(Conversation, [
        {"account_id": account.pk, "line_id": lines[i % LINES].pk, "address": num} for i, num in enumerate(numbers)
    ])
    conversations = dict(Conversation.objects.filter(account=account).values_list("address", "pk"))
    now = datetime.now(UTC)
    copy_model(Message, [
        {
            "account_id": account.pk, "handle": uuid.uuid4(), "line_id": lines[i % LINES].pk,
            "conversation_id": conversations[num], "number": num, "from_number": lines[i % LINES].number,
            "to_number": num, "content": "Hello from the bench, this is a message of a usual size.",
            "status": Status.QUEUED, "next_attempt_at": now, "queued_at": now,
        }
        for i, num in enumerate(numbers)
    ])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return account


# --- the bare SQL -------------------------------------------------------------------------

def body(row, status: str, now: str) -> str:
    handle, number, from_number, content, created = row
    return json.dumps({
        "accountEmail": "bench@example.com", "content": content, "is_outbound": True, "status": status,
        "error_code": None, "error_message": None, "error_reason": None, "error_detail": None,
        "message_handle": str(handle), "date_sent": created.isoformat(), "date_updated": now,
        "from_number": from_number, "number": number, "to_number": number, "was_downgraded": False,
        "plan": "sandbox", "media_url": "", "message_type": "message", "group_id": "", "participants": [],
        "send_style": "", "opted_out": False, "sendblue_number": from_number, "service": "iMessage",
        "group_display_name": None,
    })


#: The claim writes what ``dispatch.claim`` writes: ACCEPTED, ``claimed_at``, the lease
#: (``lease_until``), one more attempt, and ``new_contact`` (no activity in the
#: conversation for 30 days: ``limits.active_conversations``).
CLAIM_SQL = """
    UPDATE messaging_message m SET status = 'ACCEPTED', claimed_at = %(now)s,
        lease_until = %(now)s + %(lease)s, attempts = m.attempts + 1, updated_at = %(now)s,
        new_contact = NOT EXISTS (
            SELECT 1 FROM messaging_message o WHERE o.conversation_id = m.conversation_id AND (
                o.status = 'ACCEPTED' OR o.sent_at > %(now)s - interval '30 days'
                OR (o.status = 'RECEIVED' AND o.created_at > %(now)s - interval '30 days')))
    FROM (SELECT id FROM messaging_message WHERE status = 'QUEUED' AND next_attempt_at <= %(now)s
          ORDER BY priority DESC, created_at LIMIT %(n)s FOR UPDATE SKIP LOCKED) c
    WHERE m.id = c.id
    RETURNING m.id, m.line_id, m.handle, m.number, m.from_number, m.content, m.created_at, m.new_contact"""


def count_new_contacts(conn, rows, now: datetime) -> None:
    """The lines' new-contact counts, one upsert per line (``limits.record_new_contacts``),
    in line id order as the real claim locks its lines (two processes never deadlock)."""
    counts: dict[int, int] = {}
    for r in rows:
        counts[r[1]] = counts.get(r[1], 0) + int(r[7])
    minute = now.replace(second=0, microsecond=0)
    for line_id, count in sorted(counts.items()):
        if count:
            conn.execute(
                "INSERT INTO messaging_lineusage (line_id, minute, new_contacts) VALUES (%s, %s, %s) "
                "ON CONFLICT (line_id, minute) DO UPDATE SET "
                "new_contacts = messaging_lineusage.new_contacts + EXCLUDED.new_contacts",
                [line_id, minute, count],
            )


def bare_sql_worker(account_id: int) -> None:
    import psycopg

    conn = psycopg.connect(DB_URL)
    while True:
        now = datetime.now(UTC)
        with conn.transaction():
            rows = conn.execute(CLAIM_SQL, {"now": now, "n": CHUNK, "lease": timedelta(seconds=LEASE_SECONDS)}).fetchall()
            if not rows:
                break
            count_new_contacts(conn, rows, now)
            copy_events(conn, account_id, rows, ["ACCEPTED"], now)
        now = datetime.now(UTC)
        with conn.transaction():
            with conn.cursor().copy(
                "COPY messaging_sandboxsend (handle, line_id, to_number, outcome, duplicate, created_at) FROM STDIN"
            ) as copy:
                for r in rows:
                    copy.write_row((r[2], r[1], r[3], "sent", False, now))
        with conn.transaction():
            conn.execute(
                """UPDATE messaging_message SET status = 'READ', sent_at = %(now)s, delivered_at = %(now)s,
                       read_at = %(now)s, service = 'iMessage', was_downgraded = false, last_error = '',
                       updated_at = %(now)s WHERE id = ANY(%(ids)s)""",
                {"now": now, "ids": [r[0] for r in rows]},
            )
            copy_events(conn, account_id, rows, ["SENT", "DELIVERED", "READ"], now)
    conn.close()


def copy_events(conn, account_id: int, rows, statuses: list[str], now: datetime) -> None:
    stamp = now.isoformat()
    with conn.cursor().copy(
        "COPY messaging_messageevent (message_id, status, source, detail, created_at) FROM STDIN"
    ) as copy:
        for r in rows:
            for status in statuses:
                copy.write_row((r[0], status, "dispatcher", "", now))
    with conn.cursor().copy(
        "COPY webhooks_event (account_id, type, payload, extra_urls, created_at) FROM STDIN"
    ) as copy:
        for r in rows:
            for status in statuses:
                copy.write_row((account_id, "message.status_updated", body(r[2:7], status, stamp), "[]", now))


def run_bare_sql(account_id: int, workers: int) -> float:
    t0 = time.perf_counter()
    procs = [Process(target=bare_sql_worker, args=(account_id,)) for _ in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit("a bare SQL process failed")
    return time.perf_counter() - t0


# --- the pipeline -------------------------------------------------------------------------

def start_worker(i: int) -> subprocess.Popen:
    log = open(ROOT / "var" / f"bench-dispatch-worker-{i}.log", "w")
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "outreach", "worker", "--loglevel=WARNING",
            "--concurrency=1", "-Q", ENV["CELERY_QUEUE"], "--without-gossip", "--without-mingle",
            "--without-heartbeat", f"--hostname=bench-dispatch-{i}@%h",
        ],
        env={**os.environ, **ENV, "PYTHONPATH": str(ROOT)},
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def run_pipeline(n: int, workers: int) -> float:
    from messaging.choices import Status
    from messaging.models import Message
    from messaging.tasks import dispatch

    procs = [start_worker(i) for i in range(workers)]
    try:
        time.sleep(4)  # let the workers boot before the clock starts
        pending = Message.objects.filter(status__in=[Status.QUEUED, Status.ACCEPTED])
        t0 = time.perf_counter()
        dispatch.delay()  # one wake-up, as one commit would publish; a full chunk wakes another
        last = t0
        while pending.exists():
            time.sleep(0.25)
            if any(p.poll() is not None for p in procs):
                raise SystemExit("a worker died; see var/bench-dispatch-worker-*.log")
            if time.perf_counter() - last > 10:
                last = time.perf_counter()
                done = n - pending.count()
                print(f"  ... {done:,} done after {last - t0:.0f} s", flush=True)
        return time.perf_counter() - t0
    finally:
        for p in procs:
            stop(p)


def check(n: int) -> None:
    from django.db.models import Count, Sum

    from messaging.models import LineUsage, Message, MessageEvent, SandboxSend

    statuses = dict(Message.objects.values_list("status").annotate(c=Count("pk")))
    assert statuses == {"READ": n}, statuses
    assert MessageEvent.objects.exclude(status="QUEUED").count() == 4 * n
    assert SandboxSend.objects.filter(duplicate=False).count() == n
    # The claim's columns, as the real claim writes them: a lease, and each a new contact.
    assert Message.objects.filter(lease_until__isnull=False, new_contact=True).count() == n
    assert LineUsage.objects.aggregate(n=Sum("new_contacts"))["n"] == n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    setup_django()

    t0 = time.perf_counter()
    account = seed(args.messages)
    print(f"seeded {args.messages:,} queued messages in {time.perf_counter() - t0:.1f} s")
    sql_s = run_bare_sql(account.pk, args.workers)
    check(args.messages)
    print(f"bare SQL ({args.workers} processes): {sql_s:.1f} s, {args.messages / sql_s:,.0f} messages/s")

    account = seed(args.messages)
    pipe_s = run_pipeline(args.messages, args.workers)
    check(args.messages)
    print(f"pipeline ({args.workers} workers): {pipe_s:.1f} s, {args.messages / pipe_s:,.0f} messages/s")
    peer = run_peer(args.messages, args.workers)
    print(f"django-post-office ({args.workers} processes): {args.messages / peer:,.0f} messages/s")
    print(f"RESULT ratio={pipe_s / sql_s:.2f} target=4")
    print(f"PEER ratio={peer / pipe_s:.2f} target=1")


def run_peer(n: int, workers: int) -> float:
    """Seconds django-post-office takes for the same drain (bench/peer_post_office.py, in a
    process of its own: its own settings and database)."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "peer_post_office.py"), "--messages", str(n), "--processes", str(workers)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout
    line = next(part for part in out.splitlines() if part.startswith("PEER "))
    return float(dict(item.split("=") for item in line.split()[1:])["seconds"])


if __name__ == "__main__":
    main()
