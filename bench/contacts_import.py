"""Contacts bench: 100,000 contacts through CSV import and through the batch endpoint,
against a plain PostgreSQL COPY of the same rows, plus search over 1,000,000 contacts.

Sets up its own world: database ``outreach_bench_contacts`` (created and migrated), Redis
db 11, a real Celery worker process (the CSV import) and a real gunicorn (the batch
endpoint, 1,000 contacts a request). Prints what it measured, the EXPLAIN plans of the
search queries, and ends with ``RESULT ratio=<csv import time / COPY time> target=5``.

    .venv/bin/python bench/contacts_import.py [--rows 100000] [--search-rows 1000000]
"""
from __future__ import annotations

import argparse
import csv
import importlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "outreach_bench_contacts"
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/11",
    "CELERY_QUEUE": "bench_contacts",
    "DJANGO_SETTINGS_MODULE": "outreach.settings",
    "LOG_LEVEL": "WARNING",
    "API_RATE_LIMIT_PER_MINUTE": "100000",
}
PORT = 8791
FIRST_NAMES = ["Ann", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea"]


def setup_django() -> None:
    _setup.setup_django(ENV, DB_NAME)


def rows_for(n: int, offset: int) -> list[dict[str, str]]:
    """Contacts as people type them: national format, names, emails, a custom column."""
    out = []
    for i in range(offset, offset + n):
        first = FIRST_NAMES[i % len(FIRST_NAMES)]
        out.append({
            "phone": f"(555) {200 + i // 10000:03d}-{i % 10000:04d}",
            "first_name": first, "last_name": f"Surname{i}", "email": f"{first.lower()}{i}@example.com",
            "plan": "gold" if i % 3 else "silver",
        })
    return out


def truncate() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE contacts_contact, contacts_contact_lists CASCADE")
        cur.execute("VACUUM ANALYZE contacts_contact")


def bench_copy(account, rows: list[dict[str, str]]) -> float:
    """The floor: the same rows, already normalised, COPYed straight into the table."""
    from django.db import connection

    from contacts.validation import search_text
    from outreach.phones import to_e164

    prepared = []
    for r in rows:  # normalising is not timed: COPY gets ready-made values
        e164 = to_e164(r["phone"])
        prepared.append((
            uuid.uuid4(), account.pk, r["phone"], e164, r["first_name"], r["last_name"], r["email"], "", "",
            "[]", json.dumps({"plan": r["plan"]}),
            search_text(r["first_name"], r["last_name"], r["email"], "", e164),
        ))
    started = time.perf_counter()
    with connection.cursor() as cur:
        with cur.copy(
            "COPY contacts_contact (id, account_id, phone_number, e164_number, first_name, last_name, email, "
            "company_name, timezone, tags, custom_variables, search_text, created_at, updated_at) FROM STDIN"
        ) as copy:
            now = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime())
            for row in prepared:
                copy.write_row((*row, now, now))
    return time.perf_counter() - started


def as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["phone", "first_name", "last_name", "email", "plan"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def start(cmd: list[str], log: Path) -> subprocess.Popen:
    env = {**os.environ, **ENV, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def wait_for_log(log: Path, text: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in log.read_text():
            return
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args[0]} exited:\n{log.read_text()}")
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {text!r}:\n{log.read_text()}")


def bench_csv(account, rows: list[dict[str, str]]) -> tuple[float, object]:
    from contacts import imports
    from contacts.models import ImportJob

    mapping = {"phone": "phone_number", "first_name": "first_name", "last_name": "last_name",
               "email": "email", "plan": "custom:plan"}
    raw = as_csv(rows)
    started = time.perf_counter()
    job = imports.upload(account, filename="bench.csv", raw=raw)
    imports.start_import(account, job, mapping=mapping, lists=[])  # sent to the worker on commit
    while True:
        job = ImportJob.objects.defer("content").get(pk=job.pk)
        if job.finished:
            break
        time.sleep(0.05)
    return time.perf_counter() - started, job


def bench_batch(key: str, rows: list[dict[str, str]], per_request: int = 1000) -> tuple[float, dict]:
    import requests

    session = requests.Session()
    session.headers.update({"X-API-Key": key})
    totals = {"created": 0, "duplicates_skipped": 0, "errors": 0}
    started = time.perf_counter()
    for i in range(0, len(rows), per_request):
        body = {"contacts": [
            {"phone_number": r["phone"], "first_name": r["first_name"], "last_name": r["last_name"],
             "email": r["email"], "custom_variables": {"plan": r["plan"]}}
            for r in rows[i : i + per_request]
        ]}
        response = session.post(f"http://127.0.0.1:{PORT}/api/v1/contacts/batch", json=body, timeout=120)
        if response.status_code != 200:
            raise SystemExit(f"batch answered {response.status_code}: {response.text[:500]}")
        for k in totals:
            totals[k] += response.json()[k]
    return time.perf_counter() - started, totals


def fill_search_contacts(account, n: int) -> float:
    """n contacts generated inside PostgreSQL (fast), with the search indexes rebuilt after,
    as a migration would build them on an existing table."""
    from django.db import connection

    indexes = importlib.import_module("contacts.migrations.0003_postgres_search_indexes").INDEXES
    started = time.perf_counter()
    with connection.cursor() as cur:
        for name, _ in indexes:
            cur.execute(f"DROP INDEX IF EXISTS {name}")
        cur.execute(
            """
            INSERT INTO contacts_contact (id, account_id, phone_number, e164_number, first_name, last_name,
                email, company_name, timezone, tags, custom_variables, search_text, created_at, updated_at)
            SELECT gen_random_uuid(), %(account)s, p.e164, p.e164, p.first, p.last, p.email, '', '',
                   CASE WHEN g %% 10 = 0 THEN '["vip"]'::jsonb ELSE '[]'::jsonb END, '{}'::jsonb,
                   lower(p.first || ' ' || p.last || ' ' || p.email || ' ' || substr(p.e164, 2)),
                   now() - g * interval '1 second', now()
            FROM generate_series(1, %(n)s) AS g,
                 LATERAL (SELECT '+1555' || lpad(g::text, 7, '0') AS e164,
                                 (%(names)s::text[])[1 + g %% %(k)s] AS first,
                                 'Surname' || g AS last,
                                 'person' || g || '@example.com' AS email) AS p
            """,
            {"account": account.pk, "n": n, "names": FIRST_NAMES, "k": len(FIRST_NAMES)},
        )
        for name, definition in indexes:
            cur.execute(f"CREATE INDEX {name} ON {definition}")
        cur.execute("VACUUM ANALYZE contacts_contact")
    return time.perf_counter() - started


def explain_search(account) -> None:
    """EXPLAIN ANALYZE of what GET /api/v1/contacts?search= runs: the count and the page."""
    from contacts.filters import search_contacts
    from contacts.models import Contact

    base = Contact.objects.filter(account=account)
    for text in ("surname424242", "(555) 042-4242", "person77777@"):
        qs = search_contacts(base, text)
        started = time.perf_counter()
        total = qs.count()
        page = list(qs.order_by("-created_at")[:25])
        took = (time.perf_counter() - started) * 1000
        print(f"\nsearch {text!r}: {total} matches, first page of {len(page)} in {took:.1f} ms (count + page)")
        for label, plan in (("all matches", qs.explain(analyze=True)),
                            ("page", qs.order_by("-created_at")[:25].explain(analyze=True))):
            print(f"  plan ({label}):")
            print("    " + plan.replace("\n", "\n    "))
            if "Seq Scan on contacts_contact" in plan or "contact_search_trgm" not in plan and "unique_contact_number" not in plan:
                raise SystemExit(f"search {text!r} ({label}) did not use an index")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--search-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django()

    from contacts.models import Contact
    from outreach.choices import Scope
    from outreach.services import create_account, create_api_key, full_key

    account = create_account(f"Bench {uuid.uuid4().hex[:6]}", "bench@example.com")
    rows = rows_for(args.rows, 0)
    print(f"contacts bench: {args.rows:,} rows, PostgreSQL {DB_NAME}, Redis db 11")

    truncate()
    copy_s = bench_copy(account, rows)
    assert Contact.objects.filter(account=account).count() == args.rows
    print(f"COPY into contacts_contact:  {copy_s:7.2f} s  {args.rows / copy_s:10,.0f} rows/s")

    var = ROOT / "var"
    var.mkdir(exist_ok=True)
    worker_log, web_log = var / "bench-contacts-worker.log", var / "bench-contacts-web.log"
    worker = start([sys.executable, "-m", "celery", "-A", "outreach", "worker", "--loglevel=INFO",
                    "--concurrency=1", "-Q", ENV["CELERY_QUEUE"], "--without-gossip", "--without-mingle",
                    f"--hostname=bench-contacts-{os.getpid()}@%h"], worker_log)
    web = start([sys.executable, "-m", "gunicorn", "outreach.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2"], web_log)
    try:
        wait_for_log(worker_log, "ready.", worker)
        wait_for_log(web_log, "Booting worker", web)
        time.sleep(1.0)

        truncate()
        csv_s, job = bench_csv(account, rows)
        if job.status != "done" or job.created_count != args.rows:
            raise SystemExit(f"CSV import ended {job.status}: {job.failure} created={job.created_count}")
        print(f"CSV import (1 worker):       {csv_s:7.2f} s  {args.rows / csv_s:10,.0f} rows/s  "
              f"created={job.created_count:,} duplicates={job.duplicate_count} errors={job.error_count}")

        truncate()
        key, secret = create_api_key(account, "bench", [Scope.CONTACTS])
        batch_s, totals = bench_batch(full_key(key, secret), rows)
        if totals["created"] != args.rows:
            raise SystemExit(f"batch created {totals}")
        print(f"batch endpoint (1,000/req):  {batch_s:7.2f} s  {args.rows / batch_s:10,.0f} rows/s  {totals}")
    finally:
        stop(worker)
        stop(web)

    ratio = csv_s / copy_s
    print(f"CSV import / COPY = {ratio:.2f}x   batch endpoint / COPY = {batch_s / copy_s:.2f}x")

    if args.search_rows:
        truncate()
        fill_s = fill_search_contacts(account, args.search_rows)
        print(f"\nsearch: {args.search_rows:,} contacts generated in {fill_s:.1f} s")
        explain_search(account)
    print(f"RESULT ratio={ratio:.2f} target=5")


if __name__ == "__main__":
    main()
