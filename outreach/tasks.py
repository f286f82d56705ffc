"""Periodic work of the core. Thin: each task calls a service."""
from __future__ import annotations

from celery import shared_task

from . import idempotency


@shared_task
def purge_idempotency_keys() -> int:
    return idempotency.purge_expired()
