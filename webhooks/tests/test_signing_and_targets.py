"""Signing as the Standard Webhooks library verifies it; URL checks with the setting off."""
from __future__ import annotations

import pytest
from django.test import override_settings
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from outreach.exceptions import InvalidInput
from webhooks import signing
from webhooks.targets import check_target


def test_it_signs_so_the_standardwebhooks_library_verifies():
    secret = signing.new_secret()
    body = b'{"type":"webhook.test","data":{"a":1}}'
    import time

    ts = int(time.time())
    headers = signing.headers([secret], "msg_1", ts, body)
    assert headers["webhook-signature"].startswith("v1,")
    Webhook(secret).verify(body, headers)


def test_a_tampered_body_or_other_secret_fails_verification():
    import time

    secret = signing.new_secret()
    headers = signing.headers([secret], "msg_1", int(time.time()), b'{"a":1}')
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"a":2}', headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(b'{"a":1}', headers)


def test_two_secrets_give_two_signatures_each_verifies():
    import time

    old, new = signing.new_secret(), signing.new_secret()
    headers = signing.headers([new, old], "msg_9", int(time.time()), b"{}")
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(b"{}", headers)
    Webhook(new).verify(b"{}", headers)


@pytest.mark.parametrize("bad", ["nope", "whsec_!!!", "whsec_" + "QUJD"])
def test_it_refuses_malformed_secrets_with_a_message(bad):
    with pytest.raises(InvalidInput, match="whsec_|base64|bytes"):
        signing.validate_secret(bad)


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
@pytest.mark.parametrize(
    "url,why",
    [
        ("http://127.0.0.1:8000/hook", "loopback"),
        ("http://localhost/hook", "loopback"),
        ("http://[::1]/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("https://192.168.0.5/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://metadata.google.internal/computeMetadata/v1/", "metadata"),
        ("http://169.254.10.10/hook", "link-local"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://0.0.0.0/hook", "private"),
    ],
)
def test_private_and_metadata_targets_are_refused(url, why):
    with pytest.raises(InvalidInput, match=why):
        check_target(url)


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "http:///nohost"])
def test_only_http_urls_with_a_host(url):
    with pytest.raises(InvalidInput, match="http|host"):
        check_target(url)


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
def test_a_public_address_is_accepted():
    assert check_target("https://93.184.215.14/hook") == "https://93.184.215.14/hook"


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=True)
def test_the_setting_allows_loopback_for_development():
    assert check_target("http://127.0.0.1:9/hook")
