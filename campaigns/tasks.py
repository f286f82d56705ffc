"""Celery entry points of campaigns and bulk jobs. Thin: they take primary keys and call
services; the state (cursors, counts) is in the database, so a repeated task is harmless."""
from __future__ import annotations

from celery import shared_task

from . import bulkjobs, engagement, fanout


@shared_task(ignore_result=True)
def fanout_campaign(campaign_id: str, index: int | None = None) -> None:
    """Without ``index``: one task per slice not done yet (they run side by side). With
    it: that slice's chunks, until done or out of budget (then a fresh task continues)."""
    if index is None:
        from .models import Campaign

        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is not None:
            for i in fanout.plan_slices(campaign):
                fanout_campaign.delay(campaign_id, i)
        return
    if fanout.run(campaign_id, index):
        fanout_campaign.delay(campaign_id, index)


@shared_task(ignore_result=True)
def pace_tick(campaign_id: str) -> None:
    fanout.pace_tick(campaign_id)


@shared_task(ignore_result=True)
def withdraw_campaign(campaign_id: str) -> int:
    total = 0
    while True:
        done = fanout.withdraw_chunk(campaign_id)
        total += done
        if not done:
            return total


@shared_task(ignore_result=True)
def check_campaign(campaign_id: str) -> bool:
    return engagement.check_completion(campaign_id)


@shared_task(ignore_result=True)
def run_bulk_job(job_id: str, index: int | None = None) -> None:
    """As ``fanout_campaign``: one task per slice not done yet, or that slice's chunks."""
    if index is None:
        from .models import BulkJob

        job = BulkJob.objects.filter(pk=job_id, fanout_done_at__isnull=True).first()
        if job is not None:
            for i in bulkjobs.plan_slices(job):
                run_bulk_job.delay(job_id, i)
        return
    if bulkjobs.run(job_id, index):
        run_bulk_job.delay(job_id, index)


@shared_task(ignore_result=True)
def sweep() -> dict:
    """Beat: what a lost task would leave undone (see ``sweeps.sweep``)."""
    from . import sweeps

    return sweeps.sweep()
