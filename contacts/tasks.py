"""Celery entry points of the contact book (thin: they call services)."""
from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from .imports import run_import, stale_jobs


@shared_task(acks_late=True, ignore_result=True)
def import_contacts(job_id: str) -> None:
    """Run (or resume) a CSV import; safe to deliver twice."""
    try:
        run_import(job_id)
    except SoftTimeLimitExceeded:
        # A very large file: what committed stays, a fresh task carries on from there.
        import_contacts.delay(job_id)


@shared_task(ignore_result=True)
def resume_stale_imports() -> int:
    """Re-send imports whose wake-up was lost (Redis flushed, worker killed before acking).
    A duplicate run is harmless: chunks are claimed under a row lock."""
    jobs = stale_jobs()
    for job_id in jobs:
        import_contacts.delay(job_id)
    return len(jobs)
