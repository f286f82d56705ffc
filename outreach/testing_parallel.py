"""The test suite under pytest-xdist (``make test`` runs it with ``-n TEST_WORKERS``): what each
worker process keeps to itself. Imported by ``settings_test`` before the settings are read,
so it touches only the environment, which the worker's subprocesses (Celery workers,
gunicorn, ``manage.py``) inherit.

- PostgreSQL: pytest-django already names each worker's test database ``..._gw<N>``.
- Redis (cache, locks, the Celery broker): database ``base + N`` of ``REDIS_URL``'s server
  (and of ``CELERY_BROKER_URL``'s when it is Redis; a RabbitMQ broker is left as it is).
- Celery queues: ``outreach-test-<pid>`` (``settings_test``) is the controller's pid in every
  worker, which inherits its environment: each worker adds ``-gw<N>``.
- ``var/`` (media, static, demo login file, beat schedule): ``var/xdist/gw<N>`` (a
  ``MEDIA_ROOT`` of the environment gets ``/gw<N>`` too).
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
#: Redis's default ``databases 16``: numbers 0..15.
REDIS_DATABASES = 16
#: Set once a process's environment is isolated, so its subprocesses (which inherit both it
#: and PYTEST_XDIST_WORKER) do not shift the Redis database a second time.
MARK = "OUTREACH_TEST_ISOLATED_FOR"


def worker_index(environ=os.environ) -> int | None:
    """N of pytest-xdist's worker ``gw<N>``; None outside xdist (a serial run, the controller)."""
    worker = environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


def redis_url_for(url: str, index: int) -> str:
    """``url`` with its database number moved up by ``index`` (``redis://h:6379/4``, worker 2:
    ``redis://h:6379/6``)."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    db = base + index
    if db >= REDIS_DATABASES:
        raise RuntimeError(
            f"xdist worker gw{index} would use Redis database {db} of {url}: lower TEST_WORKERS "
            f"or the database number in REDIS_URL (0..{REDIS_DATABASES - 1})"
        )
    return urlunsplit(parts._replace(path=f"/{db}"))


def isolate(environ=os.environ) -> None:
    """Point this xdist worker at its own Redis database, Celery queues and ``var/`` directory
    (a no-op outside xdist, and in a subprocess of a worker already isolated)."""
    index = worker_index(environ)
    worker = environ.get("PYTEST_XDIST_WORKER")
    if index is None or environ.get(MARK) == worker:
        return
    environ["REDIS_URL"] = redis_url_for(environ["REDIS_URL"], index)
    if environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        environ["CELERY_BROKER_URL"] = redis_url_for(environ["CELERY_BROKER_URL"], index)
    for queue in ("CELERY_QUEUE", "CELERY_INTERACTIVE_QUEUE"):  # the controller's, inherited
        if queue in environ:
            environ[queue] = f"{environ[queue]}-{worker}"
    environ["OUTREACH_VAR_DIR"] = str(Path(environ.get("OUTREACH_VAR_DIR", ROOT / "var")) / "xdist" / worker)
    if "MEDIA_ROOT" in environ:
        environ["MEDIA_ROOT"] = str(Path(environ["MEDIA_ROOT"]) / worker)
    environ[MARK] = worker
