"""Every console page passes axe-core (WCAG 2.1 A/AA) with no serious or critical finding.

axe-core comes with ``axe-playwright-python``; Playwright drives Debian's chromium. The sweep
is the phone sweep's pages (``test_phone_width.CONSOLE_PAGES``, with their form error states)
plus the messaging pages with a live thread. A dangling ``aria-describedby`` (help or an error
a screen reader cannot reach) fails too: axe reports it only as a minor finding.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from messaging.models import Line
from messaging.tests import console_data as d

from .test_phone_width import CONSOLE_PAGES, DANGLING, seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The rule sets the console is held to.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}


@pytest.fixture
def thread(account):
    """A conversation with both directions and a day separator: the live thread under test."""
    line = Line.objects.filter(account=account).first() or d.line(account)
    ada = d.contact(account, "+15125550199", "Ada", "Lovelace")
    conv = d.conversation(account, line, "+15125550199", contact_row=ada, unread=1)
    d.message(conv, "Is my order ready?", outbound=False, at=timezone.now() - timedelta(days=1))
    out = d.message(conv, "Yes, it ships today", at=timezone.now() - timedelta(minutes=3))
    d.message(conv, "Thanks!", outbound=False, at=timezone.now() - timedelta(minutes=1))
    return {"conversation": conv, "message": out}


MESSAGING_PAGES = [
    ("inbox", lambda t: "/messages/inbox/"),
    ("thread", lambda t: f"/messages/inbox/{t['conversation'].pk}/"),
    ("thread-empty-reply", lambda t: f"/messages/inbox/{t['conversation'].pk}/"),  # sent empty below
    ("compose", lambda t: "/messages/inbox/new"),
    ("log", lambda t: "/messages/log/"),
    ("message", lambda t: f"/messages/log/{t['message'].handle}/"),
    ("dead-letters", lambda t: "/messages/dead-letters/"),
    ("lines", lambda t: "/messages/lines/"),
    ("bulk-new-errors", lambda t: "/campaigns/bulk/new"),  # sent empty below
    ("compose-errors", lambda t: "/messages/inbox/new"),
    ("campaign-new-errors", lambda t: "/campaigns/new"),
    ("api-keys-errors", lambda t: "/settings/api-keys/"),
    ("webhooks-errors", lambda t: "/webhooks/"),
]

#: The button that sends each "-errors" page's form empty (or as it stands).
SUBMIT_EMPTY = {
    "bulk-new-errors": "Queue bulk job",
    "compose-errors": "Send",
    "campaign-new-errors": "Save campaign",
    "api-keys-errors": "Create key",
    "webhooks-errors": "Add endpoint",
}


def errors_shown(page, name: str) -> None:
    """Put the page in its error state where ``name`` asks for one."""
    if name == "contact-new-errors":
        page.click("button:has-text('Add contact')")
        page.wait_for_selector(".errorlist")
    elif name == "settings-errors":
        page.fill("#id_time_zone", "Somewhere/Else")
        page.click("button:has-text('Save')")
        page.wait_for_selector(".errorlist")
    elif name in SUBMIT_EMPTY:
        page.click(f"main button:has-text('{SUBMIT_EMPTY[name]}')")
        page.wait_for_selector(".errorlist")
    elif name == "thread-empty-reply":
        page.click("#reply-form button[type=submit]")
        page.wait_for_selector("#reply-form [aria-invalid=true]")


def describe(violations: list[dict]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): " + "; ".join(str(n["target"]) for n in v["nodes"][:4])
            for v in violations if v["impact"] in BLOCKING]


def test_every_console_page_passes_axe(page, staff_login, seeded, thread):  # noqa: F811
    axe = Axe()
    found, dangling = {}, {}
    pages = [(n, lambda p=p: p(seeded)) for n, p in CONSOLE_PAGES] + [(n, lambda p=p: p(thread)) for n, p in MESSAGING_PAGES]
    for name, path in pages:
        response = page.goto(path())
        assert response.status < 500, name
        errors_shown(page, name)
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
        if bad := describe(result.response["violations"]):
            found[name] = bad
        if missing := page.evaluate(DANGLING):
            dangling[name] = missing
    assert found == {}, "\n".join(f"{name}: {bad}" for name, bad in found.items())
    assert dangling == {}, dangling


def test_the_login_page_passes_axe(browser, live_server, db):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/login/")
        result = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
        assert describe(result.response["violations"]) == []
    finally:
        context.close()
