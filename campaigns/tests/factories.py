"""Builders for campaign tests: an account with sandbox lines and a few contacts."""
from __future__ import annotations

from contacts.models import Contact, ContactList
from messaging.services import add_line


def lines(account, n: int = 2, prefix: str = "+1512555") -> list:
    return [add_line(account, f"{prefix}{i:04d}", name=f"Line {i}") for i in range(1, n + 1)]


def contact(account, number: str, *, lists=(), **fields) -> Contact:
    c = Contact.objects.create(account=account, phone_number=number, e164_number=number, **fields)
    if lists:
        c.lists.set(lists)
    return c


def audience(account, numbers, *, name: str = "Audience", **fields) -> ContactList:
    """A list holding one contact per number (numbers choose the sandbox's outcome)."""
    lst = ContactList.objects.create(account=account, name=name)
    for number in numbers:
        contact(account, number, lists=[lst], **fields)
    return lst
