"""/api/v1/contacts over HTTP: shapes (checked against the OpenAPI document), E.164
conversion, validation messages, search and filters, opt-out/opt-in and its webhook."""
from __future__ import annotations

import pytest

from contacts.models import Contact
from contacts.tests.factories import ContactFactory, ContactListFactory
from outreach.testing import assert_matches_schema
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def test_it_creates_a_contact_and_converts_the_number_to_e164(api, account):
    lst = ContactListFactory(account=account, name="Hot Leads")
    response = api.post(
        "/api/v1/contacts",
        {
            "phone_number": "(555) 123-4567", "first_name": "John", "last_name": "Doe",
            "email": "john@example.com", "timezone": "America/New_York", "tags": ["lead", "priority"],
            "list_ids": [str(lst.pk)], "custom_variables": {"plan": "gold"}, "company_name": "Acme",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert_matches_schema(response, "/api/v1/contacts")
    body = response.json()
    assert body["phone_number"] == "(555) 123-4567"
    assert body["e164_number"] == "+15551234567"
    assert body["tags"] == ["lead", "priority"]
    assert body["list_ids"] == [str(lst.pk)]
    assert body["opted_out"] is False
    assert body["custom_variables"] == {"plan": "gold"}
    assert Contact.objects.get(pk=body["id"]).account == account


@pytest.mark.parametrize(
    "payload,field,words",
    [
        ({"first_name": "No number"}, "phone_number", "required"),
        ({"phone_number": "not a phone"}, "phone_number", "not a phone number"),
        ({"phone_number": "12"}, "phone_number", "cannot be a phone number"),
        ({"phone_number": "+15551234567", "timezone": "Mars/Olympus"}, "timezone", "IANA time zone"),
        ({"phone_number": "+15551234567", "email": "nope"}, "email", "not an email address"),
        ({"phone_number": "+15551234567", "list_ids": ["00000000-0000-0000-0000-000000000000"]},
         "list_ids", "No list with id"),
        ({"phone_number": "+15551234567", "custom_variables": {"bad key": 1}}, "custom_variables", "must start"),
    ],
)
def test_bad_input_is_a_422_that_says_what_to_fix(api, payload, field, words):
    response = api.post("/api/v1/contacts", payload, format="json")
    assert response.status_code == 422, response.content
    assert_matches_schema(response, "/api/v1/contacts")
    body = response.json()
    assert words in body["detail"]
    assert field in body["errors"]
    assert not Contact.objects.exists()


def test_one_contact_per_number_per_account(api, account, other_account):
    ContactFactory(account=other_account, e164_number="+15551234567")
    assert api.post("/api/v1/contacts", {"phone_number": "+1 555 123 4567"}, format="json").status_code == 201
    response = api.post("/api/v1/contacts", {"phone_number": "555.123.4567"}, format="json")
    assert response.status_code == 409
    assert "+15551234567 already exists" in response.json()["detail"]


def test_the_list_is_paginated_as_seed_003(api, account, other_account):
    for _ in range(30):
        ContactFactory(account=account)
    ContactFactory(account=other_account)
    first = api.get("/api/v1/contacts")
    assert first.status_code == 200
    assert_matches_schema(first, "/api/v1/contacts")
    body = first.json()
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (30, 1, 25, 2)
    assert len(body["items"]) == 25
    second = api.get("/api/v1/contacts", {"page": 2, "per_page": 25}).json()
    assert len(second["items"]) == 5
    assert not {c["id"] for c in second["items"]} & {c["id"] for c in body["items"]}
    assert api.get("/api/v1/contacts", {"per_page": 101}).status_code == 400


@pytest.fixture
def people(account):
    return {
        "john": ContactFactory(account=account, first_name="John", last_name="Doe", e164_number="+15551234567",
                               email="jd@acme.test", tags=["lead"]),
        "jane": ContactFactory(account=account, first_name="Jane", last_name="Roe", e164_number="+15559876543",
                               email="jane@other.test", tags=["customer"]),
        "uk": ContactFactory(account=account, first_name="Olly", last_name="Brit", e164_number="+447700900123"),
    }


def _search(api, text, **extra):
    response = api.get("/api/v1/contacts", {"search": text, **extra})
    assert response.status_code == 200, response.content
    return {c["first_name"] for c in response.json()["items"]}


@pytest.mark.parametrize(
    "text,found",
    [
        ("john", {"John"}), ("DOE", {"John"}), ("john doe", {"John"}), ("jane@other", {"Jane"}),
        ("(555) 123-4567", {"John"}), ("555-123-4567", {"John"}), ("+15551234567", {"John"}),
        ("5559876543", {"Jane"}), ("+44 7700 900123", {"Olly"}), ("555", {"John", "Jane"}),
        ("nobody", set()),
    ],
)
def test_search_by_name_email_and_phone_in_any_format(api, people, text, found):
    assert _search(api, text) == found


def test_search_never_crosses_accounts(api, other_account, people):
    ContactFactory(account=other_account, first_name="John", e164_number="+15551230000")
    assert _search(api, "john") == {"John"}


def test_filters_by_list_tag_and_opt_out(api, account, people):
    lst = ContactListFactory(account=account)
    people["jane"].lists.add(lst)
    people["uk"].opted_out_at = people["uk"].created_at
    people["uk"].save()
    assert _search(api, "", list_id=str(lst.pk)) == {"Jane"}
    assert _search(api, "", tag="lead") == {"John"}
    assert _search(api, "", opted_out="true") == {"Olly"}
    assert _search(api, "", opted_out="false") == {"John", "Jane"}
    bad = api.get("/api/v1/contacts", {"list_id": "not-a-uuid"})
    assert bad.status_code == 400
    assert "list_id" in bad.json()["detail"]


@pytest.mark.parametrize("word", ["maybe", "yes", "2", "on"])
def test_a_bad_boolean_is_a_400_naming_the_parameter_and_the_spellings(api, people, word):
    response = api.get("/api/v1/contacts", {"opted_out": word})
    assert response.status_code == 400
    assert response.json() == {"detail": f"opted_out: Use true or false (also 1 or 0); got {word!r}."}


def test_a_boolean_is_true_false_or_1_0_in_any_case(api, people):
    people["uk"].opted_out_at = people["uk"].created_at
    people["uk"].save()
    assert _search(api, "", opted_out="TRUE") == _search(api, "", opted_out="1") == {"Olly"}
    assert _search(api, "", opted_out="False") == _search(api, "", opted_out="0") == {"John", "Jane"}
    assert _search(api, "", opted_out="") == {"John", "Jane", "Olly"}


def test_the_document_lists_a_booleans_spellings(client):
    doc = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    raw = doc["paths"]["/api/v1/contacts"]["get"]["parameters"]
    opted_out = next(p for p in raw if p["name"] == "opted_out")
    assert opted_out["schema"]["type"] == "string"
    assert sorted(opted_out["schema"]["enum"]) == ["0", "1", "false", "true"]


def test_get_update_and_delete_one_contact(api, account, other_account):
    contact = ContactFactory(account=account, first_name="Old", tags=["a"])
    url = f"/api/v1/contacts/{contact.pk}"
    got = api.get(url)
    assert got.status_code == 200
    assert_matches_schema(got, "/api/v1/contacts/{id}")
    patched = api.patch(url, {"first_name": "New", "timezone": "Europe/Paris"}, format="json")
    assert patched.status_code == 200, patched.content
    assert_matches_schema(patched, "/api/v1/contacts/{id}")
    assert (patched.json()["first_name"], patched.json()["tags"]) == ("New", ["a"])
    put = api.put(url, {"phone_number": "(555) 000-1111"}, format="json")
    assert_matches_schema(put, "/api/v1/contacts/{id}")
    assert put.json()["e164_number"] == "+15550001111"
    assert put.json()["first_name"] == "New"
    assert _search(api, "5550001111") == {"New"}
    bad = api.patch(url, {"timezone": "Nowhere/Land"}, format="json")
    assert bad.status_code == 422
    assert "IANA" in bad.json()["errors"]["timezone"][0]
    deleted = api.delete(url)
    assert deleted.status_code == 204
    assert_matches_schema(deleted, "/api/v1/contacts/{id}")
    assert api.get(url).status_code == 404
    theirs = ContactFactory(account=other_account)
    for method in ("get", "patch", "delete"):
        response = getattr(api, method)(f"/api/v1/contacts/{theirs.pk}", {}, format="json")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert Contact.objects.filter(pk=theirs.pk).exists()


def test_opt_out_and_in_emit_the_webhook_once(api, account):
    contact = ContactFactory(account=account)
    response = api.post(f"/api/v1/contacts/{contact.pk}/opt-out")
    assert response.status_code == 200
    assert_matches_schema(response, "/api/v1/contacts/{id}/opt-out")
    body = response.json()
    assert body["id"] == str(contact.pk) and body["opted_out"] is True and body["opted_out_at"]
    api.post(f"/api/v1/contacts/{contact.pk}/opt-out")
    events = Event.objects.filter(account=account, type="contact_opted_out")
    assert events.count() == 1
    assert events.get().payload["e164_number"] == contact.e164_number
    assert events.get().payload["source"] == "api"
    opted_in = api.post(f"/api/v1/contacts/{contact.pk}/opt-in")
    assert_matches_schema(opted_in, "/api/v1/contacts/{id}/opt-in")
    assert opted_in.json()["opted_out"] is False and opted_in.json()["opted_out_at"] is None


def test_sends_to_an_opted_out_contact_are_declined_until_opt_in(api, account):
    from messaging.choices import Status
    from messaging.services import add_line, send

    add_line(account, "+15125550100")
    contact = ContactFactory(account=account, e164_number="+15125550610")
    api.post(f"/api/v1/contacts/{contact.pk}/opt-out")
    declined = send(account, to=contact.e164_number, content="hello")
    assert declined.status == Status.DECLINED
    api.post(f"/api/v1/contacts/{contact.pk}/opt-in")
    assert send(account, to=contact.e164_number, content="hello again").status != Status.DECLINED


def test_scopes_read_only_reads_campaigns_cannot_touch(api_for, account):
    contact = ContactFactory(account=account)
    read_only = api_for(account, ["read_only"])
    assert read_only.get(f"/api/v1/contacts/{contact.pk}").status_code == 200
    refused = read_only.post("/api/v1/contacts", {"phone_number": "+15551112222"}, format="json")
    assert refused.status_code == 403
    assert "do not allow changing contacts" in refused.json()["detail"]
    campaigns = api_for(account, ["campaigns"])
    assert campaigns.get("/api/v1/contacts").status_code == 403
    assert campaigns.post(f"/api/v1/contacts/{contact.pk}/opt-out").status_code == 403
    writer = api_for(account, ["contacts"])
    assert writer.post("/api/v1/contacts", {"phone_number": "+15551112222"}, format="json").status_code == 201
    assert Contact.objects.get(pk=contact.pk).opted_out_at is None
