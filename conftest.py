"""Fixtures shared by every app's tests (see outreach/testing.py for the helpers)."""
from __future__ import annotations

import inspect
import os

import pytest

pytest_plugins = ["outreach.testing_ssrf"]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop


def pytest_sessionstart(session):
    """Fail at once, with how to fix it, if PostgreSQL or Redis is not there."""
    import psycopg
    import redis
    from django.conf import settings

    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
            dbname="postgres", connect_timeout=3,
        ).close()
    except Exception as exc:  # noqa: BLE001
        pytest.exit(f"PostgreSQL is not reachable ({exc}); start it or set TEST_DATABASE_URL.", 3)
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        pytest.exit(f"Redis is not reachable at {settings.REDIS_URL} ({exc}); start it or set REDIS_URL.", 3)
    if settings.CELERY_BROKER_URL != settings.REDIS_URL:
        from outreach.health import check_broker

        if check_broker() != "ok":
            pytest.exit(f"The broker CELERY_BROKER_URL is not reachable ({check_broker()}); start it.", 3)


def pytest_collection_modifyitems(config, items):
    """A test that runs a real Celery worker is a ``worker`` test, whether it asks for the
    ``worker`` fixture or starts one itself, so the broker variants (``make test-rabbitmq``)
    select every one of them with ``-m worker``; one that drives the browser is a ``browser``
    test, marked or not, so ``-m "not browser"`` leaves every one out."""
    from outreach import testing

    for item in items:
        if {"page", "browser"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        module = getattr(item, "module", None)
        function = getattr(item, "function", None)
        if (
            "worker" in getattr(item, "fixturenames", ())
            or getattr(module, "running_worker", None) is testing.running_worker
            or getattr(module, "Worker", None) is testing.Worker
            or (function is not None and "running_worker(" in inspect.getsource(function))
        ):
            item.add_marker(pytest.mark.worker)


def pytest_sessionfinish(session, exitstatus):
    """On RabbitMQ, queues outlive their consumers: drop this session's own. Under xdist each
    worker process drops its own (the queues are per process); the controller has none."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith("amqp") or session.config.pluginmanager.has_plugin("dsession"):
        return
    from outreach.celery import app

    with app.connection_for_write() as conn:
        for queue in (settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_INTERACTIVE_QUEUE):
            conn.default_channel.queue_delete(queue)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def account(db):
    from outreach.tests.factories import AccountFactory

    return AccountFactory(name="Alice Co", email="alice@example.com")


@pytest.fixture
def other_account(db):
    from outreach.tests.factories import AccountFactory

    return AccountFactory(name="Bob Co", email="bob@example.com")


@pytest.fixture
def api(account):
    """A full-access API client for ``account``."""
    from outreach.testing import key_client

    return key_client(account, ["full_access"])


@pytest.fixture
def api_for():
    """``api_for(account, scopes, form=...)`` -> APIClient with a new key."""
    from outreach.testing import key_client

    return key_client


@pytest.fixture
def worker(transactional_db):
    """A real Celery worker process for this test (use with transactional_db)."""
    from outreach.testing import Worker

    w = Worker().start()
    yield w
    w.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from outreach.testing import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def staff_login(page, account, transactional_db):
    """Log an owner of ``account`` into the browser ``page``; returns the user."""
    from outreach.services import create_staff_user

    user = create_staff_user(account, "alice", "correct-horse-battery", "owner")
    page.goto("/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    return user


@pytest.fixture
def staff(account):
    """A Django test client logged in as a manager of ``account``."""
    from django.test import Client

    from outreach.services import create_staff_user

    create_staff_user(account, "carol", "pw-for-tests-123", "manager")
    client = Client()
    assert client.login(username="carol", password="pw-for-tests-123")
    return client
