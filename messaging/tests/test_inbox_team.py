"""The console inbox for a team, over HTTP: each role's views (Mine, Unassigned, All,
Snoozed, Closed, by label, by line), what an agent may open, and the sidebar's counts.
The views and the rules are the inbox app's (``inbox/listing.py``, ``inbox/policy.py``);
these tests check messaging's pages apply them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from inbox import services
from inbox.models import Label
from inbox.policy import SYSTEM
from outreach.services import create_staff_user

from . import console_data as d

pytestmark = pytest.mark.django_db


def client_for(account, username: str, role: str):
    user = create_staff_user(account, username, "pw-for-tests-123", role)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200
    return {c.pk for c in response.context["window"].rows}


@pytest.fixture
def team(account, line):
    """ann (agent), bob (agent), a manager and a viewer; conversations: ann's, bob's,
    nobody's, a snoozed one, a closed one; one labelled, one on a second line."""
    people = {name: client_for(account, name, role) for name, role in
              (("ann", "agent"), ("bob", "agent"), ("max", "manager"), ("vic", "viewer"))}
    second = d.line(account, "+15125550200")
    convs = {name: d.conversation(account, line, f"+1213555{i:04d}", unread=1)
             for i, name in enumerate(("anns", "bobs", "free", "snoozed", "closed", "labelled"))}
    convs["other_line"] = d.conversation(account, second, "+12135559999", unread=1)
    services.assign(account, convs["anns"].pk, people["ann"].user.pk, actor=SYSTEM)
    services.assign(account, convs["bobs"].pk, people["bob"].user.pk, actor=SYSTEM)
    services.apply(account, [convs["snoozed"].pk], services.parse(account, {"state": "snoozed",
                   "snooze_until": timezone.now() + timedelta(days=1)}), actor=SYSTEM)
    services.close(account, convs["closed"].pk, actor=SYSTEM)
    label = Label.objects.create(account=account, name="VIP", colour="#c00")
    services.apply(account, [convs["labelled"].pk], services.parse(account, {"add_labels": [label.pk]}), actor=SYSTEM)
    return people, {k: v.pk for k, v in convs.items()}, label, second


def test_an_agent_opens_on_mine_and_never_lists_another_agents_conversation(team):
    people, c, label, second = team
    ann = people["ann"]
    assert ids(ann.get("/messages/inbox/")) == {c["anns"]}
    assert ids(ann.get("/messages/inbox/?view=unassigned")) == {c["free"], c["labelled"], c["other_line"]}
    assert ids(ann.get("/messages/inbox/?view=all")) == {c["anns"], c["free"], c["labelled"], c["other_line"]}
    assert ids(ann.get(f"/messages/inbox/?view=label:{label.pk}")) == {c["labelled"]}
    assert ids(ann.get(f"/messages/inbox/?view=line:{second.pk}")) == {c["other_line"]}
    assert ids(ann.get("/messages/inbox/?view=closed")) == {c["closed"]}
    assert ids(ann.get("/messages/inbox/?view=snoozed")) == {c["snoozed"]}
    for view in ("all", "mine", "unassigned", "closed", "snoozed", "nonsense"):
        listed = ann.get(f"/messages/inbox/list?view={view}")
        assert listed.status_code == 200 and c["bobs"] not in {r.pk for r in listed.context["window"].rows}


def test_managers_and_viewers_open_on_all_open_conversations(team):
    people, c, label, second = team
    everyone_open = {c["anns"], c["bobs"], c["free"], c["labelled"], c["other_line"]}
    assert ids(people["max"].get("/messages/inbox/")) == everyone_open
    assert ids(people["vic"].get("/messages/inbox/")) == everyone_open
    assert ids(people["max"].get("/messages/inbox/?view=mine")) == set()
    # An unknown view is the default one, not an error.
    assert ids(people["max"].get("/messages/inbox/?view=label:x")) == everyone_open


def test_the_view_rides_along_in_the_filters_links_and_poll(team):
    people, c, label, _ = team
    page = people["max"].get(f"/messages/inbox/?view=label:{label.pk}&q=213").content.decode()
    assert f'name="view" value="label:{label.pk}"' in page
    assert f"view=label%3A{label.pk}" in page  # the poll's URL and the rows' links keep it
    empty = people["max"].get("/messages/inbox/?view=mine").content.decode()
    assert "No conversation in this view." in empty


def test_an_agent_opening_another_agents_conversation_by_url_gets_a_404_and_can_do_nothing(team):
    people, c, _, _ = team
    ann, bobs = people["ann"], c["bobs"]
    assert ann.get(f"/messages/inbox/{bobs}/").status_code == 404
    assert ann.get(f"/messages/inbox/{bobs}/messages").status_code == 404
    assert ann.post(f"/messages/inbox/{bobs}/reply", {"content": "hi"}).status_code == 404
    assert ann.post(f"/messages/inbox/{bobs}/simulate", {"text": "hi"}).status_code == 404
    assert ann.get(f"/messages/inbox/{c['free']}/").status_code == 200
    assert ann.get(f"/messages/inbox/{c['closed']}/").status_code == 200  # nobody's, closed
    assert people["vic"].get(f"/messages/inbox/{bobs}/").status_code == 200
    assert people["max"].get(f"/messages/inbox/{bobs}/").status_code == 200


def test_the_list_shows_the_views_with_the_unread_counts_the_person_may_see(team):
    people, c, label, second = team
    page = people["ann"].get("/messages/inbox/").content.decode()
    assert 'data-testid="view-counts"' in page and 'hx-get="/inbox/counts?view=mine"' in page
    assert 'data-testid="view-mine"' in page and 'aria-current="page"' in page
    counts = {v.key: v.unread for v in people["ann"].get("/messages/inbox/").context["inbox_views"]}
    assert counts["mine"] == 1 and counts["all"] == 4 and counts["closed"] == 1  # never bob's
    assert counts[f"label:{label.pk}"] == 1 and counts[f"line:{second.pk}"] == 1
    manager = {v.key: v.unread for v in people["max"].get("/messages/inbox/").context["inbox_views"]}
    assert manager["all"] == 5 and manager["mine"] == 0
    # The poll the sidebar makes answers for the same person.
    polled = people["ann"].get("/inbox/counts?view=mine")
    assert polled.status_code == 200 and 'aria-label="4 unread"' in polled.content.decode()


def test_the_thread_has_the_work_controls_and_its_notes_in_the_timeline(team, account):
    people, c, label, _ = team
    ann = people["ann"]
    d.message(d.Conversation.objects.get(pk=c["anns"]), "Where is my parcel?", outbound=False)
    services.add_note(account, c["anns"], "Called the courier", actor=SYSTEM)
    page = ann.get(f"/messages/inbox/{c['anns']}/").content.decode()
    assert 'data-testid="work-controls"' in page and "Assigned to ann" in page
    assert 'data-testid="assign-form"' in page and 'data-testid="close"' in page
    assert 'data-testid="note-box"' in page and f'action="/inbox/conversations/{c["anns"]}/notes"' in page
    assert page.index("Where is my parcel?") < page.index('data-testid="thread-note"') < page.index("Called the courier")
    # The poll brings a new note (and answers 204 while nothing changed).
    version = ann.get(f"/messages/inbox/{c['anns']}/").context["thread_version"]
    assert ann.get(f"/messages/inbox/{c['anns']}/messages", {"v": version}).status_code == 204
    ann.post(f"/inbox/conversations/{c['anns']}/notes", {"body": "Parcel found"})
    polled = ann.get(f"/messages/inbox/{c['anns']}/messages", {"v": version})
    assert polled.status_code == 200 and "Parcel found" in polled.content.decode()
    viewer = people["vic"].get(f"/messages/inbox/{c['anns']}/").content.decode()
    assert "Assigned to ann" in viewer and 'data-testid="assign-form"' not in viewer
    assert 'data-testid="note-box"' not in viewer and "Called the courier" in viewer


def test_the_list_rows_show_assignee_and_labels_and_redraw_when_they_change(team, account):
    people, c, label, _ = team
    max_ = people["max"]
    page = max_.get("/messages/inbox/")
    rows = {r.pk: r for r in page.context["window"].rows}
    assert rows[c["anns"]].inbox_row["assignee"].username == "ann"
    html = page.content.decode()
    assert 'data-testid="row-label">VIP<' in html and 'data-testid="row-assignee">ann<' in html
    version = page.context["window"].extra["version"]
    assert max_.get("/messages/inbox/list", {"v": version}).status_code == 204
    services.assign(account, c["free"], people["max"].user.pk, actor=SYSTEM)
    polled = max_.get("/messages/inbox/list", {"v": version})
    assert polled.status_code == 200 and 'data-testid="row-assignee">max<' in polled.content.decode()


def test_the_list_offers_bulk_actions_to_who_may_use_them(team):
    people, c, label, _ = team
    page = people["ann"].get("/messages/inbox/?view=all").content.decode()
    assert 'data-testid="bulk-form"' in page and 'action="/inbox/conversations/bulk"' in page
    assert f'name="ids" value="{c["free"]}" form="inbox-bulk"' in page
    polled = people["ann"].get("/messages/inbox/list?view=all").content.decode()
    assert f'name="ids" value="{c["free"]}" form="inbox-bulk"' in polled  # the poll keeps the boxes
    viewer = people["vic"].get("/messages/inbox/").content.decode()
    assert 'data-testid="bulk-form"' not in viewer and 'form="inbox-bulk"' not in viewer


def test_the_inbox_pages_load_the_reply_notifier(team):
    people, c, _, _ = team
    for path in ("/messages/inbox/", f"/messages/inbox/{c['anns']}/"):
        page = people["ann"].get(path).content.decode()
        assert 'data-inbox-notify="/inbox/notify"' in page and "/static/inbox/notify.js" in page
        assert "data-notify-permission" in page


def test_the_live_poll_brings_an_opt_out_and_a_new_contact_to_the_header_reply_box_and_panel(account, line):
    from contacts.models import Contact
    from messaging import services as messaging

    owner = client_for(account, "olga", "owner")
    conv = d.conversation(account, line, "+15125550188")
    page = owner.get(f"/messages/inbox/{conv.pk}/")
    html = page.content.decode()
    assert "Not in your contacts" in html and 'id="thread-live"' in html
    version = page.context["live_version"]
    live = f"/messages/inbox/{conv.pk}/live"
    assert owner.get(live, {"v": version}).status_code == 204
    Contact.objects.create(account=account, e164_number="+15125550188", first_name="Grace")
    fresh = owner.get(live, {"v": version})
    assert fresh.status_code == 200
    body = fresh.content.decode()
    assert "Not in your contacts" not in body and "Grace" in body and 'id="contact-card" hx-swap-oob="true"' in body
    assert 'data-testid="reply-disabled"' not in body
    assert 'id="reply-slot"' not in body, "the reply box, and the draft in it, stay: the opt-out is unchanged"
    assert "&quot;o&quot;: &quot;&quot;" in body or '"o": ""' in body
    version = fresh.context["live_version"]
    messaging.simulate_inbound(account, line, "+15125550188", "STOP")
    stopped = owner.get(live, {"v": version, "o": ""}).content.decode()
    assert 'id="reply-slot"' in stopped
    assert 'data-testid="header-opted-out"' in stopped and 'data-testid="opted-out-note"' in stopped
    assert 'data-testid="reply-disabled"' in stopped and '<fieldset class="reply-fieldset" disabled>' in stopped
    assert 'data-testid="opted-out"' in stopped  # the contact panel's badge
    viewer = client_for(account, "vera", "viewer").get(live).content.decode()
    assert 'id="reply-slot"' not in viewer  # a viewer has no reply box to swap


def test_a_failed_bubble_is_retried_from_the_thread_by_who_may_send_there(team, account, line):
    from messaging.choices import Status
    from outreach.models import AuditEntry

    people, c, _, _ = team
    conv = d.Conversation.objects.get(pk=c["anns"])
    failed = d.message(conv, "Your invoice", status=Status.ERROR, attempts=5, error_message="Carrier timeout")
    delivered = d.message(conv, "Thanks")
    retry = f"/messages/inbox/{conv.pk}/messages/{failed.handle}/retry"
    page = people["ann"].get(f"/messages/inbox/{conv.pk}/").content.decode()
    assert page.count('data-testid="retry-message"') == 1 and retry in page
    assert 'data-testid="retry-message"' not in people["vic"].get(f"/messages/inbox/{conv.pk}/").content.decode()
    assert people["vic"].post(retry).status_code == 403
    assert people["bob"].post(retry).status_code == 404  # not bob's conversation
    answer = people["ann"].post(retry, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and f'data-handle="{failed.handle}"' in answer.content.decode()
    failed.refresh_from_db()
    assert failed.status == Status.QUEUED and failed.attempts == 0 and failed.error_message == ""
    assert AuditEntry.objects.filter(action="message.dead_letter_retried", actor=people["ann"].user).count() == 1
    # Only a dead letter goes again: a delivered message is refused, and says so.
    people["ann"].post(f"/messages/inbox/{conv.pk}/messages/{delivered.handle}/retry")
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED
