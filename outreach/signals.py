"""Signals other apps listen to, since outreach imports none of them, and receivers that
keep caches true to the rows they copy.

``person_deactivated`` is sent by ``outreach.people.deactivate`` inside its transaction,
after the seat was closed and audit-logged; kwargs: ``account``, ``membership`` (its
``deactivated_at`` set) and ``by`` (the user who deactivated them). The inbox hands the
person's open and snoozed conversations on.

``person_role_changed`` is sent by ``outreach.people.change_role`` inside its transaction,
after the new role was saved and audit-logged; kwargs: ``account``, ``membership`` (with its
new ``role``), ``before`` (the old role) and ``by``. The inbox hands on the conversations of
a person who no longer works them (demoted to viewer).

An API key is cached for a minute after its lookup (``outreach.api.authentication``).
Every save or delete of a key -- the console, the API, Django admin, a shell, an account's
cascade -- drops the cached copy, so a revoked, expired, re-scoped or deleted key is judged
by its new row on the very next request. (``QuerySet.update()`` sends no signal: code that
changes keys in bulk calls ``outreach.services.forget_api_key`` itself.)

``migrate`` also makes the cache table when the cache lives in the database (embedded mode:
outreach/settings.py), so every way of setting up a database gets it.
"""
from __future__ import annotations

from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import Signal, receiver

from .models import ApiKey
from .services import forget_api_key

person_deactivated = Signal()
person_role_changed = Signal()


@receiver([post_save, post_delete], sender=ApiKey, dispatch_uid="outreach-forget-changed-api-key")
def forget_changed_api_key(sender, instance: ApiKey, **kwargs) -> None:
    forget_api_key(instance.key_id)
    # Again once committed: a request may have cached the old row in between.
    transaction.on_commit(lambda: forget_api_key(instance.key_id))


@receiver(post_migrate, dispatch_uid="outreach-create-cache-table")
def create_cache_table(sender, using: str, **kwargs) -> None:
    if sender.name == "outreach":
        call_command("createcachetable", database=using, verbosity=0)
