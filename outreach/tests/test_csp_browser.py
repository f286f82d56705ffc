"""The console under its Content-Security-Policy in a real browser: no page reports a
violation, and what needs script (htmx polling, confirmations, the menu) still works."""
from __future__ import annotations

import pytest

from contacts.tests.factories import ContactFactory
from messaging import services as messaging_services
from messaging.tests import console_data as d

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Records every violation the page reports, from the first byte of each document.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ""}`);
});
"""

PAGES = [
    "/", "/messages/inbox/", "/messages/inbox/new", "/contacts/", "/contacts/new/", "/contacts/lists/",
    "/contacts/import/", "/campaigns/", "/campaigns/new", "/campaigns/bulk/", "/messages/log/",
    "/messages/dead-letters/", "/messages/lines/", "/webhooks/", "/webhooks/callbacks/", "/settings/api-keys/",
]


@pytest.fixture
def watched(page, staff_login):
    """``page``, logged in, collecting CSP violations (the event and the console's words)."""
    page.context.add_init_script(LISTEN)
    page.csp_console = []
    page.on("console", lambda m: page.csp_console.append(m.text) if "Content Security Policy" in m.text else None)
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__csp || []") + page.csp_console


def test_the_main_console_pages_report_no_violation(watched, account, live_server):
    line = d.line(account, name="Main")
    conv = d.conversation(account, line, "+15125550111")
    d.message(conv, "hello", outbound=False)
    contact = ContactFactory(account=account)
    for path in [*PAGES, f"/contacts/{contact.pk}/"]:
        response = watched.goto(path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        watched.wait_for_load_state("networkidle")
        assert violations(watched) == [], path


def test_htmx_polling_and_the_page_scripts_still_work(watched, account):
    line = d.line(account, name="Main")
    d.message(d.conversation(account, line, "+15125550111"), "hello", outbound=False)
    watched.goto("/messages/inbox/")
    watched.wait_for_selector("[data-testid=conversation]")
    messaging_services.simulate_inbound(account, line, "+15125550122", "Are you open today?")
    watched.wait_for_selector("[data-testid=conversation]:has-text('Are you open today?')", timeout=20000)

    watched.set_viewport_size({"width": 400, "height": 800})
    watched.click("button.nav-toggle")
    assert watched.get_attribute("button.nav-toggle", "aria-expanded") == "true"
    assert violations(watched) == []


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_api_documentation_pages_render_under_their_own_policy(watched, path):
    response = watched.goto(path)
    assert response.status == 200
    assert "content-security-policy" in response.headers
    selector = ".swagger-ui .info .title" if path == "/api/docs/" else "h1:has-text('Outreach API')"
    watched.wait_for_selector(selector, timeout=20000)
    watched.wait_for_load_state("networkidle")
    # ReDoc's bundle always shows Redocly's logo from their CDN: the policy blocks that
    # request on purpose (the docs fetch nothing from outside), so it is the one expected report.
    assert [v for v in violations(watched) if "https://cdn.redoc.ly/" not in v] == [], path
