"""``contact_opted_out``'s ``source``: the words docs/api.md documents, from every path."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from contacts.choices import OptOutSource
from contacts.tests.factories import ContactFactory
from messaging.services import add_line
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def _documented_example_source() -> str:
    text = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()
    block = re.search(r'```json\n(\{"type": "contact_opted_out".*?)\n```', text, re.S).group(1)
    return json.loads(block.replace('"0b6f..."', '"x"'))["data"]["source"]


def test_a_stop_reply_opts_out_with_the_source_the_api_docs_show(api, account):
    add_line(account, "+15125550100")
    assert api.post("/api/v1/sandbox/inbound", {"from": "+12125550188", "body": "STOP"}, format="json").status_code == 201
    contact = ContactFactory(account=account, e164_number="+12125550190")
    assert api.post(f"/api/v1/contacts/{contact.pk}/opt-out").status_code == 200
    sources = [e.payload["source"] for e in Event.objects.filter(type="contact_opted_out").order_by("id")]
    assert sources == [OptOutSource.KEYWORD, OptOutSource.API]
    assert _documented_example_source() == OptOutSource.KEYWORD
