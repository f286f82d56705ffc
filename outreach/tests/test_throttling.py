"""The per-key limit: RateLimit headers on every answer, 429 + Retry-After past it."""
import re

import pytest
from django.test import override_settings

from outreach.models import ApiKey
from outreach.testing import key_client

pytestmark = pytest.mark.django_db


def test_it_reports_the_limit_on_every_response(account):
    client = key_client(account, ["read_only"])
    response = client.get("/api/v1/account")
    assert response["RateLimit-Policy"] == '"default";q=600;w=60'
    assert re.fullmatch(r'"default";r=599;t=\d+', response["RateLimit"])


def test_it_answers_429_with_retry_after_past_the_limit(account):
    client = key_client(account, ["read_only"])
    ApiKey.objects.filter(pk=client.key.pk).update(rate_limit_per_minute=3)
    for _ in range(3):
        assert client.get("/api/v1/account").status_code == 200
    response = client.get("/api/v1/account")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert re.fullmatch(r'"default";r=0;t=\d+', response["RateLimit"])
    assert "Rate limit exceeded" in response.json()["detail"]


@override_settings(API_RATE_LIMIT_PER_MINUTE=2)
def test_each_key_has_its_own_budget(account):
    first = key_client(account, ["read_only"])
    second = key_client(account, ["read_only"])
    assert [first.get("/api/v1/account").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/account").status_code == 200
