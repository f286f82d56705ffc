"""The periodic safety net: Celery carries wake-ups, the database holds the work, and this
sweep re-starts whatever a lost or killed task left behind."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Max, Q
from django.utils import timezone

from messaging.choices import Status

from . import bulkjobs, engagement, winner
from .choices import BulkStatus, CampaignStatus, ExportStatus
from .models import BulkJob, Campaign, CampaignResend, Export

S = CampaignStatus
#: A fan-out that made no progress for this long lost its task.
STALLED = timedelta(minutes=2)


def sweep() -> dict:
    from . import tasks

    now = timezone.now()
    stalled = now - STALLED
    found = {"scheduled": 0, "fanout": 0, "withdraw": 0, "check": 0, "resend": 0, "export": 0, "bulk": 0, "winner": 0}
    live = Campaign.objects.filter(status__in=[S.ACTIVE, S.SCHEDULED])
    # Stalled ones first: activating a schedule below touches updated_at.
    # A fan-out's chunks touch its slices' rows (the campaign's is only held FOR SHARE).
    fanning = live.filter(fanout_done_at__isnull=True).annotate(progress=Max("fanout_slices__updated_at"))
    quiet = Q(progress__lt=stalled) | Q(progress__isnull=True, updated_at__lt=stalled)
    for pk in fanning.filter(quiet).values_list("pk", flat=True):
        tasks.fanout_campaign.delay(str(pk))
        found["fanout"] += 1
    for pk in Campaign.objects.filter(status=S.SCHEDULED, start_at__lte=now).values_list("pk", flat=True):
        engagement.check_completion(pk)  # SCHEDULED -> ACTIVE once start_at passed
        found["scheduled"] += 1
    for pk in live.filter(status=S.ACTIVE, fanout_done_at__isnull=False).values_list("pk", flat=True):
        tasks.check_campaign.delay(str(pk))
        found["check"] += 1
    tests = live.filter(status=S.ACTIVE, fanout_done_at__isnull=False, winner_test_percent__isnull=False,
                        winner_decided_at__isnull=True)
    for campaign in tests.only("pk", "start_at", "started_at", "winner_test_percent", "winner_wait_minutes"):
        if winner.due_at(campaign) <= now:
            tasks.pick_winner.delay(str(campaign.pk))
            found["winner"] += 1
    stopped = Campaign.objects.filter(status=S.STOPPED, recipients__message__status=Status.QUEUED).distinct()
    for pk in stopped.values_list("pk", flat=True):
        tasks.withdraw_campaign.delay(str(pk))
        found["withdraw"] += 1
    resends = CampaignResend.objects.filter(done_at__isnull=True, created_at__lt=stalled)
    for pk in resends.values_list("pk", flat=True):
        tasks.resend_campaign.delay(pk)
        found["resend"] += 1
    for pk in Export.objects.exclude(status=ExportStatus.DONE).filter(updated_at__lt=stalled).values_list("pk", flat=True):
        tasks.run_export.delay(str(pk))
        found["export"] += 1
    jobs = BulkJob.objects.filter(status=BulkStatus.PROCESSING)
    queuing = jobs.filter(fanout_done_at__isnull=True).annotate(progress=Max("slices__updated_at"))
    for job in queuing.filter(Q(progress__lt=stalled) | Q(progress__isnull=True, created_at__lt=stalled)):
        tasks.run_bulk_job.delay(str(job.pk))
        found["bulk"] += 1
    for pk in jobs.filter(fanout_done_at__isnull=False).values_list("pk", flat=True):
        bulkjobs.settle(pk)
    return found
