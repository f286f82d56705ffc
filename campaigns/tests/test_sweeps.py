"""The beat sweep: what a lost task leaves behind is picked up again."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from campaigns import bulkjobs, services, sweeps, tasks
from campaigns.models import BulkJob, Campaign

from . import factories as f

pytestmark = pytest.mark.django_db


def test_it_activates_due_schedules_and_restarts_stalled_fanouts(account, monkeypatch, django_capture_on_commit_callbacks):
    f.lines(account, 1)
    lst = f.audience(account, ["+15125551001"])
    campaign = services.create_campaign(account, {"name": "S", "body": "Hi"}, list_ids=[lst.pk])
    with django_capture_on_commit_callbacks(execute=False):
        services.start(account, campaign.pk)
    # Its fan-out task was lost two minutes ago; its start time has passed.
    Campaign.objects.filter(pk=campaign.pk).update(
        status="SCHEDULED", start_at=timezone.now() - dt.timedelta(minutes=1),
        updated_at=timezone.now() - dt.timedelta(minutes=5))
    published = []
    monkeypatch.setattr(tasks.fanout_campaign, "delay", lambda pk: published.append(pk))
    with django_capture_on_commit_callbacks(execute=False):
        found = sweeps.sweep()
    assert found["scheduled"] == 1 and Campaign.objects.get(pk=campaign.pk).status == "ACTIVE"
    assert published == [str(campaign.pk)]


def test_it_records_a_finished_bulk_job(account, monkeypatch):
    f.lines(account, 1)
    monkeypatch.setattr(tasks.run_bulk_job, "delay", lambda pk: None)
    job = bulkjobs.create_job(account, [{"to": "12", "body": "x"}])
    bulkjobs.run(job.pk)
    sweeps.sweep()
    job = BulkJob.objects.get(pk=job.pk)
    assert job.status == "completed" and job.completed_at is not None and job.payload == ""
