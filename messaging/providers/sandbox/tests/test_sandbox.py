"""The sandbox carrier with a delay: later steps are reports due in the database, applied
when due (by its task or the reconciler), never before."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Contact
from messaging import services
from messaging.choices import Status
from messaging.models import Message, SandboxReport
from messaging.providers.registry import provider_for
from messaging.providers.sandbox.tasks import deliver_due_reports
from messaging.queue import dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(account, settings):
    settings.SANDBOX_DELAY_SECONDS = 30
    return services.add_line(account, "+15125550100")


def make_due(seconds: float) -> None:
    SandboxReport.objects.filter(due_at__lte=timezone.now() + timedelta(seconds=seconds)).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )


def test_reports_wait_for_their_time_then_deliver_and_read(account, line):
    message = services.send(account, to="+12125550188", content="hi")
    dispatch.run_chunk()
    message.refresh_from_db()
    assert message.status == Status.SENT
    due = sorted(SandboxReport.objects.values_list("status", "due_at"), key=lambda r: r[1])
    assert [s for s, _ in due] == ["DELIVERED", "READ"]
    assert deliver_due_reports() == 0  # nothing is due yet
    make_due(30)
    assert deliver_due_reports() == 1
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    make_due(60)
    assert deliver_due_reports() == 1
    message.refresh_from_db()
    assert message.status == Status.READ and not SandboxReport.objects.exists()


def test_a_stop_reply_comes_after_delivery_and_only_once(account, line):
    services.send(account, to="+12125550105", content="hi")
    dispatch.run_chunk()
    make_due(60)
    assert deliver_due_reports() == 2
    reply = Message.objects.get(status=Status.RECEIVED)
    assert (reply.from_number, reply.content) == ("+12125550105", "STOP")
    assert Contact.objects.get(e164_number="+12125550105").opted_out
    # A replayed report of the same reply is the same message, not a second one.
    services.receive_inbound(line, _replayed_reply(line, reply))
    assert Message.objects.filter(status=Status.RECEIVED).count() == 1


def _replayed_reply(line, reply):
    from messaging.providers.base import ProviderEvent

    return ProviderEvent(
        kind="inbound", from_address=reply.from_number, to_number=line.number, content="STOP",
        provider_message_id=reply.provider_message_id,
    )


def test_lookup_and_single_send_follow_the_numbers(account, line):
    provider = provider_for(line)
    assert provider.lookup("+12125550101") == "SMS"
    assert provider.lookup("+12125550188") == "iMessage"
    assert provider.lookup("someone@icloud.com") == "iMessage"
