"""Schemathesis fuzzes every operation of the served OpenAPI document (``/api/schema/``)
over HTTP with a full-access key: whatever it sends, the answer is never a 5xx.

Bounded for the suite's budget: a few examples per operation, derandomized (the same
cases every run, so a failure reproduces), no deadline. Nothing leaves the machine:
name resolution is refused for every host but the loopback ones while it runs (URL fields
such as ``media_url`` or a webhook's ``url`` then fail validation as an unknown host would).
"""
from __future__ import annotations

import ipaddress
import json
import socket

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from outreach.services import create_api_key, full_key

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES_PER_OPERATION = 3
_real_getaddrinfo = socket.getaddrinfo


def _loopback(host) -> bool:
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host).is_loopback
    except ValueError:
        return False


def _loopback_only(host, *args, **kwargs):
    if not _loopback(host):
        raise socket.gaierror(socket.EAI_NONAME, f"{host}: not resolved while fuzzing (loopback only)")
    return _real_getaddrinfo(host, *args, **kwargs)


def served_document() -> dict:
    """The document ``/api/schema/`` serves (the same generator; checked below)."""
    doc = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(doc))


#: A fixed seed (the same cases every run). All three stateless phases run: the schema's
#: examples, the coverage phase (each parameter's boundaries and wrong types: what finds
#: an offset past bigint or an array body) and ``EXAMPLES_PER_OPERATION`` fuzzed cases.
CONFIG = SchemathesisConfig.from_dict({"seed": 20261201})
schema = schemathesis.openapi.from_dict(served_document(), config=CONFIG)


def test_the_fuzzed_document_is_the_served_one(client):
    assert client.get("/api/schema/?format=json").json() == served_document()


@pytest.fixture
def key_headers(account, settings) -> dict[str, str]:
    """Every credential form for one full-access key, so whichever the case carries is valid."""
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000  # the fuzzer, not the limiter, is under test
    key, secret = create_api_key(account, "fuzz", ["full_access"])
    return {
        "X-API-Key": full_key(key, secret), "Authorization": f"Bearer {full_key(key, secret)}",
        "sb-api-key-id": key.key_id, "sb-api-secret-key": secret,
    }


@pytest.fixture
def loopback_only(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_only)


@pytest.fixture
def short_streams(settings):
    """``GET /api/v2/events`` answers 200 with a stream that ends only at STREAM_MAX_SECONDS
    (15 minutes; its heartbeats keep the client's read timeout from firing), and the fuzzer
    reads every answer whole: the stream rotates after a few polls here, so each accepted
    case still runs the stream's queries with the fuzzed ``types`` and ``Last-Event-ID``."""
    settings.STREAM_MAX_SECONDS = 0.3
    settings.STREAM_POLL_SECONDS = 0.05


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error(case, live_server, key_headers, loopback_only, short_streams):
    response = case.call(base_url=live_server.url, headers=key_headers, timeout=30)
    case.validate_response(response, checks=[not_a_server_error])
