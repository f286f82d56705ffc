"""Messaging's data retention (messaging/retention.py, the contract in outreach/retention.py):
past the account's message retention a message is redacted or deleted and an uploaded media
object goes, in bounded batches, by an injected clock; a message not yet sent (scheduled or
queued) is never touched. ``DELETE /api/v1/messages/{id}`` redacts one sent message."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from messaging import services
from messaging.choices import Status
from messaging.models import Attachment, MediaObject, Message, MessageEvent
from messaging.tests.test_dispatch import drain
from outreach import retention
from outreach.services import set_retention
from outreach.testing import assert_matches_schema, key_client

from . import console_data as d

pytestmark = pytest.mark.django_db
LATER = timedelta(days=31)


def sent(account, to: str, body: str = "secret words") -> Message:
    message = services.send(account, to=to, content=body, media_url="https://cdn.example.com/a.png")
    drain()
    message.refresh_from_db()
    return message


def scheduled(account) -> Message:
    return services.send(account, to="+12125550190", content="later", send_at=timezone.now() + timedelta(days=34))


def test_past_retention_sent_and_received_messages_are_redacted_and_scheduled_ones_kept(
        account, other_account, line, receive):
    set_retention(account, message_retention_days=30)
    out = sent(account, "+12125550188")
    inbound = receive("+12125550188", "my private reply")
    Attachment.objects.create(message=inbound, url="https://cdn.example.com/b.jpg")
    waiting = scheduled(account)
    theirs = sent(other_account_line(other_account), "+12125550177")
    statuses = dict(Message.objects.values_list("pk", "status"))
    events = MessageEvent.objects.count()

    assert retention.run(now=timezone.now() + timedelta(days=29)).handled["messaging.messages"] == 0
    now = timezone.now() + LATER
    result = retention.run(now=now)
    assert result.handled["messaging.messages"] == 2 and not result.more
    for message in (out, inbound):
        message.refresh_from_db()
        assert (message.content, message.media_url, message.redacted_at) == ("", "", now)
        assert message.status == statuses[message.pk] and message.created_at < now
    assert out.sent_at is not None and not Attachment.objects.exists()
    assert MessageEvent.objects.count() == events  # the history stays
    waiting.refresh_from_db()
    assert (waiting.content, waiting.redacted_at, waiting.status) == ("later", None, Status.QUEUED)
    theirs.refresh_from_db()
    assert theirs.content == "secret words" and theirs.redacted_at is None
    assert retention.run(now=now + timedelta(hours=1)).handled["messaging.messages"] == 0  # nothing left


def other_account_line(other_account):
    services.add_line(other_account, "+15125550999")
    return other_account


def test_delete_mode_deletes_in_bounded_batches_and_a_run_says_there_is_more(account, line, settings):
    settings.RETENTION_BATCH_SIZE, settings.RETENTION_MAX_BATCHES_PER_RUN = 2, 1
    set_retention(account, message_retention_days=30, message_retention_mode="delete")
    for n in range(3):
        sent(account, f"+1212555012{n}")
    waiting = scheduled(account)
    now = timezone.now() + LATER
    first = retention.run(now=now)
    assert first.handled["messaging.messages"] == 2 and first.more
    assert Message.objects.count() == 2
    second = retention.run(now=now)
    assert second.handled["messaging.messages"] == 1  # fewer than a batch: none left
    assert list(Message.objects.values_list("pk", flat=True)) == [waiting.pk]


def test_uploaded_media_objects_past_retention_are_deleted_with_their_files(account, line, sb, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("a.png", b"\x89PNG fake bytes", content_type="image/png")
    assert sb.post("/api/upload-media-object", {"file": upload}, format="multipart").status_code == 200
    path = MediaObject.objects.get().file.path
    retention.run(now=timezone.now() + LATER)
    assert MediaObject.objects.count() == 1  # messages are kept: so are their files
    set_retention(account, message_retention_days=30)
    assert retention.run(now=timezone.now() + LATER).handled["messaging.media_objects"] == 1
    assert not MediaObject.objects.exists() and not (tmp_path / path).exists()


def test_delete_redacts_a_sent_message_and_every_dialect_and_the_console_show_it(
        account, other_account, line, v1, sb):
    message = sent(account, "+12125550188")
    url = f"/api/v1/messages/{message.handle}"
    assert key_client(other_account, ["messages"], form="bearer").delete(url).status_code == 404
    response = v1.delete(url)
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/v1/messages/{message_id}", method="delete")
    body = response.json()
    assert body["body"] == "" and body["attachments"] == [] and body["redactedAt"]
    assert body["status"] == "read" and body["sentAt"]
    assert v1.get(url).json()["redactedAt"] == body["redactedAt"]
    assert v1.delete(url).json()["redactedAt"] == body["redactedAt"]  # once
    status = sb.get("/api/status", {"handle": str(message.handle)}).json()
    assert status["content"] == "" and status["media_url"] == "" and status["redacted_at"]
    page = d.staff_client(account).get(f"/messages/log/{message.handle}/")
    assert page.status_code == 200 and b'data-testid="redacted"' in page.content
    assert b"secret words" not in page.content


def test_delete_cancels_a_scheduled_message_and_refuses_one_on_its_way(account, line, v1):
    waiting = scheduled(account)
    response = v1.delete(f"/api/v1/messages/{waiting.handle}")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    assert response.json()["body"] == "later" and response.json()["redactedAt"] is None
    queued = services.send(account, to="+12125550191", content="now")
    response = v1.delete(f"/api/v1/messages/{queued.handle}")
    assert response.status_code == 409 and "on its way out" in response.json()["detail"]
