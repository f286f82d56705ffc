"""Groups in the Sendblue dialect, driven through the official ``sendblue`` SDK (unchanged
but for ``base_url``) against the live server: participants, rename, add and remove."""
from __future__ import annotations

import pytest
import sendblue_api
from sendblue_api import SendblueAPI

from contacts.services import create_contact, opt_out
from messaging import services
from messaging.models import Conversation
from outreach.services import create_api_key
from outreach.tests.factories import AccountFactory

pytestmark = pytest.mark.django_db(transaction=True)
LINE = "+15125550180"


@pytest.fixture
def line(account):
    return services.add_line(account, LINE)


def sdk_for(live_server, account, scopes=("messages",)) -> SendblueAPI:
    key, secret = create_api_key(account, "sdk", list(scopes))
    return SendblueAPI(api_key=key.key_id, api_secret=secret, base_url=live_server.url, max_retries=0)


@pytest.fixture
def sdk(live_server, account, line):
    return sdk_for(live_server, account)


@pytest.fixture
def group(sdk, account):
    create_contact(account, {"phone_number": "+12145558001", "first_name": "Ada", "last_name": "Lovelace"})
    sent = sdk.groups.send_message(numbers=["+12145558001", "+12145558002"], content="hello all", from_number=LINE)
    return sent.group_id


def test_retrieve_lists_participants_with_their_contacts(sdk, account, group):
    got = sdk.v2.groups.retrieve(group)
    assert got.status == "OK"
    data = got.data
    assert data.group_id == group and data.participant_numbers == ["+12145558001", "+12145558002"]
    ada = next(p for p in data.participants if p.phone == "+12145558001")
    assert ada.name == "Ada Lovelace" and ada.contact_id and ada.type == "contact" and ada.handle == ada.phone
    stranger = next(p for p in data.participants if p.phone == "+12145558002")
    assert stranger.contact_id is None and stranger.name is None
    assert data.created_at is not None and data.latest_message_id and data.latest_comm_at is not None


def test_rename_then_clear(sdk, group):
    renamed = sdk.v2.groups.rename(group, group_name="Book club", from_number=LINE)
    assert renamed.status == "OK" and renamed.data.group_name == "Book club" and renamed.data.from_number == LINE
    assert sdk.v2.groups.retrieve(group).data.group_name == "Book club"
    assert Conversation.objects.get(group_id=group).group_display_name == "Book club"
    assert sdk.v2.groups.rename(group, group_name=None).data.group_name == ""
    with pytest.raises(sendblue_api.BadRequestError, match="only spaces"):
        sdk.v2.groups.rename(group, group_name="   ")


def test_add_and_remove_a_participant(sdk, account, group):
    added = sdk.groups.modify(group_id=group, modify_type="add_recipient", number="+1 214 555 8003")
    assert (added.status, added.number, added.modify_type) == ("OK", "+12145558003", "add_recipient")
    assert "+12145558003" in sdk.v2.groups.retrieve(group).data.participant_numbers
    removed = sdk.groups.modify(group_id=group, modify_type="remove_recipient", number="+12145558001")
    assert removed.status == "OK"
    assert sdk.v2.groups.retrieve(group).data.participant_numbers == ["+12145558002", "+12145558003"]

    # The next send goes to the group as it is now.
    sent = sdk.groups.send_message(group_id=group, content="still here?", from_number=LINE)
    assert sorted(sent.participants) == ["+12145558002", "+12145558003"]

    with pytest.raises(sendblue_api.BadRequestError, match="already in this group"):
        sdk.groups.modify(group_id=group, modify_type="add_recipient", number="+12145558002")
    with pytest.raises(sendblue_api.BadRequestError, match="at least 2"):
        sdk.groups.modify(group_id=group, modify_type="remove_recipient", number="+12145558002")
    opt_out(account, create_contact(account, {"phone_number": "+12145558004"}), source="api")
    with pytest.raises(sendblue_api.BadRequestError, match="opted out"):
        sdk.groups.modify(group_id=group, modify_type="add_recipient", number="+12145558004")


def test_bad_fields_are_named_at_once_and_other_accounts_groups_are_404(sdk, live_server, account, group):
    with pytest.raises(sendblue_api.BadRequestError) as bad:
        sdk.groups.modify(group_id="", modify_type="swap", number="")  # type: ignore[arg-type]
    message = bad.value.body["error_message"]
    assert "group_id" in message and "modify_type" in message and "number" in message

    other = AccountFactory()
    services.add_line(other, "+15125550181")
    theirs = sdk_for(live_server, other)
    with pytest.raises(sendblue_api.NotFoundError):
        theirs.v2.groups.retrieve(group)
    with pytest.raises(sendblue_api.NotFoundError):
        theirs.v2.groups.rename(group, group_name="mine now")
    with pytest.raises(sendblue_api.NotFoundError):
        theirs.groups.modify(group_id=group, modify_type="add_recipient", number="+12145558009")
    assert Conversation.objects.get(group_id=group).group_display_name == ""


def test_a_read_only_key_reads_groups_but_cannot_change_them(live_server, account, line, group):
    reader = sdk_for(live_server, account, ["read_only"])
    assert reader.v2.groups.retrieve(group).status == "OK"
    with pytest.raises(sendblue_api.PermissionDeniedError):
        reader.v2.groups.rename(group, group_name="nope")
    with pytest.raises(sendblue_api.PermissionDeniedError):
        reader.groups.modify(group_id=group, modify_type="add_recipient", number="+12145558005")
