"""API bench: the single-send path every SDK user hits first, under load, against the same
authentication with the least a send must do, in one run.

Starts gunicorn twice, as ``bin/run`` does (1 process x 8 threads) and as a 2-core web host
of the deployment guide with 2 processes x 4 threads, and drives with wrk (Debian's
package; ``apt-get install wrk``), 16 connections, each request to a number never used:

- ``GET /healthz`` (the load generator's and server's ceiling for a trivial view),
- ``POST /bench/minimal-send``: a DRF view with the same key authentication, scope check
  and throttle that inserts one row and publishes one wake-up (``bench/_api_urls.py``),
- ``POST /api/send-message`` (Sendblue dialect), with and without ``Idempotency-Key``,
- ``POST /api/v1/messages``.

No worker runs: the bench measures the web side (the wake-ups wait in the broker). Its own
database ``outreach_bench_api`` and Redis db 10. Prints req/s and p50/p95/p99 per row and ends
with ``RESULT ratio=<send-message req/s / minimal req/s, 2x4> target=0.5``.

    .venv/bin/python bench/api.py [--seconds 10] [--connections 16]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "outreach_bench_api"
PORT = 8765
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/10",
    "CELERY_QUEUE": "bench_api",
    "DJANGO_SETTINGS_MODULE": "outreach.settings",
    "LOG_LEVEL": "WARNING",
    "DEBUG": "false",
    "SECRET_KEY": "bench-not-secret",
    "ALLOWED_HOSTS": "127.0.0.1",
    "API_RATE_LIMIT_PER_MINUTE": "100000000",
}
SERVERS = {"1x8 (bin/run)": (1, 8), "2x4 (2-core host)": (2, 4)}

#: wrk's script for a POST: each request to a number no request used before (the row's area
#: code, an exchange per wrk thread, the thread's counter), optionally with an Idempotency-Key.
POST_LUA = """
local threads, counter = {}, 0
-- ``id`` is a global: wrk sets it in each thread's own Lua state.
function setup(thread) thread:set("id", #threads + 1); table.insert(threads, thread) end
function init(args) base = tonumber(args[1]); idem = args[2] == "idem" end
function request()
  counter = counter + 1
  local n = base + id * 1000000 + counter
  local headers = {["Content-Type"] = "application/json"}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  if idem then headers["Idempotency-Key"] = "bench-" .. n end
  return wrk.format("POST", nil, headers, string.format(BODY, n))
end
"""
#: ...and for every run: the figures as one JSON line at the end.
DONE_LUA = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "seconds": %f, "errors": %d, "non2xx": %d, '
    .. '"p50": %f, "p95": %f, "p99": %f}\\n', summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""
BODIES = {
    "sendblue": '{"number": "+1%d", "content": "Hello from the API bench"}',
    "v1": '{"to": "+1%d", "body": "Hello from the API bench"}',
}


def seed() -> dict[str, str]:
    """One account, a sandbox line with limits out of the way, a key; the minimal table."""
    from django.db import connection

    from messaging.services import add_line
    from outreach.models import Account
    from outreach.services import create_api_key, full_key

    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_minimal_send; "
            "CREATE TABLE bench_minimal_send (id bigserial PRIMARY KEY, account_id uuid, "
            "number text, content text, created_at timestamptz DEFAULT now())"
        )
        cursor.execute("TRUNCATE bench_minimal_send, messaging_messageevent, webhooks_event, "
                       "messaging_message, messaging_conversation, contacts_contact CASCADE")
    Account.objects.filter(name="Bench API").delete()
    account = Account.objects.create(name="Bench API", email="bench-api@example.com")
    line = add_line(account, "+15125550199")
    line.burst_per_second = line.new_contacts_per_hour = line.new_contacts_per_day = 1_000_000_000
    line.save()
    key, secret = create_api_key(account, "bench", ["messages"])
    return {"sendblue": {"sb-api-key-id": key.key_id, "sb-api-secret-key": secret},
            "v1": {"Authorization": f"Bearer {full_key(key, secret)}"}}


def start_gunicorn(processes: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, **ENV, "DJANGO_SETTINGS_MODULE": "_api_settings",
           "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "outreach.wsgi", "--bind", f"127.0.0.1:{PORT}",
         "--workers", str(processes), "--threads", str(threads), "--timeout", "60"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(ROOT / "var" / "bench-api-gunicorn.log", "w"),
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{PORT}/healthz", timeout=10).status_code == 200:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer; see var/bench-api-gunicorn.log")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def wrk(path: str, args: argparse.Namespace, headers: dict | None = None, body: str | None = None,
        base: int = 0, idem: bool = False) -> dict:
    cmd = ["wrk", "-t", "2", "-c", str(args.connections), "-d", f"{args.seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write((f"BODY = {json.dumps(body)}\n" + POST_LUA if body else "") + DONE_LUA)
    cmd += ["-s", script.name, f"http://127.0.0.1:{PORT}{path}", "--", str(base), "idem" if idem else ""]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    result = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    result["rate"] = result["requests"] / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/api.py needs wrk: apt-get install wrk")
    _setup.setup_django(ENV, DB_NAME, flush_redis=True)
    auth = seed()
    rows = [
        ("GET /healthz", "/healthz", None, None, False),
        ("POST /bench/minimal-send", "/bench/minimal-send", "sendblue", BODIES["sendblue"], False),
        ("POST /api/send-message", "/api/send-message", "sendblue", BODIES["sendblue"], False),
        ("  with Idempotency-Key", "/api/send-message", "sendblue", BODIES["sendblue"], True),
        ("POST /api/v1/messages", "/api/v1/messages", "v1", BODIES["v1"], False),
    ]
    rates: dict[tuple[str, str], float] = {}
    area_codes = iter([214, 312, 415, 512, 646, 713, 720, 808, 817, 919])
    for server, (processes, threads) in SERVERS.items():
        proc = start_gunicorn(processes, threads)
        try:
            print(f"gunicorn {server}, wrk {args.connections} connections, {args.seconds} s each")
            print(f"  {'':32} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
            for label, path, dialect, body, idem in rows:
                base = next(area_codes) * 10_000_000 + 2_000_000 if body else 0
                r = wrk(path, args, auth[dialect] if dialect else None, body, base, idem)
                rates[(server, label)] = r["rate"]
                print(f"  {label:32} {r['rate']:>8,.0f} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['p99']:>8.1f} "
                      f"{r['errors'] + r['non2xx']:>7}", flush=True)
        finally:
            stop(proc)
    deploy = "2x4 (2-core host)"
    ratio = rates[(deploy, "POST /api/send-message")] / rates[(deploy, "POST /bench/minimal-send")]
    print(f"RESULT ratio={ratio:.2f} target=0.5")


if __name__ == "__main__":
    main()
