"""``/readyz``: 200 when the database, the broker and the migrations are all right; 503 with
``Retry-After`` and the failing check named otherwise. Each outage is a closed port."""
from __future__ import annotations

import psycopg
import pytest
import requests
from django.db import connection
from django.test import Client

from outreach.celery import app
from outreach.testing import app_server, free_port

pytestmark = pytest.mark.django_db


def test_it_is_ready_when_database_broker_and_migrations_are():
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "migrations": "ok"}


def test_a_closed_broker_port_is_503_naming_the_broker(settings):
    settings.FAULT_RETRY_AFTER_SECONDS = 7
    original = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    try:
        response = Client().get("/readyz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    body = response.json()
    assert body["status"] == "error" and body["broker"].startswith("error: ")
    assert body["database"] == "ok" and body["migrations"] == "ok"


def _readyz(**env) -> requests.Response:
    server = app_server(**env)
    try:
        return requests.get(f"{server.url}/readyz", timeout=30)
    finally:
        server.kill()


def test_a_closed_database_port_is_503_naming_the_database():
    url = f"postgres://postgres:hunter2@127.0.0.1:{free_port()}/outreach"
    response = _readyz(TEST_DATABASE_URL=url)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    body = response.json()
    assert body["database"].startswith("error: ") and body["migrations"].startswith("error: ")
    assert body["broker"] == "ok"
    assert "hunter2" not in response.text and "127.0.0.1" not in response.text


@pytest.fixture
def unmigrated_database():
    """An empty database on the test server: reachable, nothing migrated."""
    db = connection.settings_dict
    name = f"{db['NAME']}_unmigrated"
    server = dict(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], autocommit=True)
    with psycopg.connect(dbname="postgres", **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"
    with psycopg.connect(dbname="postgres", **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_database_without_the_migrations_is_503_naming_them(unmigrated_database):
    response = _readyz(TEST_DATABASE_URL=unmigrated_database)
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["broker"] == "ok"
    assert body["migrations"].endswith("migrations not applied")
