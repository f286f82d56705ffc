"""Signing as the Standard Webhooks library verifies it."""
from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from outreach.exceptions import InvalidInput
from webhooks import signing


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
