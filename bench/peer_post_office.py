"""The peer for ``bench/dispatch.py``: django-post-office, the queue a Django team would
reach for, draining the same number of queued messages with the same number of processes,
in a throwaway database and settings of its own.

Its defaults, as a team gets them (a thread pool of 5 per process, a log row per message),
with batches of 1,000 (its default is 100) and Django's no-op (dummy) e-mail backend, so
what is measured is the queue: bulk-queued with ``mail.send_many``, then drained by
``send_queued_mail_until_done`` (what its ``send_queued_mail`` command runs). Prints
``PEER messages=<n> seconds=<s> rate=<messages/s>``; ``bench/dispatch.py`` runs it and
prints the ratio of its own rate to this one.

    .venv/bin/python bench/peer_post_office.py [--messages 100000] [--processes 2]
"""
from __future__ import annotations

import argparse
import logging
import tempfile
import time

import django
import psycopg
from django.conf import settings

DB_NAME = "outreach_bench_post_office"
SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
BATCH = 5_000


def setup() -> None:
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": DB_NAME, "USER": "postgres",
                               "HOST": "127.0.0.1", "PORT": "5432"}},
        INSTALLED_APPS=["django.contrib.contenttypes", "post_office"],
        USE_TZ=True,
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
        POST_OFFICE={"BACKENDS": {"default": "django.core.mail.backends.dummy.EmailBackend"}, "BATCH_SIZE": 1000},
        LOGGING={"version": 1, "disable_existing_loggers": True},
    )
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def queue(n: int) -> None:
    from post_office import mail

    for start in range(0, n, BATCH):
        mail.send_many([
            {"sender": "bench@example.com", "recipients": [f"customer{i}@example.com"],
             "subject": "Hello", "message": "Hello from the bench, this is a message of a usual size."}
            for i in range(start, min(start + BATCH, n))
        ])


def drain(processes: int) -> float:
    from post_office import mail

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as lock_dir:
        mail.send_queued_mail_until_done(lockfile=f"{lock_dir}/lock", processes=processes)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    setup()
    logging.getLogger("post_office").setLevel(logging.WARNING)
    queue(args.messages)
    seconds = drain(args.processes)
    from post_office.models import STATUS, Email

    assert Email.objects.filter(status=STATUS.sent).count() == args.messages
    print(f"PEER messages={args.messages} seconds={seconds:.2f} rate={args.messages / seconds:.0f}")


if __name__ == "__main__":
    main()
