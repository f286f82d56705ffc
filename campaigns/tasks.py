"""Celery entry points of campaigns and bulk jobs. Thin: they take primary keys and call
services; the state (cursors, counts) is in the database, so a repeated task is harmless."""
from __future__ import annotations

from celery import shared_task

from . import bulkjobs, engagement, fanout, winner


def _sliced(task, owner_id: str, index: int | None, plan, run) -> None:
    """A sliced fan-out's task. Without ``index``: one task per slice not done yet (they
    run side by side; ``plan(owner_id)`` names them). With it: that slice's chunks until
    done or out of budget, when a fresh task continues (``run`` said more remains)."""
    if index is None:
        for i in plan(owner_id):
            task.delay(owner_id, i)
    elif run(owner_id, index):
        task.delay(owner_id, index)


def _campaign_slices(campaign_id: str) -> list[int]:
    from .models import Campaign

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    return fanout.plan_slices(campaign) if campaign is not None else []


def _bulk_job_slices(job_id: str) -> list[int]:
    from .models import BulkJob

    job = BulkJob.objects.filter(pk=job_id, fanout_done_at__isnull=True).first()
    return bulkjobs.plan_slices(job) if job is not None else []


@shared_task(ignore_result=True)
def fanout_campaign(campaign_id: str, index: int | None = None) -> None:
    _sliced(fanout_campaign, campaign_id, index, _campaign_slices, fanout.run)


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
def resend_campaign(resend_id: int) -> None:
    from . import operations

    while operations.requeue_chunk(resend_id):
        pass


@shared_task(ignore_result=True)
def run_export(export_id: str) -> None:
    from . import exports

    while exports.run_chunk(export_id):
        pass


@shared_task(ignore_result=True)
def run_bulk_job(job_id: str, index: int | None = None) -> None:
    _sliced(run_bulk_job, job_id, index, _bulk_job_slices, bulkjobs.run)


@shared_task(ignore_result=True)
def sweep() -> dict:
    """Beat: what a lost task would leave undone (see ``sweeps.sweep``)."""
    from . import sweeps

    return sweeps.sweep()


@shared_task(ignore_result=True)
def pick_winner(campaign_id: str) -> bool:
    """An A/B test's decision (idempotent: a second run finds the winner picked)."""
    return winner.decide(campaign_id)
