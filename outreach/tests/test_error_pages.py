"""Errors in the console are its own pages; under /api/ they are JSON, whatever answered."""
import pytest
from django.test import Client

from outreach.services import create_staff_user

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def _explode(*args, **kwargs):
    raise Boom("a bug")


@pytest.fixture
def staff(account):
    create_staff_user(account, "alice", "correct-horse-battery", "owner")
    client = Client(raise_request_exception=False)
    client.login(username="alice", password="correct-horse-battery")
    return client


def test_an_unknown_console_page_is_the_designed_404_with_the_menu(staff):
    response = staff.get("/nothing/here")
    assert response.status_code == 404
    assert b'data-testid="not-found"' in response.content
    assert b"<code>/nothing/here</code>" in response.content
    assert b'aria-label="Main"' in response.content


def test_a_console_bug_is_the_designed_500(staff, monkeypatch):
    monkeypatch.setattr("outreach.views.Paginator", _explode)
    response = staff.get("/settings/api-keys/")
    assert response.status_code == 500
    assert b'data-testid="server-error"' in response.content
    assert b'href="/">Go to the dashboard</a>' in response.content
    assert b"a bug" not in response.content


def test_an_api_bug_is_a_json_500(api, monkeypatch):
    monkeypatch.setattr("outreach.api.views.WhoAmISerializer", _explode)
    response = api.get("/api/v1/account")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}


@pytest.mark.parametrize("method,path,allowed", [
    ("post", "/api/schema/", "GET, HEAD, OPTIONS"), ("post", "/api/docs/", "GET, HEAD, OPTIONS"),
])
def test_a_wrong_method_on_any_api_page_is_a_json_405(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == allowed
    assert response.json()["error_message"] == f"Method POST is not allowed here; allowed: {allowed}."


def test_a_wrong_method_on_a_v1_endpoint_is_a_json_405(api):
    response = api.delete("/api/v1/account")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
