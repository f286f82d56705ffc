"""The inbox with the Django test client: list, filters, thread, reply, polling, tenancy.
(The live, real-browser flows are in test_console_browser.py.)"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from messaging.choices import EventSource, MessageType, Provider, Status
from messaging.models import Conversation, Message, MessageEvent

from . import console_data as d

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    return [c.pk for c in response.context["window"].rows]


def test_login_is_required(db):
    response = Client().get("/messages/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_new_account_is_told_what_to_do(admin):
    response = admin.get("/messages/inbox/")
    assert response.status_code == 200
    assert b"No conversations yet" in response.content
    assert b"/api/send-message" in response.content


def test_it_lists_newest_activity_first_with_preview_unread_and_line(admin, account, line):
    now = timezone.now()
    ada = d.contact(account, "+15125550111", "Ada", "Lovelace")
    old = d.conversation(account, line, "+15125550111", contact_row=ada, at=now - timedelta(hours=2))
    new = d.conversation(account, line, "+15125550122", unread=3, at=now)
    d.message(old, "older thread", outbound=False)
    d.message(new, "first", at=now - timedelta(minutes=5))
    d.message(new, "the newest words", outbound=False, at=now)
    response = admin.get("/messages/inbox/")
    assert ids(response) == [new.pk, old.pk]
    html = response.content.decode()
    assert "the newest words" in html and "older thread" in html
    assert 'data-testid="unread-count" aria-label="3 unread">3<' in html
    assert "Ada Lovelace" in html and "Main" in html


@pytest.mark.parametrize("q", ["ada", "Ada Love", "LOVELACE", "555-0111", "(512) 555 0111"])
def test_search_finds_by_name_or_number(admin, account, line, q):
    ada = d.contact(account, "+15125550111", "Ada", "Lovelace")
    hit = d.conversation(account, line, "+15125550111", contact_row=ada)
    d.conversation(account, line, "+15125550999")
    assert ids(admin.get("/messages/inbox/", {"q": q})) == [hit.pk]


def test_filters_by_line_unread_and_opted_out(admin, account, line):
    other_line = d.line(account, "+15125550200")
    gone = d.contact(account, "+15125550133", opted_out_at=timezone.now())
    a = d.conversation(account, line, "+15125550111", unread=1)
    b = d.conversation(account, other_line, "+15125550122")
    c = d.conversation(account, line, "+15125550133", contact_row=gone)
    assert ids(admin.get("/messages/inbox/", {"line": other_line.pk})) == [b.pk]
    assert ids(admin.get("/messages/inbox/", {"unread": "on"})) == [a.pk]
    assert ids(admin.get("/messages/inbox/", {"opted_out": "on"})) == [c.pk]
    empty = admin.get("/messages/inbox/", {"unread": "on", "line": other_line.pk})
    assert b"No conversation matches these filters" in empty.content


def test_the_list_pages_without_counting(admin, account, line):
    convs = d.bulk_conversations(account, line, 30, per_conversation=1)
    first = admin.get("/messages/inbox/")
    assert ids(first) == [c.pk for c in convs[:25]] and first.context["window"].has_more
    second = admin.get("/messages/inbox/", {"offset": 25})
    assert ids(second) == [c.pk for c in convs[25:]] and not second.context["window"].has_more


def test_another_accounts_conversation_is_a_404_everywhere(admin, other_account):
    theirs_line = d.line(other_account, "+15125550300")
    theirs = d.conversation(other_account, theirs_line, "+15125550111", unread=2)
    d.message(theirs, "secret", outbound=False)
    base = f"/messages/inbox/{theirs.pk}"
    assert admin.get(base + "/").status_code == 404
    assert admin.get(base + "/messages").status_code == 404
    assert admin.post(base + "/reply", {"content": "hi"}).status_code == 404
    assert admin.post(base + "/simulate", {"text": "hi"}).status_code == 404
    assert b"secret" not in admin.get("/messages/inbox/").content
    theirs.refresh_from_db()
    assert theirs.unread_count == 2 and theirs.messages.count() == 1


def test_the_thread_shows_bubbles_ticks_errors_media_and_sms(admin, account, line):
    conv = d.conversation(account, line, "+15125550111", unread=2)
    now = timezone.now()
    d.message(conv, "hello?", outbound=False, at=now - timedelta(minutes=5))
    d.message(conv, "read one", status=Status.READ, media_url="https://cdn.example.com/p/photo.jpg",
              at=now - timedelta(minutes=4))
    d.message(conv, "as sms", status=Status.DELIVERED, service="SMS", was_downgraded=True, at=now - timedelta(minutes=3))
    d.message(conv, "broken", status=Status.ERROR, error_message="Carrier rejected the number", at=now - timedelta(minutes=2))
    response = admin.get(f"/messages/inbox/{conv.pk}/")
    html = response.content.decode()
    assert [m.content for m in response.context["thread_messages"]] == ["hello?", "read one", "as sms", "broken"]
    assert 'class="msg msg-in"' in html and html.count('class="msg msg-out"') == 3
    assert '<img class="media" src="https://cdn.example.com/p/photo.jpg"' in html
    assert 'data-error="Carrier rejected the number"' in html
    assert 'data-testid="sms"' in html and "Sent as SMS: the recipient cannot receive iMessage" in html
    assert "Read" in html and "Delivered" in html


def test_opening_a_thread_marks_it_read(admin, account, line):
    conv = d.conversation(account, line, "+15125550111", unread=4)
    response = admin.get(f"/messages/inbox/{conv.pk}/")
    conv.refresh_from_db()
    assert conv.unread_count == 0
    assert b'aria-label="4 unread"' not in response.content  # the list beside it agrees


def test_a_long_thread_shows_the_newest_and_pages_back(admin, account, line):
    conv = d.conversation(account, line, "+15125550111")
    now = timezone.now()
    for i in range(55):
        d.message(conv, f"m{i}", at=now - timedelta(minutes=60 - i))
    newest = admin.get(f"/messages/inbox/{conv.pk}/")
    shown = newest.context["thread_messages"]
    assert [m.content for m in shown] == [f"m{i}" for i in range(5, 55)] and newest.context["has_older"]
    older = admin.get(f"/messages/inbox/{conv.pk}/", {"before": shown[0].pk})
    assert [m.content for m in older.context["thread_messages"]] == [f"m{i}" for i in range(5)]
    assert not older.context["has_older"]


def test_a_reply_goes_through_the_send_service(admin, account, line):
    conv = d.conversation(account, line, "+15125550111")
    response = admin.post(
        f"/messages/inbox/{conv.pk}/reply",
        {"content": "On my way", "media_url": "https://cdn.example.com/map.png", "send_style": "gentle"},
    )
    assert response.status_code == 302 and response["Location"] == f"/messages/inbox/{conv.pk}/"
    message = Message.objects.get(conversation=conv)
    assert (message.content, message.media_url, message.send_style) == ("On my way", "https://cdn.example.com/map.png", "gentle")
    assert message.is_outbound and message.status == Status.QUEUED and message.from_number == line.number
    assert MessageEvent.objects.get(message=message, status=Status.QUEUED).source == EventSource.CONSOLE


def test_an_htmx_reply_answers_the_refreshed_thread(admin, account, line):
    conv = d.conversation(account, line, "+15125550111")
    response = admin.post(f"/messages/inbox/{conv.pk}/reply", {"content": "Hi there"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "thread-sent"
    assert b'id="thread-messages"' in response.content and b"Hi there" in response.content


def test_an_empty_reply_says_what_to_fix(admin, account, line):
    conv = d.conversation(account, line, "+15125550111")
    page = admin.post(f"/messages/inbox/{conv.pk}/reply", {"content": "  "})
    assert page.status_code == 422 and b"Write a message or add a media URL." in page.content
    fragment = admin.post(f"/messages/inbox/{conv.pk}/reply", {"content": ""}, HTTP_HX_REQUEST="true")
    assert fragment["HX-Retarget"] == "#reply-form" and b"Write a message" in fragment.content
    # On the message box itself: marked invalid, the error tied to it (console.js focuses it).
    assert b'aria-invalid="true"' in fragment.content and b'id="id_content_error"' in fragment.content
    bad_style = admin.post(f"/messages/inbox/{conv.pk}/reply", {"content": "x", "send_style": "wobble"})
    assert bad_style.status_code == 422
    assert not Message.objects.exists()


def test_a_reply_to_an_opted_out_contact_is_declined_and_shown_failed(admin, account, line):
    gone = d.contact(account, "+15125550111", "Ada", opted_out_at=timezone.now())
    conv = d.conversation(account, line, "+15125550111", contact_row=gone)
    admin.post(f"/messages/inbox/{conv.pk}/reply", {"content": "still there?"})
    message = Message.objects.get(conversation=conv)
    assert message.status == Status.DECLINED
    html = admin.get(f"/messages/inbox/{conv.pk}/").content.decode()
    assert "Not sent" in html and "opted out" in html
    assert 'data-testid="opted-out-note"' in html and "texting START" in html


def test_a_group_reply_goes_to_the_group(admin, account, line):
    group = d.conversation(account, line, "", message_type=MessageType.GROUP, group_id="6f1c2b1e-7f43-4a55-9d59-5d7b1c1d2e3f",
                           participants=["+15125550111", "+15125550122"])
    html = admin.get(f"/messages/inbox/{group.pk}/").content.decode()
    assert 'data-testid="participants"' in html and "+15125550122" in html
    admin.post(f"/messages/inbox/{group.pk}/reply", {"content": "Hi both"})
    message = Message.objects.get(conversation=group)
    assert message.message_type == MessageType.GROUP and message.content == "Hi both"


def test_the_poll_answers_204_until_something_changes(admin, account, line):
    conv = d.conversation(account, line, "+15125550111")
    m = d.message(conv, "hello", status=Status.SENT)
    url = f"/messages/inbox/{conv.pk}/messages"
    first = admin.get(url)
    version = first.context["thread_version"]
    assert admin.get(url, {"v": version}).status_code == 204
    Message.objects.filter(pk=m.pk).update(status=Status.DELIVERED, updated_at=timezone.now())
    changed = admin.get(url, {"v": version})
    assert changed.status_code == 200 and b'data-status="DELIVERED"' in changed.content
    d.message(conv, "a new reply", outbound=False)
    assert b"a new reply" in admin.get(url, {"v": changed.context["thread_version"]}).content


def test_the_list_poll_answers_204_until_something_changes(admin, account, line):
    conv = d.conversation(account, line, "+15125550111")
    d.message(conv, "hello", outbound=False)
    first = admin.get("/messages/inbox/list")
    version = first.context["window"].extra["version"]
    assert admin.get("/messages/inbox/list", {"v": version}).status_code == 204
    Conversation.objects.filter(pk=conv.pk).update(unread_count=1)
    assert admin.get("/messages/inbox/list", {"v": version}).status_code == 200


def test_the_contact_panel_shows_details_lists_tags_and_opt_out(admin, account, line):
    from contacts.models import ContactList

    vip = ContactList.objects.create(account=account, name="VIP customers")
    ada = d.contact(account, "+15125550111", "Ada", "Lovelace", email="ada@example.com",
                    tags=["math", "engines"], opted_out_at=timezone.now())
    ada.lists.add(vip)
    conv = d.conversation(account, line, "+15125550111", contact_row=ada)
    html = admin.get(f"/messages/inbox/{conv.pk}/").content.decode()
    panel = html[html.index('data-testid="contact-panel"'):]
    for text in ("Ada Lovelace", "ada@example.com", "VIP customers", "math", "engines", 'data-testid="opted-out"'):
        assert text in panel


def test_the_simulator_shows_only_on_sandbox_lines(admin, account, line):
    sandbox = d.conversation(account, line, "+15125550111")
    bb_line = d.line(account, "+15125550201", provider=Provider.BLUEBUBBLES)
    real = d.conversation(account, bb_line, "+15125550122")
    assert b'id="simulate-form"' in admin.get(f"/messages/inbox/{sandbox.pk}/").content
    assert b'id="simulate-form"' not in admin.get(f"/messages/inbox/{real.pk}/").content
    response = admin.post(f"/messages/inbox/{real.pk}/simulate", {"text": "hi"}, follow=True)
    assert response.redirect_chain == [(f"/messages/inbox/{real.pk}/", 302)]
    assert b"Only a conversation on a sandbox line can play the customer." in response.content
    assert not Message.objects.filter(conversation=real).exists()


def test_playing_the_customer_writes_an_inbound_message(admin, account, line):
    conv = d.conversation(account, line, "+15125550111")
    response = admin.post(f"/messages/inbox/{conv.pk}/simulate", {"text": "Do you open on Sunday?"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    inbound = Message.objects.get(conversation=conv)
    assert not inbound.is_outbound and inbound.status == Status.RECEIVED
    assert inbound.content == "Do you open on Sunday?" and inbound.from_number == "+15125550111"
    assert b"Do you open on Sunday?" in response.content


def test_the_contact_panel_shows_appointments_calls_and_campaigns(admin, account, line):
    from campaigns.models import Appointment, CallLog, Campaign, CampaignRecipient

    ada = d.contact(account, "+15125550111", "Ada", "Lovelace")
    conv = d.conversation(account, line, "+15125550111", contact_row=ada)
    spring = Campaign.objects.create(account=account, name="Spring check-up")
    CampaignRecipient.objects.create(campaign=spring, contact=ada, outcome="replied")
    Appointment.objects.create(account=account, contact=ada, campaign=spring,
                               scheduled_for=timezone.now() + timedelta(days=2), notes="Dental cleaning")
    CallLog.objects.create(account=account, contact=ada, outcome="connected", duration_seconds=95)
    html = admin.get(f"/messages/inbox/{conv.pk}/").content.decode()
    panel = html[html.index('data-testid="contact-panel"'):]
    for text in ("Dental cleaning", "Connected · 95 s", "Spring check-up", "Replied", f"/campaigns/{spring.pk}/"):
        assert text in panel


def test_a_reply_can_carry_an_uploaded_file(admin, account, line):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from messaging.models import MediaObject

    conv = d.conversation(account, line, "+15125550111")
    png = SimpleUploadedFile("map.png", b"\x89PNG\r\n\x1a\nfake", content_type="image/png")
    admin.post(f"/messages/inbox/{conv.pk}/reply", {"content": "Here", "media_file": png})
    stored = MediaObject.objects.get(account=account)
    message = Message.objects.get(conversation=conv)
    assert message.media_url.endswith(f"/{stored.token}/map.png")
    served = Client().get(message.media_url.split("8000", 1)[-1])
    assert b"".join(served.streaming_content) == b"\x89PNG\r\n\x1a\nfake"
    exe = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    refused = admin.post(f"/messages/inbox/{conv.pk}/reply", {"content": "x", "media_file": exe})
    assert refused.status_code == 422 and b"media extension" in refused.content
    both = admin.post(f"/messages/inbox/{conv.pk}/reply", {"media_url": "https://x.test/a.png",
                                                            "media_file": SimpleUploadedFile("b.png", b"x")})
    assert both.status_code == 422 and b"not both" in both.content
    assert Message.objects.filter(conversation=conv).count() == 1


def test_compose_starts_a_conversation_and_reuses_an_existing_one(admin, account, line):
    second = d.line(account, "+15125550200")
    response = admin.post("/messages/inbox/new", {"to": "(512) 555-0177", "content": "Welcome!", "line": second.pk})
    message = Message.objects.get(content="Welcome!")
    assert response.status_code == 302 and response["Location"] == f"/messages/inbox/{message.conversation_id}/"
    assert (message.to_number, message.from_number) == ("+15125550177", second.number)
    admin.post("/messages/inbox/new", {"to": "+15125550177", "content": "Again"})
    assert Message.objects.get(content="Again").conversation_id == message.conversation_id


def test_compose_says_what_to_fix(admin, account, line):
    assert b"Automatic" in admin.get("/messages/inbox/new").content
    response = admin.post("/messages/inbox/new", {"to": "not a number", "content": "hi"})
    assert response.status_code == 422 and b'role="alert"' in response.content
    assert admin.post("/messages/inbox/new", {"to": "+15125550177"}).status_code == 422
    assert not Message.objects.exists()


def test_search_finds_by_message_text_from_three_characters(admin, account, line):
    hit = d.conversation(account, line, "+15125550111")
    d.message(hit, "Do you have the Blue umbrella in stock?", outbound=False)
    miss = d.conversation(account, line, "+15125550122")
    d.message(miss, "Thanks, see you Friday")
    assert ids(admin.get("/messages/inbox/", {"q": "blue UMBRELLA"})) == [hit.pk]
    assert ids(admin.get("/messages/inbox/", {"q": "friday"})) == [miss.pk]
    assert ids(admin.get("/messages/inbox/", {"q": "bl"})) == []  # too short for message text
