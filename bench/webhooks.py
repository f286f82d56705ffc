"""Webhooks bench: 10,000 events delivered by real Celery workers to a local receiver,
against plain ``requests.Session`` loops posting the same pre-signed bodies with the same
concurrency (as many processes as the worker has pool processes), with one dead
endpoint (accepts connections, never answers) subscribed to every event as well. The
workers may put all their processes on one endpoint (``WEBHOOKS_ENDPOINT_CONCURRENCY`` is
set to the concurrency; the default of 2 would give them half the loops' senders, and on a
machine that other work loads, half their share of the CPU).

Sets up its own world: database ``outreach_bench_webhooks`` (created and migrated), Redis
db 12, a receiver process (HTTP/1.1 keep-alive, threaded), a black-hole socket, and a
``celery worker`` process (prefork). The outbox is filled first; the clock runs from the
wake-up (a sweep, as beat would run it) until every live delivery has succeeded.

Prints the loop's and the workers' rates and ends with
``RESULT ratio=<worker deliveries/s / loops' posts/s> target=0.7``.

    .venv/bin/python bench/webhooks.py [--events 10000] [--concurrency 4]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Process
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "outreach_bench_webhooks"
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/12",
    "CELERY_QUEUE": "bench_webhooks",
    "DJANGO_SETTINGS_MODULE": "outreach.settings",
    "LOG_LEVEL": "WARNING",
    "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
    "DEBUG": "false",
    "SECRET_KEY": "bench-not-secret",
}
RECEIVER_PORT = 8793
DEAD_PORT = 8794


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver behind a proxy
    disable_nagle_algorithm = True  # else headers and body meet the 40 ms delayed ACK

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def serve_receiver() -> None:
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 512
    ThreadingHTTPServer(("127.0.0.1", RECEIVER_PORT), Receiver).serve_forever()


def black_hole() -> socket.socket:
    """Accepts connections and never answers: every POST waits out the timeout."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", DEAD_PORT))
    sock.listen(1024)
    held = []

    def accept():
        while True:
            conn, _ = sock.accept()
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    return sock


def setup_django() -> None:
    _setup.setup_django(ENV, DB_NAME, flush_redis=True)


WORKER_LOG = ROOT / "var" / "bench-webhooks-worker.log"


def start_worker(concurrency: int) -> subprocess.Popen:
    log = open(WORKER_LOG, "w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "outreach", "worker", "--loglevel=INFO",
            f"--concurrency={concurrency}", "-Q", ENV["CELERY_QUEUE"], "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--hostname=bench-webhooks@%h",
        ],
        env={**os.environ, **ENV, "PYTHONPATH": str(ROOT)},
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.time() + 60
    while "ready." not in WORKER_LOG.read_text():  # the clock must not time the boot
        if proc.poll() is not None or time.time() > deadline:
            raise SystemExit(f"worker did not start; see {WORKER_LOG}")
        time.sleep(0.1)
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def plain_loop(bodies: list[bytes], secret: str, url: str, concurrency: int) -> float:
    """What a hand-written sender does, with the workers' concurrency: ``concurrency``
    processes, each one keep-alive session posting its share of the pre-signed bodies one
    after another. The clock runs from the first POST to the last answer."""
    from webhooks import signing

    signed = [(b, signing.headers([secret], f"msg_{i}", int(time.time()), b)) for i, b in enumerate(bodies)]
    shares = [signed[i::concurrency] for i in range(concurrency)]
    ready = multiprocessing.Barrier(concurrency + 1)
    procs = [Process(target=post_all, args=(share, url, ready)) for share in shares]
    for p in procs:
        p.start()
    ready.wait()  # every process has its session and bodies: start the clock
    t0 = time.perf_counter()
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit("a plain loop process failed")
    return time.perf_counter() - t0


def post_all(signed: list[tuple[bytes, dict]], url: str, ready) -> None:
    import requests

    session = requests.Session()
    ready.wait()
    for body, headers in signed:
        r = session.post(url, data=body, headers={**headers, "content-type": "application/json"}, timeout=10)
        assert r.status_code == 200


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    ENV["WEBHOOKS_ENDPOINT_CONCURRENCY"] = str(args.concurrency)  # the loops' senders on one endpoint
    receiver = Process(target=serve_receiver, daemon=True)
    receiver.start()
    hole = black_hole()
    setup_django()

    from django.db import transaction

    from outreach.models import Account
    from webhooks import services
    from webhooks.choices import DeliveryStatus, EventType
    from webhooks.delivery import body_bytes
    from webhooks.drains import sweep
    from webhooks.models import Delivery, Endpoint, Event

    Account.objects.filter(name="Bench webhooks").delete()
    account = Account.objects.create(name="Bench webhooks", email="bench@example.com")
    live_url = f"http://127.0.0.1:{RECEIVER_PORT}/hook"
    live = services.create_endpoint(account, live_url)
    dead = services.create_endpoint(account, f"http://127.0.0.1:{DEAD_PORT}/dead")

    # A message status body of the seeds' size.
    payload = {
        "accountEmail": "bench@example.com", "content": "Hello from the bench " * 3, "is_outbound": True,
        "status": "DELIVERED", "error_code": None, "error_message": None, "message_handle": "",
        "date_sent": "2026-01-01T00:00:00Z", "date_updated": "2026-01-01T00:00:01Z",
        "from_number": "+15125550100", "number": "+15125550199", "to_number": "+15125550199",
        "was_downgraded": False, "plan": "sandbox", "media_url": "", "service": "iMessage",
    }
    t0 = time.perf_counter()
    for start in range(0, args.events, 100):
        # As the message dispatcher records status changes: a chunk per transaction.
        with transaction.atomic():  # wake-ups go nowhere yet: no worker runs
            services.emit_many(
                (account, EventType.MESSAGE_STATUS_UPDATED, {**payload, "message_handle": f"m-{i}"}, ())
                for i in range(start, min(start + 100, args.events))
            )
    emit_s = time.perf_counter() - t0
    print(f"emit_many: {args.events} events into the outbox in {emit_s:.1f} s ({args.events / emit_s:,.0f}/s)")

    events = list(Event.objects.filter(account=account).order_by("id"))
    bodies = [body_bytes(e, live.payload_format) for e in events]
    loop_s = plain_loop(bodies, live.secret, live_url, args.concurrency)
    print(f"plain requests.Session loop x {args.concurrency} processes: {len(bodies)} signed POSTs in {loop_s:.1f} s ({len(bodies) / loop_s:,.0f}/s)")

    import redis

    redis.Redis.from_url(ENV["REDIS_URL"]).flushdb()  # drop the wake-ups queued while no worker ran
    worker = start_worker(args.concurrency)
    try:
        live_rows = Delivery.objects.filter(endpoint=live)
        t0 = time.perf_counter()
        sweep()
        print(f"  woke the targets in {time.perf_counter() - t0:.2f} s")
        last_print = t0
        while live_rows.filter(status=DeliveryStatus.SUCCEEDED).count() < args.events:
            time.sleep(0.2)
            if worker.poll() is not None:
                raise SystemExit("worker died; see var/bench-webhooks-worker.log")
            if time.perf_counter() - last_print > 10:
                done = live_rows.filter(status=DeliveryStatus.SUCCEEDED).count()
                print(f"  ... {done} delivered after {time.perf_counter() - t0:.0f} s")
                last_print = time.perf_counter()
        ours_s = time.perf_counter() - t0
    finally:
        stop(worker)
        receiver.kill()
        receiver.join()
        hole.close()
    ours_rate = args.events / ours_s
    # The machine is shared: time the loop again after the workers and compare with the
    # mean of both loop runs, so a load change during the run does not favour either side.
    receiver = Process(target=serve_receiver, daemon=True)
    receiver.start()
    time.sleep(0.5)
    loop2_s = plain_loop(bodies, live.secret, live_url, args.concurrency)
    receiver.kill()
    print(f"plain requests.Session loop again: {len(bodies) / loop2_s:,.0f}/s")
    loop_rate = 2 * len(bodies) / (loop_s + loop2_s)
    dead_attempts = Delivery.objects.filter(endpoint=dead).exclude(attempts=0).count()
    failed_live = live_rows.exclude(status=DeliveryStatus.SUCCEEDED).count()
    print(
        f"workers (concurrency {args.concurrency}): {args.events} deliveries in {ours_s:.1f} s "
        f"({ours_rate:,.0f}/s); live endpoint not delivered: {failed_live}"
    )
    print(f"dead endpoint meanwhile: {dead_attempts} deliveries attempted (timeouts), "
          f"{Delivery.objects.filter(endpoint=dead, status=DeliveryStatus.PENDING).count()} waiting")
    Endpoint.objects.filter(account=account).delete()
    print(f"RESULT ratio={ours_rate / loop_rate:.2f} target=0.7")


if __name__ == "__main__":
    main()
