"""Services called by other apps and by seed_demo."""
from __future__ import annotations

import pytest

from contacts import services
from contacts.models import Contact, ContactList
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def test_seed_demo_contacts_uses_ordinary_sandbox_numbers_once(account):
    services.seed_demo_contacts(account)
    services.seed_demo_contacts(account)
    contacts = Contact.objects.filter(account=account)
    assert contacts.count() == 12
    for c in contacts:
        assert c.e164_number.startswith("+1555010") and len(c.e164_number) == 12
        assert c.e164_number[-2:] not in {f"0{i}" for i in range(1, 8)}  # 01-07 are special outcomes
        assert c.search_text  # searchable like any other contact
    assert ContactList.objects.filter(account=account).count() == 3
    assert all(lst.contacts.exists() for lst in ContactList.objects.filter(account=account))


def test_stop_keyword_path_opts_out_and_emits(account):
    contact = services.contact_for_address(account, "+15550100099", create=True)
    assert contact.search_text == "15550100099"
    services.opt_out(account, contact, source="keyword")
    services.opt_out(account, contact, source="keyword")
    assert Event.objects.filter(type="contact_opted_out").count() == 1
    assert services.opt_in(account, contact, source="keyword").opted_out is False


@pytest.mark.parametrize(
    "typed",
    ["(555) 123-4567", "555-123-4567", "555.123.4567", "5551234567", "+1 555 123 4567", "+1 (555) 123-4567",
     "+15551234567", "1 555 123 4567", "(212)555-0100", "+44 20 7946 0958", "020 7946 0958", "+1 055 123 4567"],
)
def test_the_fast_phone_paths_agree_with_phonenumbers(typed, settings):
    """The regex shortcuts must give exactly what the full parser gives (or defer to it)."""
    from contacts.validation import clean_phone
    from outreach.exceptions import InvalidInput
    from outreach.phones import to_e164

    settings.DEFAULT_PHONE_REGION = "US"
    try:
        expected = to_e164(typed, field="phone_number")
    except InvalidInput as exc:
        with pytest.raises(InvalidInput) as got:
            clean_phone(typed)
        assert got.value.message == exc.message
    else:
        assert clean_phone(typed) == (typed, expected)



def test_national_shortcuts_only_apply_in_north_america(settings):
    from contacts.validation import clean_phone

    settings.DEFAULT_PHONE_REGION = "GB"
    assert clean_phone("020 7946 0958")[1] == "+442079460958"
    assert clean_phone("2079460958")[1] == "+442079460958"  # not read as a US number
    assert clean_phone("+1 555 123 4567")[1] == "+15551234567"
