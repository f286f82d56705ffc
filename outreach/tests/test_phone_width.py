"""Every console page fits a 390 px wide phone: no sideways scrolling.

``CONSOLE_PAGES`` and ``MESSAGING_PAGES`` are the sweep: (name, path builder) pairs, each
builder taking the ``seeded`` objects or the live ``thread``; a name ending in ``-errors`` is
the page with its form sent back (``errors_shown``). A page added to the console adds a line
here; the accessibility sweep visits the same pages.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import BulkJob, Campaign, Export
from campaigns.tests.factories import lines
from contacts import imports
from contacts.choices import ImportStatus
from contacts.models import ContactList, ImportJob
from contacts.tests.factories import ContactFactory
from inbox import services as inbox
from inbox.policy import SYSTEM
from messaging.choices import MessageType
from messaging.models import Line
from messaging.tests import console_data as d
from outreach import people
from outreach.audit import record
from outreach.models import Invitation
from outreach.services import create_api_key, create_staff_user
from outreach.testing import screenshot
from webhooks import services as webhooks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
#: A CSV as wide as real exports get: the mapping step shows one column per field.
WIDE_CSV = (
    b"phone_number,first_name,last_name,email_address,company_name,time_zone,tags,plan,"
    b"renewal_date,account_manager_name\n"
    b"+15551230001,Ann,Able,ann@example.com,Able Industries International,America/New_York,"
    b"vip,gold,2026-01-01,Someone With A Long Name\n"
)

CONSOLE_PAGES: list[tuple[str, Callable[[dict], str]]] = [
    ("dashboard", lambda s: "/"),
    ("contacts", lambda s: "/contacts/"),
    ("contact-new", lambda s: "/contacts/new/"),
    ("contact-new-errors", lambda s: "/contacts/new/"),  # submitted empty below
    ("contact", lambda s: f"/contacts/{s['contact'].pk}/"),
    ("lists", lambda s: "/contacts/lists/"),
    ("keywords", lambda s: "/contacts/keywords/"),
    ("list", lambda s: f"/contacts/lists/{s['list'].pk}/"),
    ("import-upload", lambda s: "/contacts/import/"),
    ("import-mapping", lambda s: f"/contacts/import/{s['draft_import'].pk}/map/"),
    ("import-result", lambda s: f"/contacts/import/{s['done_import'].pk}/"),
    ("campaigns", lambda s: "/campaigns/"),
    ("campaign-new", lambda s: "/campaigns/new"),
    ("campaign", lambda s: f"/campaigns/{s['campaign'].pk}/"),
    ("campaign-edit", lambda s: f"/campaigns/{s['campaign'].pk}/edit"),
    ("exports", lambda s: "/campaigns/exports/"),
    ("export", lambda s: f"/campaigns/exports/{s['export'].pk}/"),
    ("bulk-jobs", lambda s: "/campaigns/bulk/"),
    ("bulk-job", lambda s: f"/campaigns/bulk/{s['bulk_job'].pk}/"),
    ("webhooks", lambda s: "/webhooks/"),
    ("webhook-endpoint", lambda s: f"/webhooks/{s['endpoint'].pk}/"),
    ("webhook-callbacks", lambda s: "/webhooks/callbacks/"),
    ("webhook-delivery", lambda s: f"/webhooks/deliveries/{s['delivery'].pk}/"),
    ("api-keys", lambda s: "/settings/api-keys/"),
    ("link-tracking", lambda s: "/settings/links/"),
    ("retention", lambda s: "/settings/retention/"),
    ("retention-errors", lambda s: "/settings/retention/"),  # submitted with 0 days below
    ("settings", lambda s: "/settings/"),
    ("settings-errors", lambda s: "/settings/"),  # submitted with an unknown zone below
    ("people", lambda s: "/people/"),
    ("audit", lambda s: "/audit/"),
    ("inbox-labels", lambda s: "/inbox/labels/"),
    ("inbox-labels-errors", lambda s: "/inbox/labels/"),  # submitted empty below
    ("inbox-canned", lambda s: "/inbox/canned/"),
    ("inbox-canned-errors", lambda s: "/inbox/canned/"),  # submitted empty below
    ("inbox-assignment", lambda s: "/inbox/assignment/"),
    ("inbox-availability", lambda s: "/inbox/availability/"),
    ("accept-invite", lambda s: s["invite_path"]),
    ("not-found", lambda s: "/no/such/page"),
]
#: Pages seen before logging in.
PUBLIC_PAGES = ["/login/", "/no/such/page", "/password/reset/", "/password/reset/sent/", "/invite/not-a-token/"]


@pytest.fixture
def seeded(account):
    contact = ContactFactory(account=account, first_name="Bartholomew", last_name="Featherstonehaugh-Worthington",
                             email="bartholomew.featherstonehaugh@example-enterprises.com",
                             company_name="Featherstonehaugh International Holdings", tags=["vip", "renewal-2026"],
                             custom_variables={"plan": "gold", "account_manager": "Someone With A Long Name"})
    lst = ContactList.objects.create(account=account, name="Spring renewals with a long list name")
    contact.lists.add(lst)
    endpoint = webhooks.create_endpoint(account, "http://127.0.0.1:9/outreach/a/very/long/path/to/the/webhook/receiver")
    create_api_key(account, "CRM sync for the spring renewals", ["contacts", "read_only", "messages"])
    lines(account, 2)  # the dashboard's per-line table
    person = create_staff_user(account, "bartholomew.featherstonehaugh", "pw-for-tests-123", "agent")
    person.email = "bartholomew.featherstonehaugh@example-enterprises.com"
    person.save(update_fields=["email"])
    invitation = Invitation.objects.create(account=account, email="someone.with.a.long.address@example-enterprises.com",
                                           role="manager")
    inbox.save_label(account, {"name": "Renewals waiting on a signature", "colour": "#2563eb"}, actor=SYSTEM)
    inbox.save_canned(account, {"shortcut": "renewal-reminder-with-a-long-shortcut",
                                "body": "Hi {first_name|there}, your plan renews on {renewal_date|the first of the "
                                        "month}: https://example-enterprises.com/renewals/spring-2026/confirm"},
                      actor=SYSTEM)
    record(account, person, "webhook.changed", endpoint, target_label=endpoint.url,
           detail={"event_types": ["message.sent", "message.delivered", "message.failed"]})
    return {
        "contact": contact, "list": lst, "endpoint": endpoint,
        "delivery": webhooks.send_test(account, endpoint),
        "draft_import": imports.upload(account, filename="spring.csv", raw=WIDE_CSV),
        "done_import": ImportJob.objects.create(account=account, filename="done.csv", content="phone_number\n",
                                                status=ImportStatus.DONE, total_rows=1),
        "invite_path": f"/invite/{people.invitation_token(invitation)}/",
        "campaign": Campaign.objects.create(account=account, name="Spring renewals", body="Hi {first_name}"),
        "bulk_job": BulkJob.objects.create(account=account, total_recipients=0, payload="[]"),
        "export": Export.objects.create(account=account, kind="contacts", total=1200, processed=400,
                                        requested_by="bartholomew.featherstonehaugh"),
    }


@pytest.fixture
def thread(account):
    """A conversation with both directions and a day separator: the live thread under test."""
    line = Line.objects.filter(account=account).first() or d.line(account)
    ada = d.contact(account, "+15125550199", "Ada", "Lovelace")
    conv = d.conversation(account, line, "+15125550199", contact_row=ada, unread=1)
    d.message(conv, "Is my order ready?", outbound=False, at=timezone.now() - timedelta(days=1))
    out = d.message(conv, "Yes, it ships today", at=timezone.now() - timedelta(minutes=3))
    d.message(conv, "Thanks!", outbound=False, at=timezone.now() - timedelta(minutes=1))
    group = d.conversation(account, line, "", message_type=MessageType.GROUP, group_id=str(uuid.uuid4()),
                           group_display_name="Spring renewals follow-up with a long group name",
                           participants=["+15125550199", "+15125550111", "bartholomew.featherstonehaugh@example.com"])
    d.message(group, "Hi all, the renewal pack is attached")
    return {"conversation": conv, "message": out, "group": group}


MESSAGING_PAGES = [
    ("inbox", lambda t: "/messages/inbox/"),
    ("thread", lambda t: f"/messages/inbox/{t['conversation'].pk}/"),
    ("group-thread", lambda t: f"/messages/inbox/{t['group'].pk}/"),
    ("thread-contact", lambda t: f"/messages/inbox/{t['conversation'].pk}/#contact-pane"),  # the header's Contact
    ("thread-empty-reply", lambda t: f"/messages/inbox/{t['conversation'].pk}/"),  # sent empty below
    ("compose", lambda t: "/messages/inbox/new"),
    ("log", lambda t: "/messages/log/"),
    ("message", lambda t: f"/messages/log/{t['message'].handle}/"),
    ("dead-letters", lambda t: "/messages/dead-letters/"),
    ("lines", lambda t: "/messages/lines/"),
    ("inbox-settings", lambda t: "/messages/settings/"),
    ("line-new", lambda t: "/messages/lines/new"),
    ("line-new-errors", lambda t: "/messages/lines/new"),  # sent empty below
    ("line-edit", lambda t: f"/messages/lines/{t['conversation'].line_id}/"),
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
    "line-new-errors": "Add line",
    "inbox-labels-errors": "Add label",
    "inbox-canned-errors": "Add canned reply",
}


def errors_shown(page, name: str, zone: str = "Somewhere/Else") -> None:
    """Put the page in its error state where ``name`` asks for one."""
    if name == "contact-new-errors":
        page.click("button:has-text('Add contact')")
        page.wait_for_selector(".errorlist")
    elif name == "retention-errors":
        page.fill("#id_message_retention_days", "0")
        page.click("main button:has-text('Save')")
        page.wait_for_selector(".errorlist")
    elif name == "settings-errors":
        page.fill("#id_time_zone", zone)
        page.click("button:has-text('Save')")
        page.wait_for_selector(".errorlist")
    elif name in SUBMIT_EMPTY:
        page.click(f"main button:has-text('{SUBMIT_EMPTY[name]}')")
        page.wait_for_selector(".errorlist")
    elif name == "thread-empty-reply":
        page.click("#reply-form button[type=submit]")
        page.wait_for_selector("#reply-form [aria-invalid=true]")


#: Controls a phone user must reach without scrolling a table sideways.
MUST_BE_ON_SCREEN = {
    "api-keys": ["button:has-text('Revoke')", "button:has-text('Create key')"],
    "contact": ["button:has-text('Save')", "[data-testid=opt-toggle]"],
    "people": ["button:has-text('Deactivate')", "button:has-text('Send invitation')"],
    "thread": ["[data-testid=show-contact]", "[data-testid=send]"],
    "thread-contact": ["[data-testid=contact-panel]", "[data-testid=hide-contact]"],
}

#: aria-describedby ids with no element: help or errors a screen reader cannot reach.
DANGLING = """() => Array.from(document.querySelectorAll('[aria-describedby]'))
  .flatMap(el => el.getAttribute('aria-describedby').split(/\\s+/))
  .filter(id => id && !document.getElementById(id))"""

#: The deepest elements that stick out on the right: what to fix, named in the failure.
OVERFLOWING = """() => Array.from(document.querySelectorAll('body *'))
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter(el => !Array.from(el.children).some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
  .slice(0, 4)
  .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
       + ' ' + Math.round(el.getBoundingClientRect().right))"""


def test_every_console_page_fits_a_phone(browser, live_server, staff_login, page, seeded, thread):
    page.set_viewport_size(PHONE)
    too_wide, dangling = {}, {}
    pages = [(n, p, seeded) for n, p in CONSOLE_PAGES] + [(n, p, thread) for n, p in MESSAGING_PAGES]
    for name, path_of, objects in pages:
        response = page.goto(path_of(objects))
        assert response.status < 500, name
        errors_shown(page, name, zone="Somewhere/Over_The_Rainbow_In_A_Very_Long_Zone_Name")
        width = page.evaluate("document.documentElement.scrollWidth")
        missing = page.evaluate(DANGLING)
        if missing:
            dangling[name] = missing
        for selector in MUST_BE_ON_SCREEN.get(name, ()):
            box = page.locator(selector).first.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, selector, box)
        if width > PHONE["width"]:
            too_wide[name] = (width, page.evaluate(OVERFLOWING))
            screenshot(page, f"phone-too-wide-{name}")
    assert too_wide == {}
    assert dangling == {}


def test_the_pages_before_login_fit_a_phone(browser, live_server, db):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    try:
        for path in PUBLIC_PAGES:
            page.goto(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    finally:
        context.close()
