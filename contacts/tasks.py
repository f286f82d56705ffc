"""Celery entry points of the contact book (thin: they call services)."""
from __future__ import annotations

from celery import shared_task

from .imports import run_import


@shared_task(acks_late=True, ignore_result=True)
def import_contacts(job_id: str) -> None:
    """Run (or resume) a CSV import; safe to deliver twice."""
    run_import(job_id)
