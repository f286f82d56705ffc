"""Every console page passes axe-core (WCAG 2.1 A/AA) with no serious or critical finding.

axe-core comes with ``axe-playwright-python``; Playwright drives Debian's chromium. The sweep
is the phone sweep's pages (``test_phone_width.CONSOLE_PAGES``, with their form error states)
plus the messaging pages with a live thread. A dangling ``aria-describedby`` (help or an error
a screen reader cannot reach) fails too: axe reports it only as a minor finding.
"""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .test_phone_width import CONSOLE_PAGES, DANGLING, MESSAGING_PAGES, errors_shown, seeded, thread  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The rule sets the console is held to.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}


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
