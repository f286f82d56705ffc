"""Fixtures shared by messaging's tests: the account's line, an API client per dialect and a
logged-in console client (the account, keys and workers come from the root conftest)."""
from __future__ import annotations

import pytest

from messaging.lines import add_line
from messaging.providers.base import ProviderEvent
from messaging.services import receive_inbound
from outreach.testing import key_client

from . import console_data as d


@pytest.fixture
def line(account):
    """The account's one sandbox line, ``console_data.LINE``, named Main."""
    return add_line(account, d.LINE, name="Main")


@pytest.fixture
def receive(line):
    """``receive(sender, content)``: an inbound message on the line, as its provider reports one."""
    def inbound(sender: str, content: str):
        return receive_inbound(line, ProviderEvent(kind="inbound", from_address=sender, content=content))
    return inbound


@pytest.fixture
def sb(account, line):
    """A Sendblue-dialect API client (``sb-api-key-id``/``sb-api-secret-key``) with the messages scope."""
    return key_client(account, ["messages"], form="sendblue")


@pytest.fixture
def v1(account, line):
    """A v1-dialect API client (bearer key) with the messages scope."""
    return key_client(account, ["messages"], form="bearer")


@pytest.fixture
def admin(account):
    """A Django test client logged in to the console as an admin of ``account``."""
    return d.staff_client(account)
