"""Each credential form, over HTTP, and what a bad one gets."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from outreach.models import ApiKey
from outreach.services import create_api_key, full_key, revoke_api_key
from outreach.testing import key_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/account"


@pytest.mark.parametrize("form", ["x-api-key", "bearer", "sendblue"])
def test_it_accepts_each_credential_form(account, form):
    client = key_client(account, ["read_only"], form=form)
    response = client.get(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["account"]["email"] == "alice@example.com"
    assert body["api_key"]["key_id"] == client.key.key_id
    assert "secret" not in str(body)


def test_it_answers_401_with_a_challenge_when_no_key_is_sent(db):
    response = APIClient().get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "credentials" in response.json()["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_API_KEY": "ok_nothere.secret"},
        {"HTTP_X_API_KEY": "no-dot-here"},
        {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
        {"HTTP_SB_API_KEY_ID": "ok_abc"},
    ],
)
def test_it_refuses_unknown_or_malformed_keys(account, headers):
    response = APIClient().get(URL, **headers)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_it_refuses_a_right_key_id_with_a_wrong_secret(account):
    key, secret = create_api_key(account, "k", ["read_only"])
    response = APIClient().get(URL, HTTP_X_API_KEY=f"{key.key_id}.{secret}x")
    assert response.status_code == 401
    response = APIClient().get(URL, HTTP_SB_API_KEY_ID=key.key_id, HTTP_SB_API_SECRET_KEY="nope")
    assert response.status_code == 401


def test_a_revoked_key_stops_working_at_once(account):
    client = key_client(account, ["read_only"])
    assert client.get(URL).status_code == 200  # now cached
    revoke_api_key(account, client.key.pk)
    response = client.get(URL)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_an_expired_key_is_refused(account):
    client = key_client(account, ["read_only"], expires_at=timezone.now() + timedelta(seconds=60))
    assert client.get(URL).status_code == 200
    ApiKey.objects.filter(pk=client.key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    from outreach.services import forget_api_key

    forget_api_key(client.key.key_id)
    response = client.get(URL)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_last_used_is_recorded_without_a_write_per_request(account):
    client = key_client(account, ["read_only"])
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert client.get(URL).status_code == 200
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    selects = [q["sql"] for q in queries.captured_queries if "outreach_apikey" in q["sql"] and q["sql"].startswith("SELECT")]
    assert len(selects) == 1, "the key is looked up once, then served from the cache"
    client.key.refresh_from_db()
    assert client.key.last_used_at is not None


def test_the_secret_is_stored_only_as_a_hash(account):
    key, secret = create_api_key(account, "k", ["full_access"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM outreach_apikey WHERE id = %s", [key.pk])
        row = cursor.fetchone()
    assert secret not in " ".join(str(v) for v in row)
    assert full_key(key, secret) not in " ".join(str(v) for v in row)


def test_the_secret_never_reaches_the_logs(account, caplog):
    key, secret = create_api_key(account, "k", ["read_only"])
    caplog.set_level("DEBUG")
    APIClient().get(URL, HTTP_X_API_KEY=f"{key.key_id}.{secret}")
    APIClient().get(URL, HTTP_X_API_KEY=f"{key.key_id}.{secret}wrong")
    assert secret not in caplog.text
