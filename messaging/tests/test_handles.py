"""What a provider learns about an address stays with that provider and that account."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import services
from messaging.choices import Provider, Service
from messaging.models import Handle
from messaging.providers.bluebubbles import services as bb
from messaging.providers.bluebubbles.tests.bluebubbles_fixtures import *  # noqa: F401,F403
from messaging.providers.bluebubbles.tests.bluebubbles_fixtures import ALICE, queue_text
from messaging.providers.registry import provider_for
from outreach.testing import key_client

pytestmark = pytest.mark.django_db
#: A real-looking number ending in 01: the sandbox carrier calls it SMS-only.
X = "+15125550101"


def test_a_sandbox_lookup_does_not_teach_another_accounts_bluebubbles_line(account, other_account, fake):
    services.add_line(account, "+15125550190")  # account A: the sandbox
    sandbox = key_client(account, ["messages"], form="sendblue")
    assert sandbox.get("/api/evaluate-service", {"number": X}).json()["service"] == Service.SMS

    line = services.add_line(other_account, "+15125550180", Provider.BLUEBUBBLES)  # account B: a Mac
    bb.configure_line(other_account, line, url=fake.url, method="apple-script", password="hunter2")
    line.refresh_from_db()
    result = provider_for(line).send(queue_text(other_account, line, to=X))
    assert (result.service, result.was_downgraded) == (Service.IMESSAGE, False)
    assert fake.sent_texts()[0]["chatGuid"] == f"iMessage;-;{X}"
    # And B's own API answer is what B's line knows, not what A's sandbox said.
    theirs = key_client(other_account, ["messages"], form="sendblue")
    assert theirs.get("/api/evaluate-service", {"number": X}).json()["service"] == Service.IMESSAGE


def test_every_reader_trusts_a_known_service_for_the_same_window(account, bb_line, fake, settings):
    settings.HANDLE_FRESH_DAYS = 7
    Handle.objects.create(account=account, provider=Provider.BLUEBUBBLES, address=ALICE, service=Service.SMS,
                          checked_at=timezone.now() - timedelta(days=8))
    result = provider_for(bb_line).send(queue_text(account, bb_line, to=ALICE))  # was trusted for 30 days
    assert result.service == Service.IMESSAGE
    Handle.objects.filter(address=ALICE).update(service=Service.SMS, checked_at=timezone.now() - timedelta(days=6))
    assert provider_for(bb_line).lookup(ALICE) == Service.SMS  # AppleScript: what sending taught it
