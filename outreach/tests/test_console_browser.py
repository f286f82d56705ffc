"""A staff admin creates, uses and revokes an API key in a real browser."""
import pytest
from rest_framework.test import APIClient

from outreach.testing import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_copy_and_revoke_a_key(page, staff_login):
    page.click("text=API keys")
    page.fill("#id_name", "Zapier")
    page.check("input[value=messages]")
    page.click("button:has-text('Create key')")
    value = page.input_value("[data-testid=new-key-value]")
    assert value.startswith("ok_")
    screenshot(page, "api-keys-created")
    assert APIClient().get("/api/v1/account", HTTP_X_API_KEY=value).status_code == 200

    page.reload()
    assert page.locator("[data-testid=new-key-value]").count() == 0
    page.once("dialog", lambda d: d.accept())
    page.click("button:has-text('Revoke')")
    page.wait_for_selector("text=Revoked Zapier")
    assert page.locator(".badge-bad").inner_text() == "revoked"
    assert APIClient().get("/api/v1/account", HTTP_X_API_KEY=value).status_code == 401
    screenshot(page, "api-keys-revoked")


def test_login_with_a_wrong_password_says_so(page, account):
    page.goto("/login/")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "did not match" in page.inner_text("[role=alert]")
