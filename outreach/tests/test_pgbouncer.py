"""The app through PgBouncer in transaction mode (docs/deploy.md): web and worker share a
small pool, so every transaction may run on another server connection. Session state --
prepared statements, server-side cursors, session advisory locks, plain SET -- would break
or leak; the code keeps none."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests
from django.db import connection

from messaging import services as messaging_services
from messaging.models import Message
from outreach.testing import (
    ROOT,
    Process,
    app_server,
    free_port,
    key_client,
    running_worker,
    wait_for,
    worker_env,
)
from webhooks import services as webhook_services

#: Session-level state a transaction pooler cannot carry between transactions.
SESSION_STATE = re.compile(r"pg_(try_)?advisory_lock(_shared)?\(|execute\(\s*f?[\"']SET (?!LOCAL)|\bLISTEN\b")


def test_no_code_takes_session_level_state():
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if SESSION_STATE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "session state breaks PgBouncer's transaction mode:\n" + "\n".join(offenders)


def test_the_pooling_setting_turns_server_side_cursors_off():
    script = "from django.db import connection as c; print(c.settings_dict.get('DISABLE_SERVER_SIDE_CURSORS', False))"
    for value, expected in (("true", "True"), ("false", "False")):
        done = subprocess.run([sys.executable, "manage.py", "shell", "-v0", "-c", script], cwd=ROOT, text=True,
                              capture_output=True, env=worker_env(DATABASE_TRANSACTION_POOLING=value), timeout=120)
        assert done.stdout.strip().splitlines()[-1] == expected, done.stderr


@pytest.fixture
def pgbouncer():
    """A private PgBouncer (transaction mode, a pool of 3 server connections) in front of the
    test server; it refuses to run as root, so it runs as the postgres user."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    assert os.path.exists(binary), "PgBouncer is needed: apt-get install pgbouncer (bin/test-prereqs does)"
    db = connection.settings_dict
    workdir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    workdir.chmod(0o777)
    port = free_port()
    (workdir / "users.txt").write_text(f'"{db["USER"]}" ""\n')
    (workdir / "pgbouncer.ini").write_text(f"""
[databases]
* = host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {workdir}/users.txt
pool_mode = transaction
default_pool_size = 3
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
""")
    argv = [binary, str(workdir / "pgbouncer.ini")]
    if os.geteuid() == 0:
        argv[1:1] = ["-u", "postgres"]
    bouncer = Process(argv, port, name="pgbouncer").start()
    yield f"postgres://{db['USER']}@127.0.0.1:{port}/{db['NAME']}"
    bouncer.kill()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def line(account):
    return messaging_services.add_line(account, "+15125550100")


@pytest.mark.django_db(transaction=True)
def test_sends_campaign_and_webhooks_work_through_pgbouncer_in_transaction_mode(account, line, pgbouncer, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    webhook_services.create_endpoint(account, httpserver.url_for("/hook"), event_types=["message.status_updated"])
    api = key_client(account, ["full_access"])
    env = {"TEST_DATABASE_URL": pgbouncer, "DATABASE_TRANSACTION_POOLING": "true"}
    server = app_server(**env)
    try:
        with running_worker(name="pgbouncer", concurrency=2, **env):
            session = requests.Session()
            session.headers["X-API-Key"] = f"{api.key.key_id}.{api.secret}"
            handles = []
            for i in range(12):  # past psycopg's prepare threshold on every statement
                sent = session.post(f"{server.url}/api/send-message", timeout=30, headers={"Idempotency-Key": f"k{i}"},
                                    json={"number": f"+1212555{i:02d}90", "content": f"Hi {i}"})
                assert sent.status_code in (200, 202), sent.text
                handles.append(sent.json()["message_handle"])
            wait_for(lambda: Message.objects.filter(handle__in=handles, status="READ").count() == 12, timeout=120,
                     message="the sends never reached READ through PgBouncer")
            wait_for(lambda: len(httpserver.log) >= 12 * 3, timeout=120, message="webhooks missing")
            listed = session.get(f"{server.url}/api/v2/messages?limit=100", timeout=30)
            assert listed.status_code == 200 and len(listed.json()["data"]) >= 12
    finally:
        server.kill()
    assert "Traceback" not in server.log.read_text()
