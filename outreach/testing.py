"""Test helpers shared by every app: API clients per scope, a real Celery worker, and a
real browser. Imported by the root conftest."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from .services import create_api_key, full_key

ROOT = Path(__file__).resolve().parent.parent


def key_client(account, scopes=("full_access",), *, form: str = "x-api-key", **key_kwargs) -> APIClient:
    """An APIClient whose requests carry a new key with these scopes, in the given form:
    ``x-api-key``, ``bearer`` or ``sendblue`` (the sb-api-key-id/secret pair)."""
    key, secret = create_api_key(account, key_kwargs.pop("name", "test key"), scopes, **key_kwargs)
    client = APIClient()
    if form == "x-api-key":
        client.credentials(HTTP_X_API_KEY=full_key(key, secret))
    elif form == "bearer":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {full_key(key, secret)}")
    elif form == "sendblue":
        client.credentials(HTTP_SB_API_KEY_ID=key.key_id, HTTP_SB_API_SECRET_KEY=secret)
    else:
        raise ValueError(form)
    client.key = key
    client.secret = secret
    return client


def worker_env(**extra) -> dict[str, str]:
    """Environment for a subprocess (worker, bench) that must see the test database."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="outreach.settings_test",
        TEST_DATABASE_URL=(
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
        PYTHONPATH=str(ROOT),
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Worker:
    """A real ``celery worker`` process on the test database and this session's queue."""

    def __init__(self, concurrency: int = 2, name: str = "w1", queues: list[str] | None = None,
                 cwd: Path = ROOT, **env):
        self.concurrency = concurrency
        self.name = name
        self.cwd = cwd  #: its working directory (another "host" has another)
        #: Default: the main queue and the interactive lane, as one worker.
        self.queues = queues or [settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_INTERACTIVE_QUEUE]
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.log = ROOT / "var" / f"test-worker-{name}-{os.getpid()}.log"

    def start(self) -> Worker:
        self.log.parent.mkdir(exist_ok=True)
        self._logf = open(self.log, "w")
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "outreach", "worker",
                "--loglevel=INFO", f"--concurrency={self.concurrency}",
                f"--hostname={self.name}-{os.getpid()}@%h", "--without-gossip",
                "--without-mingle", "-Q", ",".join(self.queues),
            ],
            # Its sessions are named after it in pg_stat_activity (libpq reads PGAPPNAME).
            env=worker_env(**{"PGAPPNAME": f"test-worker-{self.name}", **self.env}),
            cwd=self.cwd,
            stdout=self._logf,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.log.read_text().find("ready.") >= 0:
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited:\n{self.log.read_text()}")
            time.sleep(0.1)
        raise RuntimeError(f"worker did not start:\n{self.log.read_text()}")

    def kill(self, sig=signal.SIGKILL) -> None:
        """Kill the worker and its pool children at once (a crash, not a shutdown)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "_logf", None):
            self._logf.close()


@contextmanager
def running_worker(**kwargs):
    worker = Worker(**kwargs).start()
    try:
        yield worker
    finally:
        worker.stop()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Process:
    """A subprocess listening on 127.0.0.1:``port`` (its own session, so ``kill`` takes its
    children too); ``start`` returns once the port accepts connections."""

    def __init__(self, argv: list[str], port: int, env: dict[str, str] | None = None, name: str = "proc",
                 cwd: Path = ROOT):
        self.argv, self.port, self.env, self.cwd = argv, port, env, cwd
        self.log = ROOT / "var" / f"test-{name}-{os.getpid()}-{port}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Process:
        self.log.parent.mkdir(exist_ok=True)
        with open(self.log, "w") as logf:
            self.proc = subprocess.Popen(
                self.argv, env=self.env, cwd=self.cwd, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for(lambda: _accepts(self.port) or self.proc.poll() is not None, timeout=30,
                 message=f"{self.argv[0]} did not listen on {self.port}")
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.argv} exited:\n{self.log.read_text()}")
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def private_redis() -> Process:
    """A ``redis-server`` of this test alone on a free port (kill it to simulate an outage)."""
    port = free_port()
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    return Process(argv, port, name="redis").start()


def app_server(cwd: Path = ROOT, **env) -> Process:
    """The app under gunicorn (one sync worker) on a free port, with ``worker_env(**env)``."""
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "outreach.wsgi:application", "-b", f"127.0.0.1:{port}",
            "-w", "1", "--timeout", "60"]
    server = Process(argv, port, env=worker_env(**env), name="gunicorn", cwd=cwd).start()
    server.url = f"http://127.0.0.1:{port}"
    return server


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1, message: str = ""):
    """Poll until ``predicate()`` is truthy; return its value or fail with ``message``."""
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(message or f"timed out after {timeout}s waiting for {predicate}")
        time.sleep(interval)


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = ROOT / "var" / "screenshots"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact under var/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


_SCHEMA = None


def openapi_schema():
    """The served OpenAPI document, loaded once per session into schemathesis."""
    global _SCHEMA
    if _SCHEMA is None:
        import schemathesis
        from drf_spectacular.generators import SchemaGenerator

        doc = SchemaGenerator().get_schema(request=None, public=True)
        import json

        from drf_spectacular.renderers import OpenApiJsonRenderer

        _SCHEMA = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(doc)))
    return _SCHEMA


def as_schemathesis_response(response, method: str | None = None):
    import requests
    from schemathesis.core.transport import Response

    method = (method or response.request["REQUEST_METHOD"]).upper()
    url = "http://testserver" + response.request["PATH_INFO"]
    return Response(
        status_code=response.status_code,
        headers={k.lower(): [v] for k, v in response.items()},
        content=response.content,
        request=requests.Request(method, url).prepare(),
        elapsed=0.0,
        message="",
        encoding="utf-8",
        http_version="1.1",
        verify=False,
    )


def assert_matches_schema(response, path: str, method: str | None = None) -> None:
    """Validate a Django test response against the OpenAPI operation ``method path``
    (``path`` as documented, e.g. ``/api/v1/contacts/{id}``)."""
    method = (method or response.request["REQUEST_METHOD"]).upper()
    openapi_schema()[path][method].validate_response(as_schemathesis_response(response, method))
