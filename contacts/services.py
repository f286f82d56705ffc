"""The verbs of the contact book: the only code that writes contacts and lists."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

import webhooks
from outreach.exceptions import Conflict, InvalidInput
from outreach.models import Account
from webhooks.choices import EventType

from .keywords import keyword_action  # noqa: F401 (messaging's inbound path calls it here)
from .models import Contact, ContactList
from .validation import clean_fields, search_text


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


def refresh_search_text(contact: Contact) -> None:
    contact.search_text = search_text(
        contact.first_name, contact.last_name, contact.email, contact.company_name, contact.e164_number
    )


# --- lists ---------------------------------------------------------------------------------

def lists_with_counts(account: Account) -> QuerySet[ContactList]:
    # Meta.ordering does not apply to a GROUP BY query: order explicitly.
    return ContactList.objects.filter(account=account).annotate(contact_count=Count("contacts")).order_by("name", "pk")


def resolve_lists(account: Account, list_ids: Iterable[Any] | None, *, field: str = "list_ids") -> list[ContactList]:
    """The account's lists with these ids; an id that is not one of them is refused by name."""
    wanted = [str(i) for i in (list_ids or [])]
    if not wanted:
        return []
    found = {str(lst.pk): lst for lst in ContactList.objects.filter(account=account, pk__in=_valid_uuids(wanted, field))}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InvalidInput(f"No list with id {', '.join(missing)} in this account.", field=field)
    return list(found.values())


def _valid_uuids(values: list[str], field: str) -> list[str]:
    import uuid

    for value in values:
        try:
            uuid.UUID(value)
        except ValueError:
            raise InvalidInput(f"{value!r} is not a list id (a UUID).", field=field) from None
    return values


def _clean_list_fields(data: dict[str, Any], *, require_name: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    if "name" in data or require_name:
        name = (data.get("name") or "").strip()
        if not name:
            raise InvalidInput("A list needs a name.", field="name")
        if len(name) > 200:
            raise InvalidInput("A list name has at most 200 characters.", field="name")
        out["name"] = name
    if "description" in data:
        out["description"] = (data.get("description") or "").strip()
    return out


def _name_taken(name: str) -> InvalidInput:
    return InvalidInput(f"A list named {name!r} already exists; list names are unique (case aside).", field="name")


def _check_name_free(account: Account, fields: dict[str, str], exclude=None) -> None:
    if "name" not in fields:
        return
    taken = ContactList.objects.filter(account=account, name__iexact=fields["name"])
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise _name_taken(fields["name"])


def create_list(account: Account, data: dict[str, Any]) -> ContactList:
    """A new list; its name unique in the account, case aside (422 ``name`` if taken)."""
    fields = _clean_list_fields(data, require_name=True)
    _check_name_free(account, fields)
    try:
        with transaction.atomic():
            return ContactList.objects.create(account=account, **fields)
    except IntegrityError:  # the same name created at the same moment
        raise _name_taken(fields["name"]) from None


def update_list(account: Account, contact_list: ContactList, data: dict[str, Any]) -> ContactList:
    fields = _clean_list_fields(data, require_name=False)
    _check_name_free(account, fields, exclude=contact_list.pk)
    try:
        with transaction.atomic():
            ContactList.objects.filter(account=account, pk=contact_list.pk).update(**fields)
    except IntegrityError:
        raise _name_taken(fields["name"]) from None
    for name, value in fields.items():
        setattr(contact_list, name, value)
    return contact_list


def delete_list(account: Account, contact_list: ContactList) -> None:
    """The list goes; its contacts stay (only the memberships are removed)."""
    ContactList.objects.filter(account=account, pk=contact_list.pk).delete()


def _account_contact_ids(account: Account, contact_ids: Iterable[Any]) -> list:
    wanted = [str(i) for i in contact_ids]
    if not wanted:
        raise InvalidInput("contact_ids must name at least one contact.", field="contact_ids")
    _valid_uuids(wanted, "contact_ids")
    found = {str(pk) for pk in Contact.objects.filter(account=account, pk__in=wanted).values_list("pk", flat=True)}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InvalidInput(f"No contact with id {', '.join(missing[:10])} in this account.", field="contact_ids")
    return sorted(found)


@transaction.atomic
def add_to_list(account: Account, contact_list: ContactList, contact_ids: Iterable[Any]) -> int:
    """Add these contacts to the list; -> how many were not in it yet."""
    ids = _account_contact_ids(account, contact_ids)
    through = Contact.lists.through
    already = {
        str(pk)
        for pk in through.objects.filter(contactlist=contact_list, contact_id__in=ids).values_list("contact_id", flat=True)
    }
    new = [through(contact_id=pk, contactlist_id=contact_list.pk) for pk in ids if pk not in already]
    through.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def remove_from_list(account: Account, contact_list: ContactList, contact_ids: Iterable[Any]) -> int:
    ids = _account_contact_ids(account, contact_ids)
    deleted, _ = Contact.lists.through.objects.filter(contactlist=contact_list, contact_id__in=ids).delete()
    return deleted


# --- contacts ------------------------------------------------------------------------------

def _refuse_taken_number(account: Account, e164: str, *, exclude=None) -> None:
    other = Contact.objects.filter(account=account, e164_number=e164).exclude(pk=exclude).first()
    if other is not None:
        raise Conflict(f"A contact with number {e164} already exists (id {other.pk}).", field="phone_number")


@transaction.atomic
def create_contact(account: Account, data: dict[str, Any], *, list_ids: Iterable[Any] | None = None) -> Contact:
    fields = clean_fields(data, require_phone=True)
    lists = resolve_lists(account, list_ids)
    _refuse_taken_number(account, fields["e164_number"])
    contact = Contact(account=account, **fields)
    refresh_search_text(contact)
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:  # a concurrent create of the same number won the race
        _refuse_taken_number(account, fields["e164_number"])
        raise
    if lists:
        contact.lists.add(*lists)
    _created(account, contact)
    return contact


def _created(account: Account, contact: Contact) -> None:
    """``contact_created``, for a contact made one at a time (imports emit none per row)."""
    webhooks.emit(account, EventType.CONTACT_CREATED, contact_payload(contact))


@transaction.atomic
def update_contact(
    account: Account, contact: Contact, data: dict[str, Any], *, list_ids: Iterable[Any] | None = None
) -> Contact:
    """Change only the fields in ``data``; ``list_ids`` (when given) replaces the memberships."""
    contact = Contact.objects.select_for_update().get(account=account, pk=contact.pk)
    fields = clean_fields(data, require_phone=False)
    lists = resolve_lists(account, list_ids) if list_ids is not None else None
    if "e164_number" in fields and fields["e164_number"] != contact.e164_number:
        _refuse_taken_number(account, fields["e164_number"], exclude=contact.pk)
    for name, value in fields.items():
        setattr(contact, name, value)
    refresh_search_text(contact)
    contact.save()
    if lists is not None:
        contact.lists.set(lists)
    return contact


def delete_contact(account: Account, contact: Contact) -> None:
    Contact.objects.filter(account=account, pk=contact.pk).delete()


@transaction.atomic
def opt_out(account: Account, contact: Contact, *, source: str) -> Contact:
    """Stop all sends to this contact until opt-in; emits ``contact_opted_out`` once, its
    ``source`` one of ``OptOutSource`` (a STOP reply is ``keyword``)."""
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
                contact = Contact.objects.create(
                    account=account, phone_number=address, e164_number=address,
                    search_text=search_text("", "", "", "", address),
                )
                _created(account, contact)
        except IntegrityError:
            contact = Contact.objects.get(account=account, e164_number=address)
    return contact


# --- demo ----------------------------------------------------------------------------------

DEMO_PEOPLE = [
    ("Ada", "Lovelace", "Analytical Engines", ["vip", "lead"], "Europe/London"),
    ("Grace", "Hopper", "Navy Labs", ["lead"], "America/New_York"),
    ("Alan", "Turing", "Bletchley Park", ["customer"], "Europe/London"),
    ("Katherine", "Johnson", "NASA", ["customer", "vip"], "America/New_York"),
    ("Linus", "Torvalds", "Kernel Co", ["lead"], "America/Los_Angeles"),
    ("Margaret", "Hamilton", "Apollo Software", ["customer"], "America/New_York"),
    ("Edsger", "Dijkstra", "Shortest Paths BV", [], "Europe/Amsterdam"),
    ("Barbara", "Liskov", "Substitution Inc", ["lead"], "America/New_York"),
    ("Donald", "Knuth", "TeX Press", ["vip"], "America/Los_Angeles"),
    ("Frances", "Allen", "Compilers Ltd", ["customer"], "America/Chicago"),
    ("Ken", "Thompson", "Unix Labs", ["lead", "customer"], "America/Denver"),
    ("Radia", "Perlman", "Spanning Trees", [], "America/Chicago"),
]
#: Sandbox numbers with the ordinary delivered+read outcome (endings 01-07 are special).
DEMO_SUFFIXES = ["00", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18"]


@transaction.atomic
def seed_demo_contacts(account: Account) -> None:
    """A dozen sample contacts in three lists, for `seed_demo`; does nothing twice."""
    if Contact.objects.filter(account=account).exists():
        return
    leads = create_list(account, {"name": "Hot leads", "description": "Follow up this week"})
    customers = create_list(account, {"name": "Customers", "description": "Paying accounts"})
    newsletter = create_list(account, {"name": "Newsletter", "description": "Monthly product news"})
    for i, (first, last, company, tags, tz) in enumerate(DEMO_PEOPLE):
        lists = [newsletter] if i % 2 == 0 else []
        lists += [leads] if "lead" in tags else []
        lists += [customers] if "customer" in tags else []
        create_contact(
            account,
            {
                "phone_number": f"+155501000{DEMO_SUFFIXES[i]}",
                "first_name": first, "last_name": last, "company_name": company,
                "email": f"{first.lower()}@{company.split()[0].lower()}.example",
                "timezone": tz, "tags": tags, "custom_variables": {"plan": "gold" if "vip" in tags else "basic"},
            },
            list_ids=[lst.pk for lst in lists],
        )
