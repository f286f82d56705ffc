"""Rows the inbox's tests share: people of each role, conversations on a line."""
from __future__ import annotations

from django.test import Client

from messaging.tests import console_data as d
from outreach.models import Membership
from outreach.services import create_staff_user

from .. import services
from ..policy import for_member


def person(account, username: str, role: str = "agent", *, available: bool | None = None):
    user = create_staff_user(account, username, "pw-for-tests-123", role)
    membership = Membership.objects.get(account=account, user=user)
    if available is not None:
        services.set_available(membership, available)
    user.actor = for_member(membership)
    return user


def conversations(account, count: int, first: int = 100):
    line = d.line(account, f"+1512555{first:04d}")
    return [d.conversation(account, line, f"+1213555{first + i:04d}") for i in range(count)]


def client_for(user) -> Client:
    """A test client logged in as ``user``."""
    client = Client()
    client.force_login(user)
    return client
