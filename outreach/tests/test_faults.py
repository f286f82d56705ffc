"""PostgreSQL or Redis down: the API answers 503 with Retry-After in its dialect, the
console a 503 page. Real processes: the app under gunicorn, a private redis-server that is
killed, a PostgreSQL address nothing listens on."""
from __future__ import annotations

import pytest
import requests

from outreach.services import create_api_key, full_key
from outreach.testing import app_server, free_port, private_redis

pytestmark = pytest.mark.django_db(transaction=True)


def v1_headers(key, secret) -> dict:
    return {"X-API-Key": full_key(key, secret)}


def sendblue_headers(key, secret) -> dict:
    return {"sb-api-key-id": key.key_id, "sb-api-secret-key": secret}


def assert_v1_outage(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "10"
    assert response.json() == {"detail": "The service is temporarily unavailable; retry shortly."}


def assert_sendblue_outage(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "10"
    assert response.json() == {
        "status": "ERROR", "error_code": 5000,
        "error_message": "The service is temporarily unavailable; retry shortly.",
    }


@pytest.fixture
def redis_then_app():
    redis = private_redis()
    app = app_server(REDIS_URL=f"redis://127.0.0.1:{redis.port}/0")
    yield redis, app
    app.kill()
    redis.kill()


def test_api_answers_503_with_retry_after_when_redis_goes_down(account, redis_then_app):
    redis, app = redis_then_app
    key, secret = create_api_key(account, "k", ["full_access"])
    assert requests.get(f"{app.url}/api/v1/contacts", headers=v1_headers(key, secret), timeout=10).status_code == 200
    assert requests.get(f"{app.url}/api/v2/messages", headers=sendblue_headers(key, secret), timeout=10).status_code == 200

    redis.kill()

    assert_v1_outage(requests.get(f"{app.url}/api/v1/contacts", headers=v1_headers(key, secret), timeout=10))
    assert_sendblue_outage(requests.get(f"{app.url}/api/v2/messages", headers=sendblue_headers(key, secret), timeout=10))
    assert_sendblue_outage(requests.post(
        f"{app.url}/api/send-message", json={"number": "+15551234567", "content": "hi"},
        headers=sendblue_headers(key, secret), timeout=10,
    ))


@pytest.fixture
def app_without_database():
    app = app_server(TEST_DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/x")
    yield app
    app.kill()


def test_api_answers_503_with_retry_after_when_postgresql_is_unreachable(app_without_database):
    url = app_without_database.url
    assert_v1_outage(requests.get(f"{url}/api/v1/contacts", headers={"X-API-Key": "abc.def"}, timeout=10))
    assert_sendblue_outage(requests.get(
        f"{url}/api/v2/messages", headers={"sb-api-key-id": "abc", "sb-api-secret-key": "def"}, timeout=10,
    ))


def test_console_shows_a_503_page_when_postgresql_is_unreachable(app_without_database):
    response = requests.get(f"{app_without_database.url}/", cookies={"sessionid": "x" * 32}, timeout=10)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert "Outreach is temporarily unavailable" in response.text
