"""Login throttling through the real login forms (the console's and Django admin's)."""
from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from outreach.services import create_staff_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def alice(account):
    return create_staff_user(account, "alice", PASSWORD, "owner")


def log_in(client, username, password, *, path="/login/", ip="10.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client, times, username="alice", **kwargs):
    """``times`` wrong passwords; -> the last answer (the fifth is already the lockout)."""
    for _ in range(times - 1):
        assert log_in(client, username, "wrong", **kwargs).status_code == 200
    return log_in(client, username, "wrong", **kwargs)


def test_five_failures_lock_the_username_and_the_page_says_when_to_retry(alice):
    client = Client()
    assert fail(client, 5).status_code == 429
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # By username: another address does not help.
    assert log_in(Client(), "alice", PASSWORD, ip="10.9.9.9").status_code == 429


def test_five_failures_from_one_address_lock_that_address_for_every_username(alice, account):
    create_staff_user(account, "bob", PASSWORD, "agent")
    client = Client()
    for name in ["x1", "x2", "x3", "x4", "x5"]:
        log_in(client, name, "wrong")
    assert log_in(client, "bob", PASSWORD).status_code == 429
    assert log_in(Client(), "bob", PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_lock_expires_after_the_cool_off(alice):
    client = Client()
    fail(client, 5)
    assert log_in(client, "alice", PASSWORD).status_code == 429
    # Fifteen minutes pass (the attempts' clock is their stored time).
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_fewer_failures_than_the_limit_still_log_in(alice):
    client = Client()
    assert fail(client, 4).status_code == 200
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_django_admin_login_is_throttled_too(db):
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    client = Client()
    fail(client, 5, username="root", path="/admin/login/")
    response = log_in(client, "root", PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()
