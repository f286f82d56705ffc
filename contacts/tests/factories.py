from __future__ import annotations

import factory

from contacts.models import Contact, ContactList
from contacts.validation import search_text
from outreach.tests.factories import AccountFactory


class ContactListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactList

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"List {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    e164_number = factory.Sequence(lambda n: f"+1555020{n:04d}")
    phone_number = factory.LazyAttribute(lambda c: c.e164_number)
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = ""
    company_name = ""
    search_text = factory.LazyAttribute(
        lambda c: search_text(c.first_name, c.last_name, c.email, c.company_name, c.e164_number)
    )
