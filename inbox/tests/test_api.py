"""``/api/v1/conversations``, notes, labels and canned replies over HTTP with an API key."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inbox import services
from inbox.choices import State
from inbox.models import Note, Work
from inbox.policy import SYSTEM
from messaging.tests import console_data as d
from outreach.testing import assert_matches_schema, key_client
from webhooks.models import Event

from .helpers import conversations, person

pytestmark = pytest.mark.django_db
LIST = "/api/v1/conversations"


def cost(queries) -> int:
    """Queries of the request but the key's lookup and its last-used stamp (cached for a
    minute, so a slow run may pay them again between two measured requests)."""
    return sum('"outreach_apikey"' not in q["sql"] for q in queries.captured_queries)


def one(pk: int) -> str:
    return f"{LIST}/{pk}"


@pytest.fixture
def team(account):
    return {"meg": person(account, "meg", "manager"), "ann": person(account, "ann"), "bob": person(account, "bob")}


def test_the_list_filters_by_assignee_state_label_line_and_q(account, api, team):
    ann, meg = team["ann"], team["meg"]
    a, b, c = conversations(account, 3)
    ada = d.contact(account, "+15125550177", "Ada", "Lovelace")
    other_line = d.line(account, "+15125559999")
    e = d.conversation(account, other_line, "+15125550177", contact_row=ada)
    vip = services.save_label(account, {"name": "VIP"}, actor=meg.actor)
    services.assign(account, a.pk, ann.pk, actor=meg.actor)
    services.close(account, b.pk, actor=meg.actor)
    services.label(account, c.pk, [vip.pk], actor=meg.actor)

    def ids(**params) -> set[int]:
        response = api.get(LIST, params)
        assert response.status_code == 200, response.content
        assert_matches_schema(response, LIST)
        return {row["id"] for row in response.json()["items"]}

    assert ids() == {a.pk, b.pk, c.pk, e.pk}
    assert ids(assignee=ann.pk) == {a.pk}
    assert ids(assignee="none") == {b.pk, c.pk, e.pk}
    assert ids(state="open") == {a.pk, c.pk, e.pk} and ids(state="closed") == {b.pk}
    assert ids(label=vip.pk) == {c.pk}
    assert ids(line="15125559999") == {e.pk} and ids(q="lovelace") == {e.pk}
    mine = key_client(account, ["messages"], created_by=ann)
    assert {row["id"] for row in mine.get(LIST, {"assignee": "me"}).json()["items"]} == {a.pk}
    row = next(r for r in api.get(LIST).json()["items"] if r["id"] == c.pk)
    assert row["labels"] == [{"id": vip.pk, "name": "VIP", "colour": "#6b7280"}] and row["state"] == "open"


def test_bad_query_parameters_are_all_named_in_one_400(api):
    response = api.get(LIST, {"assignee": "someone", "state": "done", "label": "x", "line": "+1999"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert all(name in detail for name in ("assignee:", "state:", "label:", "line:"))
    assert "no person" in api.get(LIST, {"assignee": "me"}).json()["detail"]


def test_patch_one_conversation_and_its_events(account, api, team):
    conv, = conversations(account, 1)
    vip = services.save_label(account, {"name": "VIP"}, actor=team["meg"].actor)
    response = api.patch(one(conv.pk), {"assignee": team["ann"].pk, "state": "closed", "labels": [vip.pk]},
                         format="json")
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/v1/conversations/{id}")
    body = response.json()
    assert (body["assignee"]["username"], body["state"], [lb["name"] for lb in body["labels"]]) == ("ann", "closed", ["VIP"])
    assert set(Event.objects.values_list("type", flat=True)) == {"conversation.assigned", "conversation.closed"}
    until = timezone.now() + timedelta(hours=2)
    body = api.patch(one(conv.pk), {"snooze_until": until.isoformat()}, format="json").json()
    assert body["state"] == "snoozed" and body["snooze_until"]
    assert Work.objects.get(pk=conv.pk).assignee == team["ann"]


def test_every_bad_field_is_named_in_one_422(account, api, other_account):
    conv, = conversations(account, 1)
    stranger = person(other_account, "otto")
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = api.patch(one(conv.pk), {"assignee": stranger.pk, "state": "done", "labels": ["x"],
                                        "add_labels": [424242]}, format="json")
    assert response.status_code == 422
    assert_matches_schema(response, "/api/v1/conversations/{id}")
    assert set(response.json()["errors"]) == {"assignee", "state", "labels.0", "add_labels"}
    response = api.patch(one(conv.pk), {"state": "snoozed", "snooze_until": past}, format="json")
    assert response.status_code == 422 and set(response.json()["errors"]) == {"snooze_until"}
    response = api.patch(one(conv.pk), {}, format="json")
    assert response.status_code == 422 and "at least one" in response.json()["detail"]


def test_another_accounts_conversation_is_404(account, other_account, api):
    theirs, = conversations(other_account, 1)
    assert api.get(one(theirs.pk)).status_code == 404
    assert api.patch(one(theirs.pk), {"state": "closed"}, format="json").status_code == 404
    assert api.get(f"{one(theirs.pk)}/notes").status_code == 404
    assert api.post(f"{one(theirs.pk)}/notes", {"body": "hi"}, format="json").status_code == 404
    response = api.patch(LIST, {"ids": [theirs.pk], "state": "closed"}, format="json")
    assert response.status_code == 422 and str(theirs.pk) in response.json()["errors"]["ids"][0]
    assert not Work.objects.exists()
    label = services.save_label(other_account, {"name": "Theirs"}, actor=SYSTEM)
    assert api.get(f"/api/v1/labels/{label.pk}").status_code == 404
    assert api.patch(f"/api/v1/labels/{label.pk}", {"name": "Mine"}, format="json").status_code == 404


def test_bulk_patch_assigns_labels_and_closes_in_constant_queries(account, api, team):
    vip = services.save_label(account, {"name": "VIP"}, actor=team["meg"].actor)
    costs = {}
    for count, first in ((10, 100), (100, 300)):
        ids = [c.pk for c in conversations(account, count, first=first)]
        body = {"ids": ids, "assignee": team["bob"].pk, "state": "closed", "add_labels": [vip.pk]}
        with CaptureQueriesContext(connection) as queries:
            response = api.patch(LIST, body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["updated"] == count
        costs[count] = cost(queries)
    assert costs[10] == costs[100], costs
    assert_matches_schema(response, LIST, "PATCH")
    assert Work.objects.filter(state=State.CLOSED, assignee=team["bob"]).count() == 110


@pytest.mark.parametrize("count", [10, 100])
def test_the_list_costs_the_same_queries_for_10_or_100(account, api, team, count):
    vip = services.save_label(account, {"name": "VIP"}, actor=team["meg"].actor)
    ids = [c.pk for c in conversations(account, count)]
    services.apply(account, ids, services.parse(account, {"assignee": team["ann"].pk, "add_labels": [vip.pk]}),
                   actor=team["meg"].actor)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(LIST, {"per_page": 100, "label": vip.pk, "assignee": team["ann"].pk})
    assert len(response.json()["items"]) == count
    assert cost(queries) == QUERIES_PER_LIST, [q["sql"][:90] for q in queries.captured_queries]


#: The label's check, the count, the page, the labels of the page.
QUERIES_PER_LIST = 4


def test_notes_over_the_api(account, api, team):
    conv, = conversations(account, 1)
    response = api.post(f"{one(conv.pk)}/notes", {"body": "VIP: be nice"}, format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/v1/conversations/{id}/notes")
    assert response.json()["author"] == "API key test key"
    response = api.get(f"{one(conv.pk)}/notes")
    assert [n["body"] for n in response.json()["items"]] == ["VIP: be nice"]
    assert api.post(f"{one(conv.pk)}/notes", {"body": ""}, format="json").status_code == 422
    assert Note.objects.count() == 1 and not conv.messages.exists()


def test_labels_and_canned_replies_crud(account, other_account, api):
    response = api.post("/api/v1/labels", {"name": "VIP", "colour": "#2563eb"}, format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/v1/labels")
    pk = response.json()["id"]
    response = api.post("/api/v1/labels", {"name": "vip", "colour": "blue"}, format="json")
    assert response.status_code == 422 and set(response.json()["errors"]) == {"name", "colour"}
    response = api.post("/api/v1/labels", {"name": "VIP", "colour": 7}, format="json")
    assert response.status_code == 422 and set(response.json()["errors"]) == {"name", "colour"}
    assert api.patch(f"/api/v1/labels/{pk}", {"name": "Gold"}, format="json").json()["name"] == "Gold"
    assert api.get("/api/v1/labels").json()["total"] == 1
    assert api.delete(f"/api/v1/labels/{pk}").status_code == 204

    response = api.post("/api/v1/canned-replies", {"shortcut": "/hi", "body": "Hi {first_name|there}!"}, format="json")
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/v1/canned-replies")
    pk = response.json()["id"]
    assert response.json()["shortcut"] == "hi"
    response = api.post("/api/v1/canned-replies", {"shortcut": "hi", "body": "{oops"}, format="json")
    assert response.status_code == 422 and set(response.json()["errors"]) == {"shortcut", "body"}
    response = api.post("/api/v1/canned-replies", {"shortcut": "hi", "body": ["not", "text"]}, format="json")
    assert response.status_code == 422  # a wrong type and a taken shortcut, named together and set(response.json()["errors"]) == {"shortcut", "body"}
    response = api.patch(f"/api/v1/canned-replies/{pk}", {"body": "Hello {first_name|friend}"}, format="json")
    assert response.status_code == 200 and response.json()["body"] == "Hello {first_name|friend}"
    ada = d.contact(account, "+15125550199", "Ada")
    conv = d.conversation(account, d.line(account), "+15125550199", contact_row=ada)
    stranger, = conversations(other_account, 1, first=500)
    response = api.get("/api/v1/canned-replies", {"conversation_id": conv.pk})
    assert_matches_schema(response, "/api/v1/canned-replies")
    assert [r["rendered"] for r in response.json()["items"]] == ["Hello Ada"]
    assert api.get(f"/api/v1/canned-replies/{pk}").json()["rendered"] is None
    assert api.get(f"/api/v1/canned-replies/{pk}", {"conversation_id": stranger.pk}).status_code == 400
    assert api.delete(f"/api/v1/canned-replies/{pk}").status_code == 204
    assert api.get(f"/api/v1/canned-replies/{pk}").status_code == 404
