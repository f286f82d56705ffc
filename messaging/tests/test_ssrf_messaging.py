"""The SSRF table (outreach/testing_ssrf.py) on messaging's server-side fetches: a copied
media_url, a send's status_callback (Sendblue, Arnio and group paths) and the media a
BlueBubbles line attaches. Nothing may connect: the loopback canary counts 0 and nothing
leaves loopback. (POST /api/v1/messages takes no callback URL: nothing to test there.)"""
from __future__ import annotations

import re

import pytest

from messaging.choices import ErrorKey, Status
from messaging.models import MediaObject, Message
from messaging.providers.base import PermanentProviderError
from messaging.providers.bluebubbles.tests.bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers
from messaging.providers.bluebubbles.tests.bluebubbles_fixtures import ALICE
from messaging.providers.registry import provider_for
from messaging.queue import dispatch
from messaging.services import add_line, record_transition
from outreach.testing_ssrf import Canary, ssrf_urls
from webhooks import drains
from webhooks.models import Delivery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_targets_refused")]

#: Tricks the guard refuses by syntax alone: a send refuses them at once, with no DNS.
SYNTAX_TRICKS = {
    "userinfo", "userinfo public", "userinfo password", "userinfo loopback-looking",
    "backslash before @", "backslash after public", "backslash path", "percent host",
    "percent dot", "percent localhost", "tab", "newline", "decimal", "hex", "octal whole",
    "short form", "zero", "file", "gopher", "ftp", "dict", "ws", "javascript", "data",
    "no scheme", "no host", "bad port", "port zero",
}


def as_media(url: str) -> str:
    """The same target with a media file name, so only the address can refuse it."""
    return url.replace("/hook", "/hook.png") if "/hook" in url else re.sub(r"/?$", "/a.png", url, count=1)


def assert_nothing_connected(canary, no_outside_traffic):
    assert canary.connections == 0, f"{canary.connections} connection(s) reached the loopback canary"
    assert no_outside_traffic.attempts == []


@pytest.fixture
def sb(api_for, account):
    add_line(account, "+15125550100")
    return api_for(account, ["messages"], form="sendblue")


def test_upload_media_object_refuses_every_target(sb, canary, no_outside_traffic, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for label, url in ssrf_urls(canary.port):
        for media_url in (url, as_media(url)):
            r = sb.post("/api/upload-media-object", {"media_url": media_url}, format="json")
            assert r.status_code == 400 and r.json()["error_code"] == 4000, (label, media_url, r.content)
    assert not MediaObject.objects.exists()
    assert_nothing_connected(canary, no_outside_traffic)


@pytest.mark.parametrize("path", ["/api/send-message", "/send-message", "/api/send-group-message"])
def test_a_status_callback_trick_is_refused_at_once_and_the_rest_when_delivered(
    sb, path, canary, no_outside_traffic
):
    taken = []
    for i, (label, url) in enumerate(ssrf_urls(canary.port)):
        to = {"numbers": [f"+1555201{i:04d}", "+15552019999"]} if "group" in path else {"number": f"+1555201{i:04d}"}
        r = sb.post(path, {**to, "content": "hi", "status_callback": url}, format="json")
        if label in SYNTAX_TRICKS:
            assert r.status_code == 400 and "status_callback" in r.json()["error_message"], (label, r.content)
        else:
            assert r.status_code in (200, 400), (label, r.content)
        if r.status_code == 200:
            taken.append(url)
    assert "backslash before @" in SYNTAX_TRICKS and f"http://127.0.0.1:{canary.port}/hook" in taken
    for target in set(Delivery.objects.filter(endpoint=None).values_list("target", flat=True)):
        drains.drain(target)
    assert {d.url for d in Delivery.objects.filter(endpoint=None)} == set(taken)
    assert all(d.last_error.startswith("Refused: url ") for d in Delivery.objects.filter(endpoint=None))
    assert_nothing_connected(canary, no_outside_traffic)


def stored_media_message(account, line, media_url: str) -> Message:
    """A queued message whose media_url an older check accepted (or whose host's DNS
    changed since): the provider must refuse it when it fetches."""
    message = Message.objects.create(
        account=account, line=line, is_outbound=True, number=ALICE, to_number=ALICE,
        from_number=line.number, content="", media_url=media_url, status=Status.REGISTERED,
    )
    record_transition(message, Status.QUEUED, source="api")
    return message


@pytest.fixture
def bb_server_reachable(no_outside_traffic):
    """The fake BlueBubbles server is on loopback as "localhost": the line's own server,
    which the client reaches without the guard (docs/security.md), so only the name's
    lookup needs allowing here."""
    no_outside_traffic.names["localhost"] = "127.0.0.1"
    return no_outside_traffic


def test_bluebubbles_media_at_a_refused_target_is_never_fetched(
    account, bb_line, fake, canary, bb_server_reachable
):
    provider = provider_for(bb_line)
    for label, url in ssrf_urls(canary.port):
        message = stored_media_message(account, bb_line, as_media(url))
        with pytest.raises(PermanentProviderError, match="^media_url ") as caught:
            provider.send(message)
        assert caught.value.error_key == ErrorKey.MEDIA_REFUSED, (label, caught.value)
    assert fake.uploads == [] and fake.sent_texts() == []
    assert_nothing_connected(canary, bb_server_reachable)


def test_a_bluebubbles_message_with_refused_media_fails_with_the_reason(
    account, bb_line, fake, canary, bb_server_reachable
):
    message = stored_media_message(account, bb_line, f"http://127.0.0.1:{canary.port}/photo.png")
    while dispatch.run_chunk().claimed:
        pass
    message.refresh_from_db()
    assert message.status == Status.ERROR and message.error_key == ErrorKey.MEDIA_REFUSED
    assert "media_url is refused: 127.0.0.1 is a loopback address" in message.last_error
    assert fake.uploads == [] and canary.connections == 0 and bb_server_reachable.attempts == []


@pytest.fixture
def public_redirect(canary, no_outside_traffic, private_targets_refused):
    """"public.test" (127.0.0.2, allowed as if public) answers every request with a 302 to
    the loopback canary."""
    private_targets_refused.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    no_outside_traffic.names["public.test"] = "127.0.0.2"
    location = f"http://127.0.0.1:{canary.port}/hook.png"
    public = Canary("127.0.0.2", f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode())
    yield public
    public.close()


def test_a_media_copy_does_not_follow_a_redirect_inward(sb, public_redirect, canary, no_outside_traffic):
    url = f"http://public.test:{public_redirect.port}/photo.png"
    r = sb.post("/api/upload-media-object", {"media_url": url}, format="json")
    assert r.status_code == 400 and "HTTP 302" in r.json()["error_message"], r.content
    assert public_redirect.connections == 1 and not MediaObject.objects.exists()
    assert_nothing_connected(canary, no_outside_traffic)


def test_bluebubbles_media_does_not_follow_a_redirect_inward(
    account, bb_line, fake, public_redirect, canary, bb_server_reachable
):
    message = stored_media_message(account, bb_line, f"http://public.test:{public_redirect.port}/photo.png")
    with pytest.raises(PermanentProviderError, match="HTTP 302"):
        provider_for(bb_line).send(message)
    assert public_redirect.connections == 1 and fake.uploads == []
    assert_nothing_connected(canary, bb_server_reachable)
