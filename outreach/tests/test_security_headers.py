"""The Content-Security-Policy console pages are served with."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from outreach.services import create_staff_user

pytestmark = pytest.mark.django_db


def test_console_pages_carry_the_policy(account):
    user = create_staff_user(account, "alice", "pw-alice-123", "owner")
    client = Client()
    client.force_login(user)
    policy = client.get("/")["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]


def test_no_console_template_writes_an_inline_style():
    """``style-src 'self'`` refuses style attributes and <style> blocks: a template that
    writes one renders unstyled (the API docs' own template aside, see below)."""
    templates = Path(settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(templates)) for path in templates.rglob("*.html")
        if "drf_spectacular" not in path.parts and re.search(r"\sstyle=|<style[\s>]", re.sub(r"{#.*?#}", "", path.read_text()))
    ]
    assert offenders == []


def test_the_api_docs_widen_styles_for_themselves_only(client):
    policy = client.get("/api/redoc/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy + ";"
