"""Verbs over many contacts at once: the console's bulk actions on a selection or on every
contact a filter matches, and lists made from a filter or an import.

Each verb is set-based: one statement per table touched, whatever the number of contacts
(an ``INSERT ... SELECT``, an ``UPDATE ... WHERE id IN (subquery)``), never a loop of
saves. Like ``services``, these are the only writers of the rows they touch.
"""
from __future__ import annotations

import json
from typing import Any

from django.db import connection, models, transaction
from django.db.models import F, Func, IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

import webhooks
from outreach.exceptions import InvalidInput
from outreach.models import Account
from webhooks.choices import EventType

from .choices import ImportRowKind
from .filters import with_tag
from .models import Contact, ContactList, ImportJob
from .services import contact_payload, create_list
from .validation import MAX_TAGS, clean_tags


def scoped(account: Account, contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """The account's contacts among ``contacts``, whatever the caller built the set from."""
    return Contact.objects.filter(account=account, pk__in=contacts.order_by().values("pk"))


def _db_value(field: models.Field, value: Any) -> Any:
    return field.get_db_prep_value(value, connection)


@transaction.atomic
def add_to_list(account: Account, contact_list: ContactList, contacts: QuerySet[Contact]) -> int:
    """Put every contact of the set in the list with one ``INSERT ... SELECT``; -> how many
    joined (members already in it are left alone)."""
    if contact_list.account_id != account.pk:
        raise InvalidInput("No such list in this account.", field="list")
    through = Contact.lists.through
    sql, params = scoped(account, contacts).order_by().values_list("id").query.sql_with_params()
    list_id = _db_value(ContactList._meta.pk, contact_list.pk)
    with connection.cursor() as cursor:
        # "WHERE true" lets SQLite tell the SELECT's end from the ON CONFLICT clause.
        cursor.execute(
            f"INSERT INTO {through._meta.db_table} (contact_id, contactlist_id) "
            f"SELECT sel.id, %s FROM ({sql}) AS sel WHERE true ON CONFLICT DO NOTHING",
            [list_id, *params],
        )
        return cursor.rowcount


@transaction.atomic
def create_list_from(account: Account, data: dict[str, Any], contacts: QuerySet[Contact]) -> tuple[ContactList, int]:
    """A new list holding the set; -> (the list, its member count)."""
    contact_list = create_list(account, data)
    return contact_list, add_to_list(account, contact_list, contacts)


def import_contacts(account: Account, job: ImportJob) -> QuerySet[Contact]:
    """Everyone a finished import's file names: the contacts it created and the existing
    contacts its duplicate rows matched."""
    duplicates = job.rows.filter(kind=ImportRowKind.DUPLICATE).exclude(e164_number="").values("e164_number")
    return Contact.objects.filter(account=account).filter(
        models.Q(source_import=job) | models.Q(e164_number__in=duplicates)
    )


def _append_tag(tag: str) -> RawSQL:
    if connection.vendor == "postgresql":
        return RawSQL("tags || %s::jsonb", (json.dumps([tag]),), output_field=models.JSONField())
    return RawSQL("json_insert(tags, '$[#]', %s)", (tag,), output_field=models.JSONField())


def _tag_count() -> Func:
    function = "jsonb_array_length" if connection.vendor == "postgresql" else "json_array_length"
    return Func(F("tags"), function=function, output_field=IntegerField())


def add_tag(account: Account, contacts: QuerySet[Contact], raw_tag: str) -> int:
    """Add one tag to every contact of the set that lacks it, with one UPDATE; -> how many
    changed. A contact already at the tag limit is left as it is."""
    tags = clean_tags(raw_tag if isinstance(raw_tag, str) else "")
    if len(tags) != 1:
        raise InvalidInput("Write one tag (no commas).", field="tag")
    tag = tags[0]
    base = Contact.objects.filter(account=account)
    targets = (
        scoped(account, contacts)
        .exclude(pk__in=with_tag(base, tag).values("pk"))
        .annotate(tag_count=_tag_count())
        .filter(tag_count__lt=MAX_TAGS)
    )
    return Contact.objects.filter(pk__in=targets.values("pk")).update(
        tags=_append_tag(tag), updated_at=timezone.now()
    )


@transaction.atomic
def opt_out(account: Account, contacts: QuerySet[Contact], *, source: str) -> int:
    """Opt out every reachable contact of the set with one UPDATE, then emit one
    ``contact_opted_out`` per contact that changed (in one batch); -> how many changed."""
    now = timezone.now()
    changed = Contact.objects.filter(
        pk__in=scoped(account, contacts).values("pk"), opted_out_at__isnull=True
    ).update(opted_out_at=now, updated_at=now)
    if changed:
        # The rows this UPDATE wrote carry its timestamp (the set itself may no longer match:
        # a filter on "reachable" contacts, say).
        fields = ("id", "phone_number", "e164_number", "first_name", "last_name", "email", "opted_out_at")
        rows = Contact.objects.filter(account=account, opted_out_at=now).only(*fields)
        webhooks.emit_many(
            [(account, EventType.CONTACT_OPTED_OUT, {**contact_payload(c), "source": source}, ())
             for c in rows.iterator(chunk_size=2000)],
            returning=False,
        )
    return changed


@transaction.atomic
def delete(account: Account, contacts: QuerySet[Contact]) -> int:
    """Delete the set: one statement per table that points at contacts (other apps' rows
    cascade or are unlinked as their foreign keys say), then one DELETE of the contacts."""
    ids = list(scoped(account, contacts).values_list("pk", flat=True))
    if not ids:
        return 0
    for rel in Contact._meta.related_objects:
        related = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": ids})
        if rel.on_delete is models.SET_NULL:
            related.update(**{rel.field.name: None})
        elif rel.on_delete is models.CASCADE:
            related.delete()  # a leaf table: Django's fast path, one DELETE
        elif rel.on_delete is not models.DO_NOTHING:
            raise RuntimeError(f"{rel.related_model.__name__}.{rel.field.name}: no bulk rule for its on_delete.")
    Contact.lists.through.objects.filter(contact_id__in=ids).delete()
    # The dependants are gone: a raw DELETE (no collector fetching every contact first).
    return Contact.objects.filter(account=account, pk__in=ids)._raw_delete(Contact.objects.db)
