"""Each pytest-xdist worker keeps its Redis database, Celery queues and var/ to itself
(outreach/testing_parallel.py), and its subprocesses see the same ones."""
from __future__ import annotations

import os

import pytest

from outreach.testing_parallel import MARK, ROOT, isolate, redis_url_for


def controller_env(**extra) -> dict[str, str]:
    """What a worker inherits from the controller, whose settings_test filled in defaults."""
    return {"REDIS_URL": "redis://127.0.0.1:6379/4", "CELERY_QUEUE": "outreach-test-100", **extra}


def test_worker_n_uses_the_redis_database_n_above_the_base():
    assert redis_url_for("redis://127.0.0.1:6379/4", 0) == "redis://127.0.0.1:6379/4"
    assert redis_url_for("redis://127.0.0.1:6379/4", 3) == "redis://127.0.0.1:6379/7"
    assert redis_url_for("redis://:pw@redis.internal:6380", 2) == "redis://:pw@redis.internal:6380/2"
    with pytest.raises(RuntimeError, match="lower TEST_WORKERS"):
        redis_url_for("redis://127.0.0.1:6379/14", 2)


def test_a_worker_gets_its_own_redis_database_queues_and_var_dir():
    env = controller_env(PYTEST_XDIST_WORKER="gw2", CELERY_BROKER_URL="redis://127.0.0.1:6379/4")
    isolate(env)
    assert env["REDIS_URL"] == env["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/6"
    assert env["CELERY_QUEUE"] == "outreach-test-100-gw2"
    assert env["OUTREACH_VAR_DIR"] == str(ROOT / "var" / "xdist" / "gw2")
    assert env[MARK] == "gw2"


def test_its_subprocesses_inherit_that_and_do_not_shift_again():
    env = controller_env(PYTEST_XDIST_WORKER="gw1")
    isolate(env)
    child = dict(env)  # what worker_env() hands a Celery worker or gunicorn
    isolate(child)
    assert child == env
    assert child["REDIS_URL"] == "redis://127.0.0.1:6379/5" and child["CELERY_QUEUE"] == "outreach-test-100-gw1"


def test_a_rabbitmq_broker_and_a_serial_run_are_left_as_they_are():
    env = controller_env(PYTEST_XDIST_WORKER="gw1", CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//")
    isolate(env)
    assert env["CELERY_BROKER_URL"] == "amqp://guest:guest@127.0.0.1:5672//"
    serial = controller_env()
    isolate(serial)
    assert serial == controller_env()


def test_this_session_runs_on_its_own_redis_database_and_queue(settings):
    """Under ``make test`` (xdist), this very process is isolated; serially, nothing moved."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        assert MARK not in os.environ
        return
    assert settings.CACHES["default"]["LOCATION"] == os.environ["REDIS_URL"]
    assert settings.CELERY_TASK_DEFAULT_QUEUE.endswith(f"-{worker}")
    assert settings.VAR_DIR.parts[-2:] == ("xdist", worker)
