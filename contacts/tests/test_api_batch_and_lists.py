"""/api/v1/contacts/batch and /api/v1/lists over HTTP."""
from __future__ import annotations

import pytest

from contacts.models import Contact, ContactList
from contacts.tests.factories import ContactFactory, ContactListFactory
from outreach.testing import assert_matches_schema

pytestmark = pytest.mark.django_db


def test_batch_skips_duplicates_and_reports_bad_rows_by_index(api, account):
    lst = ContactListFactory(account=account)
    ContactFactory(account=account, e164_number="+15551000003")
    response = api.post(
        "/api/v1/contacts/batch",
        {
            "contacts": [
                {"phone_number": "(555) 100-0001", "first_name": "Alice"},
                {"phone_number": "(555) 100-0002", "first_name": "Bob", "tags": ["x"]},
                {"phone_number": "(555) 100-0003", "first_name": "Carol"},  # already a contact
                {"phone_number": "+1 555 100 0001", "first_name": "Alice again"},  # repeated in the batch
                {"phone_number": "banana", "first_name": "Bad"},
                {"phone_number": "(555) 100-0009", "timezone": "Atlantis/Capital"},
                {"first_name": "No number"},
            ],
            "list_ids": [str(lst.pk)],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert_matches_schema(response, "/api/v1/contacts/batch")
    body = response.json()
    assert (body["total_submitted"], body["created"], body["duplicates_skipped"], body["errors"]) == (7, 2, 2, 3)
    details = {d["index"]: d for d in body["error_details"]}
    assert set(details) == {4, 5, 6}
    assert "not a phone number" in details[4]["reason"] and details[4]["phone_number"] == "banana"
    assert "IANA time zone" in details[5]["reason"]
    assert "required" in details[6]["reason"]
    alice = Contact.objects.get(account=account, e164_number="+15551000001")
    assert alice.first_name == "Alice" and list(alice.lists.all()) == [lst]
    assert Contact.objects.get(e164_number="+15551000002").tags == ["x"]
    assert not Contact.objects.get(e164_number="+15551000003").lists.exists()  # skipped, untouched
    assert api.get("/api/v1/contacts", {"search": "bob"}).json()["total"] == 1


def test_batch_shape_errors_are_422(api, account, other_account):
    too_many = {"contacts": [{"phone_number": f"+1555300{i:04d}"} for i in range(1001)]}
    response = api.post("/api/v1/contacts/batch", too_many, format="json")
    assert response.status_code == 422
    assert_matches_schema(response, "/api/v1/contacts/batch")
    assert "contacts" in response.json()["errors"]
    theirs = ContactListFactory(account=other_account)
    response = api.post(
        "/api/v1/contacts/batch",
        {"contacts": [{"phone_number": "+15553000001"}], "list_ids": [str(theirs.pk)]},
        format="json",
    )
    assert response.status_code == 422
    assert "No list with id" in response.json()["detail"]
    assert not Contact.objects.filter(account=account).exists()
    assert api.post("/api/v1/contacts/batch", {"contacts": []}, format="json").status_code == 422


def test_a_batch_row_of_the_wrong_type_is_refused_as_a_single_create_would_be(api, account):
    single = api.post("/api/v1/contacts", {"phone_number": "+15553000001", "tags": "lead"}, format="json")
    assert single.status_code == 422 and "tags" in single.json()["errors"]
    response = api.post("/api/v1/contacts/batch", {"contacts": [
        {"phone_number": "+15553000001", "tags": ["ok"]},
        {"phone_number": "+15553000002", "tags": "lead"},
        {"phone_number": "+15553000003", "custom_variables": ["not", "an", "object"]},
    ]}, format="json")
    assert response.status_code == 422, response.content
    assert_matches_schema(response, "/api/v1/contacts/batch")
    errors = response.json()["errors"]
    assert set(errors) == {"contacts.1.tags", "contacts.2.custom_variables"}
    assert errors["contacts.1.tags"] == single.json()["errors"]["tags"]
    assert not Contact.objects.filter(account=account).exists()


def test_list_crud_and_counts(api, account, other_account):
    created = api.post("/api/v1/lists", {"name": "Hot Leads", "description": "High priority"}, format="json")
    assert created.status_code == 201, created.content
    assert_matches_schema(created, "/api/v1/lists")
    lst = created.json()
    assert (lst["name"], lst["contact_count"]) == ("Hot Leads", 0)
    ContactListFactory(account=other_account)
    page = api.get("/api/v1/lists")
    assert_matches_schema(page, "/api/v1/lists")
    assert page.json()["total"] == 1 and page.json()["pages"] == 1
    url = f"/api/v1/lists/{lst['id']}"
    patched = api.patch(url, {"description": "Call first"}, format="json")
    assert_matches_schema(patched, "/api/v1/lists/{id}")
    assert patched.json()["name"] == "Hot Leads" and patched.json()["description"] == "Call first"
    put = api.put(url, {"name": "Warm"}, format="json")
    assert_matches_schema(put, "/api/v1/lists/{id}")
    assert put.json()["name"] == "Warm"
    blank = api.patch(url, {"name": ""}, format="json")
    assert blank.status_code == 422 and "name" in blank.json()["errors"]
    assert api.post("/api/v1/lists", {"description": "no name"}, format="json").status_code == 422

    a, b = ContactFactory(account=account), ContactFactory(account=account)
    added = api.post(f"{url}/contacts", {"contact_ids": [str(a.pk), str(b.pk)]}, format="json")
    assert added.status_code == 200, added.content
    assert_matches_schema(added, "/api/v1/lists/{id}/contacts")
    assert (added.json()["changed"], added.json()["contact_count"]) == (2, 2)
    again = api.post(f"{url}/contacts", {"contact_ids": [str(a.pk)]}, format="json").json()
    assert again["changed"] == 0
    got = api.get(url)
    assert_matches_schema(got, "/api/v1/lists/{id}")
    assert got.json()["contact_count"] == 2
    removed_response = api.delete(f"{url}/contacts", {"contact_ids": [str(a.pk)]}, format="json")
    assert_matches_schema(removed_response, "/api/v1/lists/{id}/contacts")
    removed = removed_response.json()
    assert (removed["changed"], removed["contact_count"]) == (1, 1)
    theirs = ContactFactory(account=other_account)
    refused = api.post(f"{url}/contacts", {"contact_ids": [str(theirs.pk)]}, format="json")
    assert refused.status_code == 422 and "No contact with id" in refused.json()["detail"]

    deleted = api.delete(url)
    assert deleted.status_code == 204
    assert_matches_schema(deleted, "/api/v1/lists/{id}")
    assert not ContactList.objects.filter(pk=lst["id"]).exists()
    assert Contact.objects.filter(pk__in=[a.pk, b.pk]).count() == 2  # contacts are kept


def test_another_accounts_list_is_a_404(api, other_account):
    theirs = ContactListFactory(account=other_account)
    for method in ("get", "patch", "delete"):
        assert getattr(api, method)(f"/api/v1/lists/{theirs.pk}", {}, format="json").status_code == 404
    assert api.post(f"/api/v1/lists/{theirs.pk}/contacts", {"contact_ids": []}, format="json").status_code == 404
    assert ContactList.objects.filter(pk=theirs.pk).exists()
