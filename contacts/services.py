"""The verbs of the contact book."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

import webhooks
from outreach.models import Account
from webhooks.choices import EventType

from .models import Contact


def contact_payload(contact: Contact) -> dict:
    return {
        "id": str(contact.id),
        "phone_number": contact.phone_number,
        "e164_number": contact.e164_number,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "opted_out": contact.opted_out,
        "opted_out_at": contact.opted_out_at.isoformat().replace("+00:00", "Z") if contact.opted_out_at else None,
    }


@transaction.atomic
def opt_out(account: Account, contact: Contact, *, source: str) -> Contact:
    """Stop all sends to this contact until opt-in; emits ``contact_opted_out`` once."""
    contact = Contact.objects.select_for_update().get(account=account, pk=contact.pk)
    if contact.opted_out_at is None:
        contact.opted_out_at = timezone.now()
        contact.save(update_fields=["opted_out_at", "updated_at"])
        webhooks.emit(account, EventType.CONTACT_OPTED_OUT, {**contact_payload(contact), "source": source})
    return contact


@transaction.atomic
def opt_in(account: Account, contact: Contact, *, source: str) -> Contact:
    contact = Contact.objects.select_for_update().get(account=account, pk=contact.pk)
    if contact.opted_out_at is not None:
        contact.opted_out_at = None
        contact.save(update_fields=["opted_out_at", "updated_at"])
    return contact


def contact_for_address(account: Account, address: str, *, create: bool = False) -> Contact | None:
    """The contact with this E.164 number; created (bare) when ``create`` and unknown."""
    contact = Contact.objects.filter(account=account, e164_number=address).first()
    if contact is None and create and address.startswith("+"):
        try:
            with transaction.atomic():
                contact = Contact.objects.create(account=account, phone_number=address, e164_number=address)
        except IntegrityError:
            contact = Contact.objects.get(account=account, e164_number=address)
    return contact
