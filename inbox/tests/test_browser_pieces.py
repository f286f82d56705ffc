"""The inbox's pieces messaging's pages include, in a real browser: they fit a 390 px
phone inside the console's layout, and notify.js shows a notification for a new reply to
my conversation once permission is granted (the console's CSP lets its script run)."""
from __future__ import annotations

import json

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from playwright.sync_api import expect

from inbox import panels as inbox_panels
from inbox import services
from inbox.policy import SYSTEM
from inbox.views_list import counts_context
from inbox.views_work import controls_context
from messaging.models import Conversation
from messaging.tests import console_data as d
from outreach.models import Membership

from .helpers import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
#: Stands in for the browser's Notification: logs what would be shown.
FAKE_NOTIFICATION = """
window.Notification = class {
  constructor(title, options) { console.log("notified " + JSON.stringify({title: title, body: options.body})); }
  static requestPermission() { window.Notification.permission = "granted"; return Promise.resolve("granted"); }
};
window.Notification.permission = "default";
"""


def request_as(user, account, path: str = "/inbox/"):
    request = RequestFactory().get(path)
    request.user, request.account = user, account
    request.membership = Membership.objects.select_related("account").get(user=user, account=account)
    return request


def inject(page, html: str) -> None:
    page.evaluate("html => { document.querySelector('#main').insertAdjacentHTML('beforeend', html); }", html)


def test_the_controls_notes_bulk_bar_and_counts_fit_a_phone(page, account, staff_login):
    alice = staff_login
    for name in ("Very important customer", "Billing question", "Follow up next quarter", "Spanish"):
        services.save_label(account, {"name": name}, actor=SYSTEM)
    for name in ("annabelle-long-username", "bartholomew", "cat"):
        person(account, name)
    line = d.line(account)
    ada = d.contact(account, "+12135550100", "Ada", "Lovelace")
    conv = d.conversation(account, line, "+12135550100", contact_row=ada)
    services.assign(account, conv.pk, alice.pk, actor=SYSTEM)
    services.add_note(account, conv.pk, "Prefers mornings; call before 10. " * 4, actor=SYSTEM)
    request = request_as(alice, account)
    conversation = Conversation.objects.select_related("contact").get(pk=conv.pk)
    pieces = [
        render_to_string("inbox/_work_controls.html", controls_context(request, conversation), request=request),
        render_to_string("inbox/_notes.html", controls_context(request, conversation), request=request),
        render_to_string("inbox/_bulk_actions.html", inbox_panels.bulk_bar(account), request=request),
        render_to_string("inbox/_view_counts.html", counts_context(request), request=request),
    ]
    page.set_viewport_size(PHONE)
    page.goto("/inbox/availability/")
    for html in pieces:
        inject(page, html)
    for testid in ("work-controls", "notes", "bulk-form", "view-counts"):
        assert page.get_by_test_id(testid).is_visible(), testid
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_notify_shows_a_new_reply_to_my_conversation_once_allowed(browser, live_server, account, staff_login, page):
    alice = staff_login
    line = d.line(account)
    ada = d.contact(account, "+12135550100", "Ada", "Lovelace")
    mine = d.conversation(account, line, "+12135550100", contact_row=ada)
    free = d.conversation(account, line, "+12135550101")
    services.assign(account, mine.pk, alice.pk, actor=SYSTEM)
    page.add_init_script(FAKE_NOTIFICATION)
    page.goto("/inbox/availability/")
    inject(page, render_to_string("inbox/_notify.html", {"notify_poll_ms": 200}))
    # The second poll carries the cursor the first set: what came before is not replayed.
    with page.expect_response(lambda r: "/inbox/notify?after=" in r.url and not r.url.endswith("after=")):
        page.add_script_tag(url="/static/inbox/notify.js")
    button = page.get_by_role("button", name="Notify me of new replies")
    button.click()
    expect(button).to_be_hidden()
    with page.expect_console_message(lambda m: m.text.startswith("notified ")) as shown:
        d.message(free, "not mine", outbound=False)
        d.message(mine, "Is it still available?", outbound=False)
    assert json.loads(shown.value.text.removeprefix("notified ")) == {
        "title": "New reply from Ada Lovelace", "body": "Is it still available?"}
