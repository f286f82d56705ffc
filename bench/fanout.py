"""Fan-out bench: a 100,000-contact campaign and a 100,000-message bulk job materialised
into QUEUED messages by real Celery workers, against a plain PostgreSQL COPY of the same
message rows; then priority isolation while the campaign drains.

Sets up its own world: database ``outreach_bench_fanout`` (created and migrated), Redis
db 14, one account with 10 sandbox lines (limits raised: the bench measures the fan-out and
the queue order, not the carrier's pacing) and N contacts in one list.

1. **COPY**: the N message rows the campaign will write (same columns and values), COPY'd
   into ``messaging_message`` in one committed transaction (then truncated), three times:
   the median is the baseline.
2. **campaign**: started through the service (scheduled a day ahead, so no message is due
   and the dispatcher stays idle); one worker with two pool processes (as ``bin/run``)
   fans out its two slices side by side. Time: from the start's commit to the fan-out's
   end (``fanout_done_at``). It writes messages, QUEUED events and recipients: three
   rows per contact to COPY's one (conversations are made when messages are claimed).
3. **isolation**: single sends through ``POST /api/v1/messages`` on an idle queue, then the
   same while the campaign drains (its messages made due, 2 worker processes, a third on
   the interactive lane): p95 of ``sent_at - created_at`` each time.
4. **bulk job**: ``POST /api/v1/messages/bulk`` with N ``{to, body}`` to new numbers, through
   the real view, queued by a worker with two pool processes (its two slices side by side);
   time from the request to the job's fan-out end.

Each worker's peak resident memory (VmHWM of its pool process) is printed per phase.
Ends with ``RESULT ratio=<the slower fan-out, campaign or bulk job, s / COPY s> target=3``
(priority isolation has its own line and target: 2).

    .venv/bin/python bench/fanout.py [--contacts 100000] [--skip-isolation] [--variants] [--links]

``--links`` turns on the account's link tracking and puts a URL in every body: each
recipient's message then carries a tracked ``/l/<code>`` link of its own.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "outreach_bench_fanout"
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "CELERY_QUEUE": "bench_fanout",
    "DJANGO_SETTINGS_MODULE": "outreach.settings",
    "LOG_LEVEL": "WARNING",
    "DEBUG": "false",
    "SECRET_KEY": "bench-not-secret",
    "SANDBOX_DELAY_SECONDS": "0",
    "ALLOWED_HOSTS": "testserver,localhost",
    # The dispatcher's chunk is the default (500); while single sends are around, bulk tasks
    # take DISPATCH_YIELDING_BATCH_SIZE (50) and hold back between steps (foreground.py).
}
LINES = 10


def setup_django() -> None:
    _setup.setup_django(ENV, DB_NAME, fresh=True, flush_redis=True)


class Worker:
    """A ``celery worker`` process on the bench database; its pool's peak memory."""

    def __init__(self, name: str, concurrency: int = 1, queue: str | None = None):
        self.log = ROOT / "var" / f"bench-fanout-{name}.log"
        self.log.parent.mkdir(exist_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "outreach", "worker", "--loglevel=INFO",
             f"--concurrency={concurrency}", f"--hostname=bench-fanout-{name}@%h", "--without-gossip",
             "--without-mingle", "-Q", queue or ENV["CELERY_QUEUE"]],
            env={**os.environ, **ENV, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.time() + 60
        while "ready." not in self.log.read_text():
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"worker did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def peak_mb(self) -> float:
        """Largest VmHWM among the worker's processes (the pool children do the work)."""
        pids = [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        peak = 0
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        return peak / 1024

    def stop(self) -> None:
        import signal

        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def copy_rows(table: str, columns: list[str], rows) -> None:
    from django.db import connection

    with connection.cursor() as cursor, cursor.cursor.copy(
        f'COPY "{table}" ({", ".join(columns)}) FROM STDIN'
    ) as copy:
        for row in rows:
            copy.write_row(row)


def seed(n: int):
    """The account, lines and N contacts in one list (COPY: setup is not measured)."""
    from django.db import connection

    from contacts.models import Contact, ContactList
    from messaging.models import Line
    from outreach.models import Account
    from outreach.services import create_api_key, full_key

    account = Account.objects.create(name="Bench fanout", email="bench@example.com", default_timezone="UTC")
    for i in range(LINES):
        Line.objects.create(account=account, number=f"+1512555{100 + i:04d}", burst_per_second=1_000_000,
                            new_contacts_per_hour=1_000_000, new_contacts_per_day=1_000_000)
    lst = ContactList.objects.create(account=account, name="Everyone")
    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in range(n)]
    copy_rows(Contact._meta.db_table,
              ["id", "account_id", "phone_number", "e164_number", "first_name", "last_name", "email",
               "company_name", "timezone", "tags", "custom_variables", "search_text", "created_at", "updated_at"],
              ((pk, account.pk, f"+1512{3000000 + i:07d}", f"+1512{3000000 + i:07d}", f"Name{i}", "", "", "",
                "", "[]", "{}", "", now, now) for i, pk in enumerate(ids)))
    copy_rows(Contact.lists.through._meta.db_table, ["contact_id", "contactlist_id"], ((pk, lst.pk) for pk in ids))
    with connection.cursor() as cursor:  # what autovacuum would do after such a load
        cursor.execute("ANALYZE contacts_contact; ANALYZE contacts_contact_lists")
    key, secret = create_api_key(account, "bench", ["full_access"])
    return account, lst, full_key(key, secret)


def baseline_copy(account, n: int) -> float:
    """COPY the N message rows the campaign writes (same columns), timed, rolled back."""
    from django.db import connection, transaction

    from messaging.models import Line, Message
    from outreach.db import column_defaults

    line = Line.objects.filter(account=account).first()
    now = datetime.now(UTC)
    given = ["account_id", "handle", "line_id", "conversation_id", "is_outbound", "number", "from_number",
             "to_number", "content", "media_url", "send_style", "message_type", "status", "priority",
             "next_attempt_at", "created_at", "updated_at", "queued_at"]
    defaults = column_defaults(Message, set(given))
    columns = [f'"{Message._meta.get_field(c).column}"' for c in given + list(defaults)]
    checkpoint()
    rows = [(account.pk, uuid.uuid4(), line.pk, None, True, f"+1512{3000000 + i:07d}", line.number,
             f"+1512{3000000 + i:07d}", f"Hi Name{i}, spring is here", "", "", "message", "QUEUED", -101,
             now, now, now, now, *defaults.values()) for i in range(n)]
    start = time.perf_counter()
    with transaction.atomic():
        copy_rows(Message._meta.db_table, columns, rows)
    elapsed = time.perf_counter() - start  # COPY and its COMMIT, as a real load would
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE messaging_message CASCADE")  # it was empty before
    return elapsed


def checkpoint() -> None:
    """Flush the writes so far (the seed's, the previous phase's): each timed phase starts
    with no checkpoint of someone else's pages due in the middle of it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def wait(predicate, timeout: float, what: str):
    deadline = time.time() + timeout
    while not (value := predicate()):
        if time.time() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)
    return value


#: ``--variants``: the campaign is an A/B test of three bodies.
VARIANTS = [{"body": "Hi {first_name|there}, spring is here", "percent": 50},
            {"body": "Hello {first_name|there}: spring!", "percent": 30},
            {"body": "Spring is here, {first_name|friend}", "percent": 20}]


#: ``--links``: the URL every body carries (rewritten per recipient).
LINK = " https://shop.example.com/spring?utm=sms"


def run_campaign(account, lst, variants: bool = False, links: bool = False) -> tuple[float, object]:
    from campaigns import services
    from campaigns.models import Campaign
    from outreach.models import Account

    suffix = LINK if links else ""
    if links:
        Account.objects.filter(pk=account.pk).update(track_links=True)
        account.refresh_from_db()
    chosen = [{**v, "body": v["body"] + suffix} for v in VARIANTS] if variants else None
    campaign = services.create_campaign(account, {
        "name": "Bench", "body": "Hi {first_name|there}, spring is here" + suffix,
        "start_at": datetime.now(UTC) + timedelta(days=1), **({"variants": chosen} if variants else {}),
    }, list_ids=[lst.pk])
    checkpoint()
    services.start(account, campaign.pk)
    campaign = wait(lambda: Campaign.objects.filter(pk=campaign.pk, fanout_done_at__isnull=False).first(),
                    1800, "the campaign fan-out")
    return (campaign.fanout_done_at - campaign.started_at).total_seconds(), campaign


def run_bulk(key: str, n: int) -> tuple[float, float]:
    from django.test import Client

    from campaigns.models import BulkJob

    body = {"messages": [{"to": f"+1737{4000000 + i:07d}", "body": f"Order {i} is ready"} for i in range(n)]}
    import json

    payload = json.dumps(body)
    checkpoint()
    start = time.perf_counter()
    response = Client().post("/api/v1/messages/bulk", payload, content_type="application/json",
                             HTTP_X_API_KEY=key)
    request_s = time.perf_counter() - start
    assert response.status_code == 201, response.content[:500]
    job_id = response.json()["jobId"][5:]
    wait(lambda: BulkJob.objects.filter(pk=job_id, fanout_done_at__isnull=False).exists(), 1800, "the bulk job")
    return time.perf_counter() - start, request_s


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def single_sends(key: str, count: int, prefix: str) -> list[float]:
    """Send ``count`` messages through the API, one at a time; seconds from created to SENT."""
    from django.test import Client

    from messaging.models import Message

    client, ids, took = Client(), [], []
    for i in range(count):
        start = time.perf_counter()
        response = client.post("/api/v1/messages", {"to": f"+1{prefix}{i:02d}00", "body": "ping"},
                               content_type="application/json", HTTP_X_API_KEY=key)
        assert response.status_code == 201, response.content[:300]
        took.append(time.perf_counter() - start)
        ids.append(response.json()["id"])
        time.sleep(0.2)
    handles = [i.removeprefix("msg_") for i in ids]

    def done():
        rows = list(Message.objects.filter(handle__in=handles, sent_at__isnull=False)
                    .values_list("created_at", "claimed_at", "sent_at"))
        return rows if len(rows) == count else None

    rows = wait(done, 300, "the single sends")
    print(f"  {prefix}: p95 request {p95(took) * 1000:.0f} ms, created->claimed {p95([(c - a).total_seconds() for a, c, _ in rows]) * 1000:.0f} ms, "
          f"claimed->sent {p95([(s - c).total_seconds() for _, c, s in rows]) * 1000:.0f} ms")
    return [(sent - created).total_seconds() for created, _, sent in rows]


def isolation(account, campaign, key: str, count: int) -> tuple[float, float, float]:
    from django.db import transaction

    from campaigns.models import Campaign
    from messaging.choices import Status
    from messaging.models import Message
    from messaging.services import wake_dispatcher

    # Two workers drain the campaign; the interactive lane has a process of its own (as the
    # README's production layout runs it), so single sends never wait behind a chunk.
    workers = [Worker("drain-1"), Worker("drain-2"), Worker("lane", queue=ENV["CELERY_QUEUE"] + ".interactive")]
    try:
        idle = p95(single_sends(key, count, "214555"))
        with transaction.atomic():  # the campaign's morning: everything due now
            Campaign.objects.filter(pk=campaign.pk).update(status="ACTIVE", start_at=None)
            Message.objects.filter(campaign_recipient__campaign=campaign, status=Status.QUEUED).update(
                next_attempt_at=datetime.now(UTC))
            wake_dispatcher()
        wait(lambda: Message.objects.filter(campaign_recipient__campaign=campaign, sent_at__isnull=False).count() > 2000,
             300, "the campaign to drain")
        busy = p95(single_sends(key, count, "215555"))
        drained = Message.objects.filter(campaign_recipient__campaign=campaign, sent_at__isnull=False).count()
        peak = max(w.peak_mb() for w in workers)
        print(f"isolation: {drained:,} campaign messages sent meanwhile; drain workers' peak {peak:.0f} MB")
    finally:
        for w in workers:
            w.stop()
    return idle, busy, busy / idle


def quiet_queue(campaign) -> None:
    """Before the bulk phase: park the campaign's undrained messages and drop the wake-ups
    the drain left in the broker, so the bulk worker only fans out."""
    import redis

    from campaigns.schedule import HELD_UNTIL
    from messaging.choices import Status
    from messaging.models import Message

    Message.objects.filter(campaign_recipient__campaign=campaign, status=Status.QUEUED).update(
        next_attempt_at=HELD_UNTIL)
    redis.Redis.from_url(ENV["REDIS_URL"]).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--bulk", type=int, default=100_000)
    parser.add_argument("--sends", type=int, default=100, help="single sends per isolation sample")
    parser.add_argument("--skip-isolation", action="store_true")
    parser.add_argument("--variants", action="store_true", help="the campaign is an A/B test of three bodies")
    parser.add_argument("--links", action="store_true", help="tracked links on, a URL in every body")
    args = parser.parse_args()
    setup_django()
    account, lst, key = seed(args.contacts)
    # The median of three: one COPY can land on a checkpoint of the seed's writes.
    copies = [baseline_copy(account, args.contacts) for _ in range(3)]
    copy_s = statistics.median(copies)
    print(f"COPY of {args.contacts:,} message rows: {copy_s:.2f} s (median of {', '.join(f'{c:.2f}' for c in copies)})")

    worker = Worker("fanout", concurrency=2)  # as bin/run: the campaign's two slices side by side
    try:
        campaign_s, campaign = run_campaign(account, lst, args.variants, args.links)
        peak = worker.peak_mb()
    finally:
        worker.stop()
    print(f"campaign fan-out of {args.contacts:,} contacts: {campaign_s:.2f} s "
          f"({args.contacts / campaign_s:,.0f}/s), {campaign_s / copy_s:.2f}x COPY; worker peak {peak:.0f} MB")

    if not args.skip_isolation:
        idle, busy, ratio = isolation(account, campaign, key, args.sends)
        print(f"single send to SENT, p95: idle {idle * 1000:.0f} ms, during the campaign's drain "
              f"{busy * 1000:.0f} ms ({ratio:.2f}x; target <= 2)")
    if args.bulk:
        quiet_queue(campaign)
        worker = Worker("bulk", concurrency=2)  # as bin/run: the job's two slices side by side
        try:
            bulk_s, request_s = run_bulk(key, args.bulk)
            peak = worker.peak_mb()
        finally:
            worker.stop()
        print(f"bulk job of {args.bulk:,} messages: {bulk_s:.2f} s (request {request_s:.2f} s), "
              f"{bulk_s / copy_s * args.contacts / args.bulk:.2f}x COPY; worker peak {peak:.0f} MB")

    ratios = [campaign_s / copy_s]
    if args.bulk:
        ratios.append(bulk_s / copy_s * args.contacts / args.bulk)
    print(f"RESULT ratio={max(ratios):.2f} target=3")


if __name__ == "__main__":
    main()
