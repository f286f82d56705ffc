"""What every bench does first: its own database (created, or recreated), its environment,
Django, the migrations, and optionally an empty Redis db of its own."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def setup_django(env: dict[str, str], db_name: str, *, fresh: bool = False, flush_redis: bool = False) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import psycopg

    with psycopg.connect(SERVER, autocommit=True) as conn:
        if fresh:
            conn.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        if fresh or not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name]).fetchone():
            conn.execute(f"CREATE DATABASE {db_name}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if flush_redis:
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # each bench has a Redis db of its own
