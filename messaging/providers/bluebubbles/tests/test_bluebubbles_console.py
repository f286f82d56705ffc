"""The console page that connects a line to BlueBubbles, and the connect command."""
from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from messaging import services
from messaging.models import Line
from outreach.services import create_staff_user
from outreach.testing import screenshot

from .bluebubbles_fixtures import *  # noqa: F403 - fixtures and helpers
from .bluebubbles_fixtures import LINE


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_connect_a_line_from_the_lines_page(page, staff_login, account, fake, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    line = services.add_line(account, LINE, "bluebubbles", name="Front desk")
    page.click("nav >> text=Lines")
    page.click("[data-testid=connect-bluebubbles]")
    assert page.locator("[data-testid=bluebubbles-health]").inner_text().count("not connected") == 1

    page.fill("#id_url", fake.url)
    page.fill("#id_password", "wrong-password")
    page.click("button:has-text('Save and connect')")
    assert "refused the password" in page.inner_text("[data-testid=health-error]")
    assert page.input_value("#id_password") == ""  # never rendered back
    screenshot(page, "bluebubbles-wrong-password")

    page.fill("#id_password", "hunter2")
    page.click("button:has-text('Save and connect')")
    page.wait_for_selector("text=is connected to BlueBubbles and healthy")
    assert "hunter2" not in page.content()
    assert "A password is stored" in page.inner_text("[data-testid=password-help]")
    page.click("button:has-text('Test connection')")
    page.wait_for_selector("text=the line is healthy")
    screenshot(page, "bluebubbles-connected")
    line.refresh_from_db()
    assert line.healthy and [h["url"] for h in fake.webhooks] == [page.inner_text("[data-testid=webhook-url]")]


@pytest.mark.django_db
def test_another_accounts_line_is_404(client, account, other_account, fake):
    theirs = services.add_line(other_account, "+15125550199", "bluebubbles")
    create_staff_user(account, "alice", "correct-horse-battery", "owner")
    client.login(username="alice", password="correct-horse-battery")
    url = reverse("messaging:line-bluebubbles", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"url": fake.url, "password": "x", "method": "apple-script"}).status_code == 404
    assert Line.objects.get(pk=theirs.pk).provider_settings == {}


@pytest.mark.django_db
def test_a_bad_url_is_refused_saying_what_to_enter(client, account, fake):
    line = services.add_line(account, LINE, "bluebubbles")
    create_staff_user(account, "alice", "correct-horse-battery", "owner")
    client.login(username="alice", password="correct-horse-battery")
    response = client.post(reverse("messaging:line-bluebubbles", args=[line.pk]),
                           {"url": "my mac", "password": "hunter2", "method": "apple-script"})
    assert response.status_code == 422
    assert "Enter the server URL BlueBubbles shows" in response.content.decode()


@pytest.mark.django_db
def test_the_command_connects_a_line_and_registers_the_webhook(account, fake, capsys):
    services.add_line(account, LINE, "bluebubbles")
    call_command("connect_bluebubbles", "--line", LINE, "--url", fake.url, "--password", "hunter2")
    call_command("connect_bluebubbles", "--line", LINE, "--url", fake.url, "--password", "hunter2")
    assert "is connected to" in capsys.readouterr().out
    assert len(fake.webhooks) == 1  # connecting again does not register twice
    assert Line.objects.get(number=LINE).healthy


@pytest.mark.django_db
def test_the_command_fails_with_the_reason_on_a_wrong_password(account, fake):
    services.add_line(account, LINE, "bluebubbles")
    with pytest.raises(CommandError, match="refused the password"):
        call_command("connect_bluebubbles", "--line", LINE, "--url", fake.url, "--password", "nope")
    with pytest.raises(CommandError, match="No line"):
        call_command("connect_bluebubbles", "--line", "+15125550999", "--url", fake.url, "--password", "x")


@pytest.mark.django_db
def test_the_lines_page_links_only_bluebubbles_lines_to_their_connect_page(staff, account):
    ours = services.add_line(account, LINE, "bluebubbles")
    services.add_line(account, "+15125550188")  # a sandbox line: no BlueBubbles link
    response = staff.get("/messages/lines/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="connect-bluebubbles"') == 1
    assert f'href="{reverse("messaging:line-bluebubbles", args=[ours.pk])}"' in page
