"""Contacts in the Sendblue dialect, driven through the official ``sendblue`` SDK (its
``contacts`` resource, unchanged but for ``base_url``) against the live server: the same
contact book as the v1 API, keyed by phone number."""
from __future__ import annotations

import pytest
import sendblue_api
from sendblue_api import SendblueAPI

from contacts import services
from contacts.models import Contact
from messaging.services import add_line, send
from outreach.services import create_api_key
from outreach.testing import key_client
from outreach.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sdk_for(live_server, account, scopes=("contacts",)) -> SendblueAPI:
    key, secret = create_api_key(account, "sdk", list(scopes))
    return SendblueAPI(api_key=key.key_id, api_secret=secret, base_url=live_server.url, max_retries=0)


@pytest.fixture
def sdk(live_server, account):
    return sdk_for(live_server, account)


def test_create_retrieve_update_delete_by_number(sdk, account):
    created = sdk.contacts.create(number="+15552010400", body_first_name_1="Ada", body_last_name_1="Lovelace",
                                  tags=["vip"], custom_variables={"city": "London"})
    assert created.status == "OK"
    contact = created.contact
    assert (contact.phone, contact.first_name, contact.last_name) == ("+15552010400", "Ada", "Lovelace")
    assert contact.tags == ["vip"] and contact.custom_variables == {"city": "London"}
    assert contact.opt_out is False and contact.verified is False and contact.created_at is not None
    # The v1 API sees the same row.
    row = Contact.objects.get(account=account, e164_number="+15552010400")
    assert contact.contact_id == str(row.pk)

    got = sdk.contacts.retrieve("+15552010400").contact
    assert got.contact_id == contact.contact_id and got.first_name == "Ada"

    updated = sdk.contacts.update("+15552010400", body_company_name_1="Engines Ltd",
                                  custom_variables={"plan": "gold"}).contact
    assert updated.company_name == "Engines Ltd" and updated.first_name == "Ada"
    assert updated.custom_variables == {"city": "London", "plan": "gold"}, "merged, not replaced"

    opted = sdk.contacts.update("+15552010400", body_opt_out_1=True).contact
    assert opted.opt_out is True
    assert Contact.objects.get(pk=row.pk).opted_out_at is not None

    assert sdk.contacts.delete("+15552010400").status == "OK"
    assert not Contact.objects.filter(pk=row.pk).exists()
    with pytest.raises(sendblue_api.NotFoundError):
        sdk.contacts.retrieve("+15552010400")


def test_create_refuses_a_known_number_unless_update_if_exists(sdk):
    sdk.contacts.create(number="+15552010401", body_first_name_1="Grace")
    with pytest.raises(sendblue_api.ConflictError) as refused:
        sdk.contacts.create(number="+15552010401", body_first_name_1="Other")
    assert "+15552010401" in refused.value.body["error_message"]
    again = sdk.contacts.create(number="+15552010401", body_last_name_1="Hopper", update_if_exists=True)
    assert (again.contact.first_name, again.contact.last_name) == ("Grace", "Hopper")


def test_camel_case_aliases_and_every_bad_field_at_once(sdk, account):
    client = key_client(account, ["contacts"], form="sendblue")
    made = client.post("/api/v2/contacts", {"phoneNumber": "+15552010402", "firstName": "Alan"}, format="json")
    assert made.status_code == 200 and made.json()["contact"]["first_name"] == "Alan"
    bad = client.post("/api/v2/contacts", {"number": "not a phone", "first_name": "x" * 500, "tags": "vip"},
                      format="json")
    assert bad.status_code == 400
    body = bad.json()
    assert body["status"] == "ERROR" and body["error_code"] == 4000
    for word in ("phone", "first_name", "tags"):
        assert word in body["error_message"], body
    line = client.post("/api/v2/contacts", {"number": "+15552010403", "sendblue_number": "+15125550100"},
                       format="json")
    assert line.status_code == 400 and "sendblue_number" in line.json()["error_message"]
    assert not Contact.objects.filter(e164_number="+15552010403").exists(), "refused, not silently dropped"


def test_list_pages_filters_and_orders(sdk, account):
    for i in range(5):
        sdk.contacts.create(number=f"+1555201041{i}", body_first_name_1=f"P{i}")
    first = sdk.contacts.list(limit=2, order_by="created_at", order_direction="asc")
    rest = sdk.contacts.list(limit=10, offset=2, order_by="created_at", order_direction="asc")
    assert [c.first_name for c in first] == ["P0", "P1"]
    assert [c.first_name for c in rest] == ["P2", "P3", "P4"]
    assert [c.phone for c in sdk.contacts.list(phone_number="+15552010413")] == ["+15552010413"]
    since = first[1].created_at
    assert [c.first_name for c in sdk.contacts.list(created_at_gte=since, order_by="created_at",
                                                     order_direction="asc")] == ["P1", "P2", "P3", "P4"]
    assert [c.first_name for c in sdk.contacts.list(cid=first[0].contact_id)] == ["P0"]
    assert sdk.contacts.count().count == 5
    client = key_client(account, ["contacts"], form="sendblue")
    bad = client.get("/api/v2/contacts?limit=5000&order_by=shoe_size&order_direction=up")
    assert bad.status_code == 400
    for word in ("limit", "order_by", "order_direction"):
        assert word in bad.json()["error_message"]


def test_bulk_create_and_bulk_delete(sdk):
    sdk.contacts.create(number="+15552010420", body_first_name_1="Old")
    made = sdk.contacts.bulk.create(contacts=[
        {"phone": "+15552010420", "first_name": "Known"},
        {"phone": "+15552010421", "first_name": "New", "tags": ["lead"]},
    ])
    assert made.status == "OK" and [c.first_name for c in made.contacts] == ["Known", "New"]
    assert sdk.contacts.count().count == 2

    with pytest.raises(sendblue_api.BadRequestError) as refused:
        sdk.contacts.bulk.create(contacts=[{"phone": "+15552010422"}, {"phone": "nope"}, {"phone": "+1"}])
    message = refused.value.body["error_message"]
    assert "contacts[1]" in message and "contacts[2]" in message
    assert sdk.contacts.count().count == 2, "all or nothing"

    deleted = sdk.contacts.bulk.delete(contact_ids=["+15552010420", "+15552010421", "+15552010499"])
    assert deleted.amount == 2 and sdk.contacts.count().count == 0


def test_bulk_delete_keeps_the_conversation_and_drops_list_memberships(sdk, account):
    add_line(account, "+15125550100")
    sdk.contacts.create(number="+15552010460")
    contact = Contact.objects.get(account=account, e164_number="+15552010460")
    members = services.create_list(account, {"name": "Leads"})
    services.add_to_list(account, members, [contact.pk])
    message = send(account, to="+15552010460", content="Hello")
    assert message.conversation.contact_id == contact.pk

    assert sdk.contacts.bulk.delete(contact_ids=["+15552010460"]).amount == 1
    message.conversation.refresh_from_db()
    assert message.conversation.contact_id is None, "the thread stays, unlinked"
    assert members.contacts.count() == 0 and not Contact.objects.filter(pk=contact.pk).exists()


def test_sendblue_number_is_the_line_the_contacts_conversation_is_on(sdk, account):
    line = add_line(account, "+15125550100")
    sdk.contacts.create(number="+15552010450")
    assert sdk.contacts.retrieve("+15552010450").contact.sendblue_number is None, "no conversation yet"
    send(account, to="+15552010450", content="Hello")
    assert sdk.contacts.retrieve("+15552010450").contact.sendblue_number == line.number
    assert [c.sendblue_number for c in sdk.contacts.list()] == [line.number]


def test_opt_out_a_number_before_it_is_a_contact_and_back_in(sdk, account):
    out = sdk.contacts.opt_out(number="+15552010430")
    assert (out.number, out.opted_out) == ("+15552010430", True)
    assert Contact.objects.get(account=account, e164_number="+15552010430").opted_out_at is not None
    back = sdk.contacts.opt_out(number="+15552010430", opted_out=False)
    assert back.opted_out is False


def test_another_accounts_contacts_are_not_found_and_scopes_hold(live_server, sdk, account):
    sdk.contacts.create(number="+15552010440")
    other = sdk_for(live_server, AccountFactory(name="Bob Co", email="bob@example.com"))
    with pytest.raises(sendblue_api.NotFoundError):
        other.contacts.retrieve("+15552010440")
    with pytest.raises(sendblue_api.NotFoundError):
        other.contacts.delete("+15552010440")
    assert other.contacts.count().count == 0 and other.contacts.list() == []
    assert other.contacts.bulk.delete(contact_ids=["+15552010440"]).amount == 0
    reader = sdk_for(live_server, account, scopes=("read_only",))
    assert reader.contacts.count().count == 1
    with pytest.raises(sendblue_api.PermissionDeniedError):
        reader.contacts.create(number="+15552010441")
