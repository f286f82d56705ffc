"""Every API endpoint × every scope, over HTTP.

The expectations are written out here, independently of the permission code: read-only
reads everything and writes nothing; contacts/campaigns/messages write their own family;
full access does all. A route missing from the apps' ENDPOINTS tables fails the test.
"""
from __future__ import annotations

import importlib
import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from outreach.testing import key_client

APPS = ["outreach", "contacts", "messaging", "campaigns", "webhooks", "inbox"]
SCOPES = ["full_access", "read_only", "contacts", "campaigns", "messages"]
#: family -> scopes that may read it, scopes that may write it
EXPECTED = {
    "account": ({"full_access", "read_only", "contacts", "campaigns", "messages"}, {"full_access"}),
    "contacts": ({"full_access", "read_only", "contacts"}, {"full_access", "contacts"}),
    "campaigns": ({"full_access", "read_only", "campaigns"}, {"full_access", "campaigns"}),
    "messages": ({"full_access", "read_only", "messages"}, {"full_access", "messages"}),
    "webhooks": ({"full_access", "read_only"}, {"full_access"}),
}
SKIP_PREFIXES = ("api/schema", "api/docs", "api/redoc")


def table() -> dict[tuple[str, str], str]:
    rows: dict[tuple[str, str], str] = {}
    for app in APPS:
        rows.update(importlib.import_module(f"{app}.tests.endpoints").ENDPOINTS)
    return rows


def api_routes():
    """(method, route) for every API view method that exists."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if not route.startswith("api/") or route.startswith(SKIP_PREFIXES):
                    continue
                cls = getattr(p.callback, "cls", None)
                if cls is None:
                    continue
                actions = getattr(p.callback, "actions", None)
                if actions:
                    methods = [m.upper() for m in actions]
                else:
                    methods = [
                        m.upper() for m in cls.http_method_names
                        if m not in ("options", "head", "trace") and hasattr(cls, m)
                    ]
                found.extend((m, route) for m in methods)

    walk(get_resolver().url_patterns)
    return sorted(set(found))


def concrete(route: str) -> str:
    def sub(match):
        conv = match.group(1) or "str"
        return {"int": "999999", "uuid": str(uuid.uuid4())}.get(conv, "nothing-here")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", sub, route)


def test_every_api_route_is_in_the_matrix():
    rows = table()
    missing = [r for r in api_routes() if r not in rows]
    assert not missing, f"add these to an app's tests/endpoints.py: {missing}"
    stale = [r for r in rows if r not in set(api_routes())]
    assert not stale, f"these rows name no route: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("method,route", api_routes())
def test_scopes_allow_and_refuse_as_documented(account, method, route):
    family = table()[(method, route)]
    readers, writers = EXPECTED[family]
    allowed = readers if method == "GET" else writers
    path = concrete(route)
    for scope in SCOPES:
        client = key_client(account, [scope])
        response = getattr(client, method.lower())(path, {}, format="json") if method != "GET" else client.get(path)
        if scope in allowed:
            assert response.status_code not in (401, 403), (scope, method, path, response.content)
        else:
            assert response.status_code == 403, (scope, method, path, response.status_code)
            body = response.json()
            assert ("detail" in body) or ("error_message" in body)
